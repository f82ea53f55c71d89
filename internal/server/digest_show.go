package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// digestShow shows one recorded digest as it was sent (admins).
func (s *Server) digestShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	e, err := s.Digests.OutboxEntry(r.Context(), actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeMail(w, r, e.HTML, e.Text)
}
