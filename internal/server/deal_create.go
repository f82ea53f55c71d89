package server

import (
	"net/http"
	"strconv"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealNew shows the new-deal form for a chosen prospect, or a prospect
// search to choose one first.
func (s *Server) dealNew(w http.ResponseWriter, r *http.Request) {
	v := web.DealNewView{Q: strings.TrimSpace(r.URL.Query().Get("q")), Form: web.DealForm{Key: newKey(), Stage: pipeline.StageLead}}
	if id, ok := pathID(r.URL.Query().Get("prospect_id")); ok {
		p, err := s.Prospects.Prospect(r.Context(), actor(r), id)
		if err != nil && pipeline.ErrorCode(err) != pipeline.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
		v.Prospect = p
		v.Form.ProspectID = strconv.FormatInt(id, 10)
	}
	if v.Prospect == nil && v.Q != "" {
		matches, _, err := s.Prospects.SearchProspects(r.Context(), actor(r), v.Q, "", 20)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Matches = matches
	}
	s.render(w, r, http.StatusOK, web.DealNewPage(s.page(r, "New deal", web.NavDeals), v))
}

// dealCreate opens a deal and answers 303 to its page.
func (s *Server) dealCreate(w http.ResponseWriter, r *http.Request) {
	form := dealFormFrom(r)
	in, errs := parseDealForm(&form, s.now().In(userLoc(r)))
	rerender := func(errs formErrors) {
		form.Errors = errs
		v := web.DealNewView{Form: form}
		if in.ProspectID > 0 {
			v.Prospect, _ = s.Prospects.Prospect(r.Context(), actor(r), in.ProspectID)
		}
		s.render(w, r, http.StatusUnprocessableEntity, web.DealNewPage(s.page(r, "New deal", web.NavDeals), v))
	}
	if len(errs) > 0 {
		rerender(errs)
		return
	}
	d, err := s.Deals.CreateDeal(r.Context(), actor(r), in)
	if s.refused(w, r, err, errs, rerender) {
		return
	}
	http.Redirect(w, r, "/deals/"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}
