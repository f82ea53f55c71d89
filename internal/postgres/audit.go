package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// AuditService implements pipeline.AuditService.
type AuditService struct{ db *DB }

// NewAuditService returns an AuditService on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

var _ pipeline.AuditService = (*AuditService)(nil)

// ListAudit returns one page of the org's audit events, newest first, and
// the actions recorded, for the filter. Admins only: anyone else ENOTFOUND.
func (s *AuditService) ListAudit(ctx context.Context, a pipeline.Actor, f pipeline.AuditFilter) (*pipeline.AuditPage, error) {
	if !a.IsAdmin() {
		return nil, notFound("page")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var qa args
	where := []string{"e.org_id = " + qa.add(a.OrgID)}
	if f.UserID != 0 {
		where = append(where, "e.actor_id = "+qa.add(f.UserID))
	}
	if f.Action != "" {
		where = append(where, "e.action = "+qa.add(f.Action))
	}
	if f.From != nil {
		where = append(where, "e.at >= "+qa.add(*f.From))
	}
	if f.To != nil {
		where = append(where, "e.at < "+qa.add(f.To.AddDate(0, 0, 1)))
	}
	if f.After > 0 {
		where = append(where, "e.id < "+qa.add(f.After))
	}
	var b pgx.Batch
	b.Queue(`SELECT e.id, coalesce(u.name, 'the system'), e.action, e.entity, e.entity_id,
			coalesce(e.before::text, ''), coalesce(e.after::text, ''), e.at
		FROM audit_events e LEFT JOIN users u ON u.org_id = e.org_id AND u.id = e.actor_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY e.id DESC LIMIT `+qa.add(f.Limit+1), qa...)
	b.Queue(`SELECT DISTINCT action FROM audit_events WHERE org_id = $1 ORDER BY action`, a.OrgID)
	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return nil, wrapConn(fmt.Errorf("audit: %w", err))
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.AuditEvent, error) {
		var e pipeline.AuditEvent
		return &e, r.Scan(&e.ID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.At)
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("audit: %w", err))
	}
	page := &pipeline.AuditPage{Events: events}
	if len(events) > f.Limit {
		page.Events = events[:f.Limit]
		page.Next = page.Events[f.Limit-1].ID
	}
	if rows, err = res.Query(); err != nil {
		return nil, wrapConn(fmt.Errorf("audit actions: %w", err))
	}
	if page.Actions, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, wrapConn(fmt.Errorf("audit actions: %w", err))
	}
	return page, nil
}
