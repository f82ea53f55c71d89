package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"goodmoney/web"
)

// dealMove changes a deal's stage: the board's one action.
func (s *Server) dealMove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	d, err := s.Deals.MoveDeal(r.Context(), actor(r), id, r.PostFormValue("stage"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = "/deals/board"
	}
	s.flash(r, "Moved “"+d.Title+"” to "+web.StageLabel(d.Stage)+".")
	http.Redirect(w, r, back, http.StatusSeeOther)
}
