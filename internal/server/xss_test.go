package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// xssPayloads are stored in every text field; none may run.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`'><svg onload=alert(3)>`,
	`javascript:alert(4)`,
	`</textarea><script>alert(5)</script>`,
	`<a href="javascript:alert(6)">x</a>`,
	`{{7*7}} ${alert(8)}`,
}

// raw reports whether body holds a payload unescaped: markup that a browser
// would parse as a tag or an event handler.
func raw(body string) string {
	for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", `<a href="javascript:`, "href=\"javascript:alert"} {
		if strings.Contains(body, bad) {
			return bad
		}
	}
	return ""
}

// TestXSS_StoredPayloadsInert stores the payloads in every text field of
// prospects, contacts, deals, touches, users, teams and the profile, and
// checks every page that shows them (and every 422 page that echoes them)
// carries them escaped; then a browser opens those pages and no dialog
// fires.
func TestXSS_StoredPayloadsInert(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedIn("admin@example.com")
	check := func(what string, res response) {
		t.Helper()
		if bad := raw(res.body); bad != "" {
			t.Errorf("%s: %q unescaped in the page (status %d)", what, bad, res.status)
		}
	}
	var prospectIDs, dealIDs []int64
	for i, p := range xssPayloads {
		n := strconv.Itoa(i)
		res := admin.post("/prospects", url.Values{"name": {"P" + n + " " + p}, "website": {p}, "industry": {p}, "notes": {p},
			"contact_name": {"C " + p}, "contact_email": {p}, "contact_phone": {p}, "contact_title": {p}})
		check("create prospect (maybe 422)", res)
		if res.status != http.StatusSeeOther { // the email or website was refused: store the rest
			res = admin.post("/prospects", url.Values{"name": {"P" + n + " " + p}, "industry": {p}, "notes": {p},
				"contact_name": {"C " + p}, "contact_phone": {p}, "contact_title": {p}})
			check("create prospect", res)
		}
		if res.status != http.StatusSeeOther {
			t.Fatalf("create prospect with payload %d: status %d", i, res.status)
		}
		pid, _ := strconv.ParseInt(strings.TrimPrefix(res.location, "/prospects/"), 10, 64)
		prospectIDs = append(prospectIDs, pid)
		check("add contact", admin.post("/prospects/"+strconv.FormatInt(pid, 10)+"/contacts", url.Values{"name": {p}, "title": {p}, "phone": {p}}))
		res = admin.post("/deals", url.Values{"prospect_id": {strconv.FormatInt(pid, 10)}, "title": {"D" + n + " " + p}, "amount": {"1000"},
			"stage": {"proposal"}, "next_step": {p}})
		check("create deal", res)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create deal with payload %d: status %d", i, res.status)
		}
		did, _ := strconv.ParseInt(strings.TrimPrefix(res.location, "/deals/"), 10, 64)
		dealIDs = append(dealIDs, did)
		check("log touch", admin.post("/deals/"+strconv.FormatInt(did, 10)+"/touches", url.Values{"kind": {"email"}, "direction": {"inbound"}, "notes": {p}}))
		check("bad amount echoes", admin.post("/deals", url.Values{"prospect_id": {strconv.FormatInt(pid, 10)}, "title": {p}, "amount": {p}}))
		check("create team", admin.post("/admin/teams", url.Values{"name": {"T" + n + " " + p}}))
		check("create user", admin.post("/admin/users", url.Values{"email": {"x" + n + "@example.com"}, "name": {p}, "role": {"rep"},
			"timezone": {"UTC"}, "password": {"lantern-otter-" + n + n}}))
		check("bad user echoes", admin.post("/admin/users", url.Values{"email": {p}, "name": {p}, "role": {p}, "timezone": {p}, "password": {"x"}}))
		check("search echoes", admin.get("/prospects?q="+url.QueryEscape(p)))
		check("deal search echoes", admin.get("/deals?q="+url.QueryEscape(p)))
	}
	check("profile", admin.post("/profile", url.Values{"name": {xssPayloads[1]}, "timezone": {"UTC"}}))
	pages := []string{"/", "/prospects", "/deals", "/deals/board", "/admin/users", "/profile", "/deals/new?q=" + url.QueryEscape(xssPayloads[0])}
	for i := range prospectIDs {
		pages = append(pages, "/prospects/"+strconv.FormatInt(prospectIDs[i], 10), "/deals/"+strconv.FormatInt(dealIDs[i], 10))
	}
	for _, p := range pages {
		res := admin.get(p)
		if res.status != http.StatusOK {
			t.Errorf("GET %s: status %d", p, res.status)
		}
		check("GET "+p, res)
	}

	// In a real browser, none of the pages opens a dialog.
	ctx := newTab(t)
	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go func() { _, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{}) }()
		}
	}); err != nil {
		t.Fatal(err)
	}
	signInBrowser(t, ctx, a.URL, "admin@example.com")
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+p), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatalf("open %s: %v", p, err)
		}
		// Let any handler that would fire on load run before the next page.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.readyState === 'complete'")); err != nil {
			t.Fatalf("evaluate on %s: %v", p, err)
		}
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d dialogs fired on the pages showing the payloads", n)
	}
}
