package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"goodmoney/web"
)

// touchEdit shows the form that corrects a touch.
func (s *Server) touchEdit(w http.ResponseWriter, r *http.Request) {
	dealID, touchID, ok := touchPath(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	t, err := s.Deals.Touch(r.Context(), actor(r), dealID, touchID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderTouchEdit(w, r, http.StatusOK, t.DealTitle, dealID, touchID, touchFormOf(t, userLoc(r)))
}

// touchSave saves a corrected touch; the deal is rescored in the same
// transaction. A bad value brings the form back with what was typed.
func (s *Server) touchSave(w http.ResponseWriter, r *http.Request) {
	dealID, touchID, ok := touchPath(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	form := touchFormFrom(r)
	in, errs := parseTouchForm(form, userLoc(r), s.now())
	rerender := func(errs formErrors) {
		form.Errors = errs
		t, err := s.Deals.Touch(r.Context(), actor(r), dealID, touchID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.renderTouchEdit(w, r, http.StatusUnprocessableEntity, t.DealTitle, dealID, touchID, form)
	}
	if len(errs) > 0 {
		rerender(errs)
		return
	}
	before := s.scoreMark(r.Context(), actor(r), dealID)
	_, err := s.Deals.UpdateTouch(r.Context(), actor(r), dealID, touchID, in)
	if s.refused(w, r, err, errs, rerender) {
		return
	}
	s.touchDone(w, r, web.TouchResult{DealID: dealID, Verb: "updated", TouchID: touchID, Before: before})
}

func (s *Server) renderTouchEdit(w http.ResponseWriter, r *http.Request, status int, title string, dealID, touchID int64, form web.TouchForm) {
	detail, err := s.Deals.DealDetail(r.Context(), actor(r), dealID, 0) // for the contacts to choose from
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.TouchEditView{DealID: dealID, TouchID: touchID, DealTitle: title, Contacts: detail.Contacts, Form: form}
	s.render(w, r, status, web.TouchEditPage(s.page(r, "Edit touch", web.NavDeals), v))
}

// touchPath reads the deal and touch ids of the URL.
func touchPath(r *http.Request) (dealID, touchID int64, ok bool) {
	dealID, ok1 := pathID(chi.URLParam(r, "id"))
	touchID, ok2 := pathID(chi.URLParam(r, "touchID"))
	return dealID, touchID, ok1 && ok2
}
