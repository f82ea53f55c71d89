package digest_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
)

// build returns the rendered digest of each user, by email.
func (w *world) build(emails ...string) map[string]*pipeline.RenderedDigest {
	w.t.Helper()
	svc := w.service(nil)
	ids := make([]int64, len(emails))
	for i, e := range emails {
		ids[i] = w.users[e]
	}
	rs, err := svc.Store.Recipients(w.ctx, ids)
	if err != nil {
		w.t.Fatal(err)
	}
	built, err := svc.Build(w.ctx, rs, nil, monday)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]*pipeline.RenderedDigest{}
	for _, r := range built {
		out[r.Digest.Recipient.Email] = r
	}
	if len(out) != len(emails) {
		w.t.Fatalf("built %d digests for %d users", len(out), len(emails))
	}
	return out
}

func dealTitles(ds []pipeline.DigestDeal) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Title)
	}
	return out
}

func flagTitles(fs []pipeline.DigestFlag) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Deal.Title)
	}
	return out
}

func TestDigest_RepSeesExactlyTheirWeek(t *testing.T) {
	t.Parallel()
	w := teamWorld(t)
	got := w.build("rita@t.example", "raj@t.example")

	rita := got["rita@t.example"].Digest
	if rita.Kind != pipeline.DigestRep || rita.Week.Label != "2026-W49" || rita.Team != nil {
		t.Errorf("rita: kind %q week %q team %v, want rep 2026-W49 without a team part", rita.Kind, rita.Week.Label, rita.Team)
	}
	checks := []struct {
		what      string
		got, want []string
	}{
		{"rita new flags", flagTitles(rita.NewFlags), []string{"Rita new flag"}},
		{"rita overdue", dealTitles(rita.Overdue.Deals), []string{"Rita overdue"}},
		{"rita untouched", dealTitles(rita.Untouched.Deals), []string{"Rita forgotten"}},
		{"rita closed", dealTitles(rita.Closed), []string{"Rita won"}},
	}
	raj := got["raj@t.example"].Digest
	checks = append(checks,
		struct {
			what      string
			got, want []string
		}{"raj new flags", flagTitles(raj.NewFlags), []string{"Raj new flag"}},
		struct {
			what      string
			got, want []string
		}{"raj overdue", dealTitles(raj.Overdue.Deals), []string{"Raj overdue"}})
	for _, c := range checks {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	if rita.Touches != 3 || rita.TouchesB != 2 || raj.Touches != 1 || raj.TouchesB != 0 {
		t.Errorf("touches: rita %d/%d, raj %d/%d; want 3/2 and 1/0", rita.Touches, rita.TouchesB, raj.Touches, raj.TouchesB)
	}
	if f := rita.NewFlags[0]; f.TopReason != "margin_hit" || f.Deal.Amount != 1000000 || f.Points != 52 {
		t.Errorf("rita's flag: reason %q amount %d points %d, want margin_hit, $10,000, 52", f.TopReason, f.Deal.Amount, f.Points)
	}
	text := got["rita@t.example"].Text
	for _, want := range []string{"Rita new flag", "$10,000 at risk", "thin margin", "Rita overdue", "due Fri 27 Nov",
		"https://gm.example.com/deals/" + itoa(w.deals["Rita new flag"]), "https://gm.example.com/unsubscribe?token="} {
		if !strings.Contains(text, want) {
			t.Errorf("rita's text part lacks %q:\n%s", want, text)
		}
	}
	for _, other := range []string{"Raj", "Rosa", "Rita old flag", "Rita due today", "Rita won before"} {
		if strings.Contains(text, other) || strings.Contains(got["rita@t.example"].HTML, other) {
			t.Errorf("rita's digest mentions %q", other)
		}
	}
}

func TestDigest_ManagerSeesExactlyTheTeam(t *testing.T) {
	t.Parallel()
	w := teamWorld(t)
	got := w.build("mia@t.example", "max@t.example", "admin@t.example")

	mia := got["mia@t.example"].Digest
	if mia.Kind != pipeline.DigestManager || mia.Team == nil {
		t.Fatalf("mia: kind %q team %v", mia.Kind, mia.Team)
	}
	team := mia.Team
	if want := []string{"Rita old flag", "Raj new flag", "Rita new flag"}; !slices.Equal(flagTitles(team.Awaiting), want) {
		t.Errorf("mia awaiting: %q, want %q (oldest first, East only)", flagTitles(team.Awaiting), want)
	}
	if team.AwaitingN != 3 || team.AtRisk != money.Cents(20000_00) {
		t.Errorf("mia awaiting: %d flags, %d at risk; want 3 and $20,000", team.AwaitingN, team.AtRisk)
	}
	if len(team.Decisions) != 1 || team.Decisions[0].Deal.Title != "Raj kept" || team.Decisions[0].By != "Mia Manager" ||
		team.Decisions[0].Decision != "kept" || team.DecisionsN != 1 {
		t.Errorf("mia decisions: %+v, want Raj kept by Mia", team.Decisions)
	}
	wantRows := []pipeline.ActivityRow{
		{Name: "Raj Rep", Touches: 1, NewFlags: 2, Decided: 1, Closed: 0},
		{Name: "Rita Rep", Touches: 3, NewFlags: 1, Decided: 0, Closed: 1},
	}
	if !slices.Equal(team.Rows, wantRows) {
		t.Errorf("mia rows: %+v, want %+v", team.Rows, wantRows)
	}

	max := got["max@t.example"].Digest.Team
	if !slices.Equal(flagTitles(max.Awaiting), []string{"Rosa new flag"}) || len(max.Decisions) != 0 ||
		!slices.Equal(max.Rows, []pipeline.ActivityRow{{Name: "Rosa Rep", Touches: 5, NewFlags: 1}}) {
		t.Errorf("max: awaiting %q, decisions %d, rows %+v; want West only", flagTitles(max.Awaiting), len(max.Decisions), max.Rows)
	}
	for _, other := range []string{"Rosa", "West"} {
		if strings.Contains(got["mia@t.example"].Text, other) {
			t.Errorf("mia's digest mentions %q", other)
		}
	}

	admin := got["admin@t.example"].Digest.Team
	if admin.Scope != "org" || admin.AwaitingN != 4 || admin.AtRisk != money.Cents(40000_00) {
		t.Errorf("admin: scope %q, %d awaiting, %d at risk; want org, 4, $40,000", admin.Scope, admin.AwaitingN, admin.AtRisk)
	}
	wantTeams := []pipeline.ActivityRow{
		{Name: "East", Touches: 4, NewFlags: 3, Decided: 1, Closed: 1},
		{Name: "West", Touches: 5, NewFlags: 1},
	}
	if !slices.Equal(admin.Rows, wantTeams) {
		t.Errorf("admin rows: %+v, want %+v", admin.Rows, wantTeams)
	}
}

// TestDigest_TextCarriesTheHTMLFacts reads every item and table row of the
// HTML part and finds each in the plain-text part, and counts them both.
func TestDigest_TextCarriesTheHTMLFacts(t *testing.T) {
	t.Parallel()
	w := teamWorld(t)
	for email, r := range w.build("rita@t.example", "mia@t.example", "admin@t.example") {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.HTML))
		if err != nil {
			t.Fatal(err)
		}
		items := doc.Find("[data-deal-id]")
		if items.Length() == 0 {
			t.Fatalf("%s: no items in the HTML part", email)
		}
		items.Each(func(_ int, s *goquery.Selection) {
			title, detail := strings.TrimSpace(s.Find("a").First().Text()), strings.TrimSpace(s.Find("span").First().Text())
			href, _ := s.Find("a").First().Attr("href")
			if !strings.Contains(r.Text, "- "+title+"\n  "+detail+"\n") || !strings.Contains(r.Text, href) {
				t.Errorf("%s: the text part lacks %q / %q / %s", email, title, detail, href)
			}
		})
		if n := strings.Count(r.Text, "\n- "); n != items.Length() {
			t.Errorf("%s: %d items in the text part, %d in the HTML", email, n, items.Length())
		}
		doc.Find("[data-section] h2").Each(func(_ int, s *goquery.Selection) {
			if !strings.Contains(r.Text, strings.ToUpper(s.Text())) {
				t.Errorf("%s: the text part lacks the section %q", email, s.Text())
			}
		})
		doc.Find("[data-section=activity] tr").Each(func(i int, s *goquery.Selection) {
			if i == 0 {
				return
			}
			var cells []string
			s.Find("th, td").Each(func(_ int, c *goquery.Selection) {
				if v := strings.TrimSpace(c.Text()); v != "" {
					cells = append(cells, v)
				}
			})
			if !strings.Contains(r.Text, strings.Join(cells, " | ")) {
				t.Errorf("%s: the text part lacks the row %q", email, cells)
			}
		})
		if doc.Find("script, img, link, iframe, form").Length() != 0 {
			t.Errorf("%s: the HTML part has scripts, images, links, frames or forms", email)
		}
		if r.Subject == "" || strings.ContainsAny(r.Subject, "\r\n") {
			t.Errorf("%s: subject %q", email, r.Subject)
		}
	}
}

// TestDigest_HostileNames puts markup and line breaks in a name and a deal
// title: they arrive as text, never as markup or a header line.
func TestDigest_HostileNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("rep@t.example", "Eve\r\nBcc: victim@evil.example", "rep", "UTC", "")
	w.deal(dealSpec{title: `<script>alert("x")</script><img src=x onerror=alert(1)>`, owner: "rep@t.example", amount: 100,
		due: ptr(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))})
	r := w.build("rep@t.example")["rep@t.example"]
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.HTML))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find("script, img").Length() != 0 {
		t.Errorf("the title became markup:\n%s", r.HTML)
	}
	if !strings.Contains(doc.Find("[data-section=overdue] a").Text(), `<script>alert("x")</script>`) {
		t.Errorf("the title is not shown as text: %q", doc.Find("[data-section=overdue] a").Text())
	}
	if strings.Contains(r.Subject, "Eve") || strings.ContainsAny(r.Subject, "\r\n") {
		t.Errorf("subject %q carries the name", r.Subject)
	}
}
