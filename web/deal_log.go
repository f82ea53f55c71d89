package web

import (
	"strconv"
	"time"

	"github.com/a-h/templ"

	"goodmoney/internal/pipeline"
)

// liveSwap are the htmx attributes of a form that changes a deal's touches:
// it posts in the background, the timeline is swapped for the answer's, and
// so are the log form, the facts column (score card, numbers) and the
// content of the result line, which stays put so that it is announced.
// Nothing above the timeline changes height, so the page does not move.
func liveSwap(url string) templ.Attributes {
	return templ.Attributes{
		"data-hx-post":       url,
		"data-hx-target":     "#timeline",
		"data-hx-select":     "#timeline",
		"data-hx-swap":       "outerHTML",
		"data-hx-select-oob": "#touch-form-card,#deal-facts,#log-status:innerHTML",
	}
}

// highlightOf is the touch a result points at, 0 for none.
func highlightOf(r *TouchResult) int64 {
	if r == nil {
		return 0
	}
	return r.TouchID
}

// pinHighlighted puts the touch just logged or changed first, the rest in
// their order, so that it is in sight under the result line even when it is
// backdated or when the flag events it caused are newer than it. Only the
// answer to the change does this: the next visit shows it in its place.
func pinHighlighted(items []pipeline.TimelineItem, id int64) []pipeline.TimelineItem {
	if id == 0 {
		return items
	}
	for i, it := range items {
		if it.Touch != nil && it.Touch.ID == id {
			if i == 0 {
				return items
			}
			out := make([]pipeline.TimelineItem, 0, len(items))
			out = append(out, it)
			out = append(out, items[:i]...)
			return append(out, items[i+1:]...)
		}
	}
	return items
}

// resultHeadline names what happened: "Touch logged."
func resultHeadline(r *TouchResult) string {
	return "Touch " + r.Verb + "."
}

// scoreChange says what a touch change did to the score: "Score 52 → 27,
// flag resolved." or "Score unchanged at 31." Closed deals are not scored.
func scoreChange(r *TouchResult) string {
	b, a := r.Before, r.After
	if a.Band == "" {
		if b.Band == "" {
			return ""
		}
		return "The deal is no longer scored."
	}
	if b.Band == "" {
		return "Score " + strconv.Itoa(a.Points) + ", " + bandLabel(a.Band) + "."
	}
	if a.Points == b.Points && a.Band == b.Band {
		return "Score unchanged at " + strconv.Itoa(a.Points) + "."
	}
	s := "Score " + strconv.Itoa(b.Points) + " → " + strconv.Itoa(a.Points)
	switch {
	case b.Band == "not_good_money" && a.Band != "not_good_money":
		s += ", flag resolved"
	case a.Band == "not_good_money" && b.Band != "not_good_money":
		s += ", flagged: not good money"
	case a.Band != b.Band:
		s += ", now " + bandLabel(a.Band)
	}
	return s + "."
}

// nextStepState is the next-step bar's data-next-step: missing, overdue or set.
func nextStepState(d *pipeline.Deal, now time.Time, loc *time.Location) string {
	switch {
	case d.NeedsNextStep(now, loc) && d.NextStep == "":
		return "missing"
	case d.NeedsNextStep(now, loc):
		return "overdue"
	}
	return "set"
}

// fmtDateInput shows a yyyy-mm-dd value as the pages show dates, or as typed
// when it does not parse.
func fmtDateInput(v string) string {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return v
	}
	return fmtDate(&t)
}
