package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pgtest"
)

// Tables that are not an org's data and stay whole on one node when the
// org tables are distributed by org_id (Citus: local tables on the
// coordinator, or reference tables), with the reason.
var notTenantTables = map[string]string{
	"orgs":             "the tenants themselves: a reference table, copied to every node",
	"sessions":         "scs's session store, keyed by a random token before any org is known",
	"login_failures":   "the sign-in throttle, keyed by email and address before any org is known",
	"app_secrets":      "the app's own signing keys, not an org's data",
	"goose_db_version": "goose's migration ledger",
}

// Constraints that may leave org_id out, with the reason.
var crossOrgConstraints = map[string]string{
	// Signing in finds a user by email alone, before any org is known, so an
	// email names one user across every org. Under Citus this uniqueness
	// moves to a small email → (org_id, user_id) table on the coordinator.
	"users_email_key": "an email signs in to one org",
}

// TestTenancy_ReadyForDistribution checks, in the catalog, that the schema
// can be sharded by org_id: every table carries org_id, and every primary
// key, unique constraint or index, and foreign key between org tables
// includes it (Citus requires both of distributed tables).
func TestTenancy_ReadyForDistribution(t *testing.T) {
	pool := pgtest.NewDB(t)
	var problems []string
	problems = append(problems, query(t, pool, `
		SELECT c.relname || ': no org_id column'
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'river\_%'
		  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
		ORDER BY 1`)...)
	// Unique indexes back every primary key and unique constraint, so one
	// look at them covers all three; expression columns count as not org_id.
	problems = append(problems, query(t, pool, `
		SELECT ic.relname || ' on ' || c.relname || ': unique without org_id'
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND i.indisunique
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
		  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id'
		                  AND a.attnum = ANY (i.indkey::int2[]))
		ORDER BY 1`)...)
	problems = append(problems, query(t, pool, `
		SELECT con.conname || ' on ' || c.relname || ' -> ' || rc.relname || ': foreign key without org_id on both sides'
		FROM pg_constraint con
		JOIN pg_class c ON c.oid = con.conrelid
		JOIN pg_class rc ON rc.oid = con.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND con.contype = 'f' AND rc.relname <> 'orgs'
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
		  AND NOT (
		    EXISTS (SELECT 1 FROM unnest(con.conkey, con.confkey) AS k (col, refcol)
		            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col
		            JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refcol
		            WHERE a.attname = 'org_id' AND ra.attname = 'org_id'))
		ORDER BY 1`)...)

	var unexpected []string
	for _, p := range problems {
		name, _, _ := strings.Cut(p, ":")
		name, _, _ = strings.Cut(name, " on ")
		if _, ok := notTenantTables[name]; ok {
			continue
		}
		if _, ok := crossOrgConstraints[name]; ok {
			continue
		}
		unexpected = append(unexpected, p)
	}
	if len(unexpected) > 0 {
		t.Errorf("the schema is not ready to shard by org_id:\n  %s", strings.Join(unexpected, "\n  "))
	}
	// The allowances must stay true: a table listed as not an org's must exist.
	tables := query(t, pool, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)
	for name := range notTenantTables {
		if !slices.Contains(tables, name) {
			t.Errorf("notTenantTables lists %s, which no longer exists", name)
		}
	}
}

// query returns the first column of every row.
func query(t *testing.T, pool *pgxpool.Pool, sql string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("catalog query: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("catalog query: %v", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("catalog query: %v", err)
	}
	return out
}
