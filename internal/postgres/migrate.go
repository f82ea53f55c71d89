package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"goodmoney/migrations"
)

// migrateLockID names the advisory lock that serialises migrations.
const migrateLockID = 0x676f6f646d6f6e // "goodmon"

// Migrate applies River's own migrations and then ours, both idempotent.
// An advisory lock makes processes that start at once take turns: the
// first migrates, the others find nothing left to do.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return wrapConn(fmt.Errorf("migrate: %w", err))
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockID); err != nil {
		return wrapConn(fmt.Errorf("migrate: take the lock: %w", err))
	}
	defer func() {
		// Unlocking fails only with the connection, which ends the lock too.
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockID)
	}()
	return migrate(ctx, pool)
}

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := newProvider(db)
	if err != nil {
		return fmt.Errorf("goose provider: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("goose up: %w", err)
	}
	return nil
}

// Pending reports how many of our migrations are not applied yet.
func Pending(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := newProvider(db)
	if err != nil {
		return 0, fmt.Errorf("goose provider: %w", err)
	}
	status, err := provider.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("goose status: %w", err)
	}
	n := 0
	for _, s := range status {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// Ready reports whether the database answers and every one of our
// migrations is applied: an instance whose schema is behind must not take
// traffic.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Pool.Ping(ctx); err != nil {
		return wrapConn(fmt.Errorf("ping: %w", err))
	}
	n, err := Pending(ctx, db.Pool)
	if err != nil {
		return wrapConn(err)
	}
	if n > 0 {
		return fmt.Errorf("%d migrations pending", n)
	}
	return nil
}

// UserTables counts the tables outside PostgreSQL's own schemas: zero means
// the database is empty, so a backup may be restored into it.
func UserTables(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `
		SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
		  AND n.nspname NOT LIKE 'pg\_%'`).Scan(&n)
	if err != nil {
		return 0, wrapConn(fmt.Errorf("count tables: %w", err))
	}
	return n, nil
}

// newProvider returns goose's migrator on db. Migrations are numbered per
// branch of work and land in any order, so a database may already hold a
// higher one than a newly landed file: those are applied too, instead of
// goose refusing to start.
func newProvider(db *sql.DB) (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithAllowOutofOrder(true))
}
