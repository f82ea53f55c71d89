package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"goodmoney/web"
)

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
	rerender := func(errs formErrors) {
		form.Errors = errs
		s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) { v.Touch = form })
	}
	if len(errs) > 0 {
		rerender(errs)
		return
	}
	_, err := s.Deals.LogTouch(r.Context(), actor(r), id, in)
	if s.refused(w, r, err, errs, rerender) {
		return
	}
	if isHTMX(r) {
		s.renderDeal(w, r, http.StatusOK, id, 0, func(v *web.DealPageView) {})
		return
	}
	s.flash(r, "Touch logged.")
	http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10)+"#timeline", http.StatusSeeOther)
}
