package pipeline

import (
	"testing"

	"goodmoney/internal/scoring"
)

func TestNextFlagStep(t *testing.T) {
	const ngm, watch, good = scoring.BandNotGoodMoney, scoring.BandWatch, scoring.BandOK
	for _, tc := range []struct {
		open         bool
		band, stored scoring.Band
		flagOpen     bool
		want         FlagStep
	}{
		{false, ngm, ngm, true, FlagResolveClosed},
		{false, good, "", false, FlagResolveClosed},
		{true, ngm, "", false, FlagRaise},
		{true, ngm, ngm, true, FlagRaise},
		{true, watch, ngm, false, FlagResolveLeftBand},
		{true, good, watch, true, FlagResolveLeftBand},
		{true, watch, watch, false, FlagStay},
		{true, good, "", false, FlagStay},
	} {
		if got := NextFlagStep(tc.open, tc.band, tc.stored, tc.flagOpen); got != tc.want {
			t.Errorf("NextFlagStep(open %v, %q, stored %q, flag open %v) = %v, want %v",
				tc.open, tc.band, tc.stored, tc.flagOpen, got, tc.want)
		}
	}
	for _, s := range []FlagStep{FlagResolveLeftBand, FlagResolveClosed} {
		if s.ResolveNote() == "" {
			t.Errorf("step %d resolves a flag without a note", s)
		}
	}
}

func TestKeepHolds(t *testing.T) {
	kept := []string{"margin_hit", "unresponsive"}
	for _, tc := range []struct {
		points int
		codes  []string
		want   bool
	}{
		{40, kept, true},
		{40 + KeepMargin - 1, []string{"unresponsive"}, true},
		{40 + KeepMargin, kept, false},
		{20, []string{"requotes"}, false},
		{20, nil, true},
	} {
		if got := KeepHolds(tc.points, tc.codes, 40, kept); got != tc.want {
			t.Errorf("KeepHolds(%d, %v) against 40 %v = %v, want %v", tc.points, tc.codes, kept, got, tc.want)
		}
	}
}
