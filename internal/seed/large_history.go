package seed

import (
	"math/rand/v2"
	"slices"
	"time"
)

// touch is one generated touch; kind, direction and outcome hold constants.
type touch struct {
	at                 time.Time
	kind, dir, outcome string
	notes              string
	duration, words    int32 // 0 = none
	quote              int64 // cents; 0 = none
	contact            int64 // relative contact id
}

// dealTouches writes the deal's history: exchanges that get answered, then,
// for the flag personas, the tail that tells their story. The tail ends nine
// days before d.end, so that for an open deal the prospect's reply window
// has closed on every chase. The result is in time order and has exactly
// d.touches touches, all between d.created and d.end.
func (g *largeGen) dealTouches(d *dealPlan) []touch {
	r := newRand(g.opts.Seed, streamTouches, d.plan)
	w := &writer{g: g, d: d, r: r, out: make([]touch, 0, d.touches)}
	const day = 24 * time.Hour
	tail := w.tailPlan()
	prefixEnd := d.end.Add(-2 * day)
	var tailStart time.Time
	var step time.Duration
	if steps := tail.steps(); steps > 0 {
		tailEnd := d.end.Add(-9 * day)
		span := min(time.Duration(steps)*84*time.Hour, d.end.Sub(d.created)*2/5)
		tailStart = tailEnd.Add(-span)
		if tail.missed+tail.replies > 0 {
			span -= silenceGap
		}
		step = span / time.Duration(steps)
		// The prospect's last answer before the tail lands well before it.
		prefixEnd = tailStart.Add(-6 * day)
	}
	w.exchanges(d.touches-tail.len(), d.created, prefixEnd)
	w.tail(tail, tailStart, step)
	out := w.out
	slices.SortStableFunc(out, func(a, b touch) int { return a.at.Compare(b.at) })
	for i := range out {
		if out[i].at.After(d.end) {
			out[i].at = d.end
		}
	}
	return out
}

// silenceGap separates a flag persona's last answers from the chases that
// follow them, wider than the reply window.
const silenceGap = 6 * 24 * time.Hour

// writer appends one deal's touches.
type writer struct {
	g      *largeGen
	d      *dealPlan
	r      *rand.Rand
	out    []touch
	quotes int
	missed int // meetings that fell through
}

func (w *writer) contact() int64 {
	p := &w.g.prospects[w.d.prospect]
	return p.contact0 + int64(w.r.IntN(int(p.contacts)))
}

func (w *writer) add(t touch) {
	t.contact = w.contact()
	w.out = append(w.out, t)
}

// workTime is t moved into the org's business hours (weekdays 9:00–17:45),
// never earlier than t.
func (w *writer) workTime(t time.Time) time.Time {
	l := t.In(w.g.loc)
	y, m, day := l.Date()
	h := l.Hour()
	switch {
	case l.Weekday() == time.Saturday:
		return w.workStart(y, m, day+2)
	case l.Weekday() == time.Sunday:
		return w.workStart(y, m, day+1)
	case h < 9:
		return w.workStart(y, m, day)
	case h >= 18 || (h == 17 && l.Minute() > 45):
		if l.Weekday() == time.Friday {
			return w.workStart(y, m, day+3)
		}
		return w.workStart(y, m, day+1)
	}
	return t
}

func (w *writer) workStart(y int, m time.Month, day int) time.Time {
	return time.Date(y, m, day, 9, w.r.IntN(150), 0, 0, w.g.loc)
}

// evening is a time between 18:30 and 21:59 on t's day (or the next day when
// t is later than that).
func (w *writer) evening(t time.Time) time.Time {
	l := t.In(w.g.loc)
	y, m, day := l.Date()
	e := time.Date(y, m, day, 18, 30+w.r.IntN(210), 0, 0, w.g.loc)
	if e.Before(t) {
		e = e.AddDate(0, 0, 1)
	}
	return e
}

// inboundTime is when a prospect answers something sent at t: within a few
// hours to three days, mostly in business hours (evenings and weekends for
// the evening personas).
func (w *writer) inboundTime(t time.Time) time.Time {
	at := t.Add(time.Duration(40+w.r.IntN(3*24*60)) * time.Minute)
	switch {
	case w.d.persona == flagEvening:
		return w.evening(at)
	case w.d.persona == watchEvening && w.r.IntN(100) < 45:
		return w.evening(at)
	case w.r.IntN(100) < 6:
		return w.evening(at)
	}
	return w.workTime(at)
}

func (w *writer) hours(t time.Time, lo, hi int) time.Time {
	return t.Add(time.Duration(lo*60+w.r.IntN((hi-lo)*60+1)) * time.Minute)
}

