package server

import (
	"net/http"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// digestsList is the outbox (admins): recorded digests, filtered by week
// and status.
func (s *Server) digestsList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := pipeline.OutboxFilter{Week: strings.TrimSpace(q.Get("week")), Status: q.Get("status")}
	switch f.Status {
	case "", pipeline.DigestPending, pipeline.DigestSent, pipeline.DigestSkipped, pipeline.DigestFailed:
	default:
		f.Status = ""
	}
	list, err := s.Digests.Outbox(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.DigestsView{Week: f.Week, Status: f.Status, Entries: list, Loc: userLoc(r)}
	s.render(w, r, http.StatusOK, web.DigestsPage(s.page(r, "Digest outbox", web.NavDigests), v))
}
