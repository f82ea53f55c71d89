package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/password"
	"goodmoney/internal/pipeline"
)

// OrgService stores orgs.
type OrgService struct{ db *DB }

// NewOrgService returns an OrgService on db.
func NewOrgService(db *DB) *OrgService { return &OrgService{db: db} }

// CreateOrg adds a tenant.
func (s *OrgService) CreateOrg(ctx context.Context, o pipeline.Org) (*pipeline.Org, error) {
	if err := insertOrg(ctx, s.db.Pool, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// AddOrg creates a tenant and its first admin in one transaction (the CLI's
// `goodmoney org add`). EINVALID with a message per field: "org_name" for
// the org, the NewUser fields for the admin (whose password may not contain
// the org's name).
func (s *OrgService) AddOrg(ctx context.Context, o pipeline.Org, admin pipeline.NewUser) (*pipeline.Org, *pipeline.User, error) {
	o.Name = strings.TrimSpace(o.Name)
	admin.Role = pipeline.RoleAdmin
	admin.Normalize()
	errs := admin.Validate(o.Name)
	if o.Name == "" || len(o.Name) > 200 {
		if errs == nil {
			errs = map[string]string{}
		}
		errs["org_name"] = "Name the organisation (up to 200 characters)."
	}
	if errs != nil {
		return nil, nil, pipeline.Invalid(errs)
	}
	hash, err := password.Hash(admin.Password)
	if err != nil {
		return nil, nil, err
	}
	var userID int64
	err = s.db.Transact(ctx, func(tx pgx.Tx) error {
		if err := insertOrg(ctx, tx, &o); err != nil {
			return err
		}
		userID, err = insertUser(ctx, tx, pipeline.Actor{OrgID: o.ID, Role: pipeline.RoleAdmin}, admin, hash)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	u, err := NewUserService(s.db).UserByID(ctx, o.ID, userID)
	if err != nil {
		return nil, nil, err
	}
	return &o, u, nil
}

// insertOrg stores a new org with defaults for what o leaves empty.
func insertOrg(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, o *pipeline.Org) error {
	if o.Timezone == "" {
		o.Timezone = "UTC"
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if o.BusinessEnd == 0 {
		o.BusinessStart, o.BusinessEnd = 9, 18
	}
	err := q.QueryRow(ctx, `
		INSERT INTO orgs (name, timezone, currency, business_start, business_end, walkaway_template)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		o.Name, o.Timezone, o.Currency, o.BusinessStart, o.BusinessEnd, o.WalkawayTemplate).Scan(&o.ID)
	if err != nil {
		return wrapConn(fmt.Errorf("create org: %w", err))
	}
	return nil
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
