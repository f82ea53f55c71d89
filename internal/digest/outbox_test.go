package digest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/mail"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// recordingMailer counts what it is asked to send and fails while err is set.
type recordingMailer struct {
	sent []*mail.Message
	err  error
}

func (m *recordingMailer) Send(_ context.Context, msg *mail.Message) error {
	if m.err != nil {
		return m.err
	}
	m.sent = append(m.sent, msg)
	return nil
}

func (w *world) entry(email, week string) *pipeline.OutboxEntry {
	w.t.Helper()
	e, err := postgres.NewDigestStore(w.db).Entry(w.ctx, w.users[email], week)
	if err != nil {
		w.t.Fatal(err)
	}
	return e
}

// TestDeliver_ClaimOnce: a claimed row cannot be claimed again; a claim
// abandoned mid-send (the process died) is marked failed rather than sent
// a second time.
func TestDeliver_ClaimOnce(t *testing.T) {
	t.Parallel()
	w := teamWorld(t)
	store := postgres.NewDigestStore(w.db)
	if err := w.service(nil).Deliver(w.ctx, w.users["rita@t.example"], "2026-W49", false); err != nil {
		t.Fatal(err)
	}
	e := w.entry("rita@t.example", "2026-W49")
	if e.Status != pipeline.DigestPending || e.Attempts != 0 || !strings.Contains(e.Text, "Rita new flag") {
		t.Fatalf("recorded without SMTP: %+v", e)
	}
	first, err := store.Claim(w.ctx, e.ID, monday, 10*time.Minute)
	if err != nil || !first {
		t.Fatalf("first claim: %v %v", first, err)
	}
	second, err := store.Claim(w.ctx, e.ID, monday.Add(time.Minute), 10*time.Minute)
	if err != nil || second {
		t.Fatalf("second claim while held: %v %v, want refused", second, err)
	}
	// The holder never came back: eleven minutes on, the row is failed.
	late, err := store.Claim(w.ctx, e.ID, monday.Add(11*time.Minute), 10*time.Minute)
	if err != nil || late {
		t.Fatalf("claim of an abandoned row: %v %v, want refused", late, err)
	}
	if e := w.entry("rita@t.example", "2026-W49"); e.Status != pipeline.DigestFailed || !strings.Contains(e.LastError, "--force") {
		t.Errorf("abandoned row: %s %q, want failed with a way out", e.Status, e.LastError)
	}
}

// TestDeliver_Lifecycle: a refused attempt leaves the row pending with the
// error; the next sends; after that nothing sends again; the last attempt's
// failure is final; a week with nothing to say is skipped and never sent.
func TestDeliver_Lifecycle(t *testing.T) {
	t.Parallel()
	w := teamWorld(t)
	m := &recordingMailer{err: errors.New("451 try again later")}
	svc := w.service(m)
	rita := w.users["rita@t.example"]
	if err := svc.Deliver(w.ctx, rita, "2026-W49", false); err == nil {
		t.Fatal("a refused send returned no error: the job would not retry")
	}
	if e := w.entry("rita@t.example", "2026-W49"); e.Status != pipeline.DigestPending || e.Attempts != 1 || !strings.Contains(e.LastError, "451") {
		t.Errorf("after a refusal: %s, %d attempts, %q", e.Status, e.Attempts, e.LastError)
	}
	m.err = nil
	for range 2 {
		if err := svc.Deliver(w.ctx, rita, "2026-W49", false); err != nil {
			t.Fatal(err)
		}
	}
	e := w.entry("rita@t.example", "2026-W49")
	if len(m.sent) != 1 || e.Status != pipeline.DigestSent || e.Attempts != 2 || e.LastError != "" || e.SentAt == nil ||
		e.MessageID != m.sent[0].MessageID || m.sent[0].To.Address != "rita@t.example" ||
		!strings.HasPrefix(m.sent[0].Unsubscribe, "https://gm.example.com/unsubscribe?token=") {
		t.Errorf("after delivery and a repeat: %d sent, row %+v", len(m.sent), e)
	}

	m.err = errors.New("connection reset")
	if err := svc.Deliver(w.ctx, w.users["raj@t.example"], "2026-W49", true); err == nil {
		t.Error("the final failure returned no error")
	}
	if e := w.entry("raj@t.example", "2026-W49"); e.Status != pipeline.DigestFailed || !strings.Contains(e.LastError, "connection reset") {
		t.Errorf("after the final failure: %s %q", e.Status, e.LastError)
	}

	// A rep with nothing at all this week.
	w.user("quiet@t.example", "Quinn Quiet", "rep", "UTC", "East")
	m.err = nil
	if err := svc.Deliver(w.ctx, w.users["quiet@t.example"], "2026-W49", false); err != nil {
		t.Fatal(err)
	}
	if e := w.entry("quiet@t.example", "2026-W49"); e.Status != pipeline.DigestSkipped || len(m.sent) != 1 {
		t.Errorf("nothing to say: %s, %d sent; want skipped, nothing sent", e.Status, len(m.sent))
	}
}
