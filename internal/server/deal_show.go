package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealShow renders the deal page.
func (s *Server) dealShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("timeline"))
	if q.Has("timeline") && isHTMX(r) { // a timeline page link, followed by htmx
		detail, err := s.Deals.DealDetail(r.Context(), actor(r), id, offset)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, web.Timeline(timelineView(detail, userLoc(r))))
		return
	}
	s.renderDeal(w, r, http.StatusOK, id, offset, func(v *web.DealPageView) {})
}

// renderDeal loads the deal page and lets the caller adjust the view (keep a
// failed form's values, show a conflict) before it renders.
func (s *Server) renderDeal(w http.ResponseWriter, r *http.Request, status int, id int64, offset int, adjust func(*web.DealPageView)) {
	detail, err := s.Deals.DealDetail(r.Context(), actor(r), id, offset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	loc := userLoc(r)
	now := s.now()
	d := detail.Deal
	v := web.DealPageView{
		Detail:   detail,
		Edit:     dealFormOf(d),
		Touch:    newTouchForm(now, loc),
		Score:    detail.Score,
		Result:   s.popTouchResult(r, id),
		NextStep: nextStepFormOf(d),
		Loc:      loc,
		Now:      now,
		Actions:  dealActions(actor(r), detail),
	}
	v.Touch.ContactID = lastContact(detail)
	adjust(&v)
	if v.Result != nil {
		v.Result.After = web.ScoreMark{Points: d.Points, Band: d.Band}
	}
	s.render(w, r, status, web.DealPage(s.page(r, d.Title, web.NavDeals), v))
}

// lastContact is the contact of the deal's latest touch that names one, or
// the deal's only contact: the log form's default, as the rep most often
// talks to the same person again.
func lastContact(d *pipeline.DealDetail) string {
	for _, it := range d.Timeline {
		if it.Touch != nil && it.Touch.ContactID != 0 {
			return strconv.FormatInt(it.Touch.ContactID, 10)
		}
	}
	if len(d.Contacts) == 1 {
		return strconv.FormatInt(d.Contacts[0].ID, 10)
	}
	return ""
}

func timelineView(d *pipeline.DealDetail, loc *time.Location) web.TimelineView {
	return web.TimelineView{DealID: d.Deal.ID, Items: d.Timeline, NextPage: d.TimelineNext, Offset: d.TimelineAt,
		PrevPage: d.TimelinePrev, Currency: d.Deal.Currency, Loc: loc}
}

// dealActions are the deal page's close, walk-away and review forms as they
// first show: the walk-away's reasons ticked from the deal's signals and its
// message written from the org's template.
func dealActions(a pipeline.Actor, d *pipeline.DealDetail) web.DealActions {
	deal := d.Deal
	var codes []string
	if d.Score != nil {
		for _, sig := range d.Score.Signals {
			codes = append(codes, sig.Code)
		}
	}
	contact := ""
	if len(d.Contacts) > 0 {
		contact = d.Contacts[0].Name
	}
	return web.DealActions{
		ViewerID:  a.UserID,
		CanReview: a.CanReview(),
		WalkAway: web.WalkAwayForm{
			Reasons: pipeline.ReasonsFromSignals(codes),
			Message: pipeline.FillTemplate(d.Review.WalkawayTemplate, pipeline.WalkAwayFields{
				ContactName: contact, RepName: deal.OwnerName, DealTitle: deal.Title, Company: deal.ProspectName}),
		},
	}
}
