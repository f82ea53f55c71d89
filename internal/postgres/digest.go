package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// DigestStore implements pipeline.DigestStore.
type DigestStore struct {
	db *DB
}

// NewDigestStore returns a DigestStore on db.
func NewDigestStore(db *DB) *DigestStore { return &DigestStore{db: db} }

var _ pipeline.DigestStore = (*DigestStore)(nil)

const recipientColumns = `u.id, u.org_id, u.email, u.name, u.role, u.timezone, o.timezone,
	u.digest_opt_out, u.disabled, o.currency`

func scanRecipient(row pgx.Row) (pipeline.Recipient, error) {
	var r pipeline.Recipient
	var orgTZ string
	err := row.Scan(&r.UserID, &r.OrgID, &r.Email, &r.Name, &r.Role, &r.Timezone, &orgTZ, &r.OptOut, &r.Disabled, &r.Currency)
	if _, lerr := pipeline.LoadLocation(r.Timezone); lerr != nil {
		r.Timezone = orgTZ
	}
	return r, err
}

// Recipients returns the users with these ids, or every enabled user who
// has not opted out when ids is nil.
func (s *DigestStore) Recipients(ctx context.Context, ids []int64) ([]pipeline.Recipient, error) {
	sql := `SELECT ` + recipientColumns + ` FROM users u JOIN orgs o ON o.id = u.org_id `
	var qa []any
	if ids == nil {
		sql += `WHERE NOT u.disabled AND NOT u.digest_opt_out ORDER BY u.id`
	} else {
		sql += `WHERE u.id = ANY($1) ORDER BY u.id`
		qa = append(qa, ids)
	}
	rows, err := s.db.Pool.Query(ctx, sql, qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("digest recipients: %w", err))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pipeline.Recipient, error) { return scanRecipient(r) })
	if err != nil {
		return nil, wrapConn(fmt.Errorf("digest recipients: %w", err))
	}
	return list, nil
}

// RecipientByEmail returns the user with this email, or ENOTFOUND.
func (s *DigestStore) RecipientByEmail(ctx context.Context, email string) (*pipeline.Recipient, error) {
	r, err := scanRecipient(s.db.Pool.QueryRow(ctx, `SELECT `+recipientColumns+`
		FROM users u JOIN orgs o ON o.id = u.org_id WHERE lower(u.email) = lower($1)`, strings.TrimSpace(email)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("digest recipient %q: %w", email, err))
	}
	return &r, nil
}

// Recorded returns which of these (user, week) pairs have an outbox row.
func (s *DigestStore) Recorded(ctx context.Context, jobs []pipeline.DigestJob) (map[pipeline.DigestJob]bool, error) {
	users := make([]int64, len(jobs))
	weeks := make([]string, len(jobs))
	for i, j := range jobs {
		users[i], weeks[i] = j.UserID, j.Week
	}
	rows, err := s.db.Pool.Query(ctx, `
		SELECT g.org_id, g.user_id, g.iso_week FROM digests g
		JOIN unnest($1::bigint[], $2::text[]) AS j(user_id, week) ON g.user_id = j.user_id AND g.iso_week = j.week`, users, weeks)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("recorded digests: %w", err))
	}
	found := map[pipeline.DigestJob]bool{}
	var j pipeline.DigestJob
	_, err = pgx.ForEachRow(rows, []any{&j.OrgID, &j.UserID, &j.Week}, func() error {
		found[j] = true
		return nil
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("recorded digests: %w", err))
	}
	return found, nil
}

// Record inserts outbox rows and leaves rows that exist alone: whoever
// recorded a week first decides what it says.
func (s *DigestStore) Record(ctx context.Context, entries []*pipeline.OutboxEntry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	n := len(entries)
	org, user := make([]int64, n), make([]int64, n)
	week, kind, status, subject, html, text := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n)
	created := make([]time.Time, n)
	for i, e := range entries {
		org[i], user[i], week[i], kind[i], status[i] = e.OrgID, e.UserID, e.Week, e.Kind, e.Status
		subject[i], html[i], text[i], created[i] = e.Subject, e.HTML, e.Text, e.CreatedAt
	}
	tag, err := s.db.Pool.Exec(ctx, `
		INSERT INTO digests (org_id, user_id, iso_week, kind, status, subject, html, body_text, created_at, updated_at)
		SELECT r.org_id, r.user_id, r.week, r.kind, r.status, r.subject, r.html, r.body, r.created, r.created
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
			AS r(org_id, user_id, week, kind, status, subject, html, body, created)
		ON CONFLICT (org_id, user_id, iso_week, kind) DO NOTHING`,
		org, user, week, kind, status, subject, html, text, created)
	if err != nil {
		return 0, wrapConn(fmt.Errorf("record digests: %w", err))
	}
	return int(tag.RowsAffected()), nil
}

