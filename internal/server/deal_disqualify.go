package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealDisqualify walks away from a deal: the rep's (or their manager's)
// reasons and message to the prospect.
func (s *Server) dealDisqualify(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	_ = r.ParseForm()
	form := web.WalkAwayForm{Reasons: r.PostForm["reasons"], Other: r.PostFormValue("reason_other"), Message: r.PostFormValue("message")}
	d, err := s.Closer.Disqualify(r.Context(), actor(r), id, pipeline.WalkAwayInput{
		Reasons: withOther(form.Reasons, form.Other), Message: form.Message})
	if err == nil {
		s.flash(r, "You walked away from “"+d.Title+"”. The message is on its timeline; the time it would have taken is yours again.")
		http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	if pipeline.ErrorCode(err) != pipeline.EINVALID {
		s.fail(w, r, err)
		return
	}
	form.Errors, form.Open = pipeline.FieldErrors(err), true
	s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) { v.Actions.WalkAway = form })
}
