package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// prospectsList lists and searches the org's prospects.
func (s *Server) prospectsList(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, next, err := s.Prospects.SearchProspects(r.Context(), actor(r), q, r.URL.Query().Get("after"), 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.ProspectListView{Prospects: list, Q: q}
	if next != "" {
		v.NextURL = "/prospects?" + url.Values{"q": {q}, "after": {next}}.Encode()
	}
	s.render(w, r, http.StatusOK, web.ProspectsPage(s.page(r, "Prospects", web.NavProspects), v))
}

func (s *Server) prospectNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, web.ProspectNewPage(s.page(r, "New prospect", web.NavProspects), web.ProspectNewView{}))
}

// prospectCreate adds a prospect (and its first contact) and answers 303 to its page.
func (s *Server) prospectCreate(w http.ResponseWriter, r *http.Request) {
	form := web.ProspectForm{
		Name:     r.PostFormValue("name"),
		Website:  r.PostFormValue("website"),
		Industry: r.PostFormValue("industry"),
		Notes:    r.PostFormValue("notes"),
		Contact:  contactFormFrom(r),
	}
	contact := pipeline.ContactInput{Name: form.Contact.Name, Email: form.Contact.Email, Phone: form.Contact.Phone, Title: form.Contact.Title}
	p, err := s.Prospects.CreateProspect(r.Context(), actor(r),
		pipeline.ProspectInput{Name: form.Name, Website: form.Website, Industry: form.Industry, Notes: form.Notes}, &contact)
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		form.Errors = pipeline.FieldErrors(err)
		s.render(w, r, http.StatusUnprocessableEntity, web.ProspectNewPage(s.page(r, "New prospect", web.NavProspects), web.ProspectNewView{Form: form}))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/prospects/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

func contactFormFrom(r *http.Request) web.ContactForm {
	return web.ContactForm{
		Name:  r.PostFormValue("contact_name"),
		Email: r.PostFormValue("contact_email"),
		Phone: r.PostFormValue("contact_phone"),
		Title: r.PostFormValue("contact_title"),
	}
}

// prospectShow shows a prospect with its contacts, and the deals and touches
// the viewer may see.
func (s *Server) prospectShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderProspect(w, r, http.StatusOK, id, web.ContactForm{})
}

func (s *Server) renderProspect(w http.ResponseWriter, r *http.Request, status int, id int64, contact web.ContactForm) {
	a := actor(r)
	p, err := s.Prospects.Prospect(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	deals, err := s.Prospects.ProspectDeals(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	touches, err := s.Prospects.ProspectTouches(r.Context(), a, id, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.ProspectPageView{Prospect: p, Deals: deals, Touches: touches, Contact: contact, Loc: userLoc(r)}
	s.render(w, r, status, web.ProspectPage(s.page(r, p.Name, web.NavProspects), v))
}

// contactCreate adds a contact to a prospect.
func (s *Server) contactCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	form := contactFormFrom(r)
	_, err := s.Prospects.AddContact(r.Context(), actor(r), id,
		pipeline.ContactInput{Name: form.Name, Email: form.Email, Phone: form.Phone, Title: form.Title})
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		form.Errors = pipeline.FieldErrors(err)
		s.renderProspect(w, r, http.StatusUnprocessableEntity, id, form)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "Contact added.")
	http.Redirect(w, r, "/prospects/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
