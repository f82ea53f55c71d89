package scoring

import (
	"math"
	"time"
)

// unresponsive measures a prospect who does not answer, in two ways, and
// takes the stronger.
//
// The streak: walking back from the latest chase (see isChase), count chases
// until one was answered, that is until a response (see isResponse) landed
// within ReplyWindowDays after it, both ends inclusive, or until an outbound
// touch got through by itself (a connected call, a meeting held). It scores
// 0.5 at UnresponsiveFrom (3) and 1 at UnresponsiveFull (5).
//
//   - A reply later than the window neither answers the chase nor ends the
//     streak: a prospect who answers a week late, every time, is exactly the
//     prospect this signal is about. The price is that such a streak stays
//     on the card until a later chase is answered in time, which is also when
//     a slow prospect has truly come back.
//   - A chase whose window is still open at asOf, with no answer yet, is
//     pending: it neither counts nor ends the streak, so the third email does
//     not flag the deal before the prospect has had the same window to answer
//     it as the first two.
//
// The silence: if the rep has chased since the last response, the whole days
// from that response to asOf (from the first chase when there never was a
// response) score 0.5 at SilenceDays (14), rising to 1 at SilenceFullDays
// (28). It catches slow chasing, one email a week for a month, that the
// streak needs many touches to see. Time passing raises it, which is why open
// deals are rescored periodically.
//
// Neither measure can fall when another unanswered chase is added; the fuzz
// test holds the function to that.
func unresponsive(tl timeline, r Rules, st style) finding {
	window := days(r.ReplyWindowDays)
	s := chaseStreak(tl, window, st.asOf)
	q := sinceLastResponse(tl)

	streakSev := countRamp(s.count, r.UnresponsiveFrom, r.UnresponsiveFull)
	silenceSev, silent := 0.0, 0
	if q.chases > 0 {
		silent = int(math.Floor(st.asOf.Sub(q.since).Hours() / 24))
		silenceSev = countRamp(silent, r.SilenceDays, r.SilenceFullDays)
	}
	if streakSev == 0 && silenceSev == 0 {
		return finding{}
	}

	cited := func(i int, t *Touch) bool {
		inStreak := streakSev > 0 && i >= s.first && !pending(t, window, st.asOf)
		inSilence := silenceSev > 0 && i > q.last
		return isChase(t) && (inStreak || inSilence)
	}
	n := 0
	for i, t := range tl {
		if cited(i, t) {
			n++
		}
	}
	evidence := ""
	if streakSev > 0 {
		evidence = itoa(s.count) + " outbound touches in a row since " + st.date(tl[s.first].OccurredAt) +
			" got no reply within " + plural(r.ReplyWindowDays, "day", "days")
	}
	if silenceSev > 0 {
		evidence = joinClauses(evidence, silenceEvidence(q, silent, st))
	}
	return finding{
		severity: max(streakSev, silenceSev),
		evidence: evidence,
		touchIDs: touchIDs(tl, n, cited),
	}
}

// silenceEvidence writes the silence clause of unresponsive's evidence.
func silenceEvidence(q quiet, silent int, st style) string {
	if q.last < 0 {
		return "no reply at all in " + itoa(silent) + " days since the first outbound touch on " + st.date(q.since)
	}
	return "no reply for " + itoa(silent) + " days since " + st.date(q.since) + " while " +
		plural(q.chases, "outbound touch", "outbound touches") + " went out"
}

// streak is the run of unanswered chases at the end of the timeline.
type streak struct {
	count int
	first int // index of its earliest chase; valid when count > 0
}

func chaseStreak(tl timeline, window time.Duration, asOf time.Time) streak {
	s := streak{first: -1}
	for i := len(tl) - 1; i >= 0; i-- {
		t := tl[i]
		if t.Direction == outbound && isResponse(t) {
			break // a call that got through or a meeting held: answered at once
		}
		if !isChase(t) {
			continue
		}
		if tl.answered(i, window) {
			break
		}
		if pending(t, window, asOf) {
			continue
		}
		s.count++
		s.first = i
	}
	return s
}

// pending reports whether the prospect still had time to answer t at asOf.
func pending(t *Touch, window time.Duration, asOf time.Time) bool {
	return asOf.Before(t.OccurredAt.Add(window))
}

// quiet describes the time since the prospect last engaged.
type quiet struct {
	last   int       // index of the last response, -1 if none
	since  time.Time // that response, or the first chase when there is none
	chases int       // chases after the last response
}

func sinceLastResponse(tl timeline) quiet {
	q := quiet{last: -1}
	for i := len(tl) - 1; i >= 0; i-- {
		if isResponse(tl[i]) {
			q.last = i
			q.since = tl[i].OccurredAt
			break
		}
	}
	for i := q.last + 1; i < len(tl); i++ {
		if isChase(tl[i]) {
			if q.chases == 0 && q.last < 0 {
				q.since = tl[i].OccurredAt
			}
			q.chases++
		}
	}
	return q
}
