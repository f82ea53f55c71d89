package server

import (
	"fmt"
	"net/http"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if currentUser(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, web.LoginPage(web.LoginView{Next: next}))
}

// login signs a user in. Failures count against both the email and the
// client address (which gets a larger allowance: offices share one); past
// either limit the answer is 429 whatever the password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	pw := r.PostFormValue("password")
	v := web.LoginView{Email: email, Next: safeNext(r.PostFormValue("next"))}
	emailKey := "email:" + strings.ToLower(email)
	ipKey := "ip:" + clientIP(r)

	blocked, wait, err := s.EmailThrottle.Blocked(r.Context(), emailKey)
	if err == nil && !blocked {
		blocked, wait, err = s.IPThrottle.Blocked(r.Context(), ipKey)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if blocked {
		v.Error = fmt.Sprintf("Too many failed sign-ins. Wait %d minutes and try again, or ask your admin to reset your password.", int(wait.Minutes())+1)
		s.render(w, r, http.StatusTooManyRequests, web.LoginPage(v))
		return
	}
	u, err := s.Users.Authenticate(r.Context(), email, pw)
	if pipeline.ErrorCode(err) == pipeline.EUNAUTHORIZED {
		v.Error = pipeline.ErrorMessage(err)
		ferr := s.EmailThrottle.Fail(r.Context(), emailKey)
		if ferr == nil {
			ferr = s.IPThrottle.Fail(r.Context(), ipKey)
		}
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		s.render(w, r, http.StatusUnauthorized, web.LoginPage(v))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.EmailThrottle.Reset(r.Context(), emailKey); err != nil {
		s.fail(w, r, err)
		return
	}
	// A new token at sign-in defeats session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Sessions.Put(r.Context(), sessUserID, u.ID)
	s.Sessions.Put(r.Context(), sessEpoch, u.SessionEpoch)
	s.Sessions.Put(r.Context(), sessSeen, s.now().Unix())
	s.Logger.Info("signed in", "user", u.ID)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// logout deletes the session server-side, so the old cookie stops working.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
