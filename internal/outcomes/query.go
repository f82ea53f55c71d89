package outcomes

import (
	"strconv"
	"strings"
	"time"
)

// Defaults and limits of the report's filters.
const (
	DefaultDaysBefore = 14
	MaxDaysBefore     = 365
	MaxPeriodDays     = 3*366 + 1 // three years
	FirstFlag         = "first"   // days_before value for "at the first flag"
	dateLayout        = "2006-01-02"
)

// Query is the report's period and mode. From and To are whole days in the
// viewer's timezone: deals that closed from From's start to To's end.
type Query struct {
	From, To time.Time // midnight of the first and the last day
	Mode     Mode
}

// Start and End bound the closing times: [Start, End).
func (q Query) Start() time.Time { return q.From }

// End is the midnight after the last day.
func (q Query) End() time.Time { return q.To.AddDate(0, 0, 1) }

// Key identifies the query in a cache key.
func (q Query) Key() string {
	mode := strconv.Itoa(q.Mode.DaysBefore)
	if q.Mode.AtFirstFlag {
		mode = FirstFlag
	}
	return q.From.Format(dateLayout) + "/" + q.To.Format(dateLayout) + "/" + mode
}

// Values are the filters as typed, for the form and the links.
type Values struct {
	From, To, DaysBefore string
}

// Values returns q as the form shows it.
func (q Query) Values() Values {
	v := Values{From: q.From.Format(dateLayout), To: q.To.Format(dateLayout), DaysBefore: strconv.Itoa(q.Mode.DaysBefore)}
	if q.Mode.AtFirstFlag {
		v.DaysBefore = FirstFlag
	}
	return v
}

// DefaultQuery is the last twelve months up to today, 14 days before close.
func DefaultQuery(now time.Time, loc *time.Location) Query {
	today := day(now, loc)
	return Query{From: today.AddDate(-1, 0, 1), To: today, Mode: Mode{DaysBefore: DefaultDaysBefore}}
}

// ParseQuery reads the filters as typed; an empty one takes its default.
// It returns the query and a message per bad field (keyed by from, to,
// days_before); with messages, the query holds the defaults for the bad
// fields so the page can still be drawn.
func ParseQuery(v Values, now time.Time, loc *time.Location) (Query, map[string]string) {
	q := DefaultQuery(now, loc)
	errs := map[string]string{}
	today := day(now, loc)
	if s := strings.TrimSpace(v.To); s != "" {
		t, err := time.ParseInLocation(dateLayout, s, loc)
		switch {
		case err != nil:
			errs["to"] = "Enter a date like " + today.Format(dateLayout) + "."
		case t.After(today):
			errs["to"] = "The period cannot end after today: nothing has closed there yet."
		default:
			q.To = t
			q.From = t.AddDate(-1, 0, 1)
		}
	}
	if s := strings.TrimSpace(v.From); s != "" {
		t, err := time.ParseInLocation(dateLayout, s, loc)
		switch {
		case err != nil:
			errs["from"] = "Enter a date like " + q.From.Format(dateLayout) + "."
		case t.After(today):
			errs["from"] = "The period cannot start after today."
		case t.After(q.To):
			errs["from"] = "The start must be on or before the end."
		case q.To.Sub(t) > MaxPeriodDays*24*time.Hour:
			errs["from"] = "Choose a period of at most three years; older deals were sold under other conditions."
		default:
			q.From = t
		}
	}
	switch s := strings.TrimSpace(v.DaysBefore); s {
	case "":
	case FirstFlag:
		q.Mode = Mode{AtFirstFlag: true}
	default:
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			errs["days_before"] = "Enter a whole number of days, like 14, or choose “at the first flag”."
		case n < 0 || n > MaxDaysBefore:
			errs["days_before"] = "Enter between 0 and " + strconv.Itoa(MaxDaysBefore) + " days."
		default:
			q.Mode = Mode{DaysBefore: n}
		}
	}
	if len(errs) == 0 {
		errs = nil
	}
	return q, errs
}

// day is the midnight in loc of t's date there.
func day(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}
