package server

import (
	"strconv"
	"strings"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
	"goodmoney/web"
)

// maxListed is how many deals a selection lists on the page; the CSV has
// them all.
const maxListed = 200

// outcomesView turns a back-test into the page's view.
func outcomesView(rep *pipeline.OutcomeReport, a pipeline.Actor, q outcomes.Query, set outcomes.Set, v web.OutcomesView) web.OutcomesView {
	v.Scope, v.Mode, v.RulesVersion, v.ComputedAt = scopeLabel(a), modeLabel(q.Mode), rep.RulesVersion, rep.ComputedAt
	v.Period = q.From.Format("2 Jan 2006") + " – " + q.To.Format("2 Jan 2006")
	v.CSV = setLink(q, outcomes.Set{}, outcomesCSVPath)
	if rep.Progress != nil {
		v.Progress = &web.OutcomeProgress{Done: rep.Progress.Done, Total: rep.Progress.Total}
		return v
	}
	rows := rep.Rows
	cur := currency(rows)
	s := outcomes.Summarize(rows)
	link := func(set outcomes.Set, text string) web.Link {
		return web.Link{Text: text, Href: setLink(q, set, outcomesPath)}
	}
	count := func(set outcomes.Set, n int) web.Link { return link(set, strconv.Itoa(n)) }

	v.Deals, v.Scored = s.Deals, s.Scored
	v.Unscored = count(outcomes.Set{Kind: "unscored"}, s.Unscored)
	v.HasPrecision, v.Precision = s.Precise, outcomes.Round2(s.Precision)
	v.HasRecall, v.Recall = s.Recalled, outcomes.Round2(s.Recall)
	v.Notes = outcomeNotes(s, q)
	v.Figures = outcomeFigures(s, cur, count, link)
	v.Table = confusionView(s, count)
	if !set.IsZero() {
		v.Selection = selectionView(rows, set, q, cur, v.Loc)
	}
	v.Charts = outcomeCharts(rows, v.Loc)
	v.WinLoss = winLossView(outcomes.AnalyzeWinLoss(rows), cur, count)
	return v
}

func modeLabel(m outcomes.Mode) string {
	switch {
	case m.AtFirstFlag:
		return "at the first moment it would have been flagged"
	case m.DaysBefore == 0:
		return "on the day it closed"
	case m.DaysBefore == 1:
		return "one day before it closed"
	}
	return strconv.Itoa(m.DaysBefore) + " days before it closed"
}

// currency is the rows' currency, for sums: an org sells in one.
func currency(rows []outcomes.Row) string {
	if len(rows) > 0 && rows[0].Currency != "" {
		return rows[0].Currency
	}
	return "USD"
}

// outcomeNotes says what the figures cannot show for this period and
// rules: the empty and degenerate cases, in words instead of a 0 %.
func outcomeNotes(s outcomes.Summary, q outcomes.Query) []string {
	var notes []string
	switch {
	case s.Deals == 0:
		return nil
	case s.Scored == 0:
		return append(notes, "Every deal of the period closed within "+strconv.Itoa(q.Mode.DaysBefore)+
			" days of being created, so none existed at the cut. Score them fewer days before they closed.")
	case s.Flagged == 0:
		notes = append(notes, "The rules flagged none of these deals at the cut, so there is no precision to measure: every deal that ended badly was missed.")
	case s.Flagged == s.Scored:
		notes = append(notes, "The rules flagged every one of these deals: a flag that always fires tells nothing. Raise the thresholds in the scoring settings.")
	}
	if s.Bad == 0 {
		notes = append(notes, "Every scored deal ended as good money: there was nothing for the flags to catch, so recall cannot be measured.")
	}
	return notes
}

