package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"goodmoney/internal/pgdump"
	"goodmoney/internal/postgres"
)

// runBackup writes the app's database (DATABASE_URL, or the private
// cluster in DATA_DIR) to a file in pg_dump's custom format.
func runBackup(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: goodmoney backup FILE")
	}
	d, err := openDatabase(ctx, cfg, logger, 2)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := pgdump.Dump(ctx, d.ConnString, args[0]); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Printf("backed up to %s (restore with: goodmoney restore %s)\n", args[0], args[0])
	return nil
}

// runRestore loads a backup into the app's database, which must be empty:
// restoring over live data would mix two histories.
func runRestore(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: goodmoney restore FILE")
	}
	d, err := openDatabase(ctx, cfg, logger, 2)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := postgres.UserTables(ctx, d.Pool)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("restore: the database is not empty (%d tables): restore into an empty one, "+
			"a new DATA_DIR or a DATABASE_URL of a freshly created database", n)
	}
	if err := pgdump.Restore(ctx, d.ConnString, args[0]); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Printf("restored %s; serve applies any newer migrations on start\n", args[0])
	return nil
}
