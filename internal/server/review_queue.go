package server

import (
	"net/http"
	"net/url"
	"strconv"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// reviewQueue is GET /review: the open flags of the manager's team (the
// org's for an admin), largest amount first, filtered by rep and signal.
// Reps have no queue: 404.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) {
	s.renderReview(w, r, http.StatusOK, web.DecisionForm{})
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, form web.DecisionForm) {
	q := r.URL.Query()
	owner, _ := strconv.ParseInt(q.Get("owner"), 10, 64)
	f := pipeline.ReviewFilter{OwnerID: owner, Signal: q.Get("signal"), After: q.Get("after")}
	queue, err := s.Review.Queue(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	opts := make([]web.Option, len(queue.Owners))
	for i, u := range queue.Owners {
		opts[i] = web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name}
	}
	v := web.ReviewView{Queue: queue, OwnerID: owner, Signal: f.Signal, Owners: opts, Form: form,
		Now: s.now(), Loc: userLoc(r)}
	if queue.Next != "" || queue.First > 1 {
		page := url.Values{}
		if owner != 0 {
			page.Set("owner", strconv.FormatInt(owner, 10))
		}
		if f.Signal != "" {
			page.Set("signal", f.Signal)
		}
		v.FirstURL = "/review"
		if len(page) > 0 {
			v.FirstURL += "?" + page.Encode()
		}
		if queue.Next != "" {
			page.Set("after", queue.Next)
			v.NextURL = "/review?" + page.Encode()
		}
	}
	s.render(w, r, status, web.ReviewPage(s.page(r, "Review", web.NavReview), v))
}