func outcomeFigures(s outcomes.Summary, cur string, count func(outcomes.Set, int) web.Link,
	link func(outcomes.Set, string) web.Link) []web.Figure {
	pctOf := func(ok bool, x float64, n, of int) string {
		if !ok {
			return "—"
		}
		return strconv.Itoa(int(x*100+0.5)) + " % (" + strconv.Itoa(n) + " of " + strconv.Itoa(of) + ")"
	}
	lead := "—"
	if s.LeadDeals > 0 {
		lead = strconv.FormatFloat(s.LeadDays, 'f', 0, 64) + " days"
	}
	return []web.Figure{
		{Key: "flagged", Label: "Flagged at the cut", Value: count(outcomes.Set{Kind: "flagged"}, s.Flagged)},
		{Key: "precision", Label: "Precision: flags that were right", Value: link(outcomes.Set{Kind: "caught"}, pctOf(s.Precise, s.Precision, s.Caught, s.Flagged)),
			Note: "flagged deals that ended other than good money"},
		{Key: "recall", Label: "Recall: bad endings flagged in advance", Value: link(outcomes.Set{Kind: "bad"}, pctOf(s.Recalled, s.Recall, s.Caught, s.Bad)),
			Note: "deals that ended badly and were flagged"},
		{Key: "missed", Label: "Bad endings not flagged", Value: count(outcomes.Set{Kind: "missed"}, s.Missed)},
		{Key: "wrong", Label: "Flags on deals that became good money", Value: count(outcomes.Set{Kind: "wrong"}, s.Wrong)},
		{Key: "lead", Label: "Median warning before close", Value: link(outcomes.Set{Kind: "flagged"}, lead),
			Note: "from the first flag to the close"},
		{Key: "hours", Label: "Time spent after the flag on deals that ended badly", Value: link(outcomes.Set{Kind: "caught"}, fmtHours(s.HoursIgnored)),
			Note: "what ignoring the flag cost (estimated from the touches)"},
		{Key: "won_flagged", Label: "Won on flagged deals", Value: link(outcomes.Set{Kind: "won_flagged"}, money.Format(s.WonFlagged.Money, cur)),
			Note: strconv.Itoa(s.WonFlagged.Deals) + " deals; " + money.Format(s.GoodFlagged.Money, cur) + " of it good money: what walking away would have cost"},
	}
}

func fmtHours(h float64) string {
	if h < 10 {
		return strconv.FormatFloat(h, 'f', 1, 64) + " h"
	}
	return strconv.FormatFloat(h, 'f', 0, 64) + " h"
}

func confusionView(s outcomes.Summary, count func(outcomes.Set, int) web.Link) web.OutcomeTable {
	var t web.OutcomeTable
	for _, c := range outcomes.Classes {
		t.Classes = append(t.Classes, c.Label())
	}
	for b, band := range outcomes.Bands {
		row := web.OutcomeTableRow{Band: string(band), Label: bandLabel(band), Total: count(outcomes.Set{Band: band}, s.ByBand[b].Deals)}
		for c, class := range outcomes.Classes {
			row.Cells = append(row.Cells, count(outcomes.Set{Band: band, Class: class}, s.Table[b][c].Deals))
		}
		t.Rows = append(t.Rows, row)
	}
	for c, class := range outcomes.Classes {
		t.Totals = append(t.Totals, count(outcomes.Set{Class: class}, s.ByClass[c].Deals))
	}
	t.All = web.Link{Text: strconv.Itoa(s.Scored)}
	return t
}

func bandLabel(b scoring.Band) string {
	switch b {
	case scoring.BandNotGoodMoney:
		return "Not good money"
	case scoring.BandWatch:
		return "Watch"
	}
	return "OK"
}

// setTitle describes the deals of set.
func setTitle(set outcomes.Set) string {
	var parts []string
	switch set.Kind {
	case "flagged":
		parts = append(parts, "Flagged at the cut")
	case "bad":
		parts = append(parts, "Ended other than good money")
	case "caught":
		parts = append(parts, "Flagged and ended badly")
	case "missed":
		parts = append(parts, "Ended badly without a flag")
	case "wrong":
		parts = append(parts, "Flagged, then good money")
	case "won_flagged":
		parts = append(parts, "Won although flagged")
	case "good_flagged":
		parts = append(parts, "Good money although flagged")
	case "unscored":
		parts = append(parts, "Younger than the cut")
	case "won", "lost", "walked":
		parts = append(parts, map[string]string{"won": "Won", "lost": "Lost", "walked": "Walked away"}[set.Kind])
	}
	if set.Band != "" {
		parts = append(parts, "band "+bandLabel(set.Band))
	}
	if set.Class != "" {
		parts = append(parts, "ended "+strings.ToLower(set.Class.Label()))
	}
	if set.Reason != "" {
		parts = append(parts, "reason “"+set.Reason+"”")
	}
	if set.Reached != "" {
		parts = append(parts, "got as far as "+set.Reached)
	}
	if set.OwnerID != 0 {
		parts = append(parts, "one rep's deals")
	}
	if len(parts) == 0 {
		return "Every closed deal"
	}
	return strings.Join(parts, ", ")
}

