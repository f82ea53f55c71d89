package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"goodmoney/internal/digest"
	"goodmoney/internal/postgres"
	"goodmoney/internal/servertest"
)

// optedOut reads a user's digest switch.
func (a *app) optedOut(email string) bool {
	a.t.Helper()
	var out bool
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT digest_opt_out FROM users WHERE email = $1`, email).Scan(&out); err != nil {
		a.t.Fatal(err)
	}
	return out
}

var unsubLink = regexp.MustCompile(`Unsubscribe: (\S+)`)

func TestDigestPreview(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("manager@example.com")
	res := c.get("/digests/preview")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(res.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("preview: %d %s %q", res.status, res.header.Get("Content-Type"), res.header.Get("Content-Security-Policy"))
	}
	for _, want := range []string{"Hi Morgan", `data-section="awaiting"`, "Acme Logistics — 40 seats", servertest.BaseURL + "/deals/"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the manager's preview lacks %q", want)
		}
	}
	text := c.get("/digests/preview?format=text")
	if text.status != http.StatusOK || !strings.HasPrefix(text.header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(text.body, "FLAGS AWAITING YOUR REVIEW") {
		t.Errorf("text preview: %d %s\n%s", text.status, text.header.Get("Content-Type"), text.body)
	}
	if res := a.client().get("/digests/preview"); res.status != http.StatusSeeOther {
		t.Errorf("signed out preview: %d, want a redirect to sign in", res.status)
	}
	var rows int
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM digests`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("a preview recorded %d outbox rows (%v)", rows, err)
	}
}

func TestDigestOutbox_AdminsOnly(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	spy, _, _, _ := a.foreignOrg()
	svc := &digest.Service{Store: postgres.NewDigestStore(a.DB), BaseURL: servertest.BaseURL}
	res, err := svc.SendNow(context.Background(), "rep@example.com", "", false)
	if err != nil || res.Entry.Status != "pending" {
		t.Fatalf("record: %+v, %v", res, err)
	}
	row := "/digests/" + strconv.FormatInt(res.Entry.ID, 10)

	admin := a.signedIn("admin@example.com")
	list := admin.get("/digests")
	if list.status != http.StatusOK || !strings.Contains(list.body, `data-digest-id="`+strconv.FormatInt(res.Entry.ID, 10)+`"`) {
		t.Errorf("admin outbox: %d, row missing", list.status)
	}
	if got := admin.get(row); got.status != http.StatusOK || !strings.Contains(got.body, "Hi Riley") {
		t.Errorf("admin reads the row: %d", got.status)
	}
	if got := admin.get(row + "?format=text"); got.status != http.StatusOK || !strings.HasPrefix(got.body, "Hi Riley,") {
		t.Errorf("admin reads the text: %d %q", got.status, got.body)
	}
	if got := a.signedIn(spy).get("/digests"); got.status != http.StatusOK || strings.Contains(got.body, "rep@example.com") {
		t.Errorf("another org's admin GET /digests: %d, want their own empty outbox", got.status)
	}
	for _, email := range []string{"rep@example.com", "manager@example.com", spy} {
		c := a.signedIn(email)
		if got := c.get("/digests"); got.status != http.StatusNotFound && email != spy {
			t.Errorf("%s GET /digests: %d, want 404", email, got.status)
		}
		if got := c.get(row); got.status != http.StatusNotFound || strings.Contains(got.body, "Hi Riley") {
			t.Errorf("%s GET %s: %d, want 404", email, row, got.status)
		}
	}
}

func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	preview := a.signedIn("rep@example.com").get("/digests/preview?format=text")
	m := unsubLink.FindStringSubmatch(preview.body)
	if m == nil {
		t.Fatalf("no unsubscribe link in:\n%s", preview.body)
	}
	link, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	token := link.Query().Get("token")
	path := "/unsubscribe?" + link.RawQuery

	anon := a.client()
	// A tampered token is refused with a plain page, and changes nothing.
	for _, bad := range []string{token[:len(token)-2] + "xx", "1.9999999999.abc", ""} {
		if res := anon.get("/unsubscribe?token=" + url.QueryEscape(bad)); res.status != http.StatusBadRequest ||
			!strings.Contains(res.body, "not valid") {
			t.Errorf("GET with token %q: %d", bad, res.status)
		}
		if res := anon.post("/unsubscribe", url.Values{"token": {bad}}); res.status != http.StatusBadRequest {
			t.Errorf("POST with token %q: %d", bad, res.status)
		}
	}
	// Opening the link signed out asks, and changes nothing yet.
	res := anon.get(path)
	if res.status != http.StatusOK || !strings.Contains(res.body, "rep@example.com") || !strings.Contains(res.body, `action="/unsubscribe"`) {
		t.Fatalf("GET the link signed out: %d\n%s", res.status, res.body)
	}
	if a.optedOut("rep@example.com") {
		t.Fatal("opening the link unsubscribed already")
	}
	res = anon.post("/unsubscribe", url.Values{"token": {token}})
	if res.status != http.StatusOK || !strings.Contains(res.body, "data-unsubscribed") || !a.optedOut("rep@example.com") {
		t.Fatalf("confirm signed out: %d, opted out %v", res.status, a.optedOut("rep@example.com"))
	}

	// A mail client's one-click POST (RFC 8058): no browser headers, token in the query.
	preview = a.signedIn("rep2@example.com").get("/digests/preview?format=text")
	link2, _ := url.Parse(unsubLink.FindStringSubmatch(preview.body)[1])
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/unsubscribe?"+link2.RawQuery, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := anon.do(req); res.status != http.StatusOK || !a.optedOut("rep2@example.com") {
		t.Errorf("one-click: %d, opted out %v", res.status, a.optedOut("rep2@example.com"))
	}
	if a.optedOut("rep3@example.com") {
		t.Error("someone else was unsubscribed")
	}
}
