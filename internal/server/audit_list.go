package server

import (
	"net/http"
	"net/url"
	"strconv"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// auditList is GET /audit (admins; 404 to anyone else): the org's audit
// events newest first, filtered by user, action and dates, 50 a page.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	errs := formErrors{}
	userID := errs.id("user", q.Get("user"), "Choose a user from the list.")
	f := pipeline.AuditFilter{UserID: userID, Action: q.Get("action"), From: errs.date("from", q.Get("from")), To: errs.date("to", q.Get("to"))}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	page, err := s.Audit.ListAudit(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	users, err := s.Deals.Owners(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.AuditView{Page: page, UserID: userID, Action: f.Action, From: q.Get("from"), To: q.Get("to"), Loc: userLoc(r)}
	for _, u := range users {
		v.Users = append(v.Users, web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
	}
	if page.Next > 0 {
		next := url.Values{"after": {strconv.FormatInt(page.Next, 10)}}
		for _, k := range []string{"user", "action", "from", "to"} {
			if q.Get(k) != "" {
				next.Set(k, q.Get(k))
			}
		}
		v.NextURL = "/audit?" + next.Encode()
	}
	status := http.StatusOK
	if len(errs) > 0 {
		v.Errors, status = errs, http.StatusUnprocessableEntity
	}
	s.render(w, r, status, web.AuditPage(s.page(r, "Audit", web.NavAudit), v))
}
