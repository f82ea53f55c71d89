package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

var _ pipeline.OrgSettings = (*OrgService)(nil)

// WalkawayTemplate returns the org's walk-away template ("" means the
// default). Admins only: anyone else ENOTFOUND.
func (s *OrgService) WalkawayTemplate(ctx context.Context, a pipeline.Actor) (string, error) {
	if !a.IsAdmin() {
		return "", notFound("page")
	}
	var t string
	err := s.db.Pool.QueryRow(ctx, `SELECT walkaway_template FROM orgs WHERE id = $1`, a.OrgID).Scan(&t)
	if err != nil {
		return "", wrapConn(fmt.Errorf("walk-away template: %w", err))
	}
	return t, nil
}

// SaveWalkawayTemplate stores the org's walk-away template and audits the
// change. Admins only (others ENOTFOUND); a bad template is EINVALID.
func (s *OrgService) SaveWalkawayTemplate(ctx context.Context, a pipeline.Actor, tmpl string) error {
	if !a.IsAdmin() {
		return notFound("page")
	}
	if msg := pipeline.ValidateTemplate(tmpl); msg != "" {
		return pipeline.Invalid(map[string]string{"template": msg})
	}
	return s.db.Transact(ctx, func(tx pgx.Tx) error {
		var before string
		err := tx.QueryRow(ctx, `SELECT walkaway_template FROM orgs WHERE id = $1 FOR UPDATE`, a.OrgID).Scan(&before)
		if err != nil {
			return fmt.Errorf("walk-away template: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE orgs SET walkaway_template = $2 WHERE id = $1`, a.OrgID, tmpl); err != nil {
			return fmt.Errorf("save walk-away template: %w", err)
		}
		return audit(ctx, tx, a, "update", "walkaway_template", a.OrgID,
			map[string]string{"template": before}, map[string]string{"template": tmpl})
	})
}

// PreviewDeal returns the org's most recently touched open deal and its
// first contact's name, to preview the template on; nil when there is none.
func (s *OrgService) PreviewDeal(ctx context.Context, a pipeline.Actor) (*pipeline.Deal, string, error) {
	if !a.IsAdmin() {
		return nil, "", notFound("page")
	}
	var contact string
	var d pipeline.Deal
	err := s.db.Pool.QueryRow(ctx, `SELECT `+dealColumns+`,
			coalesce((SELECT c.name FROM contacts c WHERE c.prospect_id = d.prospect_id ORDER BY c.id LIMIT 1), '')
		FROM `+dealJoins+` WHERE d.org_id = $1 AND d.stage IN `+openStagesSQL+`
		ORDER BY d.last_touch_at DESC NULLS LAST, d.id DESC LIMIT 1`, a.OrgID).Scan(append(dealDest(&d), &contact)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", nil
	} else if err != nil {
		return nil, "", wrapConn(fmt.Errorf("preview deal: %w", err))
	}
	return &d, contact, nil
}
