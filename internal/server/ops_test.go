package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"goodmoney/internal/metrics"
	"goodmoney/internal/pgtest"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
	"goodmoney/internal/server"
	"goodmoney/internal/servertest"
	"goodmoney/web"
)

func TestReadyz(t *testing.T) {
	a := newApp(t)
	c := a.client()
	if res := c.get("/readyz"); res.status != http.StatusOK || res.body != "ready" {
		t.Fatalf("readyz on a migrated database: %d %q", res.status, res.body)
	}

	t.Run("MigrationsBehind", func(t *testing.T) {
		// Forget the newest migration, as if this binary were newer than the schema.
		tag, err := a.DB.Pool.Exec(context.Background(),
			`DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("forget a migration: %v (%d rows)", err, tag.RowsAffected())
		}
		if res := c.get("/readyz"); res.status != http.StatusServiceUnavailable {
			t.Errorf("readyz with a migration pending: %d %q, want 503", res.status, res.body)
		}
		if res := c.get("/healthz"); res.status != http.StatusOK {
			t.Errorf("healthz with a migration pending: %d, want 200 (liveness only)", res.status)
		}
	})

	t.Run("DatabaseDown", func(t *testing.T) {
		a.DB.Pool.Close()
		if res := c.get("/readyz"); res.status != http.StatusServiceUnavailable {
			t.Errorf("readyz with the database gone: %d %q, want 503", res.status, res.body)
		}
	})
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// opsApp is a demo app with metrics and the given trusted proxies, logging
// into a buffer.
func opsApp(t *testing.T, trusted string) (*app, *metrics.Metrics, *syncBuffer) {
	t.Helper()
	db := postgres.NewDB(pgtest.NewDB(t))
	if _, err := seed.Demo(context.Background(), db); err != nil {
		t.Fatalf("seed: %v", err)
	}
	proxies, err := server.ParseTrustedProxies(trusted)
	if err != nil {
		t.Fatalf("proxies: %v", err)
	}
	logs := &syncBuffer{}
	s := servertest.New(db, server.Config{TrustedProxies: proxies}, slog.New(slog.NewTextHandler(logs, nil)))
	m := metrics.New()
	s.Metrics = m
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &app{t: t, URL: hs.URL, DB: db, srv: hs, server: s}, m, logs
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetrics_RequestsByRoutePattern(t *testing.T) {
	a, m, _ := opsApp(t, "")
	c := a.signedIn("rep@example.com")
	var dealID int64
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT min(id) FROM deals`).Scan(&dealID); err != nil {
		t.Fatalf("deal: %v", err)
	}
	for range 2 {
		if res := c.get("/deals/" + itoa(dealID)); res.status != http.StatusOK {
			t.Fatalf("deal page: %d", res.status)
		}
	}
	if res := c.get("/no/such/page"); res.status != http.StatusNotFound {
		t.Fatalf("unknown page: %d", res.status)
	}
	out := scrape(t, m)
	for _, want := range []string{
		`goodmoney_http_requests_total{code="2xx",method="GET",route="/deals/{id}"} 2`,
		`goodmoney_http_requests_total{code="3xx",method="POST",route="/login"} 1`,
		`goodmoney_http_requests_total{code="4xx",method="GET",route="unmatched"} 1`,
		`goodmoney_http_request_duration_seconds_count{code="2xx",method="GET",route="/deals/{id}"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(out, `route="/deals/`+itoa(dealID)) {
		t.Errorf("metrics carry a raw path:\n%s", out)
	}
}

func TestMetrics_PoolAndFlags(t *testing.T) {
	a, m, logs := opsApp(t, "")
	m.WatchPool(a.DB.Pool)
	m.WatchFlags(postgres.NewStats(a.DB), slog.New(slog.NewTextHandler(logs, nil)))
	var want int
	if err := a.DB.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM flags f JOIN deal_scores s ON s.org_id = f.org_id AND s.deal_id = f.deal_id
		WHERE f.status = 'open' AND s.band = 'not_good_money'`).Scan(&want); err != nil {
		t.Fatalf("count flags: %v", err)
	}
	if want == 0 {
		t.Fatal("the demo has no open flag to count")
	}
	out := scrape(t, m)
	for _, line := range []string{
		`goodmoney_flags{band="not_good_money",status="open"} ` + itoa(int64(want)),
		`goodmoney_flags{band="ok",status="snoozed"} 0`,
		`goodmoney_db_pool_max_connections `,
		`goodmoney_db_pool_connections{state="idle"} `,
	} {
		if !strings.Contains(out, line) {
			t.Errorf("metrics lack %s", line)
		}
	}
	if strings.Contains(logs.String(), "count open flags") {
		t.Errorf("flag count failed: %s", logs.String())
	}
}

// The client address in the logs (and the sign-in throttle's key) comes from
// X-Forwarded-For only when the peer is a trusted proxy.
func TestTrustedProxies_ClientInLogs(t *testing.T) {
	for _, tt := range []struct {
		name, trusted, want string
	}{
		{"NotTrusted", "", "client=127.0.0.1"},
		{"LoopbackTrusted", "127.0.0.0/8,::1", "client=203.0.113.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _, logs := opsApp(t, tt.trusted)
			req, _ := http.NewRequest(http.MethodPost, a.URL+"/login", strings.NewReader(url.Values{
				"email": {"rep@example.com"}, "password": {"wrong password"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("post: %v", err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d, want 401", res.StatusCode)
			}
			if !strings.Contains(logs.String(), tt.want) {
				t.Errorf("logs lack %s:\n%s", tt.want, logs.String())
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCompression(t *testing.T) {
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}, Jar: c.hc.Jar}
	for _, tt := range []struct{ path, encoding string }{
		{"/", "gzip"},
		{"/deals", "gzip"},
		{web.Asset("app.css"), "gzip"},
		{"/healthz", ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, a.URL+tt.path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := raw.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", tt.path, res.StatusCode, err)
		}
		if got := res.Header.Get("Content-Encoding"); got != tt.encoding {
			t.Errorf("%s: Content-Encoding %q, want %q", tt.path, got, tt.encoding)
			continue
		}
		if tt.encoding == "" {
			continue
		}
		if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s: Vary = %q", tt.path, res.Header.Values("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: not gzip: %v", tt.path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: gunzip: %v", tt.path, err)
		}
		t.Logf("%s: %d bytes, %d gzipped", tt.path, len(plain), len(body))
		if len(body) >= len(plain) {
			t.Errorf("%s: gzip did not shrink it (%d of %d)", tt.path, len(body), len(plain))
		}
	}

	// Without Accept-Encoding the page goes out as it is.
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/", nil)
	res, err := raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("compressed without Accept-Encoding: %v", res.Header)
	}
}
