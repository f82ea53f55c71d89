// Package servertest wires a server.Server on the real PostgreSQL-backed
// services for tests, as cmd/goodmoney does for serve but without a job
// queue: saving scoring rules rescores the org before the answer.
package servertest

import (
	"log/slog"

	"goodmoney/internal/digest"
	"goodmoney/internal/postgres"
	"goodmoney/internal/server"
)

// BaseURL is the app's address in the links of the digests tests build.
const BaseURL = "http://gm.test"

// New returns a server on db with one instance of each service.
func New(db *postgres.DB, cfg server.Config, logger *slog.Logger) *server.Server {
	scores := postgres.NewScoreService(db)
	deals := postgres.NewDealService(db, scores)
	return server.New(server.Deps{
		Config:       cfg,
		Logger:       logger,
		DB:           db,
		Ready:        db,
		Users:        postgres.NewUserService(db),
		Deals:        deals,
		Prospects:    postgres.NewProspectService(db),
		Scoring:      scores,
		Digests:      &digest.Service{Store: postgres.NewDigestStore(db), BaseURL: BaseURL, Now: db.Now, Logger: logger},
		Outcomes:     postgres.NewOutcomeService(db, scores),
		Closer:       deals,
		Review:       postgres.NewReviewService(db, deals),
		Audit:        postgres.NewAuditService(db),
		OrgSettings:  postgres.NewOrgService(db),
		Throttle:     postgres.NewLoginThrottle(db, postgres.DefaultLoginLimits),
		SessionStore: postgres.NewSessionStore(db),
		Now:          db.Now,
	})
}
