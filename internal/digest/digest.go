// Package digest composes the Monday digest: it reads each user's facts
// from the store, renders them (web/email), records them in the outbox and
// sends them, once per user and ISO week whatever retries or second
// processes happen.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"goodmoney/internal/mail"
	"goodmoney/internal/pipeline"
	"goodmoney/web/email"
)

// Mailer delivers one message; mail.SMTP is the real one.
type Mailer interface {
	Send(ctx context.Context, m *mail.Message) error
}

// Service implements pipeline.DigestService.
type Service struct {
	Store pipeline.DigestStore
	// Mailer sends; nil keeps digests in the outbox only (no SMTP_URL).
	Mailer  Mailer
	BaseURL string
	From    *netmail.Address
	Now     func() time.Time
	Logger  *slog.Logger
	// StaleClaim is how long a send may hold a row before it counts as
	// abandoned (its process died mid-send). Default 10 minutes.
	StaleClaim time.Duration

	secretMu sync.Mutex
	secret   []byte
}

var _ pipeline.DigestService = (*Service)(nil)

// DefaultFrom is the sender when MAIL_FROM is not set.
const DefaultFrom = "goodmoney <digest@localhost>"

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Build reads and renders the digests of these recipients for the weeks
// given (the current week of each when weeks is nil). Recipients of several
// orgs are read org by org, each org in one set of statements.
func (s *Service) Build(ctx context.Context, rs []pipeline.Recipient, weeks []pipeline.Week, now time.Time) ([]*pipeline.RenderedDigest, error) {
	byOrg := map[int64][]pipeline.DigestRequest{}
	var orgs []int64
	for i, r := range rs {
		w := pipeline.WeekOf(now, r.Location())
		if weeks != nil {
			w = weeks[i]
		}
		if _, ok := byOrg[r.OrgID]; !ok {
			orgs = append(orgs, r.OrgID)
		}
		byOrg[r.OrgID] = append(byOrg[r.OrgID], pipeline.DigestRequest{Recipient: r, Week: w})
	}
	secret, err := s.unsubscribeSecret(ctx)
	if err != nil {
		return nil, err
	}
	var out []*pipeline.RenderedDigest
	for _, org := range orgs {
		facts, err := s.Store.Facts(ctx, org, byOrg[org], now)
		if err != nil {
			return nil, err
		}
		for _, d := range facts {
			r, err := s.render(ctx, d, secret, now)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *Service) render(ctx context.Context, d *pipeline.Digest, secret []byte, now time.Time) (*pipeline.RenderedDigest, error) {
	v := email.NewView(d, email.Links{Base: s.BaseURL, Unsub: s.unsubscribeURL(secret, d.Recipient.UserID, now)})
	html, text, err := email.Render(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("render digest of user %d: %w", d.Recipient.UserID, err)
	}
	return &pipeline.RenderedDigest{Digest: d, Subject: v.Subject, HTML: html, Text: text}, nil
}

func (s *Service) unsubscribeURL(secret []byte, userID int64, now time.Time) string {
	return strings.TrimRight(s.BaseURL, "/") + "/unsubscribe?token=" + url.QueryEscape(signToken(secret, userID, now.Add(TokenTTL)))
}

// entry is the outbox row of a rendered digest: skipped when it has
// nothing to say.
func entry(r *pipeline.RenderedDigest, now time.Time) *pipeline.OutboxEntry {
	d := r.Digest
	status := pipeline.DigestPending
	if d.Empty() {
		status = pipeline.DigestSkipped
	}
	return &pipeline.OutboxEntry{OrgID: d.Recipient.OrgID, UserID: d.Recipient.UserID, Email: d.Recipient.Email,
		Name: d.Recipient.Name, Week: d.Week.Label, Kind: d.Kind, Status: status, Subject: r.Subject,
		HTML: r.HTML, Text: r.Text, CreatedAt: now}
}

// PrepareStats counts what Prepare did.
type PrepareStats struct {
	Due, Recorded, Skipped int
}

// Prepare builds and records, in one pass, every digest due at now that has
// no outbox row yet (the users of one org, or of all orgs when orgID is 0).
// The benchmark measures it; the per-user job does the same for one user.
func (s *Service) Prepare(ctx context.Context, orgID int64, now time.Time) (PrepareStats, error) {
	var st PrepareStats
	due, err := s.due(ctx, now)
	if err != nil {
		return st, err
	}
	var rs []pipeline.Recipient
	var weeks []pipeline.Week
	for _, d := range due {
		if orgID == 0 || d.rec.OrgID == orgID {
			rs, weeks = append(rs, d.rec), append(weeks, d.week)
		}
	}
	st.Due = len(rs)
	built, err := s.Build(ctx, rs, weeks, now)
	if err != nil {
		return st, err
	}
	entries := make([]*pipeline.OutboxEntry, len(built))
	for i, r := range built {
		entries[i] = entry(r, now)
		if entries[i].Status == pipeline.DigestSkipped {
			st.Skipped++
		}
	}
	st.Recorded, err = s.Store.Record(ctx, entries)
	return st, err
}

type dueDigest struct {
	rec  pipeline.Recipient
	week pipeline.Week
}

// due lists the users whose digest for their current week is due at now
// (Monday 07:00 local or later) and not recorded yet. Disabled and
// opted-out users are not listed.
func (s *Service) due(ctx context.Context, now time.Time) ([]dueDigest, error) {
	rs, err := s.Store.Recipients(ctx, nil)
	if err != nil {
		return nil, err
	}
	var cands []dueDigest
	var jobs []pipeline.DigestJob
	for _, r := range rs {
		w := pipeline.WeekOf(now, r.Location())
		if now.Before(w.Due()) {
			continue
		}
		cands = append(cands, dueDigest{rec: r, week: w})
		jobs = append(jobs, pipeline.DigestJob{UserID: r.UserID, OrgID: r.OrgID, Week: w.Label})
	}
	if len(cands) == 0 {
		return nil, nil
	}
	recorded, err := s.Store.Recorded(ctx, jobs)
	if err != nil {
		return nil, err
	}
	out := cands[:0]
	for i, c := range cands {
		if !recorded[jobs[i]] {
			out = append(out, c)
		}
	}
	return out, nil
}

// Due lists the digests due at now that have no outbox row yet.
func (s *Service) Due(ctx context.Context, now time.Time) ([]pipeline.DigestJob, error) {
	due, err := s.due(ctx, now)
	if err != nil {
		return nil, err
	}
	jobs := make([]pipeline.DigestJob, len(due))
	for i, d := range due {
		jobs[i] = pipeline.DigestJob{UserID: d.rec.UserID, OrgID: d.rec.OrgID, Week: d.week.Label}
	}
	return jobs, nil
}

// Preview renders the actor's digest for the current week, unrecorded.
func (s *Service) Preview(ctx context.Context, a pipeline.Actor) (*pipeline.RenderedDigest, error) {
	rs, err := s.Store.Recipients(ctx, []int64{a.UserID})
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 || rs[0].OrgID != a.OrgID {
		return nil, pipeline.Errorf(pipeline.ENOTFOUND, "That user does not exist.")
	}
	built, err := s.Build(ctx, rs, nil, s.now())
	if err != nil {
		return nil, err
	}
	return built[0], nil
}

// PreviewFor renders the current week's digest of the user with this email
// (the CLI's preview).
func (s *Service) PreviewFor(ctx context.Context, emailAddr string) (*pipeline.RenderedDigest, error) {
	r, err := s.Store.RecipientByEmail(ctx, emailAddr)
	if err != nil {
		return nil, err
	}
	built, err := s.Build(ctx, []pipeline.Recipient{*r}, nil, s.now())
	if err != nil {
		return nil, err
	}
	return built[0], nil
}

// Outbox lists the actor's org's recorded digests (admins only).
func (s *Service) Outbox(ctx context.Context, a pipeline.Actor, f pipeline.OutboxFilter) ([]*pipeline.OutboxEntry, error) {
	return s.Store.Outbox(ctx, a, f)
}

// OutboxEntry returns one recorded digest of the actor's org (admins only).
func (s *Service) OutboxEntry(ctx context.Context, a pipeline.Actor, id int64) (*pipeline.OutboxEntry, error) {
	return s.Store.OutboxEntry(ctx, a, id)
}

func (s *Service) unsubscribeSecret(ctx context.Context) ([]byte, error) {
	s.secretMu.Lock()
	defer s.secretMu.Unlock()
	if s.secret == nil {
		secret, err := s.Store.Secret(ctx, "unsubscribe")
		if err != nil {
			return nil, err
		}
		s.secret = secret
	}
	return s.secret, nil
}

// UnsubscribeEmail checks a token and returns the address it is for.
func (s *Service) UnsubscribeEmail(ctx context.Context, token string) (string, error) {
	r, err := s.tokenUser(ctx, token)
	if err != nil {
		return "", err
	}
	return r.Email, nil
}

// Unsubscribe checks the token and turns the user's digest off.
func (s *Service) Unsubscribe(ctx context.Context, token string) (string, error) {
	r, err := s.tokenUser(ctx, token)
	if err != nil {
		return "", err
	}
	if err := s.Store.SetOptOut(ctx, r.UserID, true); err != nil {
		return "", err
	}
	return r.Email, nil
}

func (s *Service) tokenUser(ctx context.Context, token string) (*pipeline.Recipient, error) {
	secret, err := s.unsubscribeSecret(ctx)
	if err != nil {
		return nil, err
	}
	id, err := verifyToken(secret, token, s.now())
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.Recipients(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		return nil, errBadToken
	}
	return &rs[0], nil
}

// Deliver builds and records the user's digest for the week when it has no
// outbox row yet, then sends it unless it was sent, skipped or failed, or
// another worker is sending it. The row is claimed before the SMTP
// conversation and marked sent right after the server accepts the message,
// so a retried job, a second process or a late dispatcher finds it taken
// or sent and sends nothing. A failed attempt leaves the row pending with
// its error (and returns the error, for the job to retry); the final one
// marks it failed.
func (s *Service) Deliver(ctx context.Context, userID int64, week string, final bool) error {
	now := s.now()
	e, err := s.Store.Entry(ctx, userID, week)
	if pipeline.ErrorCode(err) == pipeline.ENOTFOUND {
		if e, err = s.record(ctx, userID, week, now); e == nil && err == nil {
			return nil // disabled or opted out since it was enqueued
		}
	}
	if err != nil {
		return err
	}
	return s.send(ctx, e, final)
}

// record builds and records one user's digest for a week; nil when the user
// no longer wants one.
func (s *Service) record(ctx context.Context, userID int64, week string, now time.Time) (*pipeline.OutboxEntry, error) {
	rs, err := s.Store.Recipients(ctx, []int64{userID})
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 || rs[0].Disabled || rs[0].OptOut {
		return nil, nil
	}
	w, err := pipeline.ParseWeek(week, rs[0].Location())
	if err != nil {
		return nil, err
	}
	built, err := s.Build(ctx, rs, []pipeline.Week{w}, now)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.Record(ctx, []*pipeline.OutboxEntry{entry(built[0], now)}); err != nil {
		return nil, err
	}
	return s.Store.Entry(ctx, userID, week)
}

func (s *Service) send(ctx context.Context, e *pipeline.OutboxEntry, final bool) error {
	if e.Status != pipeline.DigestPending || s.Mailer == nil {
		return nil
	}
	stale := s.StaleClaim
	if stale <= 0 {
		stale = 10 * time.Minute
	}
	claimed, err := s.Store.Claim(ctx, e.ID, s.now(), stale)
	if err != nil || !claimed {
		return err
	}
	msg, err := s.message(ctx, e)
	if err == nil {
		err = s.Mailer.Send(ctx, msg)
	}
	if err != nil {
		if ferr := s.Store.Failed(context.WithoutCancel(ctx), e.ID, err.Error(), final, s.now()); ferr != nil {
			return errors.Join(err, ferr)
		}
		return fmt.Errorf("digest %d of user %d: %w", e.ID, e.UserID, err)
	}
	return s.Store.Sent(context.WithoutCancel(ctx), e.ID, msg.MessageID, s.now())
}

func (s *Service) message(ctx context.Context, e *pipeline.OutboxEntry) (*mail.Message, error) {
	from := s.From
	if from == nil {
		from, _ = netmail.ParseAddress(DefaultFrom)
	}
	secret, err := s.unsubscribeSecret(ctx)
	if err != nil {
		return nil, err
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	return &mail.Message{
		From:    from,
		To:      &netmail.Address{Name: e.Name, Address: e.Email},
		Subject: e.Subject,
		HTML:    e.HTML,
		Text:    e.Text,
		// The send time makes a forced resend a new message to the receiving end.
		MessageID: "digest." + e.Week + "." + strconv.FormatInt(e.UserID, 10) + "." +
			strconv.FormatInt(s.now().UnixMilli(), 36) + "@" + domain,
		Unsubscribe: s.unsubscribeURL(secret, e.UserID, s.now()),
	}, nil
}

// SendResult is what the CLI's send reports.
type SendResult struct {
	Entry *pipeline.OutboxEntry
	// Mailed says whether a message went out in this call.
	Mailed bool
}

// SendNow builds, records and sends one user's digest for a week (their
// current week when week is ""), as the CLI's digest send does. A week
// already recorded is sent only if still pending, unless force rebuilds
// it and sends it again. One attempt: a failure marks the row failed.
func (s *Service) SendNow(ctx context.Context, emailAddr, week string, force bool) (*SendResult, error) {
	r, err := s.Store.RecipientByEmail(ctx, emailAddr)
	if err != nil {
		return nil, err
	}
	if (r.OptOut || r.Disabled) && !force {
		return nil, pipeline.Errorf(pipeline.ECONFLICT, "%s has the digest turned off (or is disabled); add --force to send anyway.", r.Email)
	}
	now := s.now()
	w := pipeline.WeekOf(now, r.Location())
	if week != "" {
		if w, err = pipeline.ParseWeek(week, r.Location()); err != nil {
			return nil, err
		}
	}
	built, err := s.Build(ctx, []pipeline.Recipient{*r}, []pipeline.Week{w}, now)
	if err != nil {
		return nil, err
	}
	e := entry(built[0], now)
	if force {
		e.Status = pipeline.DigestPending
		err = s.Store.Replace(ctx, e)
	} else {
		_, err = s.Store.Record(ctx, []*pipeline.OutboxEntry{e})
	}
	if err != nil {
		return nil, err
	}
	if e, err = s.Store.Entry(ctx, r.UserID, w.Label); err != nil {
		return nil, err
	}
	sendErr := s.send(ctx, e, true)
	after, err := s.Store.Entry(ctx, r.UserID, w.Label)
	if err != nil {
		return nil, errors.Join(sendErr, err)
	}
	mailed := e.Status == pipeline.DigestPending && after.Status == pipeline.DigestSent
	return &SendResult{Entry: after, Mailed: mailed}, sendErr
}
