package scoring

import (
	"slices"
	"time"
)

// Touch kinds, directions and outcomes as stored.
const (
	kindCall      = "call"
	kindEmail     = "email"
	kindText      = "text"
	kindVoicemail = "voicemail"
	kindMeeting   = "meeting"
	kindQuote     = "quote"
	kindNote      = "note"

	outbound = "outbound"
	inbound  = "inbound"

	outcomeConnected   = "connected"
	outcomeReplied     = "replied"
	outcomeHeld        = "held"
	outcomeNoShow      = "no_show"
	outcomeRescheduled = "rescheduled"
	outcomeDeclined    = "declined"
)

// timeline is the deal's touches up to asOf, oldest first (ties by ID). It
// holds pointers into the caller's slice, which is never modified.
type timeline []*Touch

// newTimeline filters and orders touches into buf. Evaluate passes a stack
// array so that a deal with up to 64 touches costs no allocation here, and
// input that is already in order is not sorted again.
func newTimeline(touches []Touch, asOf time.Time, buf []*Touch) timeline {
	tl := buf
	for i := range touches {
		if !touches[i].OccurredAt.After(asOf) {
			tl = append(tl, &touches[i])
		}
	}
	if !slices.IsSortedFunc(tl, byTime) {
		slices.SortFunc(tl, byTime)
	}
	return tl
}

func byTime(a, b *Touch) int {
	if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// isContact reports whether a touch involved the prospect. Notes are the
// rep's own memos, so they count neither as effort nor as contact.
func isContact(t *Touch) bool { return t.Kind != kindNote }

// isResponse reports whether a touch shows the prospect engaging: anything
// they sent us, and our own calls, emails or meetings logged as connected,
// replied or held. Counting the latter matters: a rep who phones and gets
// through has been answered, even though no inbound touch was logged.
func isResponse(t *Touch) bool {
	if !isContact(t) {
		return false
	}
	if t.Direction == inbound {
		return true
	}
	switch t.Outcome {
	case outcomeConnected, outcomeReplied, outcomeHeld:
		return true
	}
	return false
}

// isChase reports whether a touch is the rep reaching out and waiting for an
// answer: an outbound call, email, text, voicemail, quote or meeting that did
// not itself get through.
func isChase(t *Touch) bool {
	if t.Direction != outbound || isResponse(t) {
		return false
	}
	switch t.Kind {
	case kindCall, kindEmail, kindText, kindVoicemail, kindQuote, kindMeeting:
		return true
	}
	return false
}

// answered reports whether a response landed within window after the touch
// at index i (both ends inclusive). Responses at the same instant may sort
// before i, so the search starts at the first touch of that instant.
func (tl timeline) answered(i int, window time.Duration) bool {
	at := tl[i].OccurredAt
	end := at.Add(window)
	j, _ := slices.BinarySearchFunc(tl, at, func(t *Touch, at time.Time) int { return t.OccurredAt.Compare(at) })
	for ; j < len(tl) && !tl[j].OccurredAt.After(end); j++ {
		if isResponse(tl[j]) {
			return true
		}
	}
	return false
}

// touchIDs collects the IDs of the touches in tl that match keep, sized
// exactly by a first count so that a fired signal costs one allocation.
func touchIDs(tl timeline, n int, keep func(i int, t *Touch) bool) []int64 {
	ids := make([]int64, 0, n)
	for i, t := range tl {
		if keep(i, t) {
			ids = append(ids, t.ID)
		}
	}
	return ids
}
