package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"goodmoney/internal/pipeline"
)

// LoginLimits are the sign-in limits. Every attempt counts, reserved before
// the password is checked; a successful sign-in forgets the attempts of its
// email and gives its address the attempt back.
type LoginLimits struct {
	Window time.Duration // how long attempts are remembered
	// PairMax attempts per (email, client address): past it that address
	// may not try that email until the window ends (a hard limit that only
	// the guesser suffers).
	PairMax int
	// AddrMax attempts per client address, on any emails (offices share one
	// address, so it is larger).
	AddrMax int
	// EmailFree attempts per email from anywhere before each further one
	// waits: 1 s, doubling up to EmailMaxDelay. A stranger can slow an
	// account down this way but never lock it.
	EmailFree     int
	EmailMaxDelay time.Duration
}

// DefaultLoginLimits: 5 per (email, address) and 50 per address in 15
// minutes; per email a delay after 5, growing to 30 s.
var DefaultLoginLimits = LoginLimits{Window: 15 * time.Minute, PairMax: 5, AddrMax: 50, EmailFree: 5, EmailMaxDelay: 30 * time.Second}

// LoginThrottle counts sign-in attempts in PostgreSQL, so the limits hold
// across every serve process sharing the database and under any number of
// parallel requests.
type LoginThrottle struct {
	db     *DB
	limits LoginLimits
}

// NewLoginThrottle returns a throttle with the given limits.
func NewLoginThrottle(db *DB, limits LoginLimits) *LoginThrottle {
	return &LoginThrottle{db: db, limits: limits}
}

// throttleKeys are the counters of one attempt. The email is hashed: the
// table then holds no addresses of people, and a megabyte of "email" is a
// short key.
func throttleKeys(email, addr string) (pair, address, mail string) {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	e := hex.EncodeToString(sum[:16])
	return "pair:" + e + "|" + addr, "ip:" + addr, "email:" + e
}

// Reserve counts one attempt against the email, the address and the pair in
// a single statement and decides from the counts it returns: each parallel
// attempt gets its own count from the row locks, so no two can both be the
// last one allowed.
func (t *LoginThrottle) Reserve(ctx context.Context, email, addr string) (pipeline.SignInDecision, error) {
	pair, address, mail := throttleKeys(email, addr)
	now := t.db.Now()
	rows, err := t.db.Pool.Query(ctx, `
		INSERT INTO login_failures AS f (key, failures, window_start)
		SELECT k, 1, $2 FROM unnest($1::text[]) AS k
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN f.window_start > $2::timestamptz - $3::interval THEN f.failures + 1 ELSE 1 END,
			window_start = CASE WHEN f.window_start > $2::timestamptz - $3::interval THEN f.window_start ELSE $2 END
		RETURNING key, failures, window_start`,
		[]string{pair, address, mail}, now, t.limits.Window)
	if err != nil {
		return pipeline.SignInDecision{}, wrapConn(fmt.Errorf("reserve sign-in attempt: %w", err))
	}
	counts := map[string]int{}
	starts := map[string]time.Time{}
	for rows.Next() {
		var key string
		var n int
		var start time.Time
		if err := rows.Scan(&key, &n, &start); err != nil {
			rows.Close()
			return pipeline.SignInDecision{}, fmt.Errorf("reserve sign-in attempt: %w", err)
		}
		counts[key], starts[key] = n, start
	}
	if err := rows.Err(); err != nil {
		return pipeline.SignInDecision{}, wrapConn(fmt.Errorf("reserve sign-in attempt: %w", err))
	}
	return t.limits.decide(counts[pair], counts[address], counts[mail], starts[pair], starts[address], now), nil
}

// decide turns the counts of one attempt into the decision.
func (l LoginLimits) decide(pair, address, mail int, pairStart, addrStart, now time.Time) pipeline.SignInDecision {
	switch {
	case pair > l.PairMax:
		return pipeline.SignInDecision{RetryAfter: pairStart.Add(l.Window).Sub(now)}
	case address > l.AddrMax:
		return pipeline.SignInDecision{RetryAfter: addrStart.Add(l.Window).Sub(now)}
	}
	return pipeline.SignInDecision{Allowed: true, Delay: l.emailDelay(mail)}
}

// emailDelay is the wait before checking the n-th attempt on one email.
func (l LoginLimits) emailDelay(n int) time.Duration {
	over := n - l.EmailFree
	if over <= 0 {
		return 0
	}
	return min(time.Second<<min(over-1, 16), l.EmailMaxDelay)
}

// Succeeded forgets the attempts on the email (from everywhere) and on the
// pair, and gives the address back the attempt that succeeded.
func (t *LoginThrottle) Succeeded(ctx context.Context, email, addr string) error {
	pair, address, mail := throttleKeys(email, addr)
	_, err := t.db.Pool.Exec(ctx, `
		WITH gone AS (DELETE FROM login_failures WHERE key = ANY($1))
		UPDATE login_failures SET failures = failures - 1 WHERE key = $2 AND failures > 0`,
		[]string{pair, mail}, address)
	if err != nil {
		return wrapConn(fmt.Errorf("sign-in succeeded: %w", err))
	}
	return nil
}
