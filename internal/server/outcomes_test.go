package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/postgres"
)

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOutcomesReport: the manager's report on the demo history, its
// figures' links, the CSV, and bad filters answered in the form.
func TestOutcomesReport(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("manager@example.com")
	res := c.get("/reports/outcomes")
	if res.status != http.StatusOK {
		t.Fatalf("report: %d\n%s", res.status, res.body)
	}
	doc := parse(t, res.body)
	bt := doc.Find(`[data-testid="backtest"]`)
	if bt.Length() != 1 || bt.AttrOr("data-deals", "0") == "0" {
		t.Fatalf("no back-test of the demo's closed deals:\n%s", res.body)
	}
	for _, attr := range []string{"data-precision", "data-recall"} {
		v, ok := bt.Attr(attr)
		if !ok || !strings.HasPrefix(v, "0.") && v != "1.00" {
			t.Errorf("%s = %q, want a fraction", attr, v)
		}
	}
	if n := doc.Find(`svg.chart-svg`).Length(); n < 3 {
		t.Errorf("%d charts drawn, want the funnel, flags per week and close reasons at least", n)
	}
	// Every non-zero number of the confusion table opens its deals.
	links := doc.Find(`[data-testid="confusion"] a`)
	if links.Length() == 0 {
		t.Fatal("the confusion table links to no deals")
	}
	href, _ := links.First().Attr("href")
	sel := parse(t, c.get(href).body).Find(`[data-testid="outcome-deals"] tr[data-deal-id]`)
	if want := strings.TrimSpace(links.First().Text()); sel.Length() == 0 || want != "" && sel.Length() != atoi(t, want) {
		t.Errorf("cell %s lists %d deals", want, sel.Length())
	}

	csvRes := c.get("/reports/outcomes.csv")
	if csvRes.status != http.StatusOK || !strings.HasPrefix(csvRes.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", csvRes.status, csvRes.header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(csvRes.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(records)-1, atoi(t, bt.AttrOr("data-deals", "")); got != want {
		t.Errorf("csv has %d deals, the page %d", got, want)
	}

	for name, q := range map[string]string{
		"future":    "to=2999-01-01",
		"ten years": "from=2010-01-01",
		"reversed":  "from=2026-10-01&to=2026-09-01",
		"days":      "days_before=abc",
		"too long":  "days_before=9999",
	} {
		res := c.get("/reports/outcomes?" + q)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "field-invalid") && !strings.Contains(res.body, "aria-invalid") {
			t.Errorf("%s: status %d, want 422 with the message by the field", name, res.status)
		}
	}
	empty := c.get("/reports/outcomes?from=2020-01-01&to=2020-12-31")
	if empty.status != http.StatusOK || !strings.Contains(empty.body, "No deals closed in this period") {
		t.Errorf("empty period: %d", empty.status)
	}
	long := c.get("/reports/outcomes?days_before=365")
	if long.status != http.StatusOK || !strings.Contains(long.body, "younger than the cut") && !strings.Contains(long.body, "none existed at the cut") {
		t.Errorf("N longer than the deals' lives: %d\n%s", long.status, long.body)
	}
}

