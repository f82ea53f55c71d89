package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

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

// login signs a user in. The attempt is counted before the password is
// checked (see pipeline.LoginThrottle): past the limit for this email from
// this address, or for this address, the answer is 429 whatever the
// password; an email with many recent attempts from anywhere is checked
// only after a delay. At most len(hashSlots) checks run at once and a few
// more wait; beyond that the answer is 503. The body was parsed and checked
// by checkInput: an oversize or unreadable one never gets here, so it
// counts as no attempt.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	pw := r.PostFormValue("password")
	v := web.LoginView{Email: email, Next: safeNext(r.PostFormValue("next"))}
	addr := clientIP(r)

	d, err := s.Throttle.Reserve(r.Context(), email, addr)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !d.Allowed {
		s.Logger.Warn("sign-in throttled", "email", email, "addr", addr, "retry_after", d.RetryAfter)
		wait := max(d.RetryAfter, time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
		v.Error = fmt.Sprintf("Too many sign-in attempts from here. Wait %d minutes and try again, or ask your admin to reset your password.", int(wait.Minutes())+1)
		s.render(w, r, http.StatusTooManyRequests, web.LoginPage(v))
		return
	}
	if d.Delay > 0 {
		if err := s.Wait(r.Context(), d.Delay); err != nil {
			return // the client went away
		}
	}
	release, ok := s.hashSlot(r.Context())
	if !ok {
		w.Header().Set("Retry-After", "1")
		v.Error = "Many people are signing in right now. Please try again in a moment."
		s.render(w, r, http.StatusServiceUnavailable, web.LoginPage(v))
		return
	}
	u, err := s.Users.Authenticate(r.Context(), email, pw)
	release()
	if pipeline.ErrorCode(err) == pipeline.EUNAUTHORIZED {
		s.Logger.Info("sign-in failed", "email", email, "addr", addr)
		v.Error = pipeline.ErrorMessage(err)
		s.render(w, r, http.StatusUnauthorized, web.LoginPage(v))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Throttle.Succeeded(r.Context(), email, addr); err != nil {
		s.fail(w, r, err)
		return
	}
	// A new token at sign-in defeats session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Sessions.Put(r.Context(), sessUserID, u.ID)
	s.Sessions.Put(r.Context(), sessOrgID, u.OrgID)
	s.Sessions.Put(r.Context(), sessEpoch, u.SessionEpoch)
	s.Sessions.Put(r.Context(), sessSeen, s.now().Unix())
	s.Logger.Info("signed in", "user", u.ID, "addr", addr)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// hashSlot waits for one of the password-check slots, unless too many
// requests wait already or the client goes away (ok false). release gives
// the slot back.
func (s *Server) hashSlot(ctx context.Context) (release func(), ok bool) {
	select {
	case s.hashSlots <- struct{}{}:
		return func() { <-s.hashSlots }, true
	default:
	}
	select {
	case s.hashQueue <- struct{}{}:
	default:
		return nil, false
	}
	defer func() { <-s.hashQueue }()
	select {
	case s.hashSlots <- struct{}{}:
		return func() { <-s.hashSlots }, true
	case <-ctx.Done():
		return nil, false
	}
}

// logout deletes the session server-side, so the old cookie stops working.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
