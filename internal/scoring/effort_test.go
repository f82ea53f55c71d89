package scoring

import "testing"

func TestTouchMinutes(t *testing.T) {
	n := func(v int) *int { return &v }
	for _, tc := range []struct {
		kind string
		dur  *int
		want int
	}{
		{"call", n(25), 25}, {"call", nil, 10}, {"meeting", n(60), 60}, {"meeting", nil, 45},
		{"quote", n(5), 30}, {"email", nil, 10}, {"text", nil, 3}, {"voicemail", nil, 3}, {"note", nil, 2},
	} {
		if got := TouchMinutes(tc.kind, tc.dur); got != tc.want {
			t.Errorf("TouchMinutes(%s, %v) = %d, want %d", tc.kind, tc.dur, got, tc.want)
		}
	}
}
