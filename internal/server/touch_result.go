package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// scoreMark reads a deal's score as the deal page shows it: no band while
// unscored or closed. An error leaves the mark empty; the page after the
// change shows the score anyway.
func (s *Server) scoreMark(ctx context.Context, a pipeline.Actor, dealID int64) web.ScoreMark {
	d, err := s.Deals.Deal(ctx, a, dealID)
	if err != nil {
		return web.ScoreMark{}
	}
	return web.ScoreMark{Points: d.Points, Band: d.Band}
}

// touchDone answers a touch logged, changed or removed from the deal page:
// with htmx the deal page's live part comes back with the result above the
// timeline; without, the result waits in the session and the browser goes
// back to the deal page at the result, just above the timeline.
func (s *Server) touchDone(w http.ResponseWriter, r *http.Request, res web.TouchResult) {
	if isHTMX(r) {
		s.renderDeal(w, r, http.StatusOK, res.DealID, 0, func(v *web.DealPageView) { v.Result = &res })
		return
	}
	if b, err := json.Marshal(res); err == nil {
		s.Sessions.Put(r.Context(), sessTouch, string(b))
	}
	http.Redirect(w, r, "/deals/"+strconv.FormatInt(res.DealID, 10)+"#log-status", http.StatusSeeOther)
}

// popTouchResult takes the result a redirect left for this deal's page.
func (s *Server) popTouchResult(r *http.Request, dealID int64) *web.TouchResult {
	raw := s.Sessions.PopString(r.Context(), sessTouch)
	if raw == "" {
		return nil
	}
	var res web.TouchResult
	if json.Unmarshal([]byte(raw), &res) != nil || res.DealID != dealID {
		return nil
	}
	return &res
}
