package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
)

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	teamID, ok := parseOptionalID(r.PostFormValue("team_id"))
	if !ok {
		s.renderUsersError(w, r, "Choose a team from the list.")
		return
	}
	err = s.Users.UpdateUser(r.Context(), actor(r), id, pipeline.UserUpdate{
		Role: r.PostFormValue("role"), TeamID: teamID, Disabled: r.PostFormValue("disabled") == "true",
	})
	if s.refused(w, r, err, nil, func(formErrors) { s.renderUsersError(w, r, firstMessage(err)) }) {
		return
	}
	s.flash(r, "Saved.")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

// firstMessage returns one field message of an EINVALID error.
func firstMessage(err error) string {
	for _, msg := range pipeline.FieldErrors(err) {
		return msg
	}
	return pipeline.ErrorMessage(err)
}
