package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealSave saves the edit form. A stale version is refused: the page comes
// back with the typed values, a message, and the other person's values.
func (s *Server) dealSave(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	form := dealFormFrom(r)
	form.ID = id
	form.ProspectID = "0" // the prospect of a deal does not change; the store keeps it
	in, errs := parseDealForm(&form, s.now().In(userLoc(r)))
	delete(errs, "prospect_id")
	if form.Version == "" {
		errs["form"] = "The form was damaged; reload the page and try again."
	}
	rerender := func(errs formErrors) {
		form.Errors = errs
		s.renderDeal(w, r, http.StatusUnprocessableEntity, id, 0, func(v *web.DealPageView) { v.Edit = form })
	}
	if len(errs) > 0 {
		rerender(errs)
		return
	}
	_, err := s.Deals.UpdateDeal(r.Context(), actor(r), id, in)
	var conflict *pipeline.ConflictError
	if errors.As(err, &conflict) {
		form.Errors = map[string]string{"form": conflict.Err.Message}
		s.renderDeal(w, r, http.StatusConflict, id, 0, func(v *web.DealPageView) {
			v.Edit = form
			// The next save starts from what is stored now.
			v.Edit.Version = strconv.Itoa(conflict.Current.Version)
			v.Conflict = conflict.Current
		})
		return
	}
	if s.refused(w, r, err, errs, rerender) {
		return
	}
	s.flash(r, "Deal saved.")
	http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
