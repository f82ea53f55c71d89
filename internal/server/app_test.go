package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
	"goodmoney/internal/server"
	"goodmoney/internal/servertest"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	closeBrowser()
	os.Exit(code)
}

// app is a real server on a fresh database seeded with the demo org.
type app struct {
	t   testing.TB
	URL string
	DB  *postgres.DB
	srv *httptest.Server
	// server is the app under test; tests may set its clock.
	server *server.Server
}

func newApp(t testing.TB) *app {
	t.Helper()
	pool := pgtest.NewDB(t)
	db := postgres.NewDB(pool)
	if _, err := seed.Demo(context.Background(), db); err != nil {
		t.Fatalf("seed: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s := servertest.New(db, server.Config{}, logger)
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &app{t: t, URL: hs.URL, DB: db, srv: hs, server: s}
}

// client is a browser-like HTTP client that does not follow redirects.
type client struct {
	t   testing.TB
	app *app
	hc  *http.Client
}

func (a *app) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signedIn returns a client signed in as email with the demo password.
func (a *app) signedIn(email string) *client {
	c := a.client()
	res := c.post("/login", url.Values{"email": {email}, "password": {seed.DemoPassword}})
	if res.status != http.StatusSeeOther {
		a.t.Fatalf("sign in %s: status %d\n%s", email, res.status, res.body)
	}
	return c
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// What a browser sends on a same-origin form post.
	req.Header.Set("Origin", c.app.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// sessionCookie returns the value of the session cookie the client holds.
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.app.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "gm_session" {
			return ck.Value
		}
	}
	return ""
}

// userID returns the id of a demo user.
func (a *app) userID(email string) int64 {
	a.t.Helper()
	var id int64
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE email = $1`, email).Scan(&id); err != nil {
		a.t.Fatalf("user %s: %v", email, err)
	}
	return id
}

var _ = pipeline.RoleRep
