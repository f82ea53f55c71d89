package server

import (
	"net/http"
	"strconv"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

func (s *Server) prospectNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, web.ProspectNewPage(s.page(r, "New prospect", web.NavProspects), web.ProspectNewView{Form: web.ProspectForm{Key: newKey()}}))
}

// prospectCreate adds a prospect (and its first contact) and answers 303 to its page.
func (s *Server) prospectCreate(w http.ResponseWriter, r *http.Request) {
	form := web.ProspectForm{
		Key:      formKey(r),
		Name:     r.PostFormValue("name"),
		Website:  r.PostFormValue("website"),
		Industry: r.PostFormValue("industry"),
		Notes:    r.PostFormValue("notes"),
		Contact:  contactFormFrom(r, "contact_"),
	}
	contact := pipeline.ContactInput{Name: form.Contact.Name, Email: form.Contact.Email, Phone: form.Contact.Phone, Title: form.Contact.Title}
	p, err := s.Prospects.CreateProspect(r.Context(), actor(r),
		pipeline.ProspectInput{Key: form.Key, Name: form.Name, Website: form.Website, Industry: form.Industry, Notes: form.Notes}, &contact)
	if s.refused(w, r, err, nil, func(errs formErrors) {
		form.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, web.ProspectNewPage(s.page(r, "New prospect", web.NavProspects), web.ProspectNewView{Form: form}))
	}) {
		return
	}
	http.Redirect(w, r, "/prospects/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}
