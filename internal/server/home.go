package server

import (
	"net/http"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// homeNextSteps is how many deals needing a next step the home page lists;
// the rest are one link away on the deals list.
const homeNextSteps = 8

// home shows the signed-in user's deals that need attention and the quick log.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.renderHome(w, r, http.StatusOK, newTouchForm(s.now(), userLoc(r)))
}

func (s *Server) renderHome(w http.ResponseWriter, r *http.Request, status int, quick web.TouchForm) {
	now := s.now()
	h, err := s.Deals.Home(r.Context(), actor(r), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	loc := userLoc(r)
	// Open deals with no next step or an overdue one, the soonest due first
	// (none set sorts last), as the deals list's "needs a next step" filter.
	needs, err := s.Deals.ListDeals(r.Context(), actor(r), pipeline.DealFilter{NextStepNeeded: true, Today: now.In(loc),
		Sort: pipeline.SortNextDue, Limit: homeNextSteps})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.HomeView{Name: currentUser(r).Name, Home: h, NeedsStep: needs.Deals, MoreNeedStep: needs.Next != "",
		Quick: quick, Loc: loc, Now: now}
	if v.Coaching, err = s.Review.MyCoaching(r.Context(), actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	if actor(r).CanReview() {
		if v.Team, err = s.Review.TeamReview(r.Context(), actor(r)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	v.Outcomes = s.homeOutcomes(r, actor(r))
	s.render(w, r, status, web.HomePage(s.page(r, "Home", web.NavHome), v))
}
