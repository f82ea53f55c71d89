package scoring

import "math"

// triad is the combination rule. A thin margin, a prospect who does not
// answer and the same quote sent again and again are the three marks of the
// deal this product exists to catch, and together they mean more than their
// sum: each at a moderate strength (a 10 % margin, three unanswered chases,
// three quotes) adds up to only 37.5 points with the default weights, below
// the flag line of 45.
//
// So when margin_hit, unresponsive and requotes have all fired, each with a
// severity of at least TriadMinSeverity (0.25 by default: a margin of 15 % or
// less with the default 20 % floor; the two count signals fire at 0.5 or
// more, so any firing qualifies), triad fires too. Its points are whatever
// the other signals lack to reach FlagFrom (rounded up to the next whole
// point, and to 0.1 steps), so the deal is flagged, the card shows why, and
// the band still follows from the points like every other band.
//
// Unlike the other signals its points are not weight × severity, and it is
// listed even when it adds nothing because the others already pass the flag
// line: the set of signals on a deal then does not change with unrelated
// points, which keeps a manager's "keep" decision (re-flag on a new signal)
// from being triggered by noise. Its evidence is the three signals beside it,
// so it carries no touch IDs of its own.
func triad(fired []Signal, r Rules) (Signal, bool) {
	members := 0
	others := 0.0
	for _, s := range fired {
		others += s.Points
		switch s.Code {
		case CodeMarginHit, CodeUnresponsive, CodeRequotes:
			if s.Severity >= r.TriadMinSeverity {
				members++
			}
		}
	}
	if members < 3 {
		return Signal{}, false
	}
	line := math.Min(math.Ceil(r.FlagFrom), 100)
	topUp := 0.0
	if lack := line - others; lack > 0 {
		topUp = math.Ceil(lack*10-1e-9) / 10
	}
	evidence := "a thin margin, a prospect who does not answer and repeated quotes came together, which flags a deal whatever its total"
	if topUp > 0 {
		evidence += ": adds " + num(topUp) + " points to reach the flag line of " + num(line)
	} else {
		evidence += "; this one is already past the flag line of " + num(line)
	}
	return Signal{
		Code:     CodeTriad,
		Label:    label(CodeTriad),
		Severity: 1,
		Points:   topUp,
		Evidence: evidence,
	}, true
}