// Replace writes a freshly built digest over the week's row (a forced
// resend): pending again, attempts and error cleared. A row that a worker
// is sending right now is left alone and ECONFLICT returned.
func (s *DigestStore) Replace(ctx context.Context, e *pipeline.OutboxEntry) error {
	tag, err := s.db.Pool.Exec(ctx, `
		INSERT INTO digests (org_id, user_id, iso_week, kind, status, subject, html, body_text, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
		ON CONFLICT (org_id, user_id, iso_week, kind) DO UPDATE SET status = excluded.status, subject = excluded.subject,
			html = excluded.html, body_text = excluded.body_text, attempts = 0, last_error = '', message_id = '',
			sent_at = NULL, updated_at = excluded.updated_at
		WHERE digests.sending_since IS NULL`,
		e.OrgID, e.UserID, e.Week, e.Kind, e.Status, e.Subject, e.HTML, e.Text, e.CreatedAt)
	if err != nil {
		return wrapConn(fmt.Errorf("replace digest: %w", err))
	}
	if tag.RowsAffected() == 0 {
		return pipeline.Errorf(pipeline.ECONFLICT, "That digest is being sent right now.")
	}
	return nil
}

const outboxColumns = `g.id, g.org_id, g.user_id, u.email, u.name, g.iso_week, g.kind, g.status, g.subject,
	g.html, g.body_text, g.attempts, g.last_error, g.message_id, g.created_at, g.sent_at`

func scanOutbox(row pgx.Row) (*pipeline.OutboxEntry, error) {
	var e pipeline.OutboxEntry
	err := row.Scan(&e.ID, &e.OrgID, &e.UserID, &e.Email, &e.Name, &e.Week, &e.Kind, &e.Status, &e.Subject,
		&e.HTML, &e.Text, &e.Attempts, &e.LastError, &e.MessageID, &e.CreatedAt, &e.SentAt)
	return &e, err
}

// Entry returns the outbox row of a user's week (any kind), or ENOTFOUND.
func (s *DigestStore) Entry(ctx context.Context, userID int64, week string) (*pipeline.OutboxEntry, error) {
	e, err := scanOutbox(s.db.Pool.QueryRow(ctx, `SELECT `+outboxColumns+`
		FROM digests g JOIN users u ON u.org_id = g.org_id AND u.id = g.user_id
		WHERE g.user_id = $1 AND g.iso_week = $2 ORDER BY g.id LIMIT 1`, userID, week))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("digest")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("digest of user %d for %s: %w", userID, week, err))
	}
	return e, nil
}

// abandonedNote is the error left on a row whose sender vanished mid-send.
const abandonedNote = "An earlier attempt stopped while talking to the mail server, so the digest may or may not " +
	"have arrived; it is not sent again on its own. Resend it with: goodmoney digest send --force."

