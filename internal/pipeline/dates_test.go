package pipeline

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  bool
	}{
		{"2026-12-31", "2026-12-31", false},
		{" 2026-02-28 ", "2026-02-28", false},
		{"2024-02-29", "2024-02-29", false},
		{"2026-02-29", "", true},
		{"31/12/2026", "", true},
		{"2026-13-01", "", true},
		{"", "", true},
		{"0001-01-01", "", true},
		{"9999-01-01", "", true},
	} {
		got, err := ParseDate(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("ParseDate(%q) error = %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && (DateInput(got) != tc.want || got.Location() != time.UTC || got.Hour() != 0) {
			t.Errorf("ParseDate(%q) = %v, want %s at midnight UTC", tc.in, got, tc.want)
		}
	}
}

func TestParseDateTime(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC
		err  bool
	}{
		{"2026-11-23T14:30", "2026-11-23T19:30:00Z", false},
		{"2026-11-23T14:30:15", "2026-11-23T19:30:15Z", false},
		{"2026-11-23 14:30", "2026-11-23T19:30:00Z", false},
		{"2026-07-01T09:00", "2026-07-01T13:00:00Z", false}, // summer time: UTC-4
		{"2026-11-23", "2026-11-23T05:00:00Z", false},
		{"2026-03-08T02:30", "2026-03-08T06:30:00Z", false}, // skipped by DST: read with the summer offset
		{"23/11/2026 14:30", "", true},
		{"2026-11-23T25:00", "", true},
		{"", "", true},
	} {
		got, err := ParseDateTime(tc.in, ny)
		if (err != nil) != tc.err {
			t.Errorf("ParseDateTime(%q) error = %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && got.UTC().Format(time.RFC3339) != tc.want {
			t.Errorf("ParseDateTime(%q) = %s, want %s", tc.in, got.UTC().Format(time.RFC3339), tc.want)
		}
	}
}

// FuzzParseDates checks that the parsers never panic and that whatever they
// accept formats back to an input they read as the same value.
func FuzzParseDates(f *testing.F) {
	for _, s := range []string{"2026-12-31", "2026-11-23T14:30", "2026-03-08T02:30", "x", "", "2026-02-30"} {
		f.Add(s)
	}
	ny, _ := time.LoadLocation("America/New_York")
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDate(s); err == nil {
			again, err := ParseDate(DateInput(d))
			if err != nil || !again.Equal(d) {
				t.Fatalf("date %q → %v → %q → %v (%v)", s, d, DateInput(d), again, err)
			}
		}
		if dt, err := ParseDateTime(s, ny); err == nil {
			text := DateTimeInput(dt, ny)
			again, err := ParseDateTime(text, ny)
			if err != nil || !again.Equal(dt.Truncate(time.Minute)) {
				t.Fatalf("datetime %q → %v → %q → %v (%v)", s, dt, text, again, err)
			}
		}
	})
}
