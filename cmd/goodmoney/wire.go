package main

import (
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"goodmoney/internal/digest"
	"goodmoney/internal/jobs"
	"goodmoney/internal/metrics"
	"goodmoney/internal/postgres"
	"goodmoney/internal/server"
)

// services are the PostgreSQL-backed domain services, one of each: the same
// instances go to the server, the job workers and the commands.
type services struct {
	db           *postgres.DB
	scores       *postgres.ScoreService
	outcomes     *postgres.OutcomeService
	deals        *postgres.DealService
	users        *postgres.UserService
	prospects    *postgres.ProspectService
	review       *postgres.ReviewService
	audit        *postgres.AuditService
	orgs         *postgres.OrgService
	housekeeping *postgres.Housekeeping
	// digests needs the mail settings: runServe sets it (newDigests).
	digests *digest.Service
}

// newServices builds the services on db. The deal service rescores a deal
// through the one score service in the transaction of every write that
// changes its inputs.
func newServices(db *postgres.DB) *services {
	scores := postgres.NewScoreService(db)
	deals := postgres.NewDealService(db, scores)
	return &services{
		db:           db,
		scores:       scores,
		outcomes:     postgres.NewOutcomeService(db, scores),
		deals:        deals,
		users:        postgres.NewUserService(db),
		prospects:    postgres.NewProspectService(db),
		review:       postgres.NewReviewService(db, deals),
		audit:        postgres.NewAuditService(db),
		orgs:         postgres.NewOrgService(db),
		housekeeping: postgres.NewHousekeeping(db),
	}
}

// jobs returns what the job workers call; m may be nil (no metrics).
func (s *services) jobs(logger *slog.Logger, m *metrics.Metrics) jobs.Services {
	return jobs.Services{Scores: s.scores, Housekeeping: s.housekeeping, Snoozes: s.review, Now: s.db.Now,
		Logger: logger, Metrics: jobMetrics(m)}
}

// jobMetrics is m as the jobs see it: nil stays a nil interface.
func jobMetrics(m *metrics.Metrics) jobs.Metrics {
	if m == nil {
		return nil
	}
	return m
}

// queueRescores has saved scoring rules enqueue their rescore on client in
// the transaction that saves them, instead of rescoring before the answer.
func (s *services) queueRescores(client *river.Client[pgx.Tx]) {
	s.scores.Queue = jobs.RescoreQueue[pgx.Tx]{Client: client}
}

// server returns the web server on the services, with the default sign-in
// limits (postgres.DefaultLoginLimits). m may be nil (no metrics); dbHealth
// describes the private cluster for /healthz.
func (s *services) server(cfg server.Config, logger *slog.Logger, m *metrics.Metrics, dbHealth func() string) *server.Server {
	deps := server.Deps{
		Config:       cfg,
		Logger:       logger,
		DB:           s.db,
		Ready:        s.db,
		Users:        s.users,
		Deals:        s.deals,
		Prospects:    s.prospects,
		Scoring:      s.scores,
		Digests:      s.digests,
		Outcomes:     s.outcomes,
		Closer:       s.deals,
		Review:       s.review,
		Audit:        s.audit,
		OrgSettings:  s.orgs,
		Throttle:     postgres.NewLoginThrottle(s.db, postgres.DefaultLoginLimits),
		DBHealth:     dbHealth,
		SessionStore: postgres.NewSessionStore(s.db),
		Now:          s.db.Now,
	}
	if m != nil {
		deps.Metrics = m
	}
	return server.New(deps)
}
