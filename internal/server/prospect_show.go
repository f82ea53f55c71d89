package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"goodmoney/web"
)

// prospectShow shows a prospect with its contacts, and the deals and touches
// the viewer may see.
func (s *Server) prospectShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderProspect(w, r, http.StatusOK, id, web.ContactForm{Key: newKey()})
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
