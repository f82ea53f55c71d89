package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
)

// DealService implements pipeline.DealService.
type DealService struct {
	db     *DB
	scores DealRescorer
}

// DealRescorer recomputes a deal's score inside the transaction of a write
// that changed its inputs, so the next page already shows the new score.
// ScoreService is the one; the demo seed passes nil to score once at the end.
type DealRescorer interface {
	RescoreDeal(ctx context.Context, tx pgx.Tx, orgID, dealID int64) error
}

// NewDealService returns a DealService on db that has scores rescore a deal
// in the transaction of every write that changes its inputs; with nil
// scores it rescores nothing.
func NewDealService(db *DB, scores DealRescorer) *DealService {
	return &DealService{db: db, scores: scores}
}

var _ pipeline.DealService = (*DealService)(nil)

// dealColumns are read by scanDeal; the query joins prospects p, users o and
// deal_scores s to deals d.
var dealColumns = `d.id, d.org_id, d.prospect_id, p.name, d.owner_id, o.name, d.title, d.stage,
	d.amount, d.list_price, d.cost, d.currency, d.expected_close, d.next_step, d.next_step_due,
	d.future_promise, d.close_reasons, d.came_back_at, d.stage_changed_at, d.last_touch_at,
	d.version, d.created_at, d.updated_at, ` + openScore

// openScore is a deal's points and band while it is open; a closed deal's
// stored score is its score at close, not a warning to act on.
var openScore = `CASE WHEN d.stage IN ` + openStagesSQL + ` THEN coalesce(s.points, 0) ELSE 0 END,
	CASE WHEN d.stage IN ` + openStagesSQL + ` THEN coalesce(s.band, '') ELSE '' END`

const dealJoins = `deals d
	JOIN prospects p ON p.org_id = d.org_id AND p.id = d.prospect_id
	JOIN users o ON o.org_id = d.org_id AND o.id = d.owner_id
	LEFT JOIN deal_scores s ON s.org_id = d.org_id AND s.deal_id = d.id`

func scanDeal(row pgx.Row) (*pipeline.Deal, error) {
	var d pipeline.Deal
	err := row.Scan(dealDest(&d)...)
	return &d, err
}

// dealDest lists the scan destinations of dealColumns.
func dealDest(d *pipeline.Deal) []any {
	return []any{&d.ID, &d.OrgID, &d.ProspectID, &d.ProspectName, &d.OwnerID, &d.OwnerName, &d.Title, &d.Stage,
		&d.Amount, &d.ListPrice, &d.Cost, &d.Currency, &d.ExpectedClose, &d.NextStep, &d.NextStepDue,
		&d.FuturePromise, &d.CloseReasons, &d.CameBackAt, &d.StageChangedAt, &d.LastTouchAt,
		&d.Version, &d.CreatedAt, &d.UpdatedAt, &d.Points, &d.Band}
}

func collectDeals(rows pgx.Rows) ([]*pipeline.Deal, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.Deal, error) { return scanDeal(r) })
}

// getDeal reads one deal the actor may see; lock takes a row lock for a write.
func getDeal(ctx context.Context, q querier, a pipeline.Actor, id int64, lock bool) (*pipeline.Deal, error) {
	var qa args
	sql := `SELECT ` + dealColumns + ` FROM ` + dealJoins + ` WHERE d.id = ` + qa.add(id) + ` AND ` + dealScope(a, &qa)
	if lock {
		sql += ` FOR UPDATE OF d`
	}
	d, err := scanDeal(q.QueryRow(ctx, sql, qa...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("deal")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("deal %d: %w", id, err))
	}
	return d, nil
}

// Deal returns one deal the actor may see, or ENOTFOUND.
func (s *DealService) Deal(ctx context.Context, a pipeline.Actor, id int64) (*pipeline.Deal, error) {
	return getDeal(ctx, s.db.Pool, a, id, false)
}

// CreateDeal opens a deal owned by the actor on a prospect of the org.
func (s *DealService) CreateDeal(ctx context.Context, a pipeline.Actor, in pipeline.DealInput) (*pipeline.Deal, error) {
	if errs := in.Validate(); errs != nil {
		return nil, pipeline.Invalid(errs)
	}
	var d *pipeline.Deal
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		id, replay, err := claimKey(ctx, tx, a, "deal", in.Key)
		if err != nil {
			return err
		} else if replay {
			d, err = getDeal(ctx, tx, a, id, false)
			return err
		}
		now := s.db.Now()
		err = tx.QueryRow(ctx, `
			INSERT INTO deals (org_id, prospect_id, owner_id, title, stage, amount, list_price, cost, currency,
				expected_close, next_step, next_step_due, future_promise, stage_changed_at, created_at, updated_at)
			SELECT $1, p.id, $3, $4, $5, $6, $7, $8, o.currency, $9, $10, $11, $12, $13, $13, $13
			FROM prospects p JOIN orgs o ON o.id = p.org_id
			WHERE p.id = $2 AND p.org_id = $1
			RETURNING id`,
			a.OrgID, in.ProspectID, a.UserID, in.Title, in.Stage, in.Amount, in.ListPrice, in.Cost,
			in.ExpectedClose, in.NextStep, in.NextStepDue, in.FuturePromise, now).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return pipeline.Invalid(map[string]string{"prospect_id": "Choose the prospect this deal is with."})
		} else if err != nil {
			return fmt.Errorf("insert deal: %w", err)
		}
		if err := recordStage(ctx, tx, a, id, "", in.Stage, now); err != nil {
			return err
		}
		if err := s.rescore(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		if d, err = getDeal(ctx, tx, a, id, false); err != nil {
			return err
		}
		if err := keyRecord(ctx, tx, a, in.Key, id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "create", "deal", id, nil, dealAudit(d))
	})
	return d, err
}

