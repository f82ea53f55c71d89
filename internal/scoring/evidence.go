package scoring

import (
	"strconv"
	"time"

	"goodmoney/internal/money"
)

// This file holds the small writers that evidence lines are built from.
// Evidence is read by reps and managers, so numbers are rounded the way a
// person would say them and dates are in the org's timezone.

// style formats evidence the way the org reads it: money in the deal's
// currency, dates in the org's timezone.
type style struct {
	currency string
	loc      *time.Location
	asOf     time.Time
}

func (s style) money(c money.Cents) string { return money.Format(c, s.currency) }

// date writes "3 Oct", adding the year when it is not the year of asOf.
func (s style) date(t time.Time) string {
	t = t.In(s.loc)
	if t.Year() != s.asOf.In(s.loc).Year() {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}

// pct writes a fraction as a percentage with at most one decimal: "12%",
// "19.5%", "-4%".
func pct(f float64) string {
	return strconv.FormatFloat(round1(f*100), 'f', -1, 64) + "%"
}

// num writes a number with at most one decimal: "3", "4.7".
func num(f float64) string {
	return strconv.FormatFloat(round1(f), 'f', -1, 64)
}

// plural writes "1 quote" or "4 quotes".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func itoa(n int) string { return strconv.Itoa(n) }

// pluralNum writes "1 word", "2.5 words".
func pluralNum(x float64, one, many string) string {
	if x == 1 {
		return "1 " + one
	}
	return num(x) + " " + many
}

// tally is a count with its singular and plural nouns.
type tally struct {
	n         int
	one, many string
}

// joinCounts writes the non-zero tallies: "1 no-show, 2 rescheduled".
func joinCounts(ts ...tally) string {
	s := ""
	for _, t := range ts {
		if t.n == 0 {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += plural(t.n, t.one, t.many)
	}
	return s
}

// joinClauses joins two parts of one evidence line with a semicolon.
func joinClauses(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// clock writes an hour as "19:00".
func clock(hour int) string {
	if hour < 10 {
		return "0" + strconv.Itoa(hour) + ":00"
	}
	return strconv.Itoa(hour) + ":00"
}
