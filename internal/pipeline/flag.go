package pipeline

import (
	"slices"

	"goodmoney/internal/scoring"
)

// Flags follow the score. A flag opens when an open deal is in the
// not-good-money band and has no flag asking for attention (open or
// snoozed). It resolves by itself when the deal leaves the band, or closes,
// before anyone reviewed it. A manager who keeps a deal or coaches its rep
// (status kept or coached, with the points and signal codes of that moment)
// is not asked again until
// KeepHolds says the keep no longer holds; then a new flag opens. The store
// applies these rules to a whole batch of deals at once.

// KeepMargin is how many points above a kept score a deal must rise before
// it is flagged again.
const KeepMargin = 15

// FlagStep is what scoring a deal calls for on its flags.
type FlagStep int

// The flag steps.
const (
	FlagStay            FlagStep = iota // nothing to do
	FlagRaise                           // open a flag, unless one asks for attention or a keep holds
	FlagResolveLeftBand                 // resolve an open flag: the deal left the band
	FlagResolveClosed                   // resolve an open flag: the deal closed
)

// NextFlagStep decides what a deal's new score does to its flags: open says
// whether the deal is in an open stage, band is its new band, storedBand the
// band stored before, and flagOpen whether it has an open flag.
func NextFlagStep(open bool, band, storedBand scoring.Band, flagOpen bool) FlagStep {
	switch {
	case !open:
		return FlagResolveClosed
	case band == scoring.BandNotGoodMoney:
		return FlagRaise
	case storedBand == scoring.BandNotGoodMoney || flagOpen:
		return FlagResolveLeftBand
	}
	return FlagStay
}

// ResolveNote is the note written on a flag that a step resolves without a
// review; "" for the steps that resolve nothing.
func (s FlagStep) ResolveNote() string {
	switch s {
	case FlagResolveLeftBand:
		return "Left the not-good-money band on its own before anyone reviewed it."
	case FlagResolveClosed:
		return "The deal was closed before anyone reviewed the flag."
	}
	return ""
}

// KeepHolds reports whether a keep (decided at keptPoints with the signal
// codes keptCodes firing) still holds for a deal now at points with codes
// firing: it holds while the score stays under keptPoints + KeepMargin and
// no signal fires that was not in the kept set.
func KeepHolds(points int, codes []string, keptPoints int, keptCodes []string) bool {
	if points >= keptPoints+KeepMargin {
		return false
	}
	for _, c := range codes {
		if !slices.Contains(keptCodes, c) {
			return false
		}
	}
	return true
}
