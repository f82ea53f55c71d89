package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"goodmoney/internal/password"
	"goodmoney/internal/postgres"
)

// This file builds the benchmark org: a mid-size sales floor after a year of
// work, generated from a seed number and loaded with COPY. Everything about
// an entity (a prospect, a deal, a deal's touches) is drawn from a random
// stream keyed by the seed and the entity's number, so the data does not
// depend on the order in which the loader asks for it, and the same seed
// always gives the same rows.
//
// The files: large.go (this one) sizes and runs the load; large_plan.go
// draws the prospects and deal headers; large_history.go a deal's touches
// and stage changes; large_text.go the names and notes; large_rows.go turns
// them into the rows postgres.Loader copies in.

// BenchOrgName names the benchmark org; Large refuses to run when it exists.
const BenchOrgName = "Bench Corp"

// Benchmark logins; every one has the DemoPassword.
const (
	BenchAdminEmail = "admin@bench.example"
	BenchTimezone   = "America/New_York"
)

// BenchRepEmail returns the login of rep n, from 1.
func BenchRepEmail(n int) string { return fmt.Sprintf("rep%d@bench.example", n) }

// BenchManagerEmail returns the login of the manager of team n, from 1.
func BenchManagerEmail(n int) string { return fmt.Sprintf("manager%d@bench.example", n) }

// ErrBenchOrgExists is returned by Large when the database already holds the benchmark org.
var ErrBenchOrgExists = errors.New("the benchmark org " + BenchOrgName + " exists already")

// LargeOptions sizes the benchmark org. A zero size takes its default: the
// full sizes of LargeDefaults when every size is zero, else one derived from
// the sizes given (2.5 contacts per prospect, 24 % of deals open).
type LargeOptions struct {
	Seed      uint64
	Reps      int // spread evenly over Teams; every team has its own manager
	Teams     int
	Prospects int
	Contacts  int
	Deals     int
	OpenDeals int
	Touches   int
	Days      int       // length of the history
	Now       time.Time // end of the history; zero means the current hour
	// Progress receives a line per phase and a progress line every few
	// seconds; nil discards them.
	Progress io.Writer
	// Rescore scores the org's open deals once the data is in; nil leaves
	// the deals unscored.
	Rescore func(ctx context.Context, orgID int64) error
}

// LargeDefaults are the sizes of `goodmoney seed --size large`.
var LargeDefaults = LargeOptions{
	Reps: 500, Teams: 50, Prospects: 100_000, Contacts: 250_000,
	Deals: 250_000, OpenDeals: 60_000, Touches: 5_000_000, Days: 365,
}

func (o LargeOptions) withDefaults() LargeOptions {
	if o.Reps == 0 && o.Teams == 0 && o.Prospects == 0 && o.Deals == 0 && o.Touches == 0 {
		d := LargeDefaults
		o.Reps, o.Teams, o.Prospects, o.Contacts = d.Reps, d.Teams, d.Prospects, d.Contacts
		o.Deals, o.OpenDeals, o.Touches = d.Deals, d.OpenDeals, d.Touches
	}
	o.Teams = max(o.Teams, 1)
	o.Reps = max(o.Reps, o.Teams)
	o.Prospects = max(o.Prospects, 1)
	o.Deals = max(o.Deals, 1)
	if o.Contacts < o.Prospects {
		o.Contacts = o.Prospects * 5 / 2
	}
	if o.OpenDeals == 0 || o.OpenDeals > o.Deals {
		o.OpenDeals = o.Deals * 6 / 25
	}
	if o.Touches < 2*o.Deals {
		o.Touches = 20 * o.Deals
	}
	if o.Days < 60 {
		o.Days = 365
	}
	if o.Now.IsZero() {
		o.Now = time.Now().Truncate(time.Hour)
	}
	return o
}

// LargeStats reports what Large loaded and how long each part took.
type LargeStats struct {
	OrgID                                       int64
	Users, Teams, Prospects, Contacts           int
	Deals, OpenDeals, StageChanges, Touches     int
	Generate, Load, Check, Vacuum, Score, Total time.Duration
}

