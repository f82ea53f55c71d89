package server_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// timed runs get b.N times and reports the median and 95th percentile.
func timed(b *testing.B, c *client, path string) {
	b.Helper()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if res := c.get(path); res.status != http.StatusOK {
			b.Fatalf("GET %s: %d", path, res.status)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkDealPage is the deal page of a busy demo deal, end to end through
// the router, session, one batched round trip and the render.
func BenchmarkDealPage(b *testing.B) {
	a := newApp(b)
	id, _, _ := a.demoDeal("Acme Logistics — 40 seats")
	timed(b, a.signedIn("rep@example.com"), "/deals/"+strconv.FormatInt(id, 10))
}

// BenchmarkProspectSearch searches 100,000 prospects by a fragment of a name.
func BenchmarkProspectSearch(b *testing.B) {
	a := newApp(b)
	_, err := a.DB.Pool.Exec(context.Background(), `
		INSERT INTO prospects (org_id, name, website, owner_id, search)
		SELECT o.id, 'Company ' || g || ' ' || md5(g::text), 'c' || g || '.example', u.id,
			lower('Company ' || g || ' ' || md5(g::text) || ' c' || g || '.example')
		FROM generate_series(1, 100000) g, (SELECT min(id) AS id FROM orgs) o, (SELECT min(id) AS id FROM users) u`)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.DB.Pool.Exec(context.Background(), `ANALYZE prospects`); err != nil {
		b.Fatal(err)
	}
	timed(b, a.signedIn("rep@example.com"), "/prospects?q=ef12")
}
