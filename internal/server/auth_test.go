package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/seed"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	a := newApp(t)

	t.Run("RightPasswordRenewsToken", func(t *testing.T) {
		c := a.client()
		res := c.post("/login", url.Values{"email": {"rep@example.com"}, "password": {seed.DemoPassword}, "next": {"/profile"}})
		if res.status != http.StatusSeeOther || res.location != "/profile" {
			t.Fatalf("status %d location %q, want 303 /profile", res.status, res.location)
		}
		first := c.sessionCookie()
		if first == "" {
			t.Fatal("no session cookie after sign-in")
		}
		if ck := res.header.Get("Set-Cookie"); !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
			t.Errorf("cookie %q lacks HttpOnly or SameSite=Lax", ck)
		}
		home := c.get("/")
		if home.status != http.StatusOK || !strings.Contains(home.body, "Riley Rep") {
			t.Fatalf("home: status %d, want 200 with the user's name", home.status)
		}
		// Signing in again over an existing session issues a new token and voids the old one.
		c.post("/login", url.Values{"email": {"rep@example.com"}, "password": {seed.DemoPassword}})
		if second := c.sessionCookie(); second == first || second == "" {
			t.Fatalf("token not renewed at sign-in: %q then %q", first, second)
		}
		stale := a.client()
		stale.hc.Jar.SetCookies(mustURL(a.URL), []*http.Cookie{{Name: "gm_session", Value: first}})
		if res := stale.get("/"); res.status != http.StatusSeeOther {
			t.Errorf("old token still works: status %d", res.status)
		}
	})

	t.Run("WrongPassword", func(t *testing.T) {
		c := a.client()
		res := c.post("/login", url.Values{"email": {"rep2@example.com"}, "password": {"not-the-password"}})
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "do not match") {
			t.Fatalf("status %d, want 401 with the error message", res.status)
		}
		if !strings.Contains(res.body, `value="rep2@example.com"`) {
			t.Error("the email typed was not kept in the form")
		}
		if c.sessionCookie() != "" {
			t.Error("a failed sign-in created a session")
		}
		if res := c.get("/"); res.status != http.StatusSeeOther || res.location != "/login" {
			t.Errorf("home after failed sign-in: %d %q", res.status, res.location)
		}
	})

	t.Run("UnknownNextStaysOnSite", func(t *testing.T) {
		c := a.client()
		res := c.post("/login", url.Values{"email": {"rep2@example.com"}, "password": {seed.DemoPassword}, "next": {"//evil.example/x"}})
		if res.location != "/" {
			t.Errorf("redirected to %q, want /", res.location)
		}
	})
}