// TestOutcomes_PreviewMatchesReport: the settings preview's back-test of
// the typed rules gives the figures the report shows once they are saved,
// and its figures for the rules in force are the report's now.
func TestOutcomes_PreviewMatchesReport(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("manager@example.com")
	report := func() (string, string) {
		bt := parse(t, c.get("/reports/outcomes").body).Find(`[data-testid="backtest"]`)
		return bt.AttrOr("data-precision", ""), bt.AttrOr("data-recall", "")
	}
	form := url.Values{}
	parse(t, c.get("/settings/scoring").body).Find(`#rules-form input`).Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Set("flag_from", "25") // flag far more deals
	form.Set("action", "preview")
	res := c.post("/settings/scoring", form)
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", res.status, res.body)
	}
	pv := parse(t, res.body).Find(`[data-testid="preview-backtest"]`)
	if pv.Length() != 1 {
		t.Fatalf("the preview shows no back-test:\n%s", res.body)
	}
	p, r := report()
	if pv.AttrOr("data-precision-now", "x") != p || pv.AttrOr("data-recall-now", "x") != r {
		t.Errorf("preview of the rules in force %s/%s, report %s/%s", pv.AttrOr("data-precision-now", ""), pv.AttrOr("data-recall-now", ""), p, r)
	}
	form.Set("action", "save") // managers preview; an admin saves
	if res := a.signedIn("admin@example.com").post("/settings/scoring", form); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.status, res.body)
	}
	p, r = report()
	if pv.AttrOr("data-precision", "x") != p || pv.AttrOr("data-recall", "x") != r {
		t.Errorf("preview of the typed rules %s/%s, report once saved %s/%s", pv.AttrOr("data-precision", ""), pv.AttrOr("data-recall", ""), p, r)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("not a count: %q", s)
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// TestHome_OutcomesChart: a manager's home shows the small chart of flags
// by outcome with its title and figures; a rep's does not.
func TestHome_OutcomesChart(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	doc := parse(t, a.signedIn("manager@example.com").get("/").body)
	card := doc.Find(`[data-testid="home-outcomes"]`)
	if card.Length() != 1 || card.Find("svg title").First().Text() == "" || card.Find("svg desc").First().Text() == "" {
		t.Fatalf("manager's home: outcomes card %d, want one with a titled and described chart", card.Length())
	}
	if n := parse(t, a.signedIn("rep@example.com").get("/").body).Find(`[data-testid="home-outcomes"]`).Length(); n != 0 {
		t.Errorf("rep's home shows the team outcomes card")
	}
}

// TestOutcomes_HoursFreedAsRecorded: the report's hours freed per month
// are the freed_minutes the walk-aways recorded. Two deals are walked away
// from through the form, one after a four-hour meeting whose logged length
// only the recorded figure knows (an estimate from the touches would count
// 45 minutes for it), and every month of the chart matches the recorded
// minutes of the org's walk-aways, with nothing estimated.
func TestOutcomes_HoursFreedAsRecorded(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	rep := a.signedIn("rep@example.com")
	var ids []int64
	rows, err := a.DB.Pool.Query(ctx, `SELECT d.id FROM deals d JOIN users u ON u.id = d.owner_id AND u.org_id = d.org_id
		WHERE u.email = 'rep@example.com' AND d.stage IN ('lead', 'qualified', 'proposal', 'negotiation') ORDER BY d.id LIMIT 2`)
	if err == nil {
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	if err != nil || len(ids) != 2 {
		t.Fatalf("two open deals of the rep: %v %v", ids, err)
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	rep.logTouch(ids[0], url.Values{"kind": {"meeting"}, "direction": {"outbound"}, "outcome": {"held"}, "duration_min": {"240"},
		"occurred_at": {time.Now().Add(-2 * time.Hour).In(loc).Format("2006-01-02T15:04")}})
	for _, id := range ids {
		res := rep.post("/deals/"+strconv.FormatInt(id, 10)+"/disqualify",
			url.Values{"reasons": {"No budget this year"}, "message": {"Thank you for your time; we will step back for now."}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("disqualify deal %d: %d\n%s", id, res.status, res.body)
		}
	}
	var longMeeting int
	if err := a.DB.Pool.QueryRow(ctx, `SELECT freed_minutes FROM deals WHERE id = $1`, ids[0]).Scan(&longMeeting); err != nil || longMeeting < 240 {
		t.Fatalf("deal walked away from after a four-hour meeting recorded %d minutes (%v)", longMeeting, err)
	}

	// The recorded minutes of every walk-away of the period, by month in
	// the admin's timezone, as the chart's table should list them.
	want := map[string]float64{}
	q := outcomes.DefaultQuery(time.Now(), loc)
	rows, err = a.DB.Pool.Query(ctx, `SELECT stage_changed_at, freed_minutes FROM deals
		WHERE stage = 'disqualified' AND stage_changed_at >= $1 AND stage_changed_at < $2`, q.Start(), q.End())
	if err != nil {
		t.Fatal(err)
	}
	var at time.Time
	var freed *int
	_, err = pgx.ForEachRow(rows, []any{&at, &freed}, func() error {
		if freed == nil {
			return fmt.Errorf("walk-away closed %v recorded no freed time", at)
		}
		want[at.In(loc).Format("Jan 2006")] += float64(*freed) / 60
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res := a.signedIn("admin@example.com").get("/reports/outcomes")
	if res.status != http.StatusOK {
		t.Fatalf("report: %d", res.status)
	}
	chart := parse(t, res.body).Find(`[data-chart="chart-hours"]`)
	if chart.Length() != 1 || !strings.Contains(chart.Find(".chart-about").Text(), "time the deal had taken when the rep let it go") ||
		strings.Contains(chart.Text(), "estimated") {
		t.Fatalf("hours chart: %d found; it must say what it counts and estimate nothing:\n%s", chart.Length(), chart.Text())
	}
	got := map[string]string{}
	chart.Find(".chart-data tbody tr").Each(func(_ int, tr *goquery.Selection) {
		got[strings.TrimSpace(tr.Find("th").Text())] = strings.Fields(tr.Find("td").Text())[0]
	})
	thisMonth := time.Now().In(loc).Format("Jan 2006")
	if want[thisMonth] < float64(longMeeting)/60 {
		t.Fatalf("this month's recorded walk-aways %.2f h, less than the one just made", want[thisMonth])
	}
	for month, hours := range want {
		if w := strconv.FormatFloat(float64(int(hours*10+0.5))/10, 'f', -1, 64); got[month] != w {
			t.Errorf("%s: the report says %s hours freed, the walk-aways recorded %s", month, got[month], w)
		}
	}
	for month, h := range got {
		if _, ok := want[month]; !ok && h != "0" {
			t.Errorf("%s: %s hours freed without a walk-away", month, h)
		}
	}
}

// TestOutcomes_LongRunShowsProgress: a run long enough to go on in the
// background answers at once with its progress and a reload in the page's
// head (a meta refresh is only valid there), until the figures are in.
func TestOutcomes_LongRunShowsProgress(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	o := postgres.NewOutcomeService(a.DB, postgres.NewScoreService(a.DB))
	o.BackgroundFrom = 1 // every run goes on in the background
	a.server.Outcomes = o
	c := a.signedIn("manager@example.com")
	res := c.get("/reports/outcomes")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	head, body, ok := strings.Cut(res.body, "</head>")
	if !ok || !strings.Contains(body, `data-testid="outcomes-progress"`) {
		t.Fatal("the first view of a long run does not show its progress")
	}
	if !strings.Contains(head, `<meta http-equiv="refresh" content="2">`) || strings.Contains(body, "http-equiv") {
		t.Error("the progress page's reload is not a meta refresh in the head")
	}
	// The run is short here: reloading as the page does ends on the figures.
	for i := 0; ; i++ {
		res = c.get("/reports/outcomes")
		if !strings.Contains(res.body, `data-testid="outcomes-progress"`) {
			break
		}
		if i == 10000 {
			t.Fatal("the run never finished")
		}
	}
	if !strings.Contains(res.body, `data-testid="backtest"`) || strings.Contains(res.body, "http-equiv") {
		t.Error("after the run: no figures, or the page still reloads itself")
	}
}
