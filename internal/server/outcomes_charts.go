package server

import (
	"strconv"
	"time"

	"goodmoney/internal/outcomes"
	"goodmoney/web"
)

// outcomeCharts draws the report's pictures from the back-test rows: the
// funnel, flags per week by outcome, hours freed by walk-aways, close reasons.
func outcomeCharts(rows []outcomes.Row, loc *time.Location) []web.Chart {
	return []web.Chart{funnelChart(rows), flagWeeksChart(rows, loc, 0), hoursFreedChart(rows, loc), reasonsChart(rows)}
}

func funnelChart(rows []outcomes.Row) web.Chart {
	c := web.Chart{ID: "chart-funnel", Title: "Pipeline funnel", Unit: "deals", Axis: "Stage",
		Desc: "How many of the period's closed deals reached each stage, and the share of the stage before that did."}
	for i, st := range outcomes.Funnel(rows) {
		b := web.Bar{Label: stageName(st.Stage), Values: []float64{float64(st.Deals)}}
		if i > 0 {
			b.Note = strconv.Itoa(int(st.Conversion*100+0.5)) + " %"
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// classSeries are the outcome classes as chart series.
func classSeries() []web.Series {
	s := make([]web.Series, len(outcomes.Classes))
	for i, c := range outcomes.Classes {
		s[i] = web.Series{Label: c.Label(), Class: string(c)}
	}
	return s
}

// flagWeeksChart counts the flags first raised each week, stacked by how
// the deals ended; last > 0 keeps that many recent weeks, drawn small for
// the home page.
func flagWeeksChart(rows []outcomes.Row, loc *time.Location, last int) web.Chart {
	c := web.Chart{ID: "chart-flags", Title: "Flags raised per week, by how the deal ended", Unit: "flags", Axis: "Week of", Columns: true, Small: last > 0,
		Series: classSeries()}
	weeks := outcomes.FlagWeeks(rows, loc)
	if last > 0 && len(weeks) > last {
		weeks = weeks[len(weeks)-last:]
	}
	total, bad := 0, 0
	for _, w := range weeks {
		b := web.Bar{Label: w.Start.Format("2 Jan"), Values: make([]float64, len(w.ByClass))}
		for k, n := range w.ByClass {
			b.Values[k] = float64(n)
			total += n
			if outcomes.Classes[k].Bad() {
				bad += n
			}
		}
		c.Bars = append(c.Bars, b)
	}
	c.Desc = strconv.Itoa(total) + " flags over " + strconv.Itoa(len(weeks)) + " weeks, by the week each deal was first flagged; " +
		strconv.Itoa(bad) + " of those deals ended other than good money."
	return c
}

// hoursFreedChart sums per month the time the walk-aways had taken when
// the rep let them go, as each walk-away recorded it (outcomes.Row.Freed):
// the same hours the deal page and the manager's digest show.
func hoursFreedChart(rows []outcomes.Row, loc *time.Location) web.Chart {
	c := web.Chart{ID: "chart-hours", Title: "Hours freed by walking away, per month", Unit: "hours", Axis: "Month"}
	deals, estimated, hours := 0, 0, 0.0
	for _, m := range outcomes.HoursFreed(rows, loc) {
		note := ""
		if m.WalkAways > 0 {
			note = walkAways(m.WalkAways)
		}
		if m.Estimated > 0 {
			note += ", " + strconv.Itoa(m.Estimated) + " estimated"
		}
		c.Bars = append(c.Bars, web.Bar{Label: m.Start.Format("Jan 2006"), Values: []float64{roundTenth(m.Hours)}, Note: note})
		deals, estimated, hours = deals+m.WalkAways, estimated+m.Estimated, hours+m.Hours
	}
	c.Desc = strconv.FormatFloat(roundTenth(hours), 'f', -1, 64) + " hours freed by " + walkAways(deals) +
		", by the month the deal was walked away from."
	c.About = "Each walk-away counts the time the deal had taken when the rep let it go, as recorded then: " +
		"calls and meetings as logged, a set time for every other touch. That time now goes to other deals."
	switch {
	case estimated == 1:
		c.About += " One walk-away from before this was recorded is estimated the same way from its touches."
	case estimated > 1:
		c.About += " " + strconv.Itoa(estimated) + " walk-aways from before this was recorded are estimated the same way from their touches."
	}
	return c
}

// walkAways says "1 walk-away" or "3 walk-aways".
func walkAways(n int) string {
	if n == 1 {
		return "1 walk-away"
	}
	return strconv.Itoa(n) + " walk-aways"
}

func roundTenth(x float64) float64 { return float64(int(x*10+0.5)) / 10 }

func reasonsChart(rows []outcomes.Row) web.Chart {
	c := web.Chart{ID: "chart-reasons", Title: "Close reasons", Unit: "deals", Axis: "Close reason",
		Desc:   "How often each close reason was given, split by won, lost and walked away.",
		Series: []web.Series{{Label: "Won", Class: "won"}, {Label: "Lost", Class: "lost"}, {Label: "Walked away", Class: "disqualified"}}}
	for _, g := range outcomes.AnalyzeWinLoss(rows).Reasons {
		c.Bars = append(c.Bars, web.Bar{Label: g.Name,
			Values: []float64{float64(g.Won.Deals), float64(g.Lost.Deals), float64(g.WalkedAway.Deals)}})
	}
	return c
}
