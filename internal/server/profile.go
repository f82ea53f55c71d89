package server

import (
	"net/http"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

func (s *Server) profileForm(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	s.renderProfile(w, r, http.StatusOK, web.ProfileView{Name: u.Name, Email: u.Email, Timezone: u.Timezone, DigestOptOut: u.DigestOptOut})
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, v web.ProfileView) {
	v.Timezones = timezones
	s.render(w, r, status, web.ProfilePage(s.page(r, "Your profile", "profile"), v))
}

func (s *Server) profileSave(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	p := pipeline.ProfileUpdate{
		Name:         r.PostFormValue("name"),
		Timezone:     r.PostFormValue("timezone"),
		DigestOptOut: r.PostFormValue("digest_opt_out") != "",
	}
	err := s.Users.UpdateProfile(r.Context(), actor(r), p)
	if s.refused(w, r, err, nil, func(errs formErrors) {
		s.renderProfile(w, r, http.StatusUnprocessableEntity, web.ProfileView{Name: p.Name, Email: u.Email,
			Timezone: p.Timezone, DigestOptOut: p.DigestOptOut, Errors: errs})
	}) {
		return
	}
	s.flash(r, "Profile saved.")
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}

// passwordSave changes the password, ends the user's other sessions (the
// epoch moves on) and keeps this one under a fresh token.
func (s *Server) passwordSave(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	rerender := func(errs formErrors) {
		s.renderProfile(w, r, http.StatusUnprocessableEntity, web.ProfileView{Name: u.Name, Email: u.Email, Timezone: u.Timezone,
			DigestOptOut: u.DigestOptOut, PasswordErrors: errs})
	}
	next := r.PostFormValue("new_password")
	if next != r.PostFormValue("confirm_password") {
		rerender(formErrors{"confirm_password": "The two new passwords differ."})
		return
	}
	err := s.Users.ChangePassword(r.Context(), actor(r), r.PostFormValue("current_password"), next)
	if s.refused(w, r, err, nil, rerender) {
		return
	}
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Sessions.Put(r.Context(), sessEpoch, u.SessionEpoch+1)
	s.flash(r, "Password changed. Your other sessions were signed out.")
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}
