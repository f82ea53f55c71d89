package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
)

// fmtMoney shows an amount with its currency symbol.
func fmtMoney(c money.Cents, currency string) string { return money.Format(c, currency) }

// fmtMoneyOpt shows an optional amount, or a dash.
func fmtMoneyOpt(c *money.Cents, currency string) string {
	if c == nil {
		return "—"
	}
	return money.Format(*c, currency)
}

// fmtPct shows a percentage rounded to a whole number, or a dash when unknown.
func fmtPct(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + "%"
}

// fmtDate shows a calendar date (stored at midnight UTC) like "3 Oct 2026".
func fmtDate(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.Format("2 Jan 2006")
}

// fmtWhen shows an instant in the viewer's timezone like "Mon 3 Oct, 14:05".
func fmtWhen(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04")
}

// isoTime is the machine-readable value of a <time> element.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fmtAgo shows how long ago something happened: "today", "3 days ago".
func fmtAgo(t *time.Time, now time.Time) string {
	if t == nil {
		return "never"
	}
	days := int(now.Sub(*t).Hours() / 24)
	switch {
	case days <= 0:
		return "today"
	case days == 1:
		return "yesterday"
	}
	return strconv.Itoa(days) + " days ago"
}

// fmtDuration shows a stage duration in days (or hours when under a day).
func fmtDuration(d time.Duration) string {
	switch h := int(d.Hours()); {
	case h < 1:
		return "under an hour"
	case h < 24:
		return countLabel(h, "hour", "hours")
	default:
		return countLabel(h/24, "day", "days")
	}
}

// dealURL is the address of a deal page.
func dealURL(id int64) templ.SafeURL { return templ.SafeURL("/deals/" + strconv.FormatInt(id, 10)) }

// prospectURL is the address of a prospect page.
func prospectURL(id int64) templ.SafeURL {
	return templ.SafeURL("/prospects/" + strconv.FormatInt(id, 10))
}

// itoa formats an id.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// kindLabel is the display name of a touch kind.
func kindLabel(kind string) string {
	if kind == "" {
		return ""
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

// outcomeLabel is the display name of a touch outcome.
func outcomeLabel(o string) string { return strings.ReplaceAll(o, "_", " ") }

// options turns a list of codes into select options with readable labels.
func options(codes []string, label func(string) string) []Option {
	opts := make([]Option, len(codes))
	for i, c := range codes {
		opts[i] = Option{Value: c, Label: label(c)}
	}
	return opts
}

// stageOptions, kindOptions, directionOptions and outcomeOptions feed the selects.
var (
	stageOptions     = options(pipeline.Stages, StageLabel)
	kindOptions      = options(pipeline.TouchKinds, kindLabel)
	directionOptions = []Option{{"outbound", "Outbound"}, {"inbound", "Inbound"}}
	outcomeOptions   = options(pipeline.Outcomes, outcomeLabel)
	bandOptions      = []Option{{"ok", "OK"}, {"watch", "Watch"}, {"not_good_money", "Not good money"}}
)

// contactOptions lists a deal's contacts for the touch form.
func contactOptions(cs []*pipeline.Contact) []Option {
	opts := make([]Option, 0, len(cs))
	for _, c := range cs {
		label := c.Name
		if c.Title != "" {
			label += " (" + c.Title + ")"
		}
		opts = append(opts, Option{Value: itoa(c.ID), Label: label})
	}
	return opts
}

// quickPick is how a deal appears in the quick-log list; the "#id" suffix
// lets the server find it whatever the title.
func quickPick(d *pipeline.Deal) string {
	return fmt.Sprintf("%s · %s #%d", d.Title, d.ProspectName, d.ID)
}

// touchSummary is a one-line description of a touch for the timeline.
func touchSummary(t *pipeline.Touch, currency string) string {
	var b strings.Builder
	b.WriteString(kindLabel(t.Kind))
	if t.Direction == "inbound" {
		b.WriteString(" from them")
	} else {
		b.WriteString(" to them")
	}
	if t.ContactName != "" {
		b.WriteString(" · " + t.ContactName)
	}
	if t.QuoteAmount != nil {
		b.WriteString(" · " + money.Format(*t.QuoteAmount, currency))
	}
	if t.Outcome != "" {
		b.WriteString(" · " + outcomeLabel(t.Outcome))
	}
	if t.DurationMin != nil {
		b.WriteString(" · " + strconv.Itoa(*t.DurationMin) + " min")
	}
	return b.String()
}

// errOf returns the message for a field, if any.
func errOf(errs map[string]string, field string) string { return errs[field] }

// touchAnchor is the element id of a touch on the timeline.
func touchAnchor(id int64) string { return "touch-" + strconv.FormatInt(id, 10) }

// touchLink points at a touch on the timeline.
func touchLink(id int64) templ.SafeURL { return templ.SafeURL("#" + touchAnchor(id)) }

// scoreText formats a score's points.
func scoreText(points int) string { return strconv.Itoa(points) }

// fmtPoints shows a signal's points with at most one decimal.
func fmtPoints(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }
