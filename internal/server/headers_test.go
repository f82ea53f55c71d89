package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"goodmoney/internal/postgres"
	"goodmoney/internal/server"
	"goodmoney/internal/servertest"
)

// TestSecurityHeaders_NoStoreAndHSTS: signed-in pages are never cached; HSTS is sent only
// when the app runs behind HTTPS (SESSION_SECURE).
func TestSecurityHeaders_NoStoreAndHSTS(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	for _, p := range []string{"/", "/deals", "/prospects", "/profile", "/login"} {
		res := rep.get(p)
		if got := res.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", p, got)
		}
		if res.header.Get("Content-Security-Policy") == "" || res.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: CSP or frame options missing", p)
		}
		if got := res.header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("GET %s over plain HTTP: HSTS %q", p, got)
		}
	}
	secure := servertest.New(postgres.NewDB(a.DB.Pool), server.Config{SessionSecure: true}, a.server.Logger)
	rec := httptest.NewRecorder()
	secure.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	if got := rec.Header().Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
		t.Errorf("SESSION_SECURE: HSTS %q", got)
	}
}
