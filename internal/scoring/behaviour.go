package scoring

import (
	"slices"
	"time"
)

// This file holds the signals read from how the prospect behaves.

// terseReplies fires at full severity when the prospect has sent at least
// TerseMinReplies written replies (inbound emails and texts with a word
// count) and their median length is at most TerseMaxMedianWords words. The
// median, not the mean, so that one long email does not hide a habit of
// "ok" and "send it again". Fewer replies say too little to judge.
func terseReplies(tl timeline, r Rules) finding {
	var buf [32]int
	words := buf[:0]
	for _, t := range tl {
		if isWrittenReply(t) {
			words = append(words, *t.WordCount)
		}
	}
	if len(words) < r.TerseMinReplies || len(words) == 0 {
		return finding{}
	}
	n := len(words)
	slices.Sort(words)
	median := float64(words[n/2])
	if n%2 == 0 {
		median = (float64(words[n/2-1]) + float64(words[n/2])) / 2
	}
	if median > float64(r.TerseMaxMedianWords) {
		return finding{}
	}
	short := 0
	for _, w := range words {
		if w <= r.TerseMaxMedianWords {
			short++
		}
	}
	return finding{
		severity: 1,
		evidence: "median reply " + pluralNum(median, "word", "words") + " across " + itoa(n) + " written replies; " +
			itoa(short) + " of them " + itoa(r.TerseMaxMedianWords) + " words or fewer",
		touchIDs: touchIDs(tl, short, func(_ int, t *Touch) bool {
			return isWrittenReply(t) && *t.WordCount <= r.TerseMaxMedianWords
		}),
	}
}

func isWrittenReply(t *Touch) bool {
	return t.Direction == inbound && (t.Kind == kindEmail || t.Kind == kindText) && t.WordCount != nil && *t.WordCount >= 0
}

// wontCommit counts booked meetings and calls that fell through: no-show,
// rescheduled or declined. Calls count as well as meetings because many
// teams book a phone call, not a meeting, and a prospect who will not keep a
// call is the same prospect. Severity is 0.5 at WontCommitFrom (2) and 1 at
// WontCommitFull (3): one miss is life, two is a pattern, three is a habit.
func wontCommit(tl timeline, r Rules, st style) finding {
	var noShow, moved, declined, meetings, calls int
	var first *Touch
	for _, t := range tl {
		if !fellThrough(t) {
			continue
		}
		if first == nil {
			first = t
		}
		switch t.Outcome {
		case outcomeNoShow:
			noShow++
		case outcomeRescheduled:
			moved++
		case outcomeDeclined:
			declined++
		}
		if t.Kind == kindMeeting {
			meetings++
		} else {
			calls++
		}
	}
	n := noShow + moved + declined
	sev := countRamp(n, r.WontCommitFrom, r.WontCommitFull)
	if sev == 0 {
		return finding{}
	}
	what := "meetings"
	switch {
	case calls == 0:
	case meetings == 0:
		what = "booked calls"
	default:
		what = "meetings and calls"
	}
	return finding{
		severity: sev,
		evidence: itoa(n) + " " + what + " fell through since " + st.date(first.OccurredAt) + " (" +
			joinCounts(tally{noShow, "no-show", "no-shows"}, tally{moved, "rescheduled", "rescheduled"}, tally{declined, "declined", "declined"}) + ")",
		touchIDs: touchIDs(tl, n, func(_ int, t *Touch) bool { return fellThrough(t) }),
	}
}

func fellThrough(t *Touch) bool {
	if t.Kind != kindMeeting && t.Kind != kindCall {
		return false
	}
	switch t.Outcome {
	case outcomeNoShow, outcomeRescheduled, outcomeDeclined:
		return true
	}
	return false
}

