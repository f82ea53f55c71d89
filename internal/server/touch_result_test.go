package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// logStatus is the result line of a deal page, tags stripped.
func logStatus(body string) string {
	m := regexp.MustCompile(`(?s)<div id="log-status" class="log-status" role="status">(.*?)</div>\s*<section class="card" id="timeline"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], " ")
	return strings.Join(strings.Fields(text), " ")
}

// Without JavaScript, logging, correcting and removing a touch each come
// back to the deal page at a result line that names the change and the
// score; a removal offers Undo, which logs the touch back.
func TestTouchResult_WithoutJavaScript(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, _ := a.demoDeal("Acme Logistics — 40 seats")
	deal := "/deals/" + strconv.FormatInt(id, 10)
	_, points := c.dealBand(id)
	count := func() (n int) {
		if err := a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM touches WHERE deal_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n := count()

	res := c.post(deal+"/touches", url.Values{"kind": {"email"}, "direction": {"inbound"}, "notes": {"Yes, let us talk on Monday about the rollout"}})
	if res.status != http.StatusSeeOther || res.location != deal+"#log-status" {
		t.Fatalf("log: %d to %q, want 303 to the result line", res.status, res.location)
	}
	page := c.get(deal).body
	_, after := c.dealBand(id)
	status := logStatus(page)
	want := "Touch logged. Score " + strconv.Itoa(points) + " → " + strconv.Itoa(after)
	if after == points {
		want = "Touch logged. Score unchanged at " + strconv.Itoa(after) + "."
	}
	if !strings.HasPrefix(status, want) {
		t.Errorf("result line %q, want it to start %q", status, want)
	}
	var touchID int64
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT max(id) FROM touches WHERE deal_id = $1`, id).Scan(&touchID); err != nil {
		t.Fatal(err)
	}
	touch := strconv.FormatInt(touchID, 10)
	if !strings.Contains(page, `data-touch-id="`+touch+`" data-kind="email" data-direction="inbound" data-just-changed="true"`) {
		t.Error("the new entry is not marked on the timeline")
	}
	if again := logStatus(c.get(deal).body); again != "" {
		t.Errorf("the result line stays on the next visit: %q", again)
	}

	res = c.post(deal+"/touches/"+touch, url.Values{"kind": {"email"}, "direction": {"inbound"}, "notes": {"Yes, Monday"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("correct: %d", res.status)
	}
	if status := logStatus(c.get(deal).body); !strings.HasPrefix(status, "Touch updated. Score") {
		t.Errorf("after a correction the result line is %q", status)
	}

	res = c.post(deal+"/touches/"+touch+"/delete", nil)
	if res.status != http.StatusSeeOther || count() != n {
		t.Fatalf("remove: %d, %d touches (want %d)", res.status, count(), n)
	}
	page = c.get(deal).body
	if status := logStatus(page); !strings.HasPrefix(status, "Touch removed. Score") || !strings.HasSuffix(status, "Undo") {
		t.Errorf("after a removal the result line is %q, want the score and Undo", status)
	}
	undo := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(
		regexp.MustCompile(`(?s)<div id="log-status".*?</form>`).FindString(page), -1) {
		undo.Set(m[1], strings.ReplaceAll(m[2], "&#39;", "'"))
	}
	if undo.Get("undo") != "1" || undo.Get("kind") != "email" || undo.Get("notes") != "Yes, Monday" {
		t.Fatalf("the Undo form carries %v", undo)
	}
	if res := c.post(deal+"/touches", undo); res.status != http.StatusSeeOther || count() != n+1 {
		t.Fatalf("undo: %d, %d touches (want %d)", res.status, count(), n+1)
	}
	if status := logStatus(c.get(deal).body); !strings.HasPrefix(status, "Touch restored.") {
		t.Errorf("after undo the result line is %q", status)
	}
}

// With htmx the answer to a log is the deal page whose timeline, form,
// facts and result line htmx swaps in place.
func TestTouchResult_HTMX(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, _ := a.demoDeal("Acme Logistics — 40 seats")
	deal := "/deals/" + strconv.FormatInt(id, 10)
	page := c.get(deal).body
	for _, attr := range []string{`data-hx-target="#timeline"`, `data-hx-select-oob="#touch-form-card,#deal-facts,#log-status:innerHTML"`} {
		if !strings.Contains(page, attr) {
			t.Errorf("the log form lacks %s", attr)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, a.URL+deal+"/touches", strings.NewReader(url.Values{"kind": {"call"}, "direction": {"outbound"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.URL)
	req.Header.Set("HX-Request", "true")
	res := c.do(req)
	if res.status != http.StatusOK || !strings.HasPrefix(logStatus(res.body), "Touch logged. Score") {
		t.Errorf("htmx log: %d with result line %q", res.status, logStatus(res.body))
	}
	for _, id := range []string{`id="timeline"`, `id="touch-form-card"`, `id="deal-facts"`} {
		if !strings.Contains(res.body, id) {
			t.Errorf("the answer lacks %s", id)
		}
	}
}

// The log form's contact is the one of the deal's latest touch.
func TestTouchForm_LastContact(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, _ := a.demoDeal("Acme Logistics — 40 seats")
	var contactID int64
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT contact_id FROM touches WHERE deal_id = $1 AND contact_id IS NOT NULL
		ORDER BY occurred_at DESC, id DESC LIMIT 1`, id).Scan(&contactID)
	if err != nil {
		t.Fatalf("the demo deal has no touch with a contact: %v", err)
	}
	form := regexp.MustCompile(`(?s)<select id="contact_id".*?</select>`).FindString(c.get("/deals/" + strconv.FormatInt(id, 10)).body)
	if !strings.Contains(form, `<option value="`+strconv.FormatInt(contactID, 10)+`" selected>`) {
		t.Errorf("contact %d is not chosen: %s", contactID, form)
	}
}
