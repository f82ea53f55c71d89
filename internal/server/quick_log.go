package server

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"goodmoney/internal/pipeline"
)

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
	rerender := func(errs formErrors) {
		form.Errors = errs
		s.renderHome(w, r, http.StatusUnprocessableEntity, form)
	}
	if len(errs) > 0 {
		rerender(errs)
		return
	}
	_, err := s.Deals.LogTouch(r.Context(), actor(r), dealID, in)
	if pipeline.ErrorCode(err) == pipeline.ENOTFOUND {
		err = pipeline.Invalid(map[string]string{"deal": "Pick one of your open deals from the list."})
	}
	if s.refused(w, r, err, errs, rerender) {
		return
	}
	s.flash(r, "Touch logged on “"+strings.TrimSpace(dealRef.ReplaceAllString(form.Deal, ""))+"”.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
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