func selectionView(rows []outcomes.Row, set outcomes.Set, q outcomes.Query, cur string, loc *time.Location) *web.OutcomeSelection {
	chosen := outcomes.Select(rows, set)
	sel := &web.OutcomeSelection{Title: setTitle(set) + " (" + strconv.Itoa(len(chosen)) + ")",
		Clear: setLink(q, outcomes.Set{}, outcomesPath), CSV: setLink(q, set, outcomesCSVPath)}
	if len(chosen) > maxListed {
		sel.More = len(chosen) - maxListed
		chosen = chosen[:maxListed]
	}
	for _, r := range chosen {
		d := web.OutcomeDeal{ID: r.DealID, Title: r.Title, Prospect: r.Prospect, Owner: r.Owner, Outcome: r.Class.Label(),
			Band: bandLabel(r.Band), Points: r.Points, Scored: r.Scored, Amount: money.Format(r.Amount, defaultCur(r.Currency, cur)),
			Closed: r.ClosedAt.In(loc).Format("2 Jan 2006")}
		if !r.FirstFlag.IsZero() {
			d.FirstFlag = r.FirstFlag.In(loc).Format("2 Jan 2006") + " (" + strconv.Itoa(int(r.ClosedAt.Sub(r.FirstFlag).Hours()/24)) + " days before)"
		}
		sel.Deals = append(sel.Deals, d)
	}
	return sel
}

func defaultCur(c, def string) string {
	if c == "" {
		return def
	}
	return c
}

func winLossView(w outcomes.WinLoss, cur string, count func(outcomes.Set, int) web.Link) *web.WinLossView {
	tally := func(groups []outcomes.Group, set func(outcomes.Group) outcomes.Set) []web.TallyRow {
		out := make([]web.TallyRow, 0, len(groups))
		for _, g := range groups {
			cell := func(kind string, c outcomes.Cell) web.Link {
				st := set(g)
				st.Kind = kind
				l := count(st, c.Deals)
				if c.Deals > 0 {
					l.Text += " · " + money.Format(c.Money, cur)
				}
				return l
			}
			out = append(out, web.TallyRow{Name: g.Name, Won: cell("won", g.Won), Lost: cell("lost", g.Lost),
				Walked: cell("walked", g.WalkedAway), Total: cell("", g.Total())})
		}
		return out
	}
	v := &web.WinLossView{
		Reasons: tally(w.Reasons, func(g outcomes.Group) outcomes.Set { return outcomes.Set{Reason: g.Key} }),
		Reps: tally(w.Reps, func(g outcomes.Group) outcomes.Set {
			id, _ := strconv.ParseInt(g.Key, 10, 64)
			return outcomes.Set{OwnerID: id}
		}),
		Reached: tally(w.Reached, func(g outcomes.Group) outcomes.Set { return outcomes.Set{Reached: g.Key} }),
	}
	for i := range v.Reached {
		v.Reached[i].Name = stageName(v.Reached[i].Name)
	}
	for i, st := range outcomes.OpenStages {
		v.StageDays = append(v.StageDays, web.StageDaysRow{Stage: stageName(st),
			Won: medianDays(w.WonStageDays[i], w.WonStageDeals[i]), Lost: medianDays(w.LostStageDays[i], w.LostStageDeals[i])})
	}
	if w.WalkAways == 0 {
		v.CameBack = "No deal was walked away from in this period."
	} else {
		v.CameBack = strconv.Itoa(w.CameBackDeals) + " of " + strconv.Itoa(w.WalkAways) + " walk-aways came back (" +
			strconv.Itoa(int(w.CameBackRate()*100+0.5)) + " %)."
	}
	for _, g := range w.Became {
		v.Became = append(v.Became, web.TallyRow{Name: becameLabel(outcomes.Class(g.Key)), Total: web.Link{Text: strconv.Itoa(g.Total().Deals)}})
	}
	return v
}

// medianDays writes a median of days, a dash over no deals.
func medianDays(days float64, deals int) string {
	if deals == 0 {
		return "—"
	}
	n := strconv.Itoa(deals) + " deals"
	if deals == 1 {
		n = "1 deal"
	}
	return strconv.FormatFloat(days, 'f', 1, 64) + " days, " + n
}

// becameLabel says what a walk-away that came back is now, by its class.
func becameLabel(c outcomes.Class) string {
	switch c {
	case outcomes.CameBack:
		return "Not reopened"
	case outcomes.Disqualified:
		return "Reopened, walked away from again"
	case outcomes.GoodMoney:
		return "Reopened and won, good money"
	case outcomes.ThinWin:
		return "Reopened and won below the margin floor"
	case outcomes.Lost:
		return "Reopened and lost"
	}
	return c.Label()
}

func stageName(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
