// Package server is goodmoney's HTTP layer: the chi router with every route in
// routes.go, middleware, and one file per page action. Handlers parse and
// validate the form, call a domain service and render a templ component.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// Config holds the server's settings.
type Config struct {
	SessionSecure bool   // Secure cookies with the __Host- prefix (behind HTTPS)
	BaseURL       string // absolute URL of the app, for links in emails
	// BenchRoutes adds the benchmark's ceiling pages and net/http/pprof
	// (BENCH_ROUTES=1). Only for `make bench`: pprof must never be public.
	BenchRoutes bool
}

// Pinger answers whether the database is up.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Throttle limits failed sign-ins.
type Throttle interface {
	Blocked(ctx context.Context, keys ...string) (bool, time.Duration, error)
	Fail(ctx context.Context, keys ...string) error
	Reset(ctx context.Context, key string) error
}

// Server holds the dependencies of the handlers.
type Server struct {
	Config    Config
	Logger    *slog.Logger
	DB        Pinger
	Users     pipeline.UserService
	Deals     pipeline.DealService
	Prospects pipeline.ProspectService
	// Scoring keeps the org's scoring rules (/settings/scoring).
	Scoring ScoringSettings
	// Now is the clock; tests set it.
	Now func() time.Time
	// EmailThrottle and IPThrottle limit failed sign-ins per email and per client address.
	EmailThrottle Throttle
	IPThrottle    Throttle
	Sessions      *scs.SessionManager
}

// now returns the server's clock reading.
func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Deps are what New needs to build a Server.
type Deps struct {
	Config Config
	Logger *slog.Logger
	DB     *postgres.DB
	// Optional; default to 5 failures per email and 50 per address in 15 minutes.
	EmailThrottle, IPThrottle Throttle
	// EnqueueRescore puts a full rescore of an org on the job queue inside
	// the transaction that saves its new scoring rules. Optional: without it
	// (tests) saving rules rescores the org before the answer.
	EnqueueRescore func(ctx context.Context, tx pgx.Tx, orgID int64) error
}

// New wires the PostgreSQL-backed services into a Server.
func New(d Deps) *Server {
	if d.EmailThrottle == nil {
		d.EmailThrottle = postgres.NewLoginThrottle(d.DB, 5, 15*time.Minute)
	}
	if d.IPThrottle == nil {
		d.IPThrottle = postgres.NewLoginThrottle(d.DB, 50, 15*time.Minute)
	}
	scores := postgres.NewScoreService(d.DB)
	scores.Enqueue = d.EnqueueRescore
	return &Server{
		Config:        d.Config,
		Logger:        d.Logger,
		DB:            d.DB,
		Users:         postgres.NewUserService(d.DB),
		Deals:         postgres.NewDealService(d.DB),
		Prospects:     postgres.NewProspectService(d.DB),
		Scoring:       scores,
		Now:           d.DB.Now,
		EmailThrottle: d.EmailThrottle,
		IPThrottle:    d.IPThrottle,
		Sessions:      NewSessions(d.DB.Pool, d.Config.SessionSecure, d.Logger),
	}
}

// NewSessions returns the session manager, storing sessions in PostgreSQL.
func NewSessions(pool *pgxpool.Pool, secure bool, logger *slog.Logger) *scs.SessionManager {
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(pool, 30*time.Minute)
	sm.Lifetime = sessionLifetime // the idle timeout is loadUser's (see sessionIdle)
	sm.Cookie.Name = "gm_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	if secure {
		// The __Host- prefix pins the cookie to this host, over HTTPS, at path /.
		sm.Cookie.Name = "__Host-gm_session"
		sm.Cookie.Secure = true
	}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		logger.Error("session store", "err", err, "path", r.URL.Path)
		http.Error(w, "The service is briefly unavailable. Please try again in a moment.", http.StatusServiceUnavailable)
	}
	return sm
}
