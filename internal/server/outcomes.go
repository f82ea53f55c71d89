package server

import (
	"net/http"
	"net/url"
	"strconv"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
	"goodmoney/web"
)

// outcomesReport is GET /reports/outcomes: the back-test of the rules over
// the viewer's closed deals of a period, with the deals behind a figure
// when one was chosen (band, class, set, reason, owner, reached). Bad
// filters come back in the form with a message (422).
func (s *Server) outcomesReport(w http.ResponseWriter, r *http.Request) {
	q, values, errs := outcomesQuery(r, s)
	v := web.OutcomesView{From: values.From, To: values.To, DaysBefore: values.DaysBefore, Errors: errs, Loc: userLoc(r)}
	if errs != nil {
		errs[web.FormErrorKey] = "Please correct the period; nothing is shown for it yet."
		s.render(w, r, http.StatusUnprocessableEntity, web.OutcomesPage(s.page(r, "Outcomes", web.NavOutcomes), v))
		return
	}
	rep, err := s.Outcomes.Outcomes(r.Context(), actor(r), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v = outcomesView(rep, actor(r), q, chosenSet(r.URL.Query()), v)
	p := s.page(r, "Outcomes", web.NavOutcomes)
	if v.Progress != nil {
		p.Refresh = 2 // until the run is done; its figures are kept
	}
	s.render(w, r, http.StatusOK, web.OutcomesPage(p, v))
}

// outcomesQuery reads the filters; values are the form's, as typed when
// they are wrong and as applied otherwise.
func outcomesQuery(r *http.Request, s *Server) (outcomes.Query, outcomes.Values, map[string]string) {
	in := r.URL.Query()
	typed := outcomes.Values{From: in.Get("from"), To: in.Get("to"), DaysBefore: in.Get("days_before")}
	q, errs := outcomes.ParseQuery(typed, s.now(), userLoc(r))
	if errs != nil {
		return q, typed, errs
	}
	return q, q.Values(), nil
}

// chosenSet reads which figure's deals to list.
func chosenSet(in url.Values) outcomes.Set {
	set := outcomes.Set{Band: scoring.Band(in.Get("band")), Class: outcomes.Class(in.Get("class")), Kind: in.Get("set"),
		Reason: in.Get("reason"), Reached: in.Get("reached")}
	set.OwnerID, _ = strconv.ParseInt(in.Get("owner"), 10, 64)
	return set
}

// setLink is the report's address listing the deals of set.
func setLink(q outcomes.Query, set outcomes.Set, path string) string {
	v := q.Values()
	p := url.Values{"from": {v.From}, "to": {v.To}, "days_before": {v.DaysBefore}}
	put := func(k, val string) {
		if val != "" {
			p.Set(k, val)
		}
	}
	put("band", string(set.Band))
	put("class", string(set.Class))
	put("set", set.Kind)
	put("reason", set.Reason)
	put("reached", set.Reached)
	if set.OwnerID != 0 {
		p.Set("owner", strconv.FormatInt(set.OwnerID, 10))
	}
	link := path + "?" + p.Encode()
	if path == outcomesPath && !set.IsZero() {
		link += "#deals"
	}
	return link
}

const (
	outcomesPath    = "/reports/outcomes"
	outcomesCSVPath = "/reports/outcomes.csv"
)

// scopeLabel says whose deals the report covers.
func scopeLabel(a pipeline.Actor) string {
	switch a.Role {
	case pipeline.RoleAdmin:
		return "the organisation's"
	case pipeline.RoleManager:
		return "your team's"
	}
	return "your"
}
