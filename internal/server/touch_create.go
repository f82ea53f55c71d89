package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"goodmoney/web"
)

// touchCreate logs a touch from the deal page (or logs a removed one back:
// undo=1). With htmx the page is rendered again and htmx swaps the live
// parts in place; without JavaScript the browser is sent back to the deal
// page. Either way the page says what the touch did to the score.
func (s *Server) touchCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	loc, now := userLoc(r), s.now()
	form := touchFormFrom(r)
	in, errs := parseTouchForm(form, loc, now)
	rerender := func(errs formErrors) {
		form.Errors = errs
		s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) { v.Touch = form })
	}
	if len(errs) > 0 {
		rerender(errs)
		return
	}
	before := s.scoreMark(r.Context(), actor(r), id)
	t, err := s.Deals.LogTouch(r.Context(), actor(r), id, in)
	if s.refused(w, r, err, errs, rerender) {
		return
	}
	verb := "logged"
	if r.PostFormValue("undo") != "" {
		verb = "restored"
	}
	s.touchDone(w, r, web.TouchResult{DealID: id, Verb: verb, TouchID: t.ID, Before: before})
}
