package server

import (
	"net/http"
	"strconv"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// homeWeeks is how many recent weeks of flags the home chart draws.
const homeWeeks = 12

// homeOutcomes is a manager's home card from the outcomes report of the
// default period (kept, so usually a lookup). It is left off, not an
// error, when the report cannot be had: the home page must always answer.
func (s *Server) homeOutcomes(r *http.Request, a pipeline.Actor) *web.HomeOutcomes {
	if a.Role != pipeline.RoleManager || s.Outcomes == nil {
		return nil
	}
	q := outcomes.DefaultQuery(s.now(), userLoc(r))
	rep, err := s.Outcomes.Outcomes(r.Context(), a, q)
	if err != nil {
		s.Logger.Warn("home outcomes", "user", a.UserID, "err", err)
		return nil
	}
	if rep.Progress != nil || len(rep.Rows) == 0 {
		return nil
	}
	sum := outcomes.Summarize(rep.Rows)
	headline := strconv.Itoa(sum.Deals) + " deals of your team closed in the last twelve months. "
	switch {
	case sum.Precise && sum.Recalled:
		headline += figureShare(sum.Precision) + " of the flags raised 14 days before the close were right, and " +
			figureShare(sum.Recall) + " of the deals that ended badly were flagged in time."
	case sum.Precise:
		headline += figureShare(sum.Precision) + " of the flags raised 14 days before the close were right."
	default:
		headline += "None was flagged 14 days before it closed."
	}
	chart := flagWeeksChart(rep.Rows, userLoc(r), homeWeeks)
	chart.ID = "home-chart-flags"
	return &web.HomeOutcomes{Headline: headline, Chart: chart, Report: outcomesPath}
}

func figureShare(x float64) string { return strconv.Itoa(int(x*100+0.5)) + " %" }
