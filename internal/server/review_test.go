package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/postgres"
)

// The demo's flagged deals of rep@example.com (team East, manager@example.com)
// and the one of rep3@example.com (team West, manager2@example.com).
const (
	acme      = "Acme Logistics — 40 seats"
	bluewater = "Bluewater Marine — fleet tracking"
	pinecrest = "Pinecrest Dental — starter bundle"
	westDeal  = "Brightside — 20 stores"
)

// openFlag returns the id of the deal's flag awaiting a decision.
func (a *app) openFlag(dealTitle string) int64 {
	a.t.Helper()
	var id int64
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT f.id FROM flags f JOIN deals d ON d.id = f.deal_id
		WHERE d.title = $1 AND f.status = 'open'`, dealTitle).Scan(&id)
	if err != nil {
		a.t.Fatalf("open flag of %q: %v", dealTitle, err)
	}
	return id
}

// flag reads a flag's status, note and decider.
func (a *app) flag(id int64) (status, note string, decidedBy *int64) {
	a.t.Helper()
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT status, note, decided_by FROM flags WHERE id = $1`, id).
		Scan(&status, &note, &decidedBy)
	if err != nil {
		a.t.Fatalf("flag %d: %v", id, err)
	}
	return status, note, decidedBy
}

// count runs a count query.
func (a *app) count(sql string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		a.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

var queueRow = regexp.MustCompile(`<tr data-flag-id="(\d+)" data-deal-id="(\d+)"`)

// queueFlags lists the flag ids on a /review page, in order.
func queueFlags(body string) []int64 {
	var ids []int64
	for _, m := range queueRow.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestReview_Queue(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	east := []int64{a.openFlag(bluewater), a.openFlag(acme), a.openFlag(pinecrest)} // largest amount first
	west := a.openFlag(westDeal)

	t.Run("ManagerSeesTeamByMoneyAtRisk", func(t *testing.T) {
		res := a.signedIn("manager@example.com").get("/review")
		if res.status != http.StatusOK {
			t.Fatalf("status %d", res.status)
		}
		if got := queueFlags(res.body); !slices.Equal(got, east) {
			t.Errorf("queue %v, want %v (East's flags, largest amount first)", got, east)
		}
		for _, want := range []string{"3 flags</strong> awaiting a decision", "$50,000</strong> at risk", "Riley Rep",
			"Prospect does not answer, Quoted again and again", `data-deal-id="`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("queue lacks %q", want)
			}
		}
	})
	t.Run("Filters", func(t *testing.T) {
		c := a.signedIn("manager@example.com")
		if got := queueFlags(c.get("/review?signal=margin_hit").body); !slices.Contains(got, east[2]) || slices.Contains(got, east[0]) {
			t.Errorf("signal filter margin_hit: %v", got)
		}
		if got := queueFlags(c.get("/review?owner=" + id(a.userID("rep2@example.com"))).body); len(got) != 0 {
			t.Errorf("filter by a rep without flags: %v", got)
		}
		if got := queueFlags(c.get("/review?owner=" + id(a.userID("rep@example.com"))).body); !slices.Equal(got, east) {
			t.Errorf("filter by rep: %v", got)
		}
	})
	t.Run("OtherManagerAdminRep", func(t *testing.T) {
		if got := queueFlags(a.signedIn("manager2@example.com").get("/review").body); !slices.Equal(got, []int64{west}) {
			t.Errorf("manager2 sees %v, want only West's %d", got, west)
		}
		if got := queueFlags(a.signedIn("admin@example.com").get("/review").body); len(got) != 4 {
			t.Errorf("admin sees %v, want the org's 4 flags", got)
		}
		if res := a.signedIn("rep@example.com").get("/review"); res.status != http.StatusNotFound {
			t.Errorf("rep GET /review: %d, want 404", res.status)
		}
	})
	t.Run("ManagerHome", func(t *testing.T) {
		res := a.signedIn("manager@example.com").get("/")
		if !strings.Contains(res.body, `data-testid="team-summary"><strong>3 flags</strong>, <strong>$50,000</strong> at risk`) {
			t.Errorf("manager home does not show the team's flags and money at risk")
		}
	})
}

func TestReview_Decisions(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	mgr := a.signedIn("manager@example.com")
	acmeID, _, _ := a.demoDeal(acme)
	today := time.Now().In(time.UTC)

	t.Run("KeepNeedsNote", func(t *testing.T) {
		f := a.openFlag(pinecrest)
		res := mgr.post("/review/"+id(f), url.Values{"decision": {"keep"}, "until": {"2030-01-01"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="note-error"`) {
			t.Fatalf("keep without note: %d, want 422 with a message at the note", res.status)
		}
		if status, _, _ := a.flag(f); status != "open" {
			t.Errorf("flag %s after a refused keep", status)
		}
		res = mgr.post("/review/"+id(f), url.Values{"decision": {"keep"}, "note": {"Strategic logo, margin fixed next year"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("keep: %d\n%s", res.status, res.body)
		}
		status, note, by := a.flag(f)
		if status != "kept" || note != "Strategic logo, margin fixed next year" || by == nil || *by != a.userID("manager@example.com") {
			t.Errorf("kept flag: %s %q %v", status, note, by)
		}
		// Keep suppression: more touches at the same score do not flag it again.
		pid, _, _ := a.demoDeal(pinecrest)
		a.signedIn("rep@example.com").logTouch(pid, url.Values{"kind": {"note"}, "direction": {"outbound"}, "notes": {"memo"}})
		if got := a.flagStatuses(pid); !slices.Equal(got, []string{"kept"}) {
			t.Errorf("flags after a keep and a new touch: %v, want only the kept one", got)
		}
		// A decision on a decided flag is refused.
		res = mgr.post("/review/"+id(f), url.Values{"decision": {"coach"}, "note": {"again"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "was already kept") {
			t.Errorf("decision on a kept flag: %d, want 422 'already kept'", res.status)
		}
		if n := a.count(`SELECT count(*) FROM audit_events WHERE action = 'decide' AND entity = 'flag' AND entity_id = $1 AND after->>'decision' = 'keep'`, f); n != 1 {
			t.Errorf("keep audited %d times, want 1", n)
		}
	})

	t.Run("SnoozeComesBackOnItsDate", func(t *testing.T) {
		f := a.openFlag(bluewater)
		for _, until := range []string{"", today.AddDate(0, 0, -1).Format(time.DateOnly), "tomorrow"} {
			res := mgr.post("/review/"+id(f), url.Values{"decision": {"snooze"}, "until": {until}, "note": {"kept note"}})
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="until-error"`) || !strings.Contains(res.body, "kept note") {
				t.Errorf("snooze until %q: %d, want 422 at the date with the note kept", until, res.status)
			}
		}
		until := today.AddDate(0, 0, 7)
		res := mgr.post("/review/"+id(f), url.Values{"decision": {"snooze"}, "until": {until.Format(time.DateOnly)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("snooze: %d\n%s", res.status, res.body)
		}
		if slices.Contains(queueFlags(mgr.get("/review").body), f) {
			t.Error("a snoozed flag is still in the queue")
		}
		// The snooze job's clock, driven: the day before, nothing; on the date, back.
		flags := postgres.NewReviewService(a.DB, nil)
		date := time.Date(until.Year(), until.Month(), until.Day(), 0, 0, 0, 0, time.UTC)
		if n, err := flags.WakeSnoozed(context.Background(), date.Add(-time.Minute)); err != nil || n != 0 {
			t.Fatalf("wake a minute early: %d (%v)", n, err)
		}
		if status, _, _ := a.flag(f); status != "snoozed" {
			t.Fatalf("flag %s before its date", status)
		}
		if n, err := flags.WakeSnoozed(context.Background(), date); err != nil || n != 1 {
			t.Fatalf("wake on the date: %d (%v)", n, err)
		}
		if status, _, _ := a.flag(f); status != "open" {
			t.Fatalf("flag %s on its date, want open", status)
		}
		if !slices.Contains(queueFlags(mgr.get("/review").body), f) {
			t.Error("the flag is not back in the queue on its date")
		}
	})

	t.Run("CoachUntilAcknowledged", func(t *testing.T) {
		f := a.openFlag(bluewater)
		res := mgr.post("/review/"+id(f), url.Values{"decision": {"coach"}, "note": {"Stop re-quoting; ask for a decision date."},
			"back": {"/deals/" + id(a.dealID(bluewater))}})
		if res.status != http.StatusSeeOther || res.location != "/deals/"+id(a.dealID(bluewater)) {
			t.Fatalf("coach: %d → %s", res.status, res.location)
		}
		rep := a.signedIn("rep@example.com")
		home := rep.get("/")
		m := regexp.MustCompile(`data-coaching-id="(\d+)"`).FindStringSubmatch(home.body)
		if m == nil || !strings.Contains(home.body, "Stop re-quoting; ask for a decision date.") {
			t.Fatal("the rep's home does not show the coaching note")
		}
		if !strings.Contains(rep.get("/deals/"+id(a.dealID(bluewater))).body, "Stop re-quoting") {
			t.Error("the deal page does not show the coaching note")
		}
		if res := mgr.post("/coaching/"+m[1]+"/ack", nil); res.status != http.StatusNotFound {
			t.Errorf("the manager acknowledging the rep's note: %d, want 404", res.status)
		}
		if res := rep.post("/coaching/"+m[1]+"/ack", url.Values{"back": {"/"}}); res.status != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", res.status)
		}
		if strings.Contains(rep.get("/").body, "Stop re-quoting") {
			t.Error("an acknowledged note is still on the rep's home")
		}
	})

	t.Run("DisqualifyWalksAway", func(t *testing.T) {
		f := a.openFlag(acme)
		res := mgr.post("/review/"+id(f), url.Values{"decision": {"disqualify"}, "note": {"Three quotes, no answer: let it go."}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("disqualify: %d\n%s", res.status, res.body)
		}
		status, note, _ := a.flag(f)
		var stage, msg string
		var reasons []string
		var freed *int
		err := a.DB.Pool.QueryRow(context.Background(), `SELECT d.stage, d.close_reasons, d.freed_minutes,
				(SELECT notes FROM touches WHERE deal_id = d.id AND kind = 'email' AND direction = 'outbound' ORDER BY id DESC LIMIT 1)
			FROM deals d WHERE d.id = $1`, acmeID).Scan(&stage, &reasons, &freed, &msg)
		if err != nil {
			t.Fatal(err)
		}
		if status != "disqualified" || note != "Three quotes, no answer: let it go." || stage != "disqualified" {
			t.Errorf("flag %s %q, deal %s", status, note, stage)
		}
		if !slices.Equal(reasons, []string{"margin too low", "quoted again and again", "unresponsive prospect"}) {
			t.Errorf("reasons %v, want those of the signals", reasons)
		}
		if !strings.HasPrefix(msg, "Hi Dana,") || !strings.Contains(msg, "Acme Logistics — 40 seats") || !strings.HasSuffix(msg, "Riley Rep") {
			t.Errorf("walk-away message %q", msg)
		}
		if freed == nil || *freed < 60 {
			t.Errorf("freed minutes %v", freed)
		}
		if a.count(`SELECT count(*) FROM audit_events WHERE action = 'disqualify' AND entity_id = $1`, acmeID) != 1 {
			t.Error("the walk-away is not audited")
		}
		page := a.signedIn("rep@example.com").get("/deals/" + id(acmeID))
		for _, want := range []string{`data-stage="disqualified"`, "Three quotes, no answer: let it go.", "Disqualified by Morgan Manager"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the rep's deal page lacks %q", want)
			}
		}
	})
}

func (a *app) dealID(title string) int64 {
	id, _, _ := a.demoDeal(title)
	return id
}

func TestReview_BulkAllOrNothing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	mgr := a.signedIn("manager@example.com")
	f1, f2, f3 := a.openFlag(acme), a.openFlag(bluewater), a.openFlag(pinecrest)
	west := a.openFlag(westDeal)
	keep := func(ids ...int64) response {
		form := url.Values{"decision": {"keep"}, "note": {"Worth it this quarter"}}
		for _, f := range ids {
			form.Add("flag_id", id(f))
		}
		return mgr.post("/review", form)
	}
	if res := keep(f1, west); res.status != http.StatusNotFound || !strings.Contains(res.body, "not yours to review") ||
		!strings.Contains(res.body, "Worth it this quarter") {
		t.Errorf("bulk with another team's flag: %d, want 404 with the message and the note kept", res.status)
	}
	if res := mgr.post("/review", url.Values{"decision": {"keep"}, "note": {"x"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("bulk with nothing ticked: %d, want 422", res.status)
	}
	if res := keep(f1, f2); res.status != http.StatusSeeOther {
		t.Fatalf("bulk keep: %d\n%s", res.status, res.body)
	}
	for _, f := range []int64{f1, f2} {
		if status, _, _ := a.flag(f); status != "kept" {
			t.Errorf("flag %d %s after bulk keep", f, status)
		}
	}
	res := keep(f2, f3)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "already kept") {
		t.Errorf("bulk with a decided flag: %d, want 422", res.status)
	}
	for _, f := range []int64{f3, west} {
		if status, _, _ := a.flag(f); status != "open" {
			t.Errorf("flag %d %s: a refused bulk decision changed it", f, status)
		}
	}
	if n := a.count(`SELECT count(*) FROM audit_events WHERE action = 'decide'`); n != 2 {
		t.Errorf("%d decisions audited, want 2", n)
	}
}

func TestClose_WithReasons(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	harbor := a.dealID("Harbor Foods — annual renewal")
	path := "/deals/" + id(harbor)

	t.Run("FromTheBoard", func(t *testing.T) {
		board := rep.get("/deals/board")
		if !strings.Contains(board.body, `value="lost"`) || !strings.Contains(board.body, `value="won"`) {
			t.Fatal("the board has no Won and Lost")
		}
		res := rep.post(path+"/close", url.Values{"outcome": {"won"}, "back": {"/deals/board"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Give at least one reason") {
			t.Errorf("close without a reason: %d, want 422 with a message", res.status)
		}
		res = rep.post(path+"/close", url.Values{"outcome": {"won"}, "reasons": {"relationship"}, "back": {"/deals/board"}})
		if res.status != http.StatusSeeOther || res.location != "/deals/board" {
			t.Fatalf("close from the board: %d → %s\n%s", res.status, res.location, res.body)
		}
		var stage string
		var reasons []string
		if err := a.DB.Pool.QueryRow(context.Background(), `SELECT stage, close_reasons FROM deals WHERE id = $1`, harbor).Scan(&stage, &reasons); err != nil {
			t.Fatal(err)
		}
		if stage != "won" || !slices.Equal(reasons, []string{"relationship"}) {
			t.Errorf("deal %s %v after closing won with a reason", stage, reasons)
		}
		if a.count(`SELECT count(*) FROM audit_events WHERE action = 'close' AND entity_id = $1`, harbor) != 1 {
			t.Error("the close is not audited")
		}
		if !strings.Contains(rep.get(path).body, "relationship") {
			t.Error("the deal page does not say why it closed")
		}
		if res := rep.post(path+"/close", url.Values{"outcome": {"lost"}, "reasons": {"price"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("closing a closed deal: %d, want 422", res.status)
		}
		if res := rep.post(path+"/reopen", nil); res.status != http.StatusSeeOther {
			t.Fatalf("reopen: %d", res.status)
		}
	})

	t.Run("StageDropdownAsksWhy", func(t *testing.T) {
		for _, stage := range []string{"lost", "won", "disqualified"} {
			res := rep.post(path+"/stage", url.Values{"stage": {stage}, "back": {path}})
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("move to %s without a reason: %d, want 422", stage, res.status)
			}
		}
		res := rep.post(path+"/stage", url.Values{"stage": {"lost"}, "reason_other": {"budget frozen"}, "back": {path}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("move to lost with a reason: %d\n%s", res.status, res.body)
		}
		var stage string
		var reasons []string
		if err := a.DB.Pool.QueryRow(context.Background(), `SELECT stage, close_reasons FROM deals WHERE id = $1`, harbor).Scan(&stage, &reasons); err != nil {
			t.Fatal(err)
		}
		if stage != "lost" || !slices.Equal(reasons, []string{"budget frozen"}) {
			t.Errorf("deal %s %v", stage, reasons)
		}
	})
}

func TestCameBack_Reopen(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	deal := a.dealID(acme)
	path := "/deals/" + id(deal)

	res := rep.post(path+"/disqualify", url.Values{"reasons": {"unresponsive prospect"}, "message": {""}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="walkaway-message-error"`) {
		t.Fatalf("walk away without a message: %d, want 422 at the message", res.status)
	}
	res = rep.post(path+"/disqualify", url.Values{"reasons": {"unresponsive prospect"}, "reason_other": {"went quiet"},
		"message": {"Hi Dana, stepping back for now; reply any time."}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("walk away: %d\n%s", res.status, res.body)
	}
	if got := a.flagStatuses(deal); !slices.Equal(got, []string{"disqualified"}) {
		t.Errorf("flags after the walk-away %v", got)
	}
	rep.logTouch(deal, url.Values{"kind": {"call"}, "direction": {"outbound"}, "notes": {"one more try"}})
	if strings.Contains(rep.get(path).body, "data-came-back") {
		t.Error("an outbound touch marked the deal as came back")
	}
	rep.logTouch(deal, url.Values{"kind": {"email"}, "direction": {"inbound"}, "notes": {"We would like to talk again."}})
	page := rep.get(path)
	if !strings.Contains(page.body, "data-came-back") || !strings.Contains(page.body, `data-testid="came-back"`) {
		t.Fatal("an inbound reply did not mark the deal as came back")
	}
	if res := rep.post(path+"/reopen", nil); res.status != http.StatusSeeOther {
		t.Fatalf("reopen: %d", res.status)
	}
	page = rep.get(path)
	if !strings.Contains(page.body, `data-stage="negotiation"`) {
		t.Error("reopen did not restore the last open stage (negotiation)")
	}
	if !regexp.MustCompile(`Score now <strong>\d+</strong>; it was 52 when the deal last closed`).MatchString(page.body) {
		t.Error("the reopened deal does not show its new score next to the one it closed with")
	}
	if a.count(`SELECT count(*) FROM audit_events WHERE action = 'reopen' AND entity_id = $1`, deal) != 1 {
		t.Error("the reopen is not audited")
	}
	if res := a.signedIn("rep2@example.com").post(path+"/reopen", nil); res.status != http.StatusNotFound {
		t.Errorf("another rep reopening: %d, want 404", res.status)
	}
}

func TestWalkawayTemplate(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedIn("admin@example.com")
	page := admin.get("/settings/walkaway")
	if page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="walkaway-preview"`) {
		t.Fatalf("template page: %d, no preview", page.status)
	}
	for _, tc := range []struct{ tmpl, msg string }{
		{"Hi {firstname}, bye", "is not a placeholder we know"},
		{strings.Repeat("x", 2001), "under 2,000 characters"},
	} {
		res := admin.post("/settings/walkaway", url.Values{"template": {tc.tmpl}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, tc.msg) || !strings.Contains(res.body, tc.tmpl[:10]) {
			t.Errorf("template %.20q: %d, want 422 %q with the text kept", tc.tmpl, res.status, tc.msg)
		}
	}
	res := admin.post("/settings/walkaway", url.Values{"template": {"Dear {first_name}, {rep_name} here about {deal_title}. Door open."}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: %d", res.status)
	}
	if preview := admin.get("/settings/walkaway").body; !regexp.MustCompile(`Dear \w+, [\w ]+ here about`).MatchString(preview) {
		t.Error("the preview does not fill the saved template on a real deal")
	}
	if !strings.Contains(a.signedIn("rep@example.com").get("/deals/"+id(a.dealID(acme))).body, "Dear Dana, Riley Rep here about Acme Logistics") {
		t.Error("the walk-away form is not written from the org's template")
	}
	if a.count(`SELECT count(*) FROM audit_events WHERE action = 'update' AND entity = 'walkaway_template'`) != 1 {
		t.Error("the template change is not audited")
	}
	for _, who := range []string{"manager@example.com", "rep@example.com"} {
		c := a.signedIn(who)
		if res := c.get("/settings/walkaway"); res.status != http.StatusNotFound {
			t.Errorf("%s GET /settings/walkaway: %d, want 404", who, res.status)
		}
		if res := c.post("/settings/walkaway", url.Values{"template": {"Hi"}}); res.status != http.StatusNotFound {
			t.Errorf("%s POST /settings/walkaway: %d, want 404", who, res.status)
		}
	}
}

func TestAudit_List(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	mgr := a.signedIn("manager@example.com")
	f := a.openFlag(pinecrest)
	if res := mgr.post("/review/"+id(f), url.Values{"decision": {"keep"}, "note": {"audited keep"}}); res.status != http.StatusSeeOther {
		t.Fatalf("keep: %d", res.status)
	}
	admin := a.signedIn("admin@example.com")
	res := admin.get("/audit?action=decide&user=" + id(a.userID("manager@example.com")))
	if res.status != http.StatusOK || !strings.Contains(res.body, `data-action="decide"`) || !strings.Contains(res.body, "audited keep") {
		t.Fatalf("audit filtered by action and user: %d, the decision not listed", res.status)
	}
	if strings.Contains(res.body, `data-action="create"`) {
		t.Error("the action filter let other actions through")
	}
	if strings.Contains(admin.get("/audit?action=decide&to=2000-01-01").body, `data-action="decide"`) {
		t.Error("the date filter let a later event through")
	}
	if res := admin.get("/audit?from=yesterday"); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="from-error"`) {
		t.Errorf("bad date: %d, want 422 at the field", res.status)
	}
	if n := a.count(`SELECT count(*) FROM audit_events`); n > 50 && !strings.Contains(admin.get("/audit").body, `rel="next"`) {
		t.Errorf("%d events and no next page", n)
	}
	for _, who := range []string{"manager@example.com", "rep@example.com"} {
		if res := a.signedIn(who).get("/audit"); res.status != http.StatusNotFound {
			t.Errorf("%s GET /audit: %d, want 404", who, res.status)
		}
	}
}

// TestFlagHistory tells a flag's whole story on the deal page: opened with
// its score and reasons, resolved by the reply that took the deal out of
// the band (named as the timeline names it), both on the timeline too.
func TestFlagHistory(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	deal := a.dealID(acme)
	f := a.openFlag(acme)
	rep.logTouch(deal, url.Values{"kind": {"call"}, "direction": {"inbound"}, "outcome": {"connected"}, "notes": {"Dana called back"}})
	if status, _, _ := a.flag(f); status != "resolved" {
		t.Fatalf("flag %s after the reply, want resolved", status)
	}
	var by int64
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT coalesce(resolved_by_touch, 0) FROM flags WHERE id = $1`, f).Scan(&by); err != nil {
		t.Fatal(err)
	}
	page := rep.get("/deals/" + id(deal)).body
	for _, want := range []string{`data-flag-id="` + id(f) + `" data-flag-status="resolved"`, "at 52 points",
		`data-testid="resolved-by">Resolved by the <a href="#touch-` + id(by) + `">call from them · `,
		`data-flag-event="opened"`, `data-flag-event="resolved"`} {
		if !strings.Contains(page, want) {
			t.Errorf("deal page lacks %q", want)
		}
	}
	if by == 0 {
		t.Error("the flag does not name the touch that resolved it")
	}
}
