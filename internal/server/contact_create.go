package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
)

// contactCreate adds a contact to a prospect.
func (s *Server) contactCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	form := contactFormFrom(r, "")
	_, err := s.Prospects.AddContact(r.Context(), actor(r), id,
		pipeline.ContactInput{Key: form.Key, Name: form.Name, Email: form.Email, Phone: form.Phone, Title: form.Title})
	if s.refused(w, r, err, nil, func(errs formErrors) {
		form.Errors = errs
		s.renderProspect(w, r, http.StatusUnprocessableEntity, id, form)
	}) {
		return
	}
	s.flash(r, "Contact added.")
	http.Redirect(w, r, "/prospects/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
