// Package server is goodmoney's HTTP layer: the chi router with every route in
// routes.go, middleware, and one file per page action. Handlers parse and
// validate the form, call a domain service and render a templ component.
package server

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/v2"

	"goodmoney/internal/pipeline"
)

// Config holds the server's settings.
type Config struct {
	SessionSecure bool // Secure cookies with the __Host- prefix (behind HTTPS)
	// TrustedProxies are the proxies (TRUSTED_PROXIES) whose X-Forwarded-For
	// header names the client; from anyone else the header is ignored.
	TrustedProxies []netip.Prefix
}

// Pinger answers whether the database is up.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Readiness answers whether this instance should take traffic: the
// database answers and its migrations are current.
type Readiness interface {
	Ready(ctx context.Context) error
}

// RequestObserver records each request by chi route pattern (never the raw
// path), method, status and duration; the metrics implement it.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

// noObserver records nothing: metrics are off.
type noObserver struct{}

func (noObserver) ObserveRequest(string, string, int, time.Duration) {}

// Server holds the dependencies of the handlers.
type Server struct {
	Config    Config
	Logger    *slog.Logger
	DB        Pinger
	Ready     Readiness
	Metrics   RequestObserver
	Users     pipeline.UserService
	Deals     pipeline.DealService
	Prospects pipeline.ProspectService
	// Closer closes, walks away from and reopens deals.
	Closer pipeline.DealCloser
	// Review is the managers' review of flagged deals.
	Review pipeline.ReviewService
	// Audit reads the org's audit trail (/audit).
	Audit pipeline.AuditService
	// OrgSettings keeps the walk-away template (/settings/walkaway).
	OrgSettings pipeline.OrgSettings
	// Scoring keeps the org's scoring rules (/settings/scoring).
	Scoring pipeline.ScoringSettings
	// Digests previews digests, shows the outbox and unsubscribes.
	Digests pipeline.DigestService
	// Outcomes back-tests the rules against closed deals (/reports/outcomes).
	Outcomes pipeline.OutcomeReports
	// Now is the clock; tests set it.
	Now func() time.Time
	// Throttle counts sign-in attempts per email, client address and both.
	Throttle pipeline.LoginThrottle
	// Wait sleeps before a sign-in on an email that had many attempts
	// lately (the throttle's delay); tests replace it to record the delay.
	Wait func(ctx context.Context, d time.Duration) error
	// hashSlots caps concurrent password checks (argon2id takes ~19 MiB
	// each); hashQueue counts requests waiting for a slot.
	hashSlots chan struct{}
	hashQueue chan struct{}
	// DBHealth describes the private database cluster for /healthz; nil
	// or "" when there is none to describe.
	DBHealth func() string
	Sessions *scs.SessionManager
}

// now returns the server's clock reading.
func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Deps are the settings and services of a Server. cmd/goodmoney builds
// them on PostgreSQL; every field is required but Metrics.
type Deps struct {
	Config    Config
	Logger    *slog.Logger
	DB        Pinger
	Ready     Readiness
	Metrics   RequestObserver // nil: no metrics
	Users     pipeline.UserService
	Deals     pipeline.DealService
	Prospects pipeline.ProspectService
	Scoring   pipeline.ScoringSettings
	Digests   pipeline.DigestService
	Outcomes  pipeline.OutcomeReports
	// Closer, Review, Audit and OrgSettings serve the manager review and
	// the walk-away (/review, close, disqualify, reopen, /audit, /settings/walkaway).
	Closer      pipeline.DealCloser
	Review      pipeline.ReviewService
	Audit       pipeline.AuditService
	OrgSettings pipeline.OrgSettings
	// Throttle counts sign-in attempts.
	Throttle pipeline.LoginThrottle
	// DBHealth describes the private database cluster for /healthz
	// (optional).
	DBHealth func() string
	// HashSlots caps concurrent password checks, HashQueue the sign-ins
	// waiting for one; past both the answer is 503. Default 4 and 32.
	HashSlots, HashQueue int
	// SessionStore keeps the sessions, shared by every serve process.
	SessionStore scs.Store
	// Now is the clock.
	Now func() time.Time
}

// New returns a Server on the given services.
func New(d Deps) *Server {
	if d.Metrics == nil {
		d.Metrics = noObserver{}
	}
	return &Server{
		Config:      d.Config,
		Logger:      d.Logger,
		DB:          d.DB,
		Ready:       d.Ready,
		Metrics:     d.Metrics,
		Users:       d.Users,
		Deals:       d.Deals,
		Prospects:   d.Prospects,
		Scoring:     d.Scoring,
		Digests:     d.Digests,
		Outcomes:    d.Outcomes,
		Closer:      d.Closer,
		Review:      d.Review,
		Audit:       d.Audit,
		OrgSettings: d.OrgSettings,
		Now:         d.Now,
		Throttle:    d.Throttle,
		Wait:        sleep,
		DBHealth:    d.DBHealth,
		hashSlots:   make(chan struct{}, cmp.Or(d.HashSlots, 4)),
		hashQueue:   make(chan struct{}, cmp.Or(d.HashQueue, 32)),
		Sessions:    newSessions(d.SessionStore, d.Config.SessionSecure, d.Logger),
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newSessions returns the session manager, keeping sessions in store.
func newSessions(store scs.Store, secure bool, logger *slog.Logger) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
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
