package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// newTouchForm is the empty log-a-touch form: now, outbound, a call.
func newTouchForm(now time.Time, loc *time.Location) web.TouchForm {
	return web.TouchForm{Key: newKey(), Kind: "call", Direction: "outbound", OccurredAt: pipeline.DateTimeInput(now, loc)}
}

func touchFormFrom(r *http.Request) web.TouchForm {
	return web.TouchForm{
		Key:         formKey(r),
		Kind:        r.PostFormValue("kind"),
		Direction:   r.PostFormValue("direction"),
		OccurredAt:  r.PostFormValue("occurred_at"),
		Outcome:     r.PostFormValue("outcome"),
		Notes:       r.PostFormValue("notes"),
		QuoteAmount: r.PostFormValue("quote_amount"),
		DurationMin: r.PostFormValue("duration_min"),
		ContactID:   r.PostFormValue("contact_id"),
		Deal:        r.PostFormValue("deal"),
	}
}

func parseTouchForm(f web.TouchForm, loc *time.Location, now time.Time) (pipeline.TouchInput, formErrors) {
	errs := formErrors{}
	in := pipeline.TouchInput{
		Key:         f.Key,
		Kind:        strings.TrimSpace(f.Kind),
		Direction:   strings.TrimSpace(f.Direction),
		OccurredAt:  errs.dateTime("occurred_at", f.OccurredAt, loc, now),
		Outcome:     strings.TrimSpace(f.Outcome),
		Notes:       f.Notes,
		QuoteAmount: errs.money("quote_amount", f.QuoteAmount, false),
		DurationMin: errs.intOpt("duration_min", f.DurationMin),
		ContactID:   errs.id("contact_id", f.ContactID, "Choose one of this prospect's contacts."),
	}
	if in.Direction == "" {
		in.Direction = "outbound"
	}
	if _, bad := errs["occurred_at"]; !bad {
		errs.merge(in.Validate(now))
	}
	return in, errs
}

// touchFormOf fills the touch form with a stored touch, in the user's timezone.
func touchFormOf(t *pipeline.Touch, loc *time.Location) web.TouchForm {
	f := web.TouchForm{Kind: t.Kind, Direction: t.Direction, OccurredAt: pipeline.DateTimeInput(t.OccurredAt, loc),
		Outcome: t.Outcome, Notes: t.Notes}
	if t.QuoteAmount != nil {
		f.QuoteAmount = t.QuoteAmount.Input()
	}
	if t.DurationMin != nil {
		f.DurationMin = strconv.Itoa(*t.DurationMin)
	}
	if t.ContactID != 0 {
		f.ContactID = strconv.FormatInt(t.ContactID, 10)
	}
	return f
}