// Large creates the benchmark org described by opts (see LargeOptions) in
// one go: people, prospects and contacts, deals with their stage history and
// touches, then scores the open deals and refreshes the planner statistics.
// It returns ErrBenchOrgExists when the org is there already.
//
// Rows are streamed to COPY on two connections at once; the touches of each
// connection come in time order, as a year of logging would have written
// them. When the database role may do so, the loading sessions skip the
// row-by-row foreign-key triggers and the same constraints are then checked
// set-wise by one query per table (postgres.DB.CheckReferences): the same
// guarantee for a fraction of the time. The generator (what the data is)
// lives in this package; the loader (how it gets in) is postgres.Loader.
func Large(ctx context.Context, db *postgres.DB, opts LargeOptions) (*LargeStats, error) {
	start := time.Now()
	opts = opts.withDefaults()
	out := opts.Progress
	if out == nil {
		out = io.Discard
	}
	exists, err := db.OrgExists(ctx, BenchOrgName)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, ErrBenchOrgExists
	}
	loc, err := time.LoadLocation(BenchTimezone)
	if err != nil {
		return nil, err
	}
	g := &largeGen{opts: opts, loc: loc, now: opts.Now.In(loc)}
	if g.hash, err = password.Hash(DemoPassword); err != nil {
		return nil, err
	}
	g.plan()
	stats := &LargeStats{
		Users: 1 + opts.Teams + opts.Reps, Teams: opts.Teams, Prospects: opts.Prospects, Contacts: g.contactTotal,
		Deals: opts.Deals, OpenDeals: opts.OpenDeals, StageChanges: g.stageChanges, Touches: g.touchTotal,
		Generate: time.Since(start),
	}
	fmt.Fprintf(out, "seed: planned %d reps, %d prospects, %d deals (%d open), %d touches in %s\n",
		opts.Reps, opts.Prospects, opts.Deals, opts.OpenDeals, g.touchTotal, round(stats.Generate))

	phase := time.Now()
	if err := g.load(ctx, db, out); err != nil {
		return nil, err
	}
	stats.OrgID = g.orgID
	stats.Load = time.Since(phase)
	fmt.Fprintf(out, "seed: loaded in %s\n", round(stats.Load))

	// VACUUM sets hint bits and the visibility map, so that the first
	// readers do not pay for writing them, and ANALYZE gives the planner the
	// statistics the checks and the scoring need.
	phase = time.Now()
	if err := db.VacuumAnalyze(ctx, []string{"touches"}, []string{"users", "teams", "prospects", "contacts", "deals", "deal_stage_changes"}); err != nil {
		return nil, err
	}
	stats.Vacuum = time.Since(phase)
	fmt.Fprintf(out, "seed: vacuumed and analyzed in %s\n", round(stats.Vacuum))

	// After ANALYZE (see CheckReferences).
	if g.skippedTriggers {
		phase = time.Now()
		if err := db.CheckReferences(ctx, g.orgID, g.touchBase, g.touchBase+int64(g.touchTotal)-1); err != nil {
			return nil, err
		}
		stats.Check = time.Since(phase)
		fmt.Fprintf(out, "seed: references checked in %s\n", round(stats.Check))
	}

	if opts.Rescore != nil {
		phase = time.Now()
		if err := opts.Rescore(ctx, g.orgID); err != nil {
			return nil, fmt.Errorf("score the benchmark org: %w", err)
		}
		if err := db.Analyze(ctx, "deal_scores", "flags"); err != nil {
			return nil, err
		}
		stats.Score = time.Since(phase)
		fmt.Fprintf(out, "seed: scored open deals in %s\n", round(stats.Score))
	}
	stats.Total = time.Since(start)
	fmt.Fprintf(out, "seed: %s done in %s\n", BenchOrgName, round(stats.Total))
	return stats, nil
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }

// load writes the org and its people, reserves ids, then streams the rest
// on the loader's two connections: prospects, contacts and half the touches
// on one, deals, stage changes and the other half on the other.
func (g *largeGen) load(ctx context.Context, db *postgres.DB, out io.Writer) error {
	l, err := postgres.NewLoader(ctx, db)
	if err != nil {
		return err
	}
	defer l.Close()
	g.skippedTriggers = l.SkippedTriggers
	if g.orgID, err = l.CreatePeople(ctx, g.people()); err != nil {
		return err
	}
	if err := g.reserve(ctx, l); err != nil {
		return err
	}
	stop := g.progress(out)
	defer stop()
	half := g.splitTouches()
	return l.Copy(ctx,
		[]postgres.BulkTable{g.prospectRows(), g.contactRows(), g.touchRows(0, half)},
		[]postgres.BulkTable{g.dealRows(), g.stageRows(), g.touchRows(1, half)})
}

// progress prints the rows sent so far every five seconds until stopped.
func (g *largeGen) progress(out io.Writer) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				touches := g.counts[4].Load() + g.counts[5].Load()
				fmt.Fprintf(out, "seed: %3.0fs prospects %d · contacts %d · deals %d · stage changes %d · touches %d/%d (%.0f%%)\n",
					time.Since(start).Seconds(), g.counts[0].Load(), g.counts[1].Load(), g.counts[2].Load(), g.counts[3].Load(),
					touches, g.touchTotal, 100*float64(touches)/float64(g.touchTotal))
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// reserve takes a block of ids for each table, so the generated rows can
// reference each other before they are written.
func (g *largeGen) reserve(ctx context.Context, l *postgres.Loader) error {
	for _, b := range []struct {
		table string
		n     int
		base  *int64
	}{
		{"prospects", g.opts.Prospects, &g.prospectBase},
		{"contacts", g.contactTotal, &g.contactBase},
		{"deals", g.opts.Deals, &g.dealBase},
		{"deal_stage_changes", g.stageChanges, &g.stageBase},
		{"touches", g.touchTotal, &g.touchBase},
	} {
		var err error
		if *b.base, err = l.Reserve(ctx, b.table, b.n); err != nil {
			return err
		}
	}
	return nil
}
