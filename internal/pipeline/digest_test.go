package pipeline

import (
	"testing"
	"time"
)

func TestWeekOf(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	la, _ := time.LoadLocation("America/Los_Angeles")
	cases := []struct {
		at     time.Time
		loc    *time.Location
		label  string
		monday string // local date
		due    time.Time
	}{
		// Sunday 22:00 UTC is already Monday 07:00 in Tokyo.
		{time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC), tokyo, "2026-W49", "2026-11-30", time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)},
		// …and still Sunday in Los Angeles: the week before.
		{time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC), la, "2026-W48", "2026-11-23", time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), la, "2026-W49", "2026-11-30", time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)},
		// ISO weeks across the new year: 1 Jan 2027 is a Friday of 2026-W53.
		{time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), time.UTC, "2026-W53", "2026-12-28", time.Date(2026, 12, 28, 7, 0, 0, 0, time.UTC)},
		{time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), time.UTC, "2027-W01", "2027-01-04", time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)},
		// The Monday after the US DST change: 07:00 PST is 15:00 UTC.
		{time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC), la, "2026-W45", "2026-11-02", time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		w := WeekOf(c.at, c.loc)
		if w.Label != c.label || w.Monday.Format(time.DateOnly) != c.monday || !w.Due().Equal(c.due) {
			t.Errorf("WeekOf(%s, %s) = %s %s due %s; want %s %s due %s", c.at, c.loc, w.Label, w.Monday, w.Due().UTC(), c.label, c.monday, c.due)
		}
		back, err := ParseWeek(c.label, c.loc)
		if err != nil || !back.Monday.Equal(w.Monday) {
			t.Errorf("ParseWeek(%s) = %v, %v; want Monday %s", c.label, back.Monday, err, w.Monday)
		}
	}
	// The reported week spans the DST change: 169 hours in Los Angeles.
	from, to := WeekOf(time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC), la).Report()
	if h := to.Sub(from).Hours(); h != 169 {
		t.Errorf("report of 2026-W45 in Los Angeles: %v hours, want 169", h)
	}
}

func TestParseWeek_Refuses(t *testing.T) {
	for _, s := range []string{"", "2026-48", "2026-W00", "2026-W54", "2025-W53", "2026-W4", "2026-W489", "x026-W10"} {
		if _, err := ParseWeek(s, time.UTC); ErrorCode(err) != EINVALID {
			t.Errorf("ParseWeek(%q): %v, want EINVALID", s, err)
		}
	}
}