func (s *DealService) rescore(ctx context.Context, tx pgx.Tx, orgID, dealID int64) error {
	if s.scores == nil {
		return nil
	}
	return s.scores.RescoreDeal(ctx, tx, orgID, dealID)
}

// UpdateDeal saves an edit made from in.Version. When someone saved the deal
// since, nothing is written and the answer is a ConflictError holding the
// stored deal.
func (s *DealService) UpdateDeal(ctx context.Context, a pipeline.Actor, id int64, in pipeline.DealInput) (*pipeline.Deal, error) {
	var d *pipeline.Deal
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		before, err := getDeal(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		in.ProspectID = before.ProspectID
		if errs := in.Validate(); errs != nil {
			return pipeline.Invalid(errs)
		}
		if before.Version != in.Version {
			return &pipeline.ConflictError{
				Err:     pipeline.Errorf(pipeline.ECONFLICT, "This deal was changed by someone else since you opened it. Their values are shown below; make your change again on top of them."),
				Current: before,
			}
		}
		now := s.db.Now()
		_, err = tx.Exec(ctx, `
			UPDATE deals SET title = $2, amount = $3, list_price = $4, cost = $5, expected_close = $6,
				next_step = $7, next_step_due = $8, future_promise = $9, version = version + 1, updated_at = $10
			WHERE org_id = $11 AND id = $1`,
			id, in.Title, in.Amount, in.ListPrice, in.Cost, in.ExpectedClose, in.NextStep, in.NextStepDue, in.FuturePromise, now, a.OrgID)
		if err != nil {
			return fmt.Errorf("update deal %d: %w", id, err)
		}
		if in.Stage != before.Stage {
			if msg := closeByMove(in.Stage); msg != "" {
				return pipeline.Invalid(map[string]string{"stage": msg})
			}
			if err := changeStage(ctx, tx, a, before, in.Stage, now); err != nil {
				return err
			}
		}
		if err := s.rescore(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		if d, err = getDeal(ctx, tx, a, id, false); err != nil {
			return err
		}
		return audit(ctx, tx, a, "update", "deal", id, dealAudit(before), dealAudit(d))
	})
	return d, err
}

// MoveDeal changes only the stage (the board's one action). It does not need
// a version: moving is idempotent and never overwrites other fields.
func (s *DealService) MoveDeal(ctx context.Context, a pipeline.Actor, id int64, stage string) (*pipeline.Deal, error) {
	if !pipeline.ValidStage(stage) {
		return nil, pipeline.Invalid(map[string]string{"stage": "Choose a stage from the list."})
	}
	var d *pipeline.Deal
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		before, err := getDeal(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if before.Stage == stage {
			d = before
			return nil
		}
		if msg := closeByMove(stage); msg != "" {
			return pipeline.Invalid(map[string]string{"stage": msg})
		}
		if err := changeStage(ctx, tx, a, before, stage, s.db.Now()); err != nil {
			return err
		}
		if err := s.rescore(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		if d, err = getDeal(ctx, tx, a, id, false); err != nil {
			return err
		}
		return audit(ctx, tx, a, "move", "deal", id, map[string]string{"stage": before.Stage}, map[string]string{"stage": stage})
	})
	return d, err
}

// closeByMove refuses a plain stage change that would close a deal: every
// close says why, through CloseDeal or Disqualify.
func closeByMove(stage string) string {
	switch stage {
	case pipeline.StageWon, pipeline.StageLost:
		return "Say why it closed: use Won or Lost with a reason."
	case pipeline.StageDisqualified:
		return "Walk away with the Disqualify form: it asks why and drafts the message to the prospect."
	}
	return ""
}

