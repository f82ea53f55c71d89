package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealsList is /deals with filters stage, owner, band and q, paged by keyset.
func (s *Server) dealsList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := pipeline.DealFilter{
		Stage: q.Get("stage"),
		Band:  q.Get("band"),
		Q:     strings.TrimSpace(q.Get("q")),
	}
	if f.Stage != "" && f.Stage != "open" && !pipeline.ValidStage(f.Stage) {
		f.Stage = ""
	}
	switch f.Band {
	case "", "ok", "watch", "not_good_money":
	default:
		f.Band = ""
	}
	f.OwnerID, _ = strconv.ParseInt(q.Get("owner"), 10, 64)
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	a := actor(r)
	page, err := s.Deals.ListDeals(r.Context(), a, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	owners, err := s.Deals.Owners(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.DealListView{Deals: page.Deals, Filter: f, Loc: userLoc(r)}
	for _, o := range owners {
		v.Owners = append(v.Owners, web.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	if page.Next != 0 {
		next := url.Values{}
		for k, vals := range q {
			if k != "after" {
				next[k] = vals
			}
		}
		next.Set("after", strconv.FormatInt(page.Next, 10))
		v.NextURL = "/deals?" + next.Encode()
	}
	s.render(w, r, http.StatusOK, web.DealsPage(s.page(r, "Deals", web.NavDeals), v))
}

// dealsBoard is /deals/board: one column per open stage.
func (s *Server) dealsBoard(w http.ResponseWriter, r *http.Request) {
	cols, err := s.Deals.Board(r.Context(), actor(r), 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.BoardPage(s.page(r, "Board", web.NavBoard), web.BoardView{Columns: cols, Currency: "USD"}))
}