func TestLogin_DisabledUser(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	admin := a.signedIn("admin@example.com")
	id := a.userID("rep@example.com")

	res := admin.post("/admin/users/"+strconv.FormatInt(id, 10), url.Values{"role": {"rep"}, "team_id": {""}, "disabled": {"true"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("disable: status %d\n%s", res.status, res.body)
	}
	if res := rep.get("/"); res.status != http.StatusSeeOther {
		t.Errorf("disabled user's session still works: status %d", res.status)
	}
	res = a.client().post("/login", url.Values{"email": {"rep@example.com"}, "password": {seed.DemoPassword}})
	if res.status != http.StatusUnauthorized {
		t.Errorf("disabled user signed in: status %d", res.status)
	}
}

func TestLogin_RateLimit(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	for i := 0; i < 5; i++ {
		if res := c.post("/login", url.Values{"email": {"rep2@example.com"}, "password": {"wrong-password"}}); res.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, res.status)
		}
	}
	// Past the limit even the right password is refused, with a message.
	res := c.post("/login", url.Values{"email": {"rep2@example.com"}, "password": {seed.DemoPassword}})
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "Too many sign-in attempts") {
		t.Fatalf("status %d, want 429 with a message", res.status)
	}
	// Another account from the same address is not locked out by one email's failures.
	if res := c.post("/login", url.Values{"email": {"rep3@example.com"}, "password": {seed.DemoPassword}}); res.status != http.StatusSeeOther {
		t.Errorf("other account: status %d, want 303", res.status)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	token := c.sessionCookie()
	if res := c.post("/logout", nil); res.status != http.StatusSeeOther {
		t.Fatalf("logout: status %d", res.status)
	}
	var n int
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, token).Scan(&n); err != nil || n != 0 {
		t.Fatalf("session row still there after logout: n=%d err=%v", n, err)
	}
	replay := a.client()
	replay.hc.Jar.SetCookies(mustURL(a.URL), []*http.Cookie{{Name: "gm_session", Value: token}})
	if res := replay.get("/"); res.status != http.StatusSeeOther {
		t.Errorf("old cookie works after logout: status %d", res.status)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("admin@example.com")
	form := url.Values{"email": {"evil@example.com"}, "name": {"Evil"}, "role": {"admin"}, "password": {"correct horse battery"}, "timezone": {"UTC"}}
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/admin/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := c.do(req); res.status != http.StatusForbidden {
		t.Fatalf("cross-origin POST: status %d, want 403", res.status)
	}
	var n int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email = 'evil@example.com'`), &n)
	if n != 0 {
		t.Error("the cross-origin POST created a user")
	}
}

func TestRoles_RepCannotOpenAdmin(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	if res := a.signedIn("rep@example.com").get("/admin/users"); res.status != http.StatusForbidden {
		t.Errorf("rep on /admin/users: status %d, want 403", res.status)
	}
	if res := a.signedIn("manager@example.com").get("/admin/users"); res.status != http.StatusForbidden {
		t.Errorf("manager on /admin/users: status %d, want 403", res.status)
	}
	res := a.signedIn("admin@example.com").get("/admin/users")
	if res.status != http.StatusOK || !strings.Contains(res.body, "rep2@example.com") {
		t.Errorf("admin on /admin/users: status %d", res.status)
	}
}

func TestAdmin_AddUser(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedIn("admin@example.com")
	bad := admin.post("/admin/users", url.Values{"email": {"new@example.com"}, "name": {"New Person"}, "role": {"rep"}, "password": {"password"}, "timezone": {"UTC"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "commonly used") || !strings.Contains(bad.body, `value="New Person"`) {
		t.Fatalf("common password: status %d; want 422 with the message and values kept", bad.status)
	}
	ok := admin.post("/admin/users", url.Values{"email": {"New@Example.com"}, "name": {"New Person"}, "role": {"rep"}, "password": {"a long enough phrase"}, "timezone": {"Europe/Paris"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("add user: status %d\n%s", ok.status, ok.body)
	}
	c := a.client()
	if res := c.post("/login", url.Values{"email": {"new@example.com"}, "password": {"a long enough phrase"}}); res.status != http.StatusSeeOther {
		t.Errorf("new user cannot sign in: %d", res.status)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := a.client().get("/healthz")
	if res.status != http.StatusOK || strings.TrimSpace(res.body) != "ok" {
		t.Fatalf("healthz: %d %q", res.status, res.body)
	}
	a.DB.Pool.Close()
	if res := a.client().get("/healthz"); res.status != http.StatusServiceUnavailable {
		t.Errorf("healthz with the database gone: %d, want 503", res.status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := a.client().get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	} {
		if !strings.Contains(res.header.Get(h), want) {
			t.Errorf("%s = %q, want it to contain %q", h, res.header.Get(h), want)
		}
	}
	if !strings.Contains(res.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Error("CSP allows scripts from elsewhere")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestAdmin_AddTeam(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedIn("admin@example.com")
	if res := admin.post("/admin/teams", url.Values{"name": {"East"}, "manager_id": {""}}); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "exists already") {
		t.Errorf("duplicate team: status %d, want 422 with a message", res.status)
	}
	if res := admin.post("/admin/teams", url.Values{"name": {"North"}, "manager_id": {""}}); res.status != http.StatusSeeOther {
		t.Fatalf("add team: status %d", res.status)
	}
	if res := admin.get("/admin/users"); !strings.Contains(res.body, "North") {
		t.Error("the new team is not listed")
	}
}

// TestSession_IdleWithoutAWritePerPage: reading pages does not rewrite the
// session row (only every few minutes, to move the idle deadline), and a
// session idle for more than a day is over.
func TestSession_IdleWithoutAWritePerPage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	rowVersion := func() (v string) {
		t.Helper()
		if err := a.DB.Pool.QueryRow(context.Background(), `SELECT xmin::text FROM sessions`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	signedIn := rowVersion()
	for range 3 {
		if res := c.get("/deals"); res.status != http.StatusOK {
			t.Fatalf("deals: %d", res.status)
		}
	}
	if rowVersion() != signedIn {
		t.Error("reading pages rewrote the session row")
	}

	start := time.Now()
	a.server.Now = func() time.Time { return start.Add(10 * time.Minute) }
	if res := c.get("/deals"); res.status != http.StatusOK {
		t.Fatalf("deals after 10 minutes: %d", res.status)
	}
	if rowVersion() == signedIn {
		t.Error("the idle deadline did not move after 10 minutes")
	}
	a.server.Now = func() time.Time { return start.Add(10*time.Minute + 25*time.Hour) }
	if res := c.get("/deals"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("after 25 idle hours: status %d to %q, want the sign-in page", res.status, res.location)
	}
}
