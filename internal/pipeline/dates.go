package pipeline

import (
	"errors"
	"strings"
	"time"
)

// Date input errors, worded for the user.
var (
	ErrDate     = errors.New("Enter a date like 2026-12-31.")
	ErrDateTime = errors.New("Enter a date and time like 2026-11-23 14:30.")
)

// ParseDate reads a calendar date as a browser's date input sends it
// (yyyy-mm-dd) and returns midnight UTC of that date.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, ErrDate
	}
	return t, nil
}

// dateTimeLayouts are what datetime-local inputs send (with and without
// seconds), what people type, and a bare date meaning its midnight.
var dateTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", time.DateOnly}

// ParseDateTime reads a local date and time in loc, as a datetime-local
// input sends it. A wall time skipped by a DST change is read with the new
// offset (02:30 on a spring-forward night is 01:30 standard time), as time.Date does.
func ParseDateTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, ErrDateTime
			}
			return t, nil
		}
	}
	return time.Time{}, ErrDateTime
}

// DateInput formats a date for a date input; the inverse of ParseDate.
func DateInput(t time.Time) string { return t.Format(time.DateOnly) }

// DateTimeInput formats an instant for a datetime-local input in loc; the
// inverse of ParseDateTime to the minute.
func DateTimeInput(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02T15:04")
}
