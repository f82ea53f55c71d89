// Package postgres stores goodmoney's records in PostgreSQL. Every SQL
// statement lives here, one file per record; every query is scoped by the
// actor's org and the access policy is applied in the queries themselves.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pipeline"
)

// DB wraps the pool with the clock the stores use.
type DB struct {
	Pool *pgxpool.Pool
	Now  func() time.Time
}

// NewDB returns a DB using the wall clock.
func NewDB(pool *pgxpool.Pool) *DB {
	return &DB{Pool: pool, Now: time.Now}
}

// Transact runs fn in a transaction, committing when fn returns nil and
// rolling back on an error or a panic.
func (db *DB) Transact(ctx context.Context, fn func(tx pgx.Tx) error) (err error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return wrapConn(fmt.Errorf("begin: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(ctx)
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(ctx)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(ctx); err != nil {
		return wrapConn(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// querier is what a pool and a transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.Pool.Ping(ctx)
}

// wrapConn marks connection failures as EUNAVAILABLE so the server answers
// 503 rather than 500 when PostgreSQL is down.
func wrapConn(err error) error {
	var pgErr *pgconn.PgError
	if err == nil || errors.As(err, &pgErr) {
		return err
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", pipeline.Errorf(pipeline.EUNAVAILABLE, "The database is not answering. Please try again in a moment."), err)
	}
	return err
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// notFound returns the ENOTFOUND error for a record kind.
func notFound(what string) error {
	return pipeline.Errorf(pipeline.ENOTFOUND, "That %s does not exist or is not yours to see.", what)
}

// audit records who did what to which record.
func audit(ctx context.Context, tx pgx.Tx, a pipeline.Actor, action, entity string, id int64, before, after any) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_events (org_id, actor_id, action, entity, entity_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.OrgID, nullID(a.UserID), action, entity, id, before, after)
	if err != nil {
		return fmt.Errorf("audit %s %s %d: %w", action, entity, id, err)
	}
	return nil
}

// nullID maps the zero id to SQL NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// idOrZero maps SQL NULL to the zero id.
func idOrZero(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
