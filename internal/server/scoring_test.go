package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/scoring"
	"goodmoney/web"
)

// dealBand reads the score card's band from the deal page.
func (c *client) dealBand(id int64) (band string, points int) {
	c.t.Helper()
	res := c.get("/deals/" + strconv.FormatInt(id, 10))
	if res.status != http.StatusOK {
		c.t.Fatalf("deal page: %d", res.status)
	}
	m := regexp.MustCompile(`id="score" data-band="([a-z_]*)" data-score="(\d*)"`).FindStringSubmatch(res.body)
	if m == nil {
		c.t.Fatalf("deal page has no score card with data-band and data-score")
	}
	points, _ = strconv.Atoi(m[2])
	return m[1], points
}

// logTouch posts the log-a-touch form and expects the redirect back.
func (c *client) logTouch(dealID int64, form url.Values) {
	c.t.Helper()
	res := c.post("/deals/"+strconv.FormatInt(dealID, 10)+"/touches", form)
	if res.status != http.StatusSeeOther {
		c.t.Fatalf("log touch %v: status %d\n%s", form, res.status, res.body)
	}
}

// flagStatuses lists a deal's flags, oldest first.
func (a *app) flagStatuses(dealID int64) []string {
	a.t.Helper()
	var out []string
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT coalesce(array_agg(status ORDER BY id), '{}') FROM flags WHERE deal_id = $1`, dealID).Scan(&out)
	if err != nil {
		a.t.Fatal(err)
	}
	return out
}

// TestScoring_FlagThroughTheRoutes is the product's story through HTTP: a
// thin deal, chased without answer and quoted three times at the same price,
// is not good money on the very next page load and gets one flag; a reply
// and a better price take it out again and the flag resolves.
func TestScoring_FlagThroughTheRoutes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	_, prospectID, _ := a.demoDeal("Harbor Foods — annual renewal")
	res := rep.post("/deals", url.Values{"prospect_id": {strconv.FormatInt(prospectID, 10)}, "title": {"Depot scanners"},
		"amount": {"18,000"}, "cost": {"15,500"}, "stage": {"proposal"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create deal: %d\n%s", res.status, res.body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.location, "/deals/"), 10, 64)
	if band, _ := rep.dealBand(id); band != "ok" {
		t.Fatalf("a fresh deal with a 13.9%% margin is %q, want ok", band)
	}

	// The rep's timezone is the org's; the form takes local times.
	loc, _ := time.LoadLocation("America/New_York")
	at := func(ago time.Duration) string { return time.Now().Add(-ago).In(loc).Format("2006-01-02T15:04") }
	day := 24 * time.Hour
	for i := range 5 {
		rep.logTouch(id, url.Values{"kind": {"email"}, "direction": {"outbound"}, "occurred_at": {at(time.Duration(60-6*i) * day)}})
		if i < 3 {
			rep.logTouch(id, url.Values{"kind": {"quote"}, "direction": {"outbound"}, "quote_amount": {"18,000"},
				"occurred_at": {at(time.Duration(59-6*i) * day)}})
		}
	}
	band, points := rep.dealBand(id)
	if band != "not_good_money" || points < 45 {
		t.Fatalf("after five unanswered emails and three equal quotes: %s at %d points, want not_good_money", band, points)
	}
	if got := a.flagStatuses(id); len(got) != 1 || got[0] != "open" {
		t.Fatalf("flags %v, want exactly one open flag", got)
	}

	// The prospect writes back and the rep sends a better quote, which
	// becomes the deal's amount: the margin clears its 20 % floor.
	rep.logTouch(id, url.Values{"kind": {"email"}, "direction": {"inbound"}, "occurred_at": {at(day)},
		"notes": {"Sorry for the silence, budget is confirmed. Can you do better on price for the full rollout?"}})
	rep.logTouch(id, url.Values{"kind": {"quote"}, "direction": {"outbound"}, "quote_amount": {"19,500"}, "occurred_at": {at(time.Hour)}})
	var version int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT version FROM deals WHERE id = $1`, id), &version)
	res = rep.post("/deals/"+strconv.FormatInt(id, 10), url.Values{"title": {"Depot scanners"}, "amount": {"19,500"}, "cost": {"15,500"},
		"stage": {"proposal"}, "version": {strconv.Itoa(version)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit deal: %d\n%s", res.status, res.body)
	}
	if band, points := rep.dealBand(id); band == "not_good_money" {
		t.Errorf("after the reply and the better price: %s at %d points, want out of the band", band, points)
	}
	if got := a.flagStatuses(id); len(got) != 1 || got[0] != "resolved" {
		t.Errorf("flags %v, want the one flag resolved", got)
	}
}

// rulesForm is the settings form filled with rules, typed as a person types
// them: fractions as percentages.
func rulesForm(t *testing.T, r scoring.Rules, action string, edits map[string]string) url.Values {
	t.Helper()
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"action": {action}}
	percent := web.PercentSettings()
	for k, v := range m {
		if x, ok := v.(float64); ok && percent[k] {
			v = math.Round(x*100*1e6) / 1e6
		}
		form.Set(k, fmt.Sprint(v))
	}
	for k, v := range edits {
		form.Set(k, v)
	}
	return form
}

