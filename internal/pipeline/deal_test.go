package pipeline

import (
	"testing"
	"time"
)

func TestDeal_CameBack(t *testing.T) {
	walkedAway := time.Date(2026, 11, 2, 10, 0, 20, 0, time.UTC)
	earlier := walkedAway
	for _, tc := range []struct {
		name      string
		stage     string
		cameBack  *time.Time
		direction string
		at        time.Time
		want      bool
	}{
		{"a reply after the walk-away", StageDisqualified, nil, "inbound", walkedAway.Add(time.Hour), true},
		{"our own email", StageDisqualified, nil, "outbound", walkedAway.Add(time.Hour), false},
		{"an older reply logged late", StageDisqualified, nil, "inbound", walkedAway.Add(-time.Hour), false},
		{"already came back", StageDisqualified, &earlier, "inbound", walkedAway.Add(time.Hour), false},
		{"a deal still open", StageProposal, nil, "inbound", walkedAway.Add(time.Hour), false},
		{"a lost deal", StageLost, nil, "inbound", walkedAway.Add(time.Hour), false},
		// The form logs to the minute: a reply in the walk-away's minute counts.
		{"a reply in the same minute", StageDisqualified, nil, "inbound", walkedAway.Add(30 * time.Second).Truncate(time.Minute), true},
		{"a reply the minute before", StageDisqualified, nil, "inbound", walkedAway.Add(-time.Minute), false},
	} {
		d := &Deal{Stage: tc.stage, StageChangedAt: walkedAway, CameBackAt: tc.cameBack}
		if got := d.CameBack(&Touch{Direction: tc.direction, OccurredAt: tc.at}); got != tc.want {
			t.Errorf("%s: CameBack = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !ForgetsCameBack(StageDisqualified) || ForgetsCameBack(StageProposal) {
		t.Error("only disqualifying a deal again forgets that its prospect came back")
	}
}

func TestStages(t *testing.T) {
	for _, s := range Stages {
		open := s != StageWon && s != StageLost && s != StageDisqualified
		if !ValidStage(s) || IsOpenStage(s) != open {
			t.Errorf("stage %q: valid %v, open %v; want valid, open %v", s, ValidStage(s), IsOpenStage(s), open)
		}
	}
	if ValidStage("closed") || IsOpenStage("") {
		t.Error("unknown stages are neither valid nor open")
	}
}
