package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"goodmoney/internal/pipeline"
)

// SnoozeEvery is how often snoozed flags are checked: a snooze runs to a
// date, so it comes back within a quarter of an hour of that day starting.
const SnoozeEvery = 15 * time.Minute

// SnoozeArgs is the periodic job that brings snoozed flags back on their date.
type SnoozeArgs struct{}

// Kind names the job in River's tables.
func (SnoozeArgs) Kind() string { return "wake_snoozed_flags" }

// InsertOpts: a missed run is made up by the next one, so no retry storm.
func (SnoozeArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// SnoozeWorker opens again every flag whose snooze date has come, by Now.
type SnoozeWorker struct {
	river.WorkerDefaults[SnoozeArgs]
	Flags  pipeline.SnoozeWaker
	Now    func() time.Time
	Logger *slog.Logger
}

// Work wakes the flags whose date has come.
func (w *SnoozeWorker) Work(ctx context.Context, _ *river.Job[SnoozeArgs]) error {
	n, err := w.Flags.WakeSnoozed(ctx, w.Now())
	if err != nil {
		return err
	}
	if n > 0 && w.Logger != nil {
		w.Logger.Info("snoozed flags back", "flags", n)
	}
	return nil
}

func snoozePeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SnoozeEvery),
		func() (river.JobArgs, *river.InsertOpts) { return SnoozeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
