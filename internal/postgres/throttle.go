package postgres

import (
	"context"
	"fmt"
	"time"
)

// LoginThrottle counts failed sign-ins per key in PostgreSQL, so the limit
// holds across every serve process sharing the database.
type LoginThrottle struct {
	db     *DB
	Max    int           // failures allowed per key within Window
	Window time.Duration // how long failures are remembered
}

// NewLoginThrottle allows max failures per key within window.
func NewLoginThrottle(db *DB, max int, window time.Duration) *LoginThrottle {
	return &LoginThrottle{db: db, Max: max, Window: window}
}

// Blocked reports whether any of the keys has used up its failures, and how
// long until the oldest window ends.
func (t *LoginThrottle) Blocked(ctx context.Context, keys ...string) (bool, time.Duration, error) {
	now := t.db.Now()
	var until *time.Time
	err := t.db.Pool.QueryRow(ctx, `
		SELECT max(window_start) + $3::interval FROM login_failures
		WHERE key = ANY($1) AND failures >= $2 AND window_start > $4::timestamptz - $3::interval`,
		keys, t.Max, t.Window, now).Scan(&until)
	if err != nil {
		return false, 0, wrapConn(fmt.Errorf("login throttle: %w", err))
	}
	if until == nil {
		return false, 0, nil
	}
	return true, until.Sub(now), nil
}

// Fail records one failed sign-in against each key.
func (t *LoginThrottle) Fail(ctx context.Context, keys ...string) error {
	_, err := t.db.Pool.Exec(ctx, `
		INSERT INTO login_failures AS f (key, failures, window_start)
		SELECT k, 1, $2 FROM unnest($1::text[]) AS k
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN f.window_start > $2::timestamptz - $3::interval THEN f.failures + 1 ELSE 1 END,
			window_start = CASE WHEN f.window_start > $2::timestamptz - $3::interval THEN f.window_start ELSE $2 END`,
		keys, t.db.Now(), t.Window)
	if err != nil {
		return wrapConn(fmt.Errorf("record login failure: %w", err))
	}
	return nil
}

// Reset forgets the failures of a key after a successful sign-in.
func (t *LoginThrottle) Reset(ctx context.Context, key string) error {
	if _, err := t.db.Pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return wrapConn(fmt.Errorf("reset login failures: %w", err))
	}
	return nil
}
