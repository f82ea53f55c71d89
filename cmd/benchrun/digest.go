package main

import (
	"context"
	"fmt"
	"time"

	"goodmoney/internal/digest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// digestResult is the time to build and record every digest of the org.
type digestResult struct {
	Week  string
	Time  time.Duration
	Stats digest.PrepareStats
}

// measureDigests times what the Monday dispatcher's jobs do for the whole
// org at once: read every user's facts, render both parts and record the
// outbox rows (no mail is sent). It runs as of Thursday noon UTC of the
// current week, when every timezone is past its Monday 07:00, after
// removing that week's outbox rows of the org (serve's dispatcher records
// them at start), so each run records them all again.
func measureDigests(ctx context.Context, t Target) (*digestResult, error) {
	at := pipeline.WeekOf(time.Now(), time.UTC).Monday.AddDate(0, 0, 3).Add(12 * time.Hour)
	week := pipeline.WeekOf(at, time.UTC).Label
	if err := postgres.NewBench(t.DB).ClearDigests(ctx, t.OrgID, week); err != nil {
		return nil, err
	}
	svc := &digest.Service{Store: postgres.NewDigestStore(t.DB), BaseURL: t.BaseURL}
	start := time.Now()
	st, err := svc.Prepare(ctx, t.OrgID, at)
	if err != nil {
		return nil, fmt.Errorf("digests: %w", err)
	}
	return &digestResult{Week: week, Time: time.Since(start), Stats: st}, nil
}
