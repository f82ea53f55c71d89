package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
)

func TestDeal_StaleEditRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep, manager := a.signedIn("rep@example.com"), a.signedIn("manager@example.com")
	id, _, version := a.demoDeal("Harbor Foods — annual renewal")
	path := "/deals/" + strconv.FormatInt(id, 10)
	form := func(amount, step string) url.Values {
		return url.Values{"title": {"Harbor Foods — annual renewal"}, "amount": {amount}, "cost": {"23000"}, "list_price": {"45000"},
			"stage": {"proposal"}, "next_step": {step}, "version": {strconv.Itoa(version)}}
	}
	// Both opened the deal at the same version; the manager saves first.
	if res := manager.post(path, form("44,000", "Manager's step")); res.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.status)
	}
	res := rep.post(path, form("40,000", "Rep's step"))
	if res.status != http.StatusConflict {
		t.Fatalf("second save from the same version: status %d, want 409", res.status)
	}
	for _, want := range []string{"changed by someone else since you opened it", "Manager&#39;s step", `value="40,000"`, "$44,000"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	var amount int64
	var step string
	var v int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT amount, next_step, version FROM deals WHERE id = $1`, id), &amount, &step, &v)
	if amount != 4400000 || step != "Manager's step" || v != version+1 {
		t.Errorf("stored amount %d step %q version %d; the first save must stand", amount, step, v)
	}
}

func TestDeal_BadInputKeepsValues(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	_, prospectID, _ := a.demoDeal("Harbor Foods — annual renewal")
	pid := strconv.FormatInt(prospectID, 10)
	for _, tc := range []struct {
		name, field, value, msg string
	}{
		{"AmountLetters", "amount", "twelve grand", "Enter an amount like 12,500.00."},
		{"AmountNegative", "amount", "-5", "zero or more"},
		{"CostThreeDecimals", "cost", "12.345", "at most two decimals"},
		{"BadDate", "expected_close", "31/12/2026", "Enter a date like 2026-12-31."},
		{"NoTitle", "title", "", "Give the deal a title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"prospect_id": {pid}, "title": {"Kept title"}, "amount": {"$12,500"}, "cost": {"9,000.50"}, "stage": {"lead"}, "next_step": {"Kept step"}}
			form.Set(tc.field, tc.value)
			res := c.post("/deals", form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.status)
			}
			if !strings.Contains(res.body, tc.msg) || !strings.Contains(res.body, `id="`+tc.field+`-error"`) {
				t.Errorf("no message %q next to %s", tc.msg, tc.field)
			}
			if !strings.Contains(res.body, `value="Kept step"`) {
				t.Error("the other values were not kept")
			}
			if tc.value != "" && !strings.Contains(res.body, `value="`+tc.value+`"`) {
				t.Errorf("the bad value %q was not kept", tc.value)
			}
		})
	}
	t.Run("GoodCreateRedirects", func(t *testing.T) {
		res := c.post("/deals", url.Values{"prospect_id": {pid}, "title": {"Depot add-on"}, "amount": {"$12,500"}, "cost": {"9,000.50"}, "stage": {"lead"}})
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/deals/") {
			t.Fatalf("create: %d %q", res.status, res.location)
		}
		var amount, cost int64
		pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT amount, cost FROM deals WHERE title = 'Depot add-on'`), &amount, &cost)
		if amount != 1250000 || cost != 900050 {
			t.Errorf("stored %d/%d cents, want 1250000/900050", amount, cost)
		}
	})
	t.Run("TouchInTheFuture", func(t *testing.T) {
		id, _, _ := a.demoDeal("Harbor Foods — annual renewal")
		res := c.post("/deals/"+strconv.FormatInt(id, 10)+"/touches", url.Values{"kind": {"call"}, "direction": {"outbound"}, "occurred_at": {"2099-01-01T10:00"}, "notes": {"kept note"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "in the future") || !strings.Contains(res.body, "kept note") {
			t.Errorf("future touch: status %d; want 422 with the message and the notes kept", res.status)
		}
	})
}

func TestProspect_CreateAndSearch(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep2@example.com")
	res := c.post("/prospects", url.Values{"name": {"Quarry & Sons"}, "website": {"quarry.example"}, "contact_name": {"Ines Quarry"}, "contact_email": {"not-an-email"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Enter an email address") || !strings.Contains(res.body, `value="Quarry &amp; Sons"`) {
		t.Fatalf("bad contact email: %d", res.status)
	}
	res = c.post("/prospects", url.Values{"name": {"Quarry & Sons"}, "website": {"quarry.example"}, "contact_name": {"Ines Quarry"}, "contact_email": {"ines@quarry.example"}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/prospects/") {
		t.Fatalf("create: %d %q", res.status, res.location)
	}
	// Search finds it by name, website, contact name and contact email, for anyone in the org.
	other := a.signedIn("rep3@example.com")
	for _, q := range []string{"quarry", "QUARRY.EX", "ines", "ines@quarry"} {
		if res := other.get("/prospects?q=" + url.QueryEscape(q)); !strings.Contains(res.body, "Quarry &amp; Sons") {
			t.Errorf("search %q does not find the prospect", q)
		}
	}
	if res := other.get("/prospects?q=zzzz"); strings.Contains(res.body, "Quarry") {
		t.Error("search for zzzz found the prospect")
	}
}

func TestQuickLogAndRemoveTouch(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, _ := a.demoDeal("Harbor Foods — annual renewal")
	count := func() (n int) {
		pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM touches WHERE deal_id = $1`, id), &n)
		return n
	}
	before := count()

	res := c.post("/touches", url.Values{"deal": {"No such deal"}, "kind": {"call"}, "direction": {"outbound"}, "notes": {"quick note"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Pick one of your open deals") || !strings.Contains(res.body, "quick note") {
		t.Fatalf("unknown deal: status %d, want 422 with the message and the notes kept", res.status)
	}
	pick := "Harbor Foods — annual renewal · Harbor Foods #" + strconv.FormatInt(id, 10)
	if !strings.Contains(c.get("/").body, pick) {
		t.Error("the quick-log list does not offer the rep's deal")
	}
	if res := c.post("/touches", url.Values{"deal": {pick}, "kind": {"call"}, "direction": {"outbound"}, "outcome": {"connected"}}); res.status != http.StatusSeeOther {
		t.Fatalf("quick log: status %d", res.status)
	}
	if count() != before+1 {
		t.Fatalf("touches %d, want %d", count(), before+1)
	}
	// Another rep cannot log on it by naming its id.
	other := a.signedIn("rep2@example.com")
	if res := other.post("/touches", url.Values{"deal": {pick}, "kind": {"call"}, "direction": {"outbound"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("other rep's quick log: status %d, want 422", res.status)
	}

	var touchID int64
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT max(id) FROM touches WHERE deal_id = $1`, id), &touchID)
	path := "/deals/" + strconv.FormatInt(id, 10) + "/touches/" + strconv.FormatInt(touchID, 10) + "/delete"
	if res := other.post(path, nil); res.status != http.StatusNotFound {
		t.Errorf("other rep removing the touch: status %d, want 404", res.status)
	}
	if res := c.post(path, nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove: status %d", res.status)
	}
	if count() != before {
		t.Errorf("touches %d after removal, want %d", count(), before)
	}
	var audits int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE entity = 'touch' AND entity_id = $1 AND action = 'delete'`, touchID), &audits)
	if audits != 1 {
		t.Errorf("removal audited %d times, want 1", audits)
	}
}

// TestDealTimelinePages: the timeline shows the newest entries first, a page
// at a time, with links both ways; htmx gets the timeline section alone.
func TestDealTimelinePages(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, _ := a.demoDeal("Harbor Foods — annual renewal")
	_, err := a.DB.Pool.Exec(context.Background(), `
		INSERT INTO touches (org_id, prospect_id, deal_id, rep_id, kind, direction, occurred_at, notes)
		SELECT d.org_id, d.prospect_id, d.id, d.owner_id, 'call', 'outbound', now() - make_interval(mins => g), 'filler ' || g
		FROM deals d, generate_series(1, 30) g WHERE d.id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	var total int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM touches WHERE deal_id = $1) +
		(SELECT count(*) FROM deal_stage_changes WHERE deal_id = $1)`, id), &total)

	path := "/deals/" + strconv.FormatInt(id, 10)
	item := regexp.MustCompile(`<li id="touch-(\d+)"|data-stage-change=`)
	page1 := c.get(path).body
	first := item.FindAllStringSubmatch(page1, -1)
	if len(first) != 20 || !strings.Contains(page1, `data-timeline-page="20"`) || strings.Contains(page1, "Newer entries") {
		t.Fatalf("first page: %d items, older link %v; want 20 and a link to the next page", len(first), strings.Contains(page1, `data-timeline-page="20"`))
	}
	if first[0][1] == "" || !strings.Contains(page1, "filler 1<") {
		t.Error("the newest touch does not open the timeline")
	}

	req, _ := http.NewRequest(http.MethodGet, a.URL+path+"?timeline=20", nil)
	req.Header.Set("HX-Request", "true")
	res := c.do(req)
	rest := item.FindAllStringSubmatch(res.body, -1)
	if res.status != http.StatusOK || strings.Contains(res.body, "<html") || !strings.HasPrefix(strings.TrimSpace(res.body), `<section class="card" id="timeline"`) {
		t.Fatalf("htmx page 2: status %d, want the timeline section alone", res.status)
	}
	if len(first)+len(rest) != total || !strings.Contains(res.body, `data-timeline-page="0"`) {
		t.Errorf("pages hold %d + %d items of %d, newer link %v", len(first), len(rest), total, strings.Contains(res.body, `data-timeline-page="0"`))
	}
	seen := map[string]bool{}
	for _, m := range append(first, rest...) {
		if m[1] != "" && seen[m[1]] {
			t.Errorf("touch %s on both pages", m[1])
		}
		seen[m[1]] = true
	}
	if plain := c.get(path + "?timeline=20").body; !strings.Contains(plain, "<html") || !strings.Contains(plain, "Newer entries") {
		t.Error("without htmx the older page is the whole deal page with a link back")
	}
}

// TestCameBack: an inbound touch after a deal was disqualified marks it as
// come back, dated when the prospect wrote, and lists it on the owner's home
// page; an older reply logged late does not.
func TestCameBack(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, _ := a.demoDeal("Summit Realty — 12 seats")
	path := "/deals/" + strconv.FormatInt(id, 10)
	walkAway := url.Values{"reasons": {"little engagement in replies"}, "message": {"Hi Kelly, stepping back for now."}}
	if res := c.post(path+"/disqualify", walkAway); res.status != http.StatusSeeOther {
		t.Fatalf("disqualify: %d", res.status)
	}
	// The walk-away was three days ago.
	if _, err := a.DB.Pool.Exec(context.Background(), `UPDATE deals SET stage_changed_at = now() - interval '3 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/New_York")
	at := func(d time.Duration) string { return time.Now().Add(d).In(loc).Format("2006-01-02T15:04") }
	c.logTouch(id, url.Values{"kind": {"email"}, "direction": {"inbound"}, "occurred_at": {at(-96 * time.Hour)}, "notes": {"old reply"}})
	if res := c.get(path); res.status != http.StatusOK || strings.Contains(res.body, "data-came-back") {
		t.Fatalf("after a reply from before the walk-away: status %d, came back %v; want 200 and not come back",
			res.status, strings.Contains(res.body, "data-came-back"))
	}
	c.logTouch(id, url.Values{"kind": {"email"}, "direction": {"inbound"}, "occurred_at": {at(-time.Minute)}, "notes": {"we are ready now"}})
	var cameBack *time.Time
	var touched time.Time
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT came_back_at, (SELECT max(occurred_at) FROM touches WHERE deal_id = $1 AND direction = 'inbound')
		FROM deals WHERE id = $1`, id).Scan(&cameBack, &touched)
	if err != nil {
		t.Fatal(err)
	}
	if cameBack == nil || !cameBack.Equal(touched) {
		t.Errorf("came back at %v, want the reply's time %v", cameBack, touched)
	}
	if home := c.get("/").body; !strings.Contains(home, "They came back") || !strings.Contains(home, "Summit Realty — 12 seats") {
		t.Error("the home page does not list the deal that came back")
	}
}

// TestTouchEdit: a rep corrects a touch (an "outbound" email that was their
// reply); the deal is rescored at once and the change audited. A bad value
// comes back on the form as typed, and another rep cannot open or save it.
func TestTouchEdit(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, _ := a.demoDeal("Acme Logistics — 40 seats")
	var touchID int64
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT id FROM touches WHERE deal_id = $1 ORDER BY occurred_at DESC LIMIT 1`, id), &touchID)
	path := "/deals/" + strconv.FormatInt(id, 10) + "/touches/" + strconv.FormatInt(touchID, 10)
	bandBefore, pointsBefore := c.dealBand(id)

	page := c.get(path + "/edit")
	if page.status != http.StatusOK || !strings.Contains(page.body, `name="direction" value="outbound" checked`) {
		t.Fatalf("edit page: status %d, want the touch's values filled in", page.status)
	}
	var occurred time.Time
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT occurred_at FROM touches WHERE id = $1`, touchID), &occurred)
	loc, _ := time.LoadLocation("America/New_York")
	when := occurred.In(loc).Format("2006-01-02T15:04")

	other := a.signedIn("rep2@example.com")
	if res := other.get(path + "/edit"); res.status != http.StatusNotFound {
		t.Errorf("other rep opening the edit page: %d, want 404", res.status)
	}
	form := url.Values{"kind": {"email"}, "direction": {"inbound"}, "occurred_at": {when}, "outcome": {"replied"},
		"notes": {"Signed. The purchase order goes out today, please send the onboarding plan."}}
	if res := other.post(path, form); res.status != http.StatusNotFound {
		t.Errorf("other rep saving the touch: %d, want 404", res.status)
	}

	bad := url.Values{"kind": {"email"}, "direction": {"inbound"}, "occurred_at": {"next tuesday"}, "notes": {"kept words"}}
	if res := c.post(path, bad); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "next tuesday") ||
		!strings.Contains(res.body, "kept words") {
		t.Errorf("bad date: status %d, want 422 with the values kept", res.status)
	}

	if res := c.post(path, form); res.status != http.StatusSeeOther || !strings.HasSuffix(res.location, "#log-status") {
		t.Fatalf("save: status %d to %q", res.status, res.location)
	}
	band, points := c.dealBand(id)
	if points >= pointsBefore || band == bandBefore {
		t.Errorf("after correcting the last touch to the prospect's reply: %s at %d, was %s at %d; want a lower score and another band",
			band, points, bandBefore, pointsBefore)
	}
	var audits int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE entity = 'touch' AND entity_id = $1
		AND action = 'update' AND before->>'direction' = 'outbound' AND after->>'direction' = 'inbound'`, touchID), &audits)
	if audits != 1 {
		t.Errorf("%d audit events for the correction, want 1 with before and after", audits)
	}
}
