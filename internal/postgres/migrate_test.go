package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/postgres"
	"goodmoney/migrations"
)

// TestMigrations_DownAndUp rolls every migration back on a migrated database
// and applies them again: each Down undoes its Up.
func TestMigrations_DownAndUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	var tables int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('deals', 'users', 'orgs')`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("after down: %d of our tables left (%v)", tables, err)
	}
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("up again: %v", err)
	}
	status, err := provider.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if s.State != goose.StateApplied {
			t.Errorf("after up: migration %d is %s", s.Source.Version, s.State)
		}
	}
}

// Processes that start at once on an empty database all migrate it
// without error: they take turns.
func TestMigrate_Concurrent(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewEmptyDBURL(t)
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			pool, err := pgxpool.New(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer pool.Close()
			errs <- postgres.Migrate(ctx, pool)
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent migrate: %v", err)
		}
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n, err := postgres.Pending(ctx, pool); err != nil || n != 0 {
		t.Errorf("pending after concurrent migrations: %d %v", n, err)
	}
}

// A migration that lands after a higher-numbered one was applied (branches
// land in any order) is applied on the next start, not refused.
func TestMigrate_OutOfOrder(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.ApplyVersion(ctx, 11, false); err != nil {
		t.Fatalf("roll back 00011 alone: %v", err)
	}
	if n, err := postgres.Pending(ctx, pool); err != nil || n != 1 {
		t.Fatalf("pending with 00011 rolled back under 00012: %d %v", n, err)
	}
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate with a lower migration missing: %v", err)
	}
	if n, err := postgres.Pending(ctx, pool); err != nil || n != 0 {
		t.Errorf("pending after migrate: %d %v", n, err)
	}
}