// offHours fires when at least OffHoursShare of the prospect's inbound
// touches came outside business hours: Monday to Friday, from
// BusinessStartHour to BusinessEndHour in the org's timezone. Hours are read
// on the local clock (time.In), so a DST change moves the window with the
// clock, as it does for the rep. At least OffHoursMinInbound inbound touches
// are needed to judge a habit. Severity is 0.5 at the threshold share and
// reaches 1 at twice it (60 % by default): the share is compared with ≥, as
// a count would be, so it starts at half strength.
func offHours(tl timeline, r Rules, st style) finding {
	var h hoursTally
	for _, t := range tl {
		if t.Direction == inbound && isContact(t) {
			h.add(clockIn(t.OccurredAt, st.loc), r)
		}
	}
	if h.total < r.OffHoursMinInbound || h.total == 0 || h.outside == 0 {
		return finding{}
	}
	share := float64(h.outside) / float64(h.total)
	if share < r.OffHoursShare {
		return finding{}
	}
	sev := 1.0
	if full := min(2*r.OffHoursShare, 1); full > r.OffHoursShare {
		sev = 0.5 + 0.5*min(1, (share-r.OffHoursShare)/(full-r.OffHoursShare))
	}
	evidence := itoa(h.outside) + " of " + itoa(h.total) + " inbound touches came outside business hours"
	if m := h.mostly(); m != "" {
		evidence += " (" + m + ")"
	}
	return finding{
		severity: sev,
		evidence: evidence,
		touchIDs: touchIDs(tl, h.outside, func(_ int, t *Touch) bool {
			return t.Direction == inbound && isContact(t) && !inBusinessHours(clockIn(t.OccurredAt, st.loc), r)
		}),
	}
}

// inBusinessHours reports whether a local time falls in the org's hours.
func inBusinessHours(local wallClock, r Rules) bool {
	switch local.weekday {
	case time.Saturday, time.Sunday:
		return false
	}
	return local.hour >= r.BusinessStartHour && local.hour < r.BusinessEndHour
}

// wallClock is a moment's weekday and hour on a local clock.
type wallClock struct {
	weekday time.Weekday
	hour    int
}

// clockIn reads t on loc's clock with one time-zone lookup. Asking the
// local time for its Weekday and its Hour looks the zone up for each, and
// the tally asked up to five times per touch: a fifth of Evaluate's time
// in a zone with daylight saving, where each lookup searches the
// transitions.
func clockIn(t time.Time, loc *time.Location) wallClock {
	_, offset := t.In(loc).Zone()
	sec := t.Unix() + int64(offset)
	days, rest := sec/86400, sec%86400
	if rest < 0 {
		days, rest = days-1, rest+86400
	}
	wd := (days + 4) % 7 // 1 January 1970 was a Thursday
	if wd < 0 {
		wd += 7
	}
	return wallClock{weekday: time.Weekday(wd), hour: int(rest / 3600)}
}

// hoursTally sorts inbound touches into business hours, evenings, early
// mornings and weekends, to say when the prospect tends to write.
type hoursTally struct {
	total, outside          int
	evening, early, weekend int
	eveningFrom, earlyUntil int // earliest evening hour, latest early hour + 1
}

func (h *hoursTally) add(local wallClock, r Rules) {
	h.total++
	if inBusinessHours(local, r) {
		return
	}
	h.outside++
	switch hour := local.hour; {
	case local.weekday == time.Saturday || local.weekday == time.Sunday:
		h.weekend++
	case hour >= r.BusinessEndHour:
		if h.evening == 0 || hour < h.eveningFrom {
			h.eveningFrom = hour
		}
		h.evening++
	default:
		h.earlyUntil = max(h.earlyUntil, hour+1)
		h.early++
	}
}

// mostly names the commonest kind of off-hours touch, if it is the majority:
// "all after 19:00", "mostly at weekends", "mostly before 08:00".
func (h *hoursTally) mostly() string {
	n, what := h.evening, "after "+clock(h.eveningFrom)
	if h.weekend > n {
		n, what = h.weekend, "at weekends"
	}
	if h.early > n {
		n, what = h.early, "before "+clock(h.earlyUntil)
	}
	switch {
	case n == h.outside:
		return "all " + what
	case 2*n > h.outside:
		return "mostly " + what
	}
	return ""
}
