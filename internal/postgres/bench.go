package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// Bench holds the queries of the benchmark harness (cmd/benchrun): which
// users and deals the loads use, what the dataset holds, and putting the
// dataset back after the write loads. Nothing in the app calls it.
type Bench struct{ db *DB }

// NewBench returns the harness's queries on db.
func NewBench(db *DB) *Bench { return &Bench{db: db} }

// OrgID returns the id of the org with this name, or ENOTFOUND.
func (b *Bench) OrgID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := b.db.Pool.QueryRow(ctx, `SELECT id FROM orgs WHERE name = $1`, name).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, notFound("organisation")
	} else if err != nil {
		return 0, wrapConn(fmt.Errorf("org %q: %w", name, err))
	}
	return id, nil
}

// BusyJobs counts the River jobs waiting or running.
func (b *Bench) BusyJobs(ctx context.Context) (int, error) {
	var n int
	err := b.db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("river jobs: %w", err)
	}
	return n, nil
}

// ServerVersion is PostgreSQL's version line without the build details.
func (b *Bench) ServerVersion(ctx context.Context) (string, error) {
	var v string
	if err := b.db.Pool.QueryRow(ctx, `SELECT split_part(version(), ' on ', 1)`).Scan(&v); err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	return v, nil
}

// BenchDataset counts what an org holds.
type BenchDataset struct {
	Users, Prospects, Contacts, Deals, OpenDeals, Flagged, Touches, StageChanges int64
}

