package server

import (
	"net/http"
	"strconv"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

func (s *Server) usersList(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, newUserForm(), web.TeamForm{})
}

func newUserForm() web.UserForm { return web.UserForm{Role: pipeline.RoleRep, Timezone: "UTC"} }

// renderUsers shows the users page, with the add-user and add-team forms as given.
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, form web.UserForm, team web.TeamForm) {
	a := actor(r)
	users, err := s.Users.ListUsers(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	teams, err := s.Users.ListTeams(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.UsersView{New: form, Team: team, Timezones: timezones}
	for _, u := range users {
		v.Users = append(v.Users, web.UserRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role,
			TeamName: u.TeamName, TeamID: u.TeamID, Disabled: u.Disabled})
		if u.Role != pipeline.RoleRep && !u.Disabled {
			v.Managers = append(v.Managers, web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
		}
	}
	for _, t := range teams {
		v.Teams = append(v.Teams, web.TeamRow{ID: t.ID, Name: t.Name, ManagerName: t.ManagerName})
	}
	s.render(w, r, status, web.UsersPage(s.page(r, "Users", "users"), v))
}

// renderUsersError shows the users page with a form-level message.
func (s *Server) renderUsersError(w http.ResponseWriter, r *http.Request, msg string) {
	form := newUserForm()
	form.Errors = map[string]string{web.FormErrorKey: msg}
	s.renderUsers(w, r, http.StatusUnprocessableEntity, form, web.TeamForm{})
}
