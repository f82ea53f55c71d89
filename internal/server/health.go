package server

import (
	"context"
	"net/http"
	"time"
)

// healthz answers 200 "ok" when the database answers, 503 otherwise. With
// the private cluster the 503's second line says what its supervisor sees:
// restarting (down for how long, which attempt) or given up (serve exits).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	state := ""
	if s.DBHealth != nil {
		state = s.DBHealth()
	}
	if err := s.DB.Ping(ctx); err != nil {
		s.Logger.Warn("healthz: database does not answer", "err", err, "cluster", state)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		if state != "" {
			_, _ = w.Write([]byte(state + "\n"))
		}
		return
	}
	_, _ = w.Write([]byte("ok"))
}

// readyz answers 200 "ready" when the database answers and its migrations
// are current, 503 otherwise, so a load balancer takes the instance out
// while it could not serve. healthz stays liveness: restarting the process
// would not bring the database back.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Ready.Ready(ctx); err != nil {
		s.Logger.Warn("readyz: not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready\n"))
		return
	}
	_, _ = w.Write([]byte("ready"))
}
