package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

// coachingAck marks a coaching note read; only the rep it is written to may.
func (s *Server) coachingAck(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	dealID, err := s.Review.AcknowledgeCoaching(r.Context(), actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "Coaching note acknowledged.")
	back := safeNext(r.PostFormValue("back"))
	if back == "/" && r.PostFormValue("back") != "/" {
		back = "/deals/" + strconv.FormatInt(dealID, 10)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
