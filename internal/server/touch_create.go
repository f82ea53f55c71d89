package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// newTouchForm is the empty log-a-touch form: now, outbound, a call.
func newTouchForm(now time.Time, loc *time.Location) web.TouchForm {
	return web.TouchForm{Kind: "call", Direction: "outbound", OccurredAt: pipeline.DateTimeInput(now, loc)}
}

func touchFormFrom(r *http.Request) web.TouchForm {
	return web.TouchForm{
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

// touchCreate logs a touch from the deal page. With htmx the page is
// rendered again and htmx swaps the live part (score card, form, timeline);
// without JavaScript the browser is sent back to the deal page.
func (s *Server) touchCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	loc, now := userLoc(r), s.now()
	form := touchFormFrom(r)
	in, errs := parseTouchForm(form, loc, now)
	if len(errs) == 0 {
		_, err := s.Deals.LogTouch(r.Context(), actor(r), id, in)
		if err == nil {
			if isHTMX(r) {
				s.renderDeal(w, r, http.StatusOK, id, 0, func(v *web.DealPageView) {})
				return
			}
			s.flash(r, "Touch logged.")
			http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10)+"#timeline", http.StatusSeeOther)
			return
		}
		if pipeline.ErrorCode(err) != pipeline.EINVALID {
			s.fail(w, r, err)
			return
		}
		errs.merge(pipeline.FieldErrors(err))
	}
	form.Errors = errs
	s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) { v.Touch = form })
}
