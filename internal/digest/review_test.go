package digest_test

import (
	"slices"
	"strings"
	"testing"
)

// TestDigest_CoachingAndTimeFreed covers what manager review adds: coaching
// notes for the rep (unacknowledged ones and last week's), the time a
// walk-away freed, and coaching among the manager's decisions.
func TestDigest_CoachingAndTimeFreed(t *testing.T) {
	t.Parallel()
	w := teamWorld(t)
	w.deal(dealSpec{title: "Raj walked away", owner: "raj@t.example", amount: 800, stage: "disqualified", changedAt: day(27)})
	w.exec(`UPDATE deals SET freed_minutes = 150, close_reasons = '{unresponsive prospect}' WHERE id = $1`, w.deals["Raj walked away"])
	note := func(title, text string, created int, acked *int) {
		var at any
		if acked != nil {
			at = day(*acked)
		}
		w.exec(`INSERT INTO coaching_notes (org_id, deal_id, author_id, rep_id, note, created_at, acknowledged_at)
			SELECT $1, d.id, $3, d.owner_id, $4, $5, $6 FROM deals d WHERE d.id = $2`,
			w.org, w.deals[title], w.users["mia@t.example"], text, day(created), at)
	}
	ack := func(d int) *int { return &d }
	note("Rita overdue", "Old advice, still open", 5, nil)
	note("Rita new flag", "Ask for the budget owner", 25, ack(26))
	note("Rita overdue", "Stale and read", 10, ack(12))
	note("Rita overdue", "Written this week", 30, nil)
	w.deal(dealSpec{title: "Raj coached", owner: "raj@t.example", amount: 500})
	coached := w.flag("Raj coached", "open", day(20), "requotes")
	w.decide(coached, "coached", "mia@t.example", day(27), "Stop re-quoting, call them")

	got := w.build("rita@t.example", "raj@t.example", "mia@t.example", "admin@t.example")
	var notes []string
	for _, n := range got["rita@t.example"].Digest.Coaching {
		notes = append(notes, n.Note)
		if n.Author != "Mia Manager" {
			t.Errorf("note %q by %q", n.Note, n.Author)
		}
	}
	if want := []string{"Old advice, still open", "Ask for the budget owner"}; !slices.Equal(notes, want) {
		t.Errorf("rita's coaching notes: %q, want %q", notes, want)
	}
	raj := got["raj@t.example"]
	if raj.Digest.FreedMinutes != 150 || !strings.Contains(raj.Text, "freed 2.5 hours") || !strings.Contains(raj.Text, "freed about 2.5 hours") {
		t.Errorf("raj freed %d minutes:\n%s", raj.Digest.FreedMinutes, raj.Text)
	}
	mia := got["mia@t.example"]
	if mia.Digest.Team.FreedMinutes != 150 || !strings.Contains(mia.Text, "Disqualified deals freed about 2.5 hours") {
		t.Errorf("mia: freed %d minutes:\n%s", mia.Digest.Team.FreedMinutes, mia.Text)
	}
	if got["admin@t.example"].Digest.Team.FreedMinutes != 150 {
		t.Errorf("admin: freed %d minutes", got["admin@t.example"].Digest.Team.FreedMinutes)
	}
	if !strings.Contains(mia.Text, "Coached by Mia Manager") || !strings.Contains(mia.Text, "Stop re-quoting, call them") {
		t.Errorf("mia's decisions lack the coaching:\n%s", mia.Text)
	}
	if !strings.Contains(got["rita@t.example"].Text, "COACHING NOTES") {
		t.Errorf("rita's text lacks the coaching section")
	}
}
