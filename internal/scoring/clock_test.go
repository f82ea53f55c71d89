package scoring

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestClockIn: clockIn reads the weekday and hour that time.In gives, on
// both sides of daylight-saving changes, in zones ahead of and behind UTC
// and with half-hour offsets, before 1970 too.
func TestClockIn(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Adelaide", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(1965, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		span := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - start
		for range 20000 {
			at := time.Unix(start+rng.Int64N(span), 0)
			local := at.In(loc)
			if got := clockIn(at, loc); got.weekday != local.Weekday() || got.hour != local.Hour() {
				t.Fatalf("%s at %v: %v %d, want %v %d", name, at, got.weekday, got.hour, local.Weekday(), local.Hour())
			}
		}
	}
}