// Dataset counts the org's rows; Flagged counts open deals in the
// not-good-money band.
func (b *Bench) Dataset(ctx context.Context, orgID int64) (*BenchDataset, error) {
	var d BenchDataset
	err := b.db.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM users WHERE org_id = $1),
		(SELECT count(*) FROM prospects WHERE org_id = $1),
		(SELECT count(*) FROM contacts WHERE org_id = $1),
		(SELECT count(*) FROM deals WHERE org_id = $1),
		(SELECT count(*) FROM deals WHERE org_id = $1 AND stage = ANY ($2)),
		(SELECT count(*) FROM deal_scores s JOIN deals d ON d.org_id = s.org_id AND d.id = s.deal_id
			WHERE s.org_id = $1 AND s.band = 'not_good_money' AND d.stage = ANY ($2)),
		(SELECT count(*) FROM touches WHERE org_id = $1),
		(SELECT count(*) FROM deal_stage_changes WHERE org_id = $1)`, orgID, pipeline.OpenStages).
		Scan(&d.Users, &d.Prospects, &d.Contacts, &d.Deals, &d.OpenDeals, &d.Flagged, &d.Touches, &d.StageChanges)
	if err != nil {
		return nil, fmt.Errorf("dataset of org %d: %w", orgID, err)
	}
	return &d, nil
}

// BenchUser is a user and the open deals they may work on.
type BenchUser struct {
	Email string
	Deals []int64
}

// ManagersWithOpenDeals returns up to n managers with their team's open deals.
func (b *Bench) ManagersWithOpenDeals(ctx context.Context, orgID int64, n int) ([]BenchUser, error) {
	return b.usersWithDeals(ctx, `
		SELECT u.email, array_agg(d.id ORDER BY d.id)
		FROM users u JOIN teams t ON t.org_id = u.org_id AND t.manager_id = u.id
		JOIN users m ON m.org_id = t.org_id AND m.team_id = t.id
		JOIN deals d ON d.org_id = m.org_id AND d.owner_id = m.id AND d.stage = ANY ($3)
		WHERE u.org_id = $1 AND u.role = 'manager'
		GROUP BY u.org_id, u.id ORDER BY u.id LIMIT $2`, orgID, n)
}

// RepsWithOpenDeals returns up to n reps with their own open deals.
func (b *Bench) RepsWithOpenDeals(ctx context.Context, orgID int64, n int) ([]BenchUser, error) {
	return b.usersWithDeals(ctx, `
		SELECT u.email, array_agg(d.id ORDER BY d.id)
		FROM users u JOIN deals d ON d.org_id = u.org_id AND d.owner_id = u.id AND d.stage = ANY ($3)
		WHERE u.org_id = $1 AND u.role = 'rep'
		GROUP BY u.org_id, u.id ORDER BY u.id LIMIT $2`, orgID, n)
}

func (b *Bench) usersWithDeals(ctx context.Context, sql string, orgID int64, n int) ([]BenchUser, error) {
	rows, err := b.db.Pool.Query(ctx, sql, orgID, n, pipeline.OpenStages)
	if err != nil {
		return nil, fmt.Errorf("pick users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (BenchUser, error) {
		var u BenchUser
		return u, r.Scan(&u.Email, &u.Deals)
	})
	if err != nil {
		return nil, fmt.Errorf("pick users: %w", err)
	}
	return users, nil
}

// ProspectNames returns the names of the org's first n prospects.
func (b *Bench) ProspectNames(ctx context.Context, orgID int64, n int) ([]string, error) {
	rows, err := b.db.Pool.Query(ctx, `SELECT name FROM prospects WHERE org_id = $1 ORDER BY id LIMIT $2`, orgID, n)
	if err != nil {
		return nil, fmt.Errorf("prospect names: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("prospect names: %w", err)
	}
	return names, nil
}

// RemoveTouches deletes the org's touches with these notes, with their
// audit events, and puts their deals' last touch back. It returns how many
// touches it removed.
func (b *Bench) RemoveTouches(ctx context.Context, orgID int64, notes string) (int, error) {
	var n int
	err := b.db.Transact(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM touches WHERE org_id = $1 AND notes = $2 RETURNING id, deal_id`, orgID, notes)
		if err != nil {
			return fmt.Errorf("remove touches: %w", err)
		}
		var ids, deals []int64
		for rows.Next() {
			var id, deal int64
			if err := rows.Scan(&id, &deal); err != nil {
				return err
			}
			ids, deals = append(ids, id), append(deals, deal)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("remove touches: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM audit_events WHERE org_id = $1 AND entity = 'touch' AND entity_id = ANY($2)`, orgID, ids); err != nil {
			return fmt.Errorf("remove touch audit: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE deals d SET last_touch_at = (SELECT max(occurred_at) FROM touches t WHERE t.deal_id = d.id)
			WHERE d.org_id = $1 AND d.id = ANY($2)`, orgID, deals); err != nil {
			return fmt.Errorf("restore last touches: %w", err)
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// ClearDigests deletes the org's digest outbox rows of one ISO week, so the
// digest measurement records them all again.
func (b *Bench) ClearDigests(ctx context.Context, orgID int64, week string) error {
	if _, err := b.db.Pool.Exec(ctx, `DELETE FROM digests WHERE org_id = $1 AND iso_week = $2`, orgID, week); err != nil {
		return fmt.Errorf("clear the digests of week %s: %w", week, err)
	}
	return nil
}

// BareTouchScan times SELECT deal_id, count(*) FROM touches GROUP BY
// deal_id, read to the last row: the scan a full rescore cannot beat.
// indexOnly turns off the sequential scan and the hash aggregate for it.
func (b *Bench) BareTouchScan(ctx context.Context, indexOnly bool) (time.Duration, error) {
	var took time.Duration
	err := b.db.Transact(ctx, func(tx pgx.Tx) error {
		if indexOnly {
			if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off; SET LOCAL enable_hashagg = off`); err != nil {
				return err
			}
		}
		start := time.Now()
		rows, err := tx.Query(ctx, `SELECT deal_id, count(*) FROM touches GROUP BY deal_id`)
		if err != nil {
			return fmt.Errorf("bare scan: %w", err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("bare scan: %w", err)
		}
		took = time.Since(start)
		return nil
	})
	return took, err
}

// ForgetOutcomes deletes the org's kept back-tests, so the next view of
// the outcomes report runs one.
func (b *Bench) ForgetOutcomes(ctx context.Context, orgID int64) error {
	if _, err := b.db.Pool.Exec(ctx, `DELETE FROM outcome_runs WHERE org_id = $1`, orgID); err != nil {
		return fmt.Errorf("forget kept back-tests: %w", err)
	}
	return nil
}
