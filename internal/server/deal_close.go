package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// closeFormFrom reads the close form: outcome, the ticked reasons, another
// reason typed in reason_other, and a note.
func closeFormFrom(r *http.Request) web.CloseForm {
	_ = r.ParseForm()
	return web.CloseForm{
		Outcome: r.PostFormValue("outcome"),
		Reasons: r.PostForm["reasons"],
		Other:   r.PostFormValue("reason_other"),
		Note:    r.PostFormValue("note"),
	}
}

// withOther adds the typed reason to the ticked ones.
func withOther(reasons []string, other string) []string {
	return append(append([]string{}, reasons...), other)
}

// dealClose closes a deal as won or lost with its reasons (from the deal
// page or the board). A refusal shows the deal page with the close form
// open, the values kept and the message beside the reasons.
func (s *Server) dealClose(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	form := closeFormFrom(r)
	d, err := s.Closer.CloseDeal(r.Context(), actor(r), id, pipeline.CloseInput{
		Outcome: form.Outcome, Reasons: withOther(form.Reasons, form.Other), Note: form.Note})
	if err == nil {
		s.flash(r, "Closed “"+d.Title+"” as "+web.StageLabel(d.Stage)+".")
		back := safeNext(r.PostFormValue("back"))
		if back == "/" {
			back = "/deals/" + strconv.FormatInt(id, 10)
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if pipeline.ErrorCode(err) != pipeline.EINVALID {
		s.fail(w, r, err)
		return
	}
	form.Errors, form.Open = pipeline.FieldErrors(err), true
	s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) { v.Actions.Close = form })
}
