package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// formFields lists the text fields of every POST route. A route missing
// here fails TestRoutes_HostileInput: add it with its fields, and the
// cross-origin, NUL, invalid UTF-8 and oversize checks cover it too.
var formFields = map[string][]string{
	"/login":                               {"email", "password", "next"},
	"/logout":                              {},
	"/unsubscribe":                         {"token"},
	"/touches":                             {"deal", "kind", "direction", "occurred_at", "outcome", "notes", "quote_amount", "duration_min", "contact_id", "undo", "idempotency_key"},
	"/deals":                               {"prospect_id", "title", "amount", "list_price", "cost", "stage", "expected_close", "next_step", "next_step_due", "future_promise", "confirm_expected_close", "idempotency_key"},
	"/deals/{id}":                          {"title", "amount", "list_price", "cost", "stage", "expected_close", "next_step", "next_step_due", "future_promise", "confirm_expected_close", "version"},
	"/deals/{id}/next-step":                {"next_step", "next_step_due", "version"},
	"/deals/{id}/stage":                    {"stage", "back"},
	"/deals/{id}/close":                    {"outcome", "reasons", "reason_other", "note", "back"},
	"/deals/{id}/disqualify":               {"reasons", "reason_other", "message"},
	"/deals/{id}/reopen":                   {},
	"/coaching/{id}/ack":                   {"back"},
	"/review":                              {"decision", "note", "until", "flag_id", "back"},
	"/review/{flagID}":                     {"decision", "note", "until", "back"},
	"/settings/walkaway":                   {"template"},
	"/deals/{id}/touches":                  {"kind", "direction", "occurred_at", "outcome", "notes", "quote_amount", "duration_min", "contact_id", "idempotency_key"},
	"/deals/{id}/touches/{touchID}":        {"kind", "direction", "occurred_at", "outcome", "notes", "quote_amount", "duration_min", "contact_id"},
	"/deals/{id}/touches/{touchID}/delete": {},
	"/prospects":                           {"name", "website", "industry", "notes", "contact_name", "contact_email", "contact_phone", "contact_title", "idempotency_key"},
	"/prospects/{id}/contacts":             {"contact_name", "contact_email", "contact_phone", "contact_title", "idempotency_key"},
	"/profile":                             {"name", "timezone", "digest_opt_out"},
	"/profile/password":                    {"current_password", "new_password", "confirm_password"},
	"/settings/scoring":                    {"action", "flag_from", "watch_from", "margin_floor"},
	"/admin/users":                         {"email", "name", "role", "team_id", "timezone", "password"},
	"/admin/users/{id}":                    {"role", "team_id", "disabled"},
	"/admin/teams":                         {"name", "manager_id"},
}

// queryParams are tried with hostile values on every GET route.
var queryParams = []string{"q", "stage", "owner", "band", "next", "prospect_id", "from", "to", "user", "action", "token", "after", "page", "days_before", "week"}

// TestRoutes_HostileInput walks the router, so a new route cannot be
// forgotten: every POST refuses a cross-origin request (403), a NUL byte,
// a control character or invalid UTF-8 in any of its text fields (422,
// naming the field) and a body over the limit (413); no GET answers 500 to
// such values in its query, and searches find nothing for them.
func TestRoutes_HostileInput(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedIn("admin@example.com")
	dealID, prospectID, _ := a.demoDeal("Acme Logistics — 40 seats")
	var touchID int64
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT id FROM touches WHERE deal_id = $1 LIMIT 1`, dealID).Scan(&touchID); err != nil {
		t.Fatal(err)
	}
	fill := func(route string) string {
		id := dealID
		switch {
		case strings.HasPrefix(route, "/prospects/"):
			id = prospectID
		case strings.HasPrefix(route, "/admin/users/"):
			id = a.userID("rep@example.com")
		case strings.HasPrefix(route, "/digests/"):
			id = 1
		}
		route = strings.ReplaceAll(route, "{id}", strconv.FormatInt(id, 10))
		route = strings.ReplaceAll(route, "{touchID}", strconv.FormatInt(touchID, 10))
		route = strings.ReplaceAll(route, "{flagID}", "1")
		return strings.TrimSuffix(route, "/*") + map[bool]string{true: "/app.css", false: ""}[strings.HasSuffix(route, "/*")]
	}
	type route struct{ method, pattern string }
	var routes []route
	err := chi.Walk(a.server.Handler().(chi.Routes), func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, route{method, pattern})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Searches treat such values as no match.
	for _, path := range []string{"/prospects?q=%00", "/deals?q=%ff", "/deals/new?q=%00", "/prospects?q=Acme%00"} {
		res := admin.get(path)
		if res.status != http.StatusOK || strings.Contains(res.body, "Acme Logistics") && !strings.Contains(path, "/deals?") {
			t.Errorf("GET %s: status %d, want 200 with no match", path, res.status)
		}
	}
	// Tab and newline are text, not refused (the wrong password is 401).
	if res := admin.post("/login", url.Values{"email": {"nobody@example.com"}, "password": {"a\tb\r\nc"}}); res.status != http.StatusUnauthorized {
		t.Errorf("sign-in with tab and newline in the password: status %d, want 401", res.status)
	}
	posts := 0
	for _, rt := range routes {
		path := fill(rt.pattern)
		switch rt.method {
		case http.MethodPost:
			if rt.pattern == "/static/*" { // files, not a form: Handle answers every method
				continue
			}
			posts++
			fields, ok := formFields[rt.pattern]
			if !ok {
				t.Errorf("POST %s is not in formFields: list its text fields there", rt.pattern)
				continue
			}
			checkPost(t, admin, path, fields)
		case http.MethodGet:
			for _, bad := range []string{"\x00", "\xff", "a\x00b\xfe"} {
				q := url.Values{}
				for _, p := range queryParams {
					q.Set(p, bad)
				}
				if res := admin.get(path + "?" + q.Encode()); res.status >= 500 {
					t.Errorf("GET %s with %q in the query: status %d", rt.pattern, bad, res.status)
				}
			}
		}
	}
	if posts < len(formFields) {
		t.Errorf("walked %d POST routes, formFields lists %d: remove the routes that are gone", posts, len(formFields))
	}
}

// checkPost sends the hostile requests to one POST route.
func checkPost(t *testing.T, c *client, path string, fields []string) {
	t.Helper()
	send := func(body string, header map[string]string) response {
		req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.app.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return c.do(req)
	}
	for _, h := range []map[string]string{
		{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example", "Sec-Fetch-Site": ""},
		{"Origin": "null", "Sec-Fetch-Site": "same-site"},
	} {
		if res := send("x=1", h); res.status != http.StatusForbidden {
			t.Errorf("POST %s cross-origin %v: status %d, want 403", path, h, res.status)
		}
	}
	for _, f := range fields {
		for _, bad := range []string{"a\x00b", "caf\xe9", "line\x1bbreak", "\xff\xfe"} {
			res := send(url.Values{f: {bad}}.Encode(), nil)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, f) {
				t.Errorf("POST %s with %q in %s: status %d, want 422 naming the field", path, bad, f, res.status)
			}
		}
	}
	for _, size := range []int{2 << 20, 20 << 20} {
		res := send("notes="+strings.Repeat("x", size), nil)
		if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "larger than we accept") {
			t.Errorf("POST %s with a %d MB body: status %d, want 413 with a plain page", path, size>>20, res.status)
		}
	}
}