// changeStage moves a locked deal to another stage and records the change.
func changeStage(ctx context.Context, tx pgx.Tx, a pipeline.Actor, d *pipeline.Deal, to string, now time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE deals SET stage = $2, stage_changed_at = $3, updated_at = $3, version = version + 1,
			came_back_at = CASE WHEN $4 THEN NULL ELSE came_back_at END,
			open_band = CASE WHEN $2 IN `+openStagesSQL+` THEN (SELECT s.band FROM deal_scores s WHERE s.org_id = $5 AND s.deal_id = $1) END
		WHERE org_id = $5 AND id = $1`, d.ID, to, now, pipeline.ForgetsCameBack(to), d.OrgID)
	if err != nil {
		return fmt.Errorf("move deal %d: %w", d.ID, err)
	}
	return recordStage(ctx, tx, a, d.ID, d.Stage, to, now)
}

func recordStage(ctx context.Context, tx pgx.Tx, a pipeline.Actor, dealID int64, from, to string, at time.Time) error {
	var fromArg *string
	if from != "" {
		fromArg = &from
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO deal_stage_changes (org_id, deal_id, from_stage, to_stage, by_user, at)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.OrgID, dealID, fromArg, to, nullID(a.UserID), at)
	if err != nil {
		return fmt.Errorf("record stage change of deal %d: %w", dealID, err)
	}
	return nil
}

// dealAudit is the part of a deal kept in audit events.
func dealAudit(d *pipeline.Deal) map[string]any {
	return map[string]any{
		"title": d.Title, "stage": d.Stage, "amount": d.Amount, "list_price": d.ListPrice, "cost": d.Cost,
		"expected_close": d.ExpectedClose, "next_step": d.NextStep, "next_step_due": d.NextStepDue,
		"future_promise": d.FuturePromise, "version": d.Version,
	}
}

// escapeLike escapes the LIKE wildcards in user input.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Board returns one column per open stage with its count and total, and the
// largest deals of each column.
func (s *DealService) Board(ctx context.Context, a pipeline.Actor, perColumn int) ([]pipeline.StageColumn, error) {
	var qa args
	scope := dealScope(a, &qa)
	sql := `SELECT * FROM (
		SELECT ` + dealColumns + `,
			count(*) OVER w, sum(d.amount) OVER w,
			row_number() OVER (PARTITION BY d.stage ORDER BY d.amount DESC, d.id) AS rn
		FROM ` + dealJoins + `
		WHERE ` + scope + ` AND d.stage IN ` + openStagesSQL + `
		WINDOW w AS (PARTITION BY d.stage)) x
		WHERE rn <= ` + qa.add(perColumn) + ` ORDER BY rn`
	rows, err := s.db.Pool.Query(ctx, sql, qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("board: %w", err))
	}
	defer rows.Close()
	cols := make([]pipeline.StageColumn, len(pipeline.OpenStages))
	index := map[string]int{}
	for i, st := range pipeline.OpenStages {
		cols[i].Stage = st
		index[st] = i
	}
	for rows.Next() {
		var d pipeline.Deal
		var count int
		var total int64
		var rn int
		err := rows.Scan(append(dealDest(&d), &count, &total, &rn)...)
		if err != nil {
			return nil, fmt.Errorf("board: %w", err)
		}
		c := &cols[index[d.Stage]]
		c.Count, c.Total = count, money.Cents(total)
		c.Deals = append(c.Deals, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapConn(fmt.Errorf("board: %w", err))
	}
	return cols, nil
}

// SearchDeals finds the actor's open deals by title or prospect name.
func (s *DealService) SearchDeals(ctx context.Context, a pipeline.Actor, q string, limit int) ([]*pipeline.Deal, error) {
	page, err := s.ListDeals(ctx, a, pipeline.DealFilter{Stage: "open", Q: q, Limit: limit})
	if err != nil {
		return nil, err
	}
	return page.Deals, nil
}

// Owners lists the users whose deals the actor may filter by.
func (s *DealService) Owners(ctx context.Context, a pipeline.Actor) ([]*pipeline.User, error) {
	var qa args
	rows, err := s.db.Pool.Query(ctx, ownersSQL(a, &qa), qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("owners: %w", err))
	}
	return collectOwners(rows)
}

// ownersSQL selects the id and name of the users whose deals the actor
// may filter by: the org's for an admin, the team's for a manager, a rep's own.
func ownersSQL(a pipeline.Actor, qa *args) string {
	switch a.Role {
	case pipeline.RoleAdmin:
		return `SELECT id, name FROM users WHERE org_id = ` + qa.add(a.OrgID) + ` AND NOT disabled ORDER BY lower(name)`
	case pipeline.RoleManager:
		org, me := qa.add(a.OrgID), qa.add(a.UserID)
		return `SELECT u.id, u.name FROM users u WHERE u.org_id = ` + org + ` AND NOT u.disabled AND (u.id = ` + me +
			` OR u.team_id IN (SELECT id FROM teams WHERE org_id = ` + org + ` AND manager_id = ` + me + `)) ORDER BY lower(u.name)`
	default:
		return `SELECT id, name FROM users WHERE org_id = ` + qa.add(a.OrgID) + ` AND id = ` + qa.add(a.UserID)
	}
}

func collectOwners(rows pgx.Rows) ([]*pipeline.User, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.User, error) {
		var u pipeline.User
		return &u, r.Scan(&u.ID, &u.Name)
	})
}
