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
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		s.renderProfile(w, r, http.StatusUnprocessableEntity, web.ProfileView{Name: p.Name, Email: u.Email,
			Timezone: p.Timezone, DigestOptOut: p.DigestOptOut, Errors: pipeline.FieldErrors(err)})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "Profile saved.")
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}

// passwordSave changes the password, ends the user's other sessions (the
// epoch moves on) and keeps this one under a fresh token.
func (s *Server) passwordSave(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	next := r.PostFormValue("new_password")
	if next != r.PostFormValue("confirm_password") {
		s.renderProfile(w, r, http.StatusUnprocessableEntity, web.ProfileView{Name: u.Name, Email: u.Email, Timezone: u.Timezone,
			DigestOptOut: u.DigestOptOut, PasswordErrors: map[string]string{"confirm_password": "The two new passwords differ."}})
		return
	}
	err := s.Users.ChangePassword(r.Context(), actor(r), r.PostFormValue("current_password"), next)
	if pipeline.ErrorCode(err) == pipeline.EINVALID {
		s.renderProfile(w, r, http.StatusUnprocessableEntity, web.ProfileView{Name: u.Name, Email: u.Email, Timezone: u.Timezone,
			DigestOptOut: u.DigestOptOut, PasswordErrors: pipeline.FieldErrors(err)})
		return
	} else if err != nil {
		s.fail(w, r, err)
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

// timezones offered in the profile and user forms.
var timezones = []string{
	"UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Phoenix", "America/Anchorage", "America/Toronto", "America/Vancouver", "America/Mexico_City",
	"America/Sao_Paulo", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin",
	"Europe/Madrid", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens",
	"Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai",
	"Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
}