func TestScoringSettings_RepForbidden(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	if res := rep.get("/settings/scoring"); res.status != http.StatusForbidden {
		t.Errorf("GET as a rep: %d, want 403", res.status)
	}
	res := rep.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), "save", nil))
	if res.status != http.StatusForbidden {
		t.Errorf("POST as a rep: %d, want 403", res.status)
	}
	if n := a.rulesVersions(); n != 0 {
		t.Errorf("a rep's post saved %d versions", n)
	}
}

// TestScoringSettings_ManagerPreviewsOnly: managers read and preview the
// rules; saving them is for admins (DESIGN.md), in the page and the store.
func TestScoringSettings_ManagerPreviewsOnly(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	manager := a.signedIn("manager@example.com")
	page := manager.get("/settings/scoring")
	if page.status != http.StatusOK || strings.Contains(page.body, `value="save"`) {
		t.Errorf("manager's page: status %d, save button shown: %v", page.status, strings.Contains(page.body, `value="save"`))
	}
	if res := manager.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), "save", map[string]string{"flag_from": "60"})); res.status != http.StatusForbidden {
		t.Errorf("manager's save: status %d, want 403", res.status)
	}
	if res := manager.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), "preview", map[string]string{"flag_from": "60"})); res.status != http.StatusOK {
		t.Errorf("manager's preview: status %d, want 200", res.status)
	}
	if n := a.rulesVersions(); n != 0 {
		t.Errorf("a manager's post saved %d versions", n)
	}
	if page := a.signedIn("admin@example.com").get("/settings/scoring"); !strings.Contains(page.body, `value="save"`) {
		t.Error("admin's page has no save button")
	}
}

func (a *app) rulesVersions() int {
	a.t.Helper()
	var n int
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM scoring_rules`).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// scoresDigest sums up every stored score, flag and rules version, to tell
// whether anything changed.
func (a *app) scoresDigest() string {
	a.t.Helper()
	var s string
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT concat_ws('/',
		(SELECT string_agg(deal_id || ':' || points || band || rules_version || computed_at, ',' ORDER BY deal_id) FROM deal_scores),
		(SELECT string_agg(id || status, ',' ORDER BY id) FROM flags),
		(SELECT count(*) FROM scoring_rules))`).Scan(&s)
	if err != nil {
		a.t.Fatal(err)
	}
	return s
}

