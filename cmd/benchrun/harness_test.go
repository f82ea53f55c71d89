//go:build bench

// The harness measures the ceiling pages, which exist only in bench builds:
// make test runs it with go test -tags bench ./cmd/benchrun.

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
	"goodmoney/internal/server"
	"goodmoney/internal/servertest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestHarnessTiny runs every measurement of `make bench` for a moment on the
// tiny benchmark org, with the server in-process, so the harness cannot rot.
func TestHarnessTiny(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	db := postgres.NewDB(pool)
	scores := postgres.NewScoreService(db)
	st, err := seed.Large(ctx, db, seed.LargeOptions{
		Seed: 1, Reps: 10, Teams: 2, Prospects: 200, Deals: 500, Touches: 10_000,
		Rescore: func(ctx context.Context, orgID int64) error { _, err := scores.RescoreAll(ctx, orgID); return err },
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	srv := servertest.New(db, server.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	var log strings.Builder
	o := Options{Clients: 4, Read: 400 * time.Millisecond, Write: 400 * time.Millisecond, Slices: 2, ReadRate: 20, WriteRate: 10, Log: &log}
	res, err := Measure(ctx, Target{BaseURL: hs.URL, PID: os.Getpid(), DB: db, OrgID: st.OrgID}, o)
	t.Log("\n" + log.String())
	if err != nil {
		t.Fatalf("Measure: %v", err)
	}

	for _, key := range []string{"ceiling_a", "ceiling_b", "deal", "band", "review", "search", "touch"} {
		l := res.Load(key)
		if l == nil {
			t.Errorf("no %s figures", key)
			continue
		}
		for name, s := range map[string]Sample{"closed": l.Closed, "ceiling (a) alongside": l.Ceiling, "open": l.Open} {
			if s.Requests == 0 || s.RPS <= 0 || s.Errors != 0 {
				t.Errorf("%s, %s: %d requests, %.1f req/s, %d errors (%s)", key, name, s.Requests, s.RPS, s.Errors, s.FirstError)
			}
		}
		if l.Open.P99 <= 0 || l.Ratio() <= 0 || l.PeakRSSKB <= 0 {
			t.Errorf("%s: p99 %s, ratio %.2f, RSS %d kB", key, l.Open.P99, l.Ratio(), l.PeakRSSKB)
		}
	}
	if res.Rescore.Deals != st.OpenDeals || res.RescoreTime <= 0 || res.Scan <= 0 || res.ScanPlanned <= 0 || res.ScanIndexOnly <= 0 {
		t.Errorf("rescore of %d deals in %s, scan %s; want %d deals", res.Rescore.Deals, res.RescoreTime, res.Scan, st.OpenDeals)
	}
	if res.PeakRSSKB <= 0 {
		t.Errorf("no peak RSS")
	}
	if d := res.Digest; d == nil || d.Stats.Due != st.Users || d.Stats.Recorded != st.Users || d.Time <= 0 {
		t.Errorf("digests: %+v, want all %d users recorded", d, st.Users)
	}
	if o := res.Outcomes; o == nil || o.Deals == 0 || o.Time <= 0 || o.Cold <= 0 || o.Warm <= 0 {
		t.Errorf("outcomes: %+v, want the back-test of the closed deals and the manager's page timed", o)
	}
	var left int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM touches WHERE notes = $1`, benchNote).Scan(&left); err != nil || left != 0 || res.BenchTouches == 0 {
		t.Errorf("bench touches: %d logged, %d left behind (%v)", res.BenchTouches, left, err)
	}

	r := &Report{Date: time.Now(), Options: o, Results: res, Machine: []string{"test"}, Dataset: []string{"tiny"}}
	md := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(md, []byte("# Benchmarks\n\nFindings written by hand.\n\n"+beginMarker+"\nold\n"+endMarker+"\n\nMore notes.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := writeMarkdown(md, r.Section()); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(md)
	text := string(b)
	for _, want := range []string{"Findings written by hand.", "More notes.", "ceiling (a)", "ceiling (b)", "deal page", "band=not_good_money",
		"prospects?q=", "POST /deals/{id}/touches", "full rescore", "peak RSS", "/review", "Monday digests of every user", "back-test of"} {
		if !strings.Contains(text, want) {
			t.Errorf("BENCHMARKS.md lacks %q", want)
		}
	}
	if strings.Count(text, beginMarker) != 1 || strings.Contains(text, "\nold\n") {
		t.Errorf("generated section not replaced exactly once:\n%s", text)
	}
}
