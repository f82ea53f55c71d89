package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealsList is /deals with filters stage, owner, band, q and next, in the
// order sort and dir name, paged by keyset. With no stage chosen it lists
// the open deals, riskiest first; closed deals are one filter away.
func (s *Server) dealsList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	loc := userLoc(r)
	f := pipeline.DealFilter{
		Stage:          q.Get("stage"),
		Band:           q.Get("band"),
		Q:              strings.TrimSpace(q.Get("q")),
		NextStepNeeded: q.Get("next") == "needed",
		Today:          s.now().In(loc),
		Sort:           q.Get("sort"),
		After:          q.Get("after"),
	}
	switch {
	case f.Stage == "" || f.Stage == "open":
		f.Stage = "open"
	case f.Stage == "all":
		f.Stage = ""
	case f.Stage == "closed" || pipeline.ValidStage(f.Stage):
	default:
		f.Stage = "open"
	}
	switch f.Band {
	case "", "ok", "watch", "not_good_money":
	default:
		f.Band = ""
	}
	desc, ok := pipeline.DealSorts[f.Sort]
	if !ok {
		f.Sort = pipeline.SortRisk
		desc = pipeline.DealSorts[f.Sort]
	}
	switch q.Get("dir") {
	case "asc":
		desc = false
	case "desc":
		desc = true
	}
	f.Desc = desc
	f.OwnerID, _ = strconv.ParseInt(q.Get("owner"), 10, 64)
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
	v := web.DealListView{Deals: page.Deals, Filter: f, Query: listQuery(q), Now: s.now(), Loc: loc}
	for _, o := range owners {
		v.Owners = append(v.Owners, web.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	if page.Next != "" {
		next := listQuery(q)
		next.Set("sort", f.Sort)
		if q.Get("dir") != "" {
			next.Set("dir", q.Get("dir"))
		}
		next.Set("after", page.Next)
		v.NextURL = "/deals?" + next.Encode()
	}
	s.render(w, r, http.StatusOK, web.DealsPage(s.page(r, "Deals", web.NavDeals), v))
}

// listQuery is the list's filters as the URL carries them, without its
// order and cursor, for the sort links and the next page.
func listQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"q", "stage", "owner", "band", "next"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
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