func TestScoringSettings_Page(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := a.signedIn("manager@example.com").get("/settings/scoring")
	if res.status != http.StatusOK || !strings.Contains(res.body, "built-in defaults (version 0)") {
		t.Fatalf("GET as a manager: %d\n%s", res.status, res.body)
	}
	// Every setting of the rules has a labelled field, holding its value.
	values := rulesForm(t, scoring.DefaultRules(), "", nil)
	labelled := map[string]bool{}
	for _, g := range web.ScoringGroups {
		for _, f := range g.Fields {
			if labelled[f.Name] {
				t.Errorf("setting %s appears twice on the page", f.Name)
			}
			labelled[f.Name] = true
		}
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[scoring.Rules]()) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		if !labelled[name] {
			t.Errorf("setting %s has no field in web.ScoringGroups", name)
		}
		want := fmt.Sprintf(`name="%s" type="text" value="%s"`, name, values.Get(name))
		if !strings.Contains(res.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestScoringSettings_PreviewWritesNothing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	manager := a.signedIn("manager@example.com")
	before := a.scoresDigest()
	res := manager.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), "preview", map[string]string{"flag_from": "20"}))
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", res.status, res.body)
	}
	m := regexp.MustCompile(`data-flagged="(\d+)" data-more="(\d+)" data-fewer="(\d+)"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("the preview shows no counts:\n%s", res.body)
	}
	more, _ := strconv.Atoi(m[2])
	if more == 0 || m[3] != "0" || !strings.Contains(res.body, "With these rules "+m[1]+" open deals would be flagged ("+m[2]+" more, 0 fewer than now).") {
		t.Errorf("lowering the flag line to 20: flagged %s, %s more, %s fewer; want more flagged, none fewer", m[1], m[2], m[3])
	}
	if !strings.Contains(res.body, `name="flag_from" type="text" value="20"`) {
		t.Error("the preview lost the typed value")
	}
	if !strings.Contains(res.body, `data-testid="newly-flagged"`) {
		t.Error("the preview names no deal that would be flagged")
	}
	if a.scoresDigest() != before {
		t.Error("a preview changed scores, flags or rules")
	}
}

func TestScoringSettings_Save(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedIn("admin@example.com")
	acme, _, _ := a.demoDeal("Acme Logistics — 40 seats")

	res := admin.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), "save", map[string]string{"off_hours_weight": "0", "flag_from": "80"}))
	if res.status != http.StatusSeeOther || res.location != "/settings/scoring" {
		t.Fatalf("save: %d %q\n%s", res.status, res.location, res.body)
	}
	page := admin.get("/settings/scoring")
	if !regexp.MustCompile(`Saved version 1; rescored \d+ open deals\.`).MatchString(page.body) ||
		!strings.Contains(page.body, "version 1, saved by Avery Admin") {
		t.Errorf("after saving, the page lacks the flash or the version:\n%s", page.body)
	}
	var stale, flagged int
	err := a.DB.Pool.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE s.rules_version <> 1), count(*) FILTER (WHERE s.band = 'not_good_money' AND s.points < 80)
		FROM deals d JOIN deal_scores s ON s.deal_id = d.id
		WHERE d.stage IN ('lead', 'qualified', 'proposal', 'negotiation')`).Scan(&stale, &flagged)
	if err != nil || stale != 0 || flagged != 0 {
		t.Errorf("%d open deals still scored with older rules, %d flagged below the new line (%v)", stale, flagged, err)
	}
	var band string
	var version int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT band, rules_version FROM deal_scores WHERE deal_id = $1`, acme), &band, &version)
	if version != 1 || band != "not_good_money" {
		t.Errorf("Acme after the save: %s with version %d; its triad still flags it at the new line", band, version)
	}
}

func TestScoringSettings_BadValues(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	manager := a.signedIn("admin@example.com") // saves; managers only preview
	for _, tc := range []struct {
		name, field, value, msg string
	}{
		{"NotANumber", "flag_from", "abc", "Enter a number"},
		{"WeightTooBig", "margin_weight", "500", "Enter a weight from 0 to 100."},
		{"NotWhole", "requotes_from", "2.5", "Enter a whole number"},
		{"WatchAboveFlag", "watch_from", "60", "Watch must start at or below the flag line."},
		{"PercentAbove100", "margin_floor", "120", "Enter a percentage from 0 to 100"},
	} {
		for _, action := range []string{"save", "preview"} {
			res := manager.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), action, map[string]string{tc.field: tc.value}))
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("%s %s: status %d, want 422", tc.name, action, res.status)
				continue
			}
			if !strings.Contains(res.body, "Please correct the highlighted fields; nothing was saved.") {
				t.Errorf("%s %s: no message at the top of the long form", tc.name, action)
			}
			field := regexp.MustCompile(`(?s)<div class="field field-invalid">.*?</div>`).FindString(res.body)
			if !strings.Contains(field, `name="`+tc.field+`" type="text" value="`+tc.value+`"`) || !strings.Contains(field, tc.msg) {
				t.Errorf("%s %s: the invalid field should keep %q with %q beside it; got %s", tc.name, action, tc.value, tc.msg, field)
			}
		}
	}
	if n := a.rulesVersions(); n != 0 {
		t.Errorf("bad values saved %d versions", n)
	}
}

// TestScoring_ClosedDealLeavesTheBand: closing a flagged deal resolves its
// flag, takes it out of the band filter and badges, and its card says it is
// no longer scored.
func TestScoring_ClosedDealLeavesTheBand(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	manager := a.signedIn("manager@example.com")
	id, _, _ := a.demoDeal("Acme Logistics — 40 seats")
	if !strings.Contains(manager.get("/deals?band=not_good_money").body, "Acme Logistics — 40 seats") {
		t.Fatal("the flagged demo deal is not in the band filter")
	}
	res := manager.post("/deals/"+strconv.FormatInt(id, 10)+"/stage", url.Values{"stage": {"lost"}, "reason_other": {"went with a competitor"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("close: status %d", res.status)
	}
	manager.get(res.location) // shows the flash that names the deal
	if strings.Contains(manager.get("/deals?band=not_good_money").body, "Acme Logistics — 40 seats") {
		t.Error("a lost deal is still listed as not good money")
	}
	page := manager.get("/deals/" + strconv.FormatInt(id, 10)).body
	if !strings.Contains(page, `data-closed="true"`) || !strings.Contains(page, "closed deals are no longer scored") {
		t.Error("the closed deal's score card does not say it is no longer scored")
	}
	if list := manager.get("/deals?stage=lost").body; !strings.Contains(list, "Acme Logistics — 40 seats") || strings.Contains(list, "band-not_good_money") {
		t.Error("the lost list does not show the deal, or shows it with a not-good-money badge")
	}
	if got := a.flagStatuses(id); len(got) != 1 || got[0] != "resolved" {
		t.Errorf("flags %v, want the one flag resolved", got)
	}
}

// Shares, margins and discounts are typed and shown in percent, stored as
// fractions; the bar under the form sums up what the typed values change.
func TestScoringSettings_Percent(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedIn("admin@example.com")
	page := admin.get("/settings/scoring").body
	if !strings.Contains(page, `name="margin_floor" type="text" value="20"`) || !strings.Contains(page, "Change a value, then Preview") {
		t.Fatal("the margin floor is not shown as 20 (percent), or the bar has no hint")
	}
	res := admin.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), "preview",
		map[string]string{"margin_floor": "15", "off_hours_share": "35%", "margin_weight": "40"}))
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d", res.status)
	}
	for _, want := range []string{
		`data-changes="3"`, "3 changes from the rules in force",
		"Thin margin: weight: 30 → <strong>40</strong>",
		"Thin margin: margin floor: 20 % → <strong>15 %</strong>",
		"Replies after hours: share of replies after hours: 30 % → <strong>35 %</strong>",
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	res = admin.post("/settings/scoring", rulesForm(t, scoring.DefaultRules(), "save", map[string]string{"margin_floor": "15", "off_hours_share": "35%"}))
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: %d", res.status)
	}
	var floor, share float64
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT (rules->>'margin_floor')::float8, (rules->>'off_hours_share')::float8
		FROM scoring_rules ORDER BY version DESC LIMIT 1`).Scan(&floor, &share)
	if err != nil {
		t.Fatal(err)
	}
	if floor != 0.15 || share != 0.35 {
		t.Errorf("stored margin floor %v and share %v, want the fractions 0.15 and 0.35", floor, share)
	}
	if page := admin.get("/settings/scoring").body; !strings.Contains(page, `name="margin_floor" type="text" value="15"`) {
		t.Error("the saved floor is not shown as 15")
	}
}