// exchanges writes about n touches between from and to: rounds of the rep
// reaching out and the prospect answering within the reply window.
func (w *writer) exchanges(n int, from, to time.Time) {
	if n <= 0 {
		return
	}
	if !to.After(from) {
		to = from.Add(time.Hour)
	}
	start := len(w.out)
	rounds := max(1, n*10/19)
	step := to.Sub(from) / time.Duration(rounds)
	for k := 0; len(w.out)-start < n; k++ {
		at := from.Add(step*time.Duration(k) + time.Duration(w.r.Int64N(int64(step)+1)))
		if k >= rounds { // short rounds left touches over: fit them in anywhere
			at = from.Add(time.Duration(w.r.Int64N(int64(to.Sub(from)) + 1)))
		}
		w.exchange(w.workTime(at), len(w.out)-start == 0)
	}
	w.out = w.out[:start+n]
}

// exchange writes one round starting at t.
func (w *writer) exchange(t time.Time, first bool) {
	r := w.r
	switch k := pick(r, 30, 25, 13, 9, 7, 6, 9, 6); {
	case first || k == 0: // email answered
		w.add(touch{at: t, kind: "email", dir: "outbound", notes: outboundNote(r)})
		last := t
		if r.IntN(100) < 60 {
			last = w.workTime(w.hours(t, 20, 30))
			w.add(touch{at: last, kind: pickStr(r, "text", "voicemail"), dir: "outbound", outcome: "", notes: "Following up"})
		}
		w.reply(w.inboundTime(last))
	case k == 1: // call that got through
		w.add(touch{at: t, kind: "call", dir: "outbound", outcome: "connected", duration: int32(3 + r.IntN(25)), notes: callNote(r)})
	case k == 2: // missed call, called back
		if r.IntN(2) == 0 {
			w.add(touch{at: t, kind: "call", dir: "outbound", outcome: "no_answer"})
		} else {
			w.add(touch{at: t, kind: "voicemail", dir: "outbound", outcome: "left_voicemail"})
		}
		w.add(touch{at: w.inboundTime(t), kind: "call", dir: "inbound", outcome: "connected", duration: int32(4 + r.IntN(20)), notes: callNote(r)})
	case k == 3: // meeting
		outcome := "held"
		if w.d.persona == watchNoShow && w.missed < 2 || w.missed == 0 && r.IntN(100) < 8 {
			outcome = pickStr(r, "no_show", "rescheduled")
			w.missed++
		}
		w.add(touch{at: t, kind: "meeting", dir: "outbound", outcome: outcome, duration: int32(30 + 15*r.IntN(3)), notes: "Meeting with the buying team"})
		if outcome != "held" {
			w.add(touch{at: w.hours(t, 1, 6), kind: "call", dir: "outbound", outcome: "connected", duration: 5, notes: "Rebooked the meeting"})
		}
	case k == 4: // the prospect writes first
		in := w.inboundTime(t)
		w.add(touch{at: in, kind: "email", dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
		w.add(touch{at: w.workTime(w.hours(in, 1, 20)), kind: "call", dir: "outbound", outcome: "connected", duration: int32(5 + r.IntN(20)), notes: callNote(r)})
	case k == 5: // a quote, answered
		limit := 2
		switch w.d.persona {
		case watchQuotes:
			limit = 3
		case flagTriad, flagSpiral: // their quotes are in the tail
			limit = 0
		}
		if w.quotes >= limit {
			w.exchange(t, true)
			return
		}
		w.quotes++
		amount := w.d.amount
		if w.quotes < limit && w.d.persona != watchQuotes {
			amount = amount * int64(90+r.IntN(10)) / 100 // scope grew since: the later quote is higher
		} else if w.d.persona == watchQuotes {
			amount = amount * int64(85+5*w.quotes) / 100
		}
		w.add(touch{at: t, kind: "quote", dir: "outbound", quote: amount, notes: "Quote sent"})
		w.reply(w.inboundTime(t))
	case k == 6: // a note to self
		w.add(touch{at: t, kind: "note", dir: "outbound", notes: pickStr(r, "Budget confirmed for next quarter", "Champion is the ops director", "Legal review expected")})
	default: // texts
		w.add(touch{at: t, kind: "text", dir: "outbound", notes: "Quick question about the rollout"})
		w.reply(w.inboundTime(t))
	}
}

// reply writes the prospect's written answer at t.
func (w *writer) reply(t time.Time) {
	kind := "email"
	if w.r.IntN(100) < 25 {
		kind = "text"
	}
	w.add(touch{at: t, kind: kind, dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
}

func (w *writer) replyText() string {
	if w.d.persona == flagEvening {
		return terseReplies[w.r.IntN(len(terseReplies))]
	}
	return fullReplies[w.r.IntN(len(fullReplies))]
}

// tailSpec is the closing pattern of a flag persona.
type tailSpec struct {
	missed  int   // meetings that fell through, each answered by a terse text
	replies int   // emails answered by terse evening replies
	quotes  int   // quotes nobody answers, the same or falling
	chases  int   // plain chases nobody answers after them
	falling bool  // each quote lower than the last, from start down to the amount
	start   int64 // first quote, cents
}

func (s tailSpec) len() int   { return 2*s.missed + 2*s.replies + s.quotes + s.chases }
func (s tailSpec) steps() int { return s.missed + s.replies + s.quotes + s.chases }

func (w *writer) tailPlan() tailSpec {
	r, d := w.r, w.d
	switch d.persona {
	case flagTriad:
		return tailSpec{quotes: 3 + r.IntN(2), chases: 1 + r.IntN(2), start: d.amount}
	case flagSpiral:
		return tailSpec{quotes: 5 + r.IntN(2), chases: 4 + r.IntN(2), falling: true, start: max(d.list, d.amount)}
	case flagEvening:
		return tailSpec{missed: 3, replies: 2, chases: 3}
	case flagSilent:
		return tailSpec{chases: 5 + r.IntN(2)}
	}
	return tailSpec{}
}

// tail writes the flag persona's closing pattern from start on, one step
// apart: terse evening answers and missed meetings, then (after a silence
// longer than the reply window) quotes and chases nobody answers.
func (w *writer) tail(s tailSpec, start time.Time, step time.Duration) {
	r := w.r
	k := 0
	next := func() time.Time {
		t := start.Add(step*time.Duration(k) + time.Duration(r.Int64N(int64(step)/2+1)))
		k++
		return w.workTime(t)
	}
	for range s.missed {
		m := next()
		w.add(touch{at: m, kind: pickStr(r, "meeting", "call"), dir: "outbound", outcome: pickStr(r, "no_show", "rescheduled", "declined"), duration: 30})
		w.add(touch{at: w.evening(m), kind: "text", dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
	}
	for range s.replies {
		o := next()
		w.add(touch{at: o, kind: "email", dir: "outbound", notes: outboundNote(r)})
		w.add(touch{at: w.evening(o), kind: pickStr(r, "text", "email"), dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
	}
	if s.missed+s.replies > 0 {
		start = start.Add(silenceGap)
	}
	amount := s.start
	for q := range s.quotes {
		if s.falling && q > 0 {
			amount -= (s.start - w.d.amount) / int64(s.quotes-1)
		}
		if s.falling && q == s.quotes-1 {
			amount = w.d.amount
		}
		w.add(touch{at: next(), kind: "quote", dir: "outbound", quote: amount, notes: "Revised quote sent"})
	}
	for range s.chases {
		at := next()
		switch pick(r, 50, 20, 20, 10) {
		case 0:
			w.add(touch{at: at, kind: "email", dir: "outbound", notes: "Checking in on the quote"})
		case 1:
			w.add(touch{at: at, kind: "voicemail", dir: "outbound", outcome: "left_voicemail"})
		case 2:
			w.add(touch{at: at, kind: "call", dir: "outbound", outcome: "no_answer"})
		default:
			w.add(touch{at: at, kind: "text", dir: "outbound", notes: "Any news?"})
		}
	}
}

// stageChange is one row of a deal's stage history.
type stageChange struct {
	from, to uint8 // from 255 = none
	at       time.Time
}

// stagePath is the deal's walk through the stages: from lead up to the
// furthest open stage it reached, then to its closing stage if it closed.
func (g *largeGen) stagePath(d *dealPlan) []stageChange {
	r := newRand(g.opts.Seed, streamStages, d.plan)
	closed := d.stage >= stageWon
	steps := int(d.top) + 1
	if closed {
		steps++
	}
	path := make([]stageChange, 0, steps)
	span := d.end.Sub(d.created)
	if !closed {
		span = d.lastTouch.Sub(d.created)
	}
	prev := uint8(255)
	for s := uint8(0); s <= d.top; s++ {
		at := d.created
		if s > 0 {
			frac := (float64(s) + 0.8*r.Float64() - 0.4) / float64(steps)
			at = d.created.Add(time.Duration(frac * float64(span)))
		}
		path = append(path, stageChange{from: prev, to: s, at: at})
		prev = s
	}
	if closed {
		path = append(path, stageChange{from: prev, to: d.stage, at: d.end})
	}
	return path
}
