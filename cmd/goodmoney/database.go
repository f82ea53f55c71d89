package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pglocal"
)

// database is an open pool and, when the private cluster is used, the
// cluster to stop on exit.
type database struct {
	Pool *pgxpool.Pool
	// ConnString is what Pool connected with, for pg_dump and pg_restore.
	ConnString string
	cluster    *pglocal.Cluster
}

// openDatabase connects to DATABASE_URL, or else starts (or attaches to) the
// private PostgreSQL cluster in DATA_DIR.
func openDatabase(ctx context.Context, cfg config, logger *slog.Logger, maxConns int32) (*database, error) {
	d := &database{}
	connString := cfg.DatabaseURL
	if connString == "" {
		dir, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		d.cluster, err = pglocal.Start(ctx, pglocal.Options{DataDir: dir, Logger: logger})
		if err != nil {
			return nil, err
		}
		if err := d.cluster.EnsureDatabase(ctx, "goodmoney"); err != nil {
			d.Close()
			return nil, err
		}
		connString = d.cluster.ConnString("goodmoney")
		if d.cluster.Owned() {
			logger.Info("started private PostgreSQL", "dir", dir)
		} else {
			logger.Info("using the running private PostgreSQL", "dir", dir)
		}
	}
	d.ConnString = connString
	pcfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 {
		pcfg.MaxConns = maxConns
	}
	d.Pool, err = pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := d.Pool.Ping(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	return d, nil
}

// Close closes the pool and stops the cluster if this process started it.
func (d *database) Close() {
	if d.Pool != nil {
		d.Pool.Close()
	}
	if d.cluster != nil {
		if err := d.cluster.Stop(); err != nil {
			slog.Error("stop PostgreSQL", "err", err)
		}
	}
}

// supervise restarts the private cluster if it exits while serving; after
// maxDown of failed restarts it calls giveUp, so serve exits non-zero and
// its own supervisor starts it afresh. A DATABASE_URL or a cluster owned by
// another process is not ours to supervise.
func (d *database) supervise(maxDown time.Duration, giveUp func(error)) {
	if d.cluster != nil {
		d.cluster.Supervise(pglocal.Supervision{MaxDown: maxDown, GiveUp: giveUp})
	}
}

// health describes the private cluster for /healthz ("" without one).
func (d *database) health() string {
	if d.cluster == nil || !d.cluster.Owned() {
		return ""
	}
	return d.cluster.Health().String()
}
