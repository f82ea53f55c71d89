package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// OrgService stores orgs.
type OrgService struct{ db *DB }

// NewOrgService returns an OrgService on db.
func NewOrgService(db *DB) *OrgService { return &OrgService{db: db} }

// CreateOrg adds a tenant.
func (s *OrgService) CreateOrg(ctx context.Context, o pipeline.Org) (*pipeline.Org, error) {
	if o.Timezone == "" {
		o.Timezone = "UTC"
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if o.BusinessEnd == 0 {
		o.BusinessStart, o.BusinessEnd = 9, 18
	}
	err := s.db.Pool.QueryRow(ctx, `
		INSERT INTO orgs (name, timezone, currency, business_start, business_end, walkaway_template)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		o.Name, o.Timezone, o.Currency, o.BusinessStart, o.BusinessEnd, o.WalkawayTemplate).Scan(&o.ID)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("create org: %w", err))
	}
	return &o, nil
}

// Org returns one org.
func (s *OrgService) Org(ctx context.Context, id int64) (*pipeline.Org, error) {
	var o pipeline.Org
	err := s.db.Pool.QueryRow(ctx, `
		SELECT id, name, timezone, currency, business_start, business_end, walkaway_template
		FROM orgs WHERE id = $1`, id).
		Scan(&o.ID, &o.Name, &o.Timezone, &o.Currency, &o.BusinessStart, &o.BusinessEnd, &o.WalkawayTemplate)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("organisation")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("org %d: %w", id, err))
	}
	return &o, nil
}

// FirstOrg returns the oldest org, for the CLI on a single-tenant install.
func (s *OrgService) FirstOrg(ctx context.Context) (*pipeline.Org, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `SELECT id FROM orgs ORDER BY id LIMIT 1`).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("organisation")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("first org: %w", err))
	}
	return s.Org(ctx, id)
}
