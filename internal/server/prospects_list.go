package server

import (
	"net/http"
	"net/url"
	"strings"

	"goodmoney/web"
)

// prospectsList lists and searches the org's prospects.
func (s *Server) prospectsList(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, next, err := s.Prospects.SearchProspects(r.Context(), actor(r), q, r.URL.Query().Get("after"), 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.ProspectListView{Prospects: list, Q: q}
	if next != "" {
		v.NextURL = "/prospects?" + url.Values{"q": {q}, "after": {next}}.Encode()
	}
	s.render(w, r, http.StatusOK, web.ProspectsPage(s.page(r, "Prospects", web.NavProspects), v))
}
