package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

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

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	form := web.UserForm{
		Email:    strings.TrimSpace(r.PostFormValue("email")),
		Name:     strings.TrimSpace(r.PostFormValue("name")),
		Role:     r.PostFormValue("role"),
		TeamID:   r.PostFormValue("team_id"),
		Timezone: r.PostFormValue("timezone"),
	}
	teamID, ok := parseOptionalID(form.TeamID)
	if !ok {
		form.Errors = map[string]string{"team_id": "Choose a team from the list."}
		s.renderUsers(w, r, http.StatusUnprocessableEntity, form, web.TeamForm{})
		return
	}
	u, err := s.Users.CreateUser(r.Context(), actor(r), pipeline.NewUser{
		Email: form.Email, Name: form.Name, Role: form.Role, TeamID: teamID,
		Timezone: form.Timezone, Password: r.PostFormValue("password"),
	})
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		form.Errors = pipeline.FieldErrors(err)
		s.renderUsers(w, r, http.StatusUnprocessableEntity, form, web.TeamForm{})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "Added "+u.Name+". They can sign in with the password you set.")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

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
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		s.renderUsersError(w, r, firstMessage(err))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "Saved.")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

func (s *Server) teamCreate(w http.ResponseWriter, r *http.Request) {
	team := web.TeamForm{Name: r.PostFormValue("name"), ManagerID: r.PostFormValue("manager_id")}
	managerID, ok := parseOptionalID(team.ManagerID)
	if !ok {
		team.Errors = map[string]string{"manager_id": "Choose a manager from the list."}
		s.renderUsers(w, r, http.StatusUnprocessableEntity, newUserForm(), team)
		return
	}
	t, err := s.Users.CreateTeam(r.Context(), actor(r), team.Name, managerID)
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		team.Errors = pipeline.FieldErrors(err)
		s.renderUsers(w, r, http.StatusUnprocessableEntity, newUserForm(), team)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "Team "+t.Name+" created.")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

// renderUsersError shows the users page with a form-level message.
func (s *Server) renderUsersError(w http.ResponseWriter, r *http.Request, msg string) {
	form := newUserForm()
	form.Errors = map[string]string{web.FormErrorKey: msg}
	s.renderUsers(w, r, http.StatusUnprocessableEntity, form, web.TeamForm{})
}

// firstMessage returns one field message of an EINVALID error.
func firstMessage(err error) string {
	for _, msg := range pipeline.FieldErrors(err) {
		return msg
	}
	return pipeline.ErrorMessage(err)
}

// parseOptionalID parses an id field where "" and "0" mean none.
func parseOptionalID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id >= 0
}
