package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealReopen moves a closed or came-back deal back to its last open stage.
func (s *Server) dealReopen(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	d, err := s.Closer.ReopenDeal(r.Context(), actor(r), id)
	if err == nil {
		s.flash(r, "Reopened “"+d.Title+"” in "+web.StageLabel(d.Stage)+".")
		http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	if pipeline.ErrorCode(err) != pipeline.EINVALID {
		s.fail(w, r, err)
		return
	}
	s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) { v.Actions.Errors = pipeline.FieldErrors(err) })
}
