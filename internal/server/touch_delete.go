package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

// touchDelete removes a touch logged by mistake; the deal is rescored in the
// same transaction and the browser goes back to the deal page.
func (s *Server) touchDelete(w http.ResponseWriter, r *http.Request) {
	dealID, ok1 := pathID(chi.URLParam(r, "id"))
	touchID, ok2 := pathID(chi.URLParam(r, "touchID"))
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	if err := s.Deals.DeleteTouch(r.Context(), actor(r), dealID, touchID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "Touch removed.")
	http.Redirect(w, r, "/deals/"+strconv.FormatInt(dealID, 10)+"#timeline", http.StatusSeeOther)
}
