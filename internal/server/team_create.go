package server

import (
	"net/http"

	"goodmoney/web"
)

func (s *Server) teamCreate(w http.ResponseWriter, r *http.Request) {
	team := web.TeamForm{Name: r.PostFormValue("name"), ManagerID: r.PostFormValue("manager_id")}
	rerender := func(errs formErrors) {
		team.Errors = errs
		s.renderUsers(w, r, http.StatusUnprocessableEntity, newUserForm(), team)
	}
	managerID, ok := parseOptionalID(team.ManagerID)
	if !ok {
		rerender(formErrors{"manager_id": "Choose a manager from the list."})
		return
	}
	t, err := s.Users.CreateTeam(r.Context(), actor(r), team.Name, managerID)
	if s.refused(w, r, err, nil, rerender) {
		return
	}
	s.flash(r, "Team "+t.Name+" created.")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}
