package server

import (
	"net/http"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	form := web.UserForm{
		Email:    strings.TrimSpace(r.PostFormValue("email")),
		Name:     strings.TrimSpace(r.PostFormValue("name")),
		Role:     r.PostFormValue("role"),
		TeamID:   r.PostFormValue("team_id"),
		Timezone: r.PostFormValue("timezone"),
	}
	rerender := func(errs formErrors) {
		form.Errors = errs
		s.renderUsers(w, r, http.StatusUnprocessableEntity, form, web.TeamForm{})
	}
	teamID, ok := parseOptionalID(form.TeamID)
	if !ok {
		rerender(formErrors{"team_id": "Choose a team from the list."})
		return
	}
	u, err := s.Users.CreateUser(r.Context(), actor(r), pipeline.NewUser{
		Email: form.Email, Name: form.Name, Role: form.Role, TeamID: teamID,
		Timezone: form.Timezone, Password: r.PostFormValue("password"),
	})
	if s.refused(w, r, err, nil, rerender) {
		return
	}
	s.flash(r, "Added "+u.Name+". They can sign in with the password you set.")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}
