package server

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// home shows the signed-in user's deals that need attention and the quick log.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.renderHome(w, r, http.StatusOK, newTouchForm(s.now(), userLoc(r)))
}

func (s *Server) renderHome(w http.ResponseWriter, r *http.Request, status int, quick web.TouchForm) {
	now := s.now()
	h, err := s.Deals.Home(r.Context(), actor(r), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.HomeView{Name: currentUser(r).Name, Home: h, Quick: quick, Loc: userLoc(r), Now: now}
	s.render(w, r, status, web.HomePage(s.page(r, "Home", web.NavHome), v))
}

// dealRef finds the "#123" a quick-log pick ends with.
var dealRef = regexp.MustCompile(`#(\d+)\s*$`)

// quickLog logs a touch on a deal picked by name from the home page.
func (s *Server) quickLog(w http.ResponseWriter, r *http.Request) {
	loc, now := userLoc(r), s.now()
	form := touchFormFrom(r)
	in, errs := parseTouchForm(form, loc, now)
	dealID := s.resolveDeal(r, form.Deal)
	if dealID == 0 {
		errs["deal"] = "Pick one of your open deals from the list."
	}
	if len(errs) == 0 {
		_, err := s.Deals.LogTouch(r.Context(), actor(r), dealID, in)
		if err == nil {
			s.flash(r, "Touch logged on “"+strings.TrimSpace(dealRef.ReplaceAllString(form.Deal, ""))+"”.")
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		switch pipeline.ErrorCode(err) {
		case pipeline.EINVALID:
			errs.merge(pipeline.FieldErrors(err))
		case pipeline.ENOTFOUND:
			errs["deal"] = "Pick one of your open deals from the list."
		default:
			s.fail(w, r, err)
			return
		}
	}
	form.Errors = errs
	s.renderHome(w, r, http.StatusUnprocessableEntity, form)
}

// resolveDeal turns the quick-log pick into a deal id: the "#id" the list
// adds, or else the one open deal whose title matches what was typed.
func (s *Server) resolveDeal(r *http.Request, pick string) int64 {
	if m := dealRef.FindStringSubmatch(pick); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	pick = strings.TrimSpace(pick)
	if pick == "" {
		return 0
	}
	deals, err := s.Deals.SearchDeals(r.Context(), actor(r), pick, 2)
	if err != nil || len(deals) != 1 {
		return 0
	}
	return deals[0].ID
}
