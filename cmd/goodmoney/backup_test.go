package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
)

// A backup of the demo restored into an empty database has the same rows
// in every table and serves the same deal page.
func TestBackupRestore_RoundTrip(t *testing.T) {
	ctx := context.Background()
	pool, srcURL := pgtest.NewDBURL(t)
	if _, err := seed.Demo(ctx, postgres.NewDB(pool)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	file := filepath.Join(t.TempDir(), "goodmoney.dump")
	if out, err := runCommand(t, srcURL, "backup", file); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if st, err := os.Stat(file); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}

	t.Run("RefusesNonEmpty", func(t *testing.T) {
		out, err := runCommand(t, srcURL, "restore", file)
		if err == nil || !strings.Contains(out, "not empty") {
			t.Fatalf("restore over the live database: err %v\n%s", err, out)
		}
	})

	dstURL := pgtest.NewEmptyDBURL(t)
	if out, err := runCommand(t, dstURL, "restore", file); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	dst, err := pgxpool.New(ctx, dstURL)
	if err != nil {
		t.Fatalf("open restored: %v", err)
	}
	t.Cleanup(dst.Close)

	want, got := rowCounts(t, pool), rowCounts(t, dst)
	if len(want) < 10 {
		t.Fatalf("only %d tables counted: %v", len(want), want)
	}
	for table, n := range want {
		if got[table] != n {
			t.Errorf("%s: %d rows restored, want %d", table, got[table], n)
		}
	}
	for _, table := range []string{"deals", "touches", "users", "flags"} {
		if want[table] == 0 {
			t.Errorf("the demo has no %s: the comparison proves little", table)
		}
	}

	// The same deal page from both databases, served by a real process.
	var dealID int64
	if err := pool.QueryRow(ctx, `SELECT min(d.id) FROM deals d JOIN flags f ON f.org_id = d.org_id AND f.deal_id = d.id`).Scan(&dealID); err != nil {
		t.Fatalf("flagged deal: %v", err)
	}
	page := func(databaseURL string) string {
		in := startServe(t, "serve", databaseURL)
		b := newBrowser(t)
		b.signIn(in.URL, "admin@example.com")
		body := b.mustGet(in.URL + "/deals/" + strconv.FormatInt(dealID, 10))
		in.stop()
		return body
	}
	// Every render gives a create form a fresh idempotency key.
	freshKey := regexp.MustCompile(`name="idempotency_key" value="[^"]*"`)
	orig := freshKey.ReplaceAllString(page(srcURL), `name="idempotency_key" value=""`)
	restored := freshKey.ReplaceAllString(page(dstURL), `name="idempotency_key" value=""`)
	if !strings.Contains(orig, `data-band="not_good_money"`) {
		t.Errorf("the original deal page lacks its band:\n%.2000s", orig)
	}
	if orig != restored {
		t.Errorf("the deal page differs after restore:\n--- original\n%.3000s\n--- restored\n%.3000s", orig, restored)
	}
}

// rowCounts counts the rows of every table in the public schema.
func rowCounts(t *testing.T, pool *pgxpool.Pool) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("list tables: %v", err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	counts := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return counts
}