// Claim marks a pending row as being sent by this worker. It returns false
// when the row is not pending or another worker holds it; a claim older
// than stale was abandoned by a process that died mid-send, and the row is
// marked failed rather than risking a second copy.
func (s *DigestStore) Claim(ctx context.Context, id int64, now time.Time, stale time.Duration) (bool, error) {
	var claimed bool
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE digests SET status = 'failed', sending_since = NULL, last_error = $3, updated_at = $2
			WHERE id = $1 AND status = 'pending' AND sending_since < $2::timestamptz - $4::interval`,
			id, now, abandonedNote, stale); err != nil {
			return fmt.Errorf("release abandoned digest %d: %w", id, err)
		}
		tag, err := tx.Exec(ctx, `
			UPDATE digests SET sending_since = $2, attempts = attempts + 1, updated_at = $2
			WHERE id = $1 AND status = 'pending' AND sending_since IS NULL`, id, now)
		if err != nil {
			return fmt.Errorf("claim digest %d: %w", id, err)
		}
		claimed = tag.RowsAffected() == 1
		return nil
	})
	return claimed, wrapConn(err)
}

// Sent records a delivery and releases the claim.
func (s *DigestStore) Sent(ctx context.Context, id int64, messageID string, at time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `
		UPDATE digests SET status = 'sent', sent_at = $3, message_id = $2, last_error = '',
			sending_since = NULL, updated_at = $3
		WHERE id = $1`, id, messageID, at)
	if err != nil {
		return wrapConn(fmt.Errorf("digest %d sent: %w", id, err))
	}
	return nil
}

// Failed records an attempt's error and releases the claim; final marks the
// row failed, otherwise it stays pending for the next attempt.
func (s *DigestStore) Failed(ctx context.Context, id int64, msg string, final bool, at time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `
		UPDATE digests SET last_error = $2, sending_since = NULL, updated_at = $4,
			status = CASE WHEN $3 THEN 'failed' ELSE status END
		WHERE id = $1`, id, msg, final, at)
	if err != nil {
		return wrapConn(fmt.Errorf("digest %d failed: %w", id, err))
	}
	return nil
}

// Outbox lists an org's recorded digests, newest first, for an admin.
func (s *DigestStore) Outbox(ctx context.Context, a pipeline.Actor, f pipeline.OutboxFilter) ([]*pipeline.OutboxEntry, error) {
	if !a.IsAdmin() {
		return nil, notFound("digest")
	}
	var qa args
	sql := `SELECT ` + outboxColumns + ` FROM digests g JOIN users u ON u.org_id = g.org_id AND u.id = g.user_id
		WHERE g.org_id = ` + qa.add(a.OrgID)
	if f.Week != "" {
		sql += ` AND g.iso_week = ` + qa.add(f.Week)
	}
	if f.Status != "" {
		sql += ` AND g.status = ` + qa.add(f.Status)
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	sql += ` ORDER BY g.iso_week DESC, g.id DESC LIMIT ` + qa.add(f.Limit)
	rows, err := s.db.Pool.Query(ctx, sql, qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("outbox: %w", err))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.OutboxEntry, error) { return scanOutbox(r) })
	if err != nil {
		return nil, wrapConn(fmt.Errorf("outbox: %w", err))
	}
	return list, nil
}

// OutboxEntry returns one of the org's recorded digests, for an admin.
func (s *DigestStore) OutboxEntry(ctx context.Context, a pipeline.Actor, id int64) (*pipeline.OutboxEntry, error) {
	if !a.IsAdmin() {
		return nil, notFound("digest")
	}
	e, err := scanOutbox(s.db.Pool.QueryRow(ctx, `SELECT `+outboxColumns+`
		FROM digests g JOIN users u ON u.org_id = g.org_id AND u.id = g.user_id WHERE g.id = $1 AND g.org_id = $2`, id, a.OrgID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("digest")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("outbox entry %d: %w", id, err))
	}
	return e, nil
}

// SetOptOut turns a user's digest off (or on).
func (s *DigestStore) SetOptOut(ctx context.Context, userID int64, optOut bool) error {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE users SET digest_opt_out = $2 WHERE id = $1`, userID, optOut)
	if err != nil {
		return wrapConn(fmt.Errorf("digest opt-out of user %d: %w", userID, err))
	}
	if tag.RowsAffected() == 0 {
		return notFound("user")
	}
	return nil
}

// Secret returns the named server secret, creating 32 random bytes the
// first time it is asked for; every process on the database shares it.
func (s *DigestStore) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var v []byte
	var err error
	// Twice: a process creating it at the same moment commits after this
	// statement's snapshot, and the second try sees its value.
	for range 2 {
		err = s.db.Pool.QueryRow(ctx, `
			WITH ins AS (
				INSERT INTO app_secrets (name, value) VALUES ($1, $2)
				ON CONFLICT (name) DO NOTHING RETURNING value)
			SELECT value FROM ins UNION ALL SELECT value FROM app_secrets WHERE name = $1 LIMIT 1`, name, fresh).Scan(&v)
		if !errors.Is(err, pgx.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return nil, wrapConn(fmt.Errorf("secret %s: %w", name, err))
	}
	return v, nil
}
