package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealMove changes a deal's stage: the board's one action.
func (s *Server) dealMove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	stage := r.PostFormValue("stage")
	if stage == pipeline.StageWon || stage == pipeline.StageLost {
		// Closing from the stage list asks why, as every close does.
		s.dealClose(w, withPostForm(r, "outcome", stage))
		return
	}
	d, err := s.Deals.MoveDeal(r.Context(), actor(r), id, stage)
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) {
			v.Actions.Errors = pipeline.FieldErrors(err)
			v.Actions.WalkAway.Open = stage == pipeline.StageDisqualified
		})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = "/deals/board"
	}
	s.flash(r, "Moved “"+d.Title+"” to "+web.StageLabel(d.Stage)+".")
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// withPostForm sets one more value on a parsed form.
func withPostForm(r *http.Request, key, value string) *http.Request {
	_ = r.ParseForm()
	r.PostForm.Set(key, value)
	return r
}
