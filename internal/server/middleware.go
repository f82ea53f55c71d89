package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/klauspost/compress/gzhttp"

	"goodmoney/internal/pipeline"
)

type ctxKey int

const (
	userKey    ctxKey = iota
	sessionKey        // set once the session is loaded, so pages may read flashes
)

// Session keys.
const (
	sessUserID = "user_id"
	sessOrgID  = "org_id"
	sessEpoch  = "epoch"
	sessFlash  = "flash"
	sessTouch  = "touch_result" // what the last touch change did, for the deal page after a redirect
	sessSeen   = "seen"         // unix seconds of the last request, to within sessionRefresh
)

// A session ends after sessionIdle without a request, and at the latest
// sessionLifetime after sign-in. The idle deadline is tracked here rather
// than by scs's IdleTimeout, which rewrites the session row on every
// request: a page view would be a database write. sessSeen is renewed at
// most every sessionRefresh, so the idle timeout is exact to that.
const (
	sessionIdle     = 24 * time.Hour
	sessionRefresh  = 5 * time.Minute
	sessionLifetime = 7 * 24 * time.Hour
)

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// securityHeaders sets the headers every answer carries; behind HTTPS
// (SESSION_SECURE) that includes HSTS, so browsers never try plain HTTP.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.Config.SessionSecure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// compress gzips (or zstd-compresses) pages and htmx fragments of 1.4 KB
// or more for clients that accept it: a deal page goes out at about a
// quarter of its size. At level 1 (nginx's default too): level 5 cost a
// sixth of the server's CPU on the review queue for a few percent fewer
// bytes (BENCHMARKS.md finding 10). klauspost's gzhttp handles what a hand-written
// wrapper gets wrong (Vary, ETag, HEAD, 304, Flush, Content-Length). Static
// files carry their own precompressed gzip and are left alone: a response
// with Content-Encoding set is not compressed again.
func compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.ContentTypes([]string{"text/html", "text/css", "text/javascript", "application/javascript"}),
		gzhttp.CompressionLevel(1))
	if err != nil {
		panic(err) // the options above are constants
	}
	return wrap(next)
}

// noStore keeps pages that depend on the session out of every cache (the
// browser's back button after sign-out, a shared proxy).
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// logRequests logs every request and records it in the metrics by its chi
// route pattern, known once the router has matched it.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(ww, r)
		dur := time.Since(start)
		status := ww.Status()
		if status == 0 { // nothing written: net/http answers 200
			status = http.StatusOK
		}
		route := ""
		if rc := chi.RouteContext(r.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		s.Metrics.ObserveRequest(route, r.Method, status, dur)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.Logger.LogAttrs(r.Context(), level, "request",
			slog.String("id", reqID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("client", clientIP(r)),
			slog.Int("status", status), slog.Duration("dur", dur))
	})
}

func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Logger.Error("panic", "id", reqID(r.Context()), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				s.renderError(w, r, http.StatusInternalServerError, "Something went wrong",
					"We hit an error on our side and have logged it. Please try again.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// loadUser puts the signed-in user into the request context. A session whose
// user was disabled, or whose password changed since, is ended.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), sessionKey, true))
		id := s.Sessions.GetInt64(r.Context(), sessUserID)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		// A session from before the org was kept in it finds no user and
		// ends: its holder signs in again.
		u, err := s.Users.UserByID(r.Context(), s.Sessions.GetInt64(r.Context(), sessOrgID), id)
		if err != nil && pipeline.ErrorCode(err) != pipeline.ENOTFOUND {
			s.serverError(w, r, err)
			return
		}
		now := s.now()
		seen := time.Unix(s.Sessions.GetInt64(r.Context(), sessSeen), 0)
		if err != nil || u.SessionEpoch != s.Sessions.GetInt(r.Context(), sessEpoch) || now.Sub(seen) > sessionIdle {
			if err := s.Sessions.Destroy(r.Context()); err != nil {
				s.serverError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if now.Sub(seen) > sessionRefresh {
			s.Sessions.Put(r.Context(), sessSeen, now.Unix())
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
	})
}

// currentUser returns the signed-in user, or nil.
func currentUser(r *http.Request) *pipeline.User {
	u, _ := r.Context().Value(userKey).(*pipeline.User)
	return u
}

// actor returns the signed-in user as the actor of service calls.
func actor(r *http.Request) pipeline.Actor {
	if u := currentUser(r); u != nil {
		return u.Actor()
	}
	return pipeline.Actor{}
}

// requireUser sends anonymous visitors to the sign-in page.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if currentUser(r) != nil {
			next.ServeHTTP(w, r)
			return
		}
		target := "/login"
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		if r.Header.Get("HX-Request") == "true" {
			w.Header().Set("HX-Redirect", target)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	})
}

// requireRole answers 403 unless the user holds one of the roles.
func (s *Server) requireRole(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u := currentUser(r)
			for _, role := range roles {
				if u != nil && u.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			s.renderError(w, r, http.StatusForbidden, "Not for your role",
				"This page is for "+strings.Join(roles, " or ")+" accounts.")
		})
	}
}
