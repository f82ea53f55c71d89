package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// Target is the running app under load and the database behind it.
type Target struct {
	BaseURL string
	PID     int // the server process, for its peak RSS
	DB      *postgres.DB
	OrgID   int64
}

// Options set how hard and how long each load runs.
type Options struct {
	Clients   int           // concurrent clients of the closed loops
	Warm      time.Duration // unrecorded load before each endpoint's figures
	Read      time.Duration // each read measurement
	Write     time.Duration // each write measurement
	Slices    int           // a closed loop alternates this many slices with ceiling (a)
	ReadRate  int           // open-loop requests per second for reads
	WriteRate int           // open-loop requests per second for the touch POST
	Log       io.Writer     // one line per measurement
	// Only, when not empty, limits the run to these loads (by key: deal,
	// band, review, search, touch, rescore, digest, outcomes); the ceilings always run.
	Only map[string]bool
	// ProfileDir, when set, receives a CPU profile of the server (from its
	// /debug/pprof) taken during each closed loop, named after the load.
	ProfileDir string

	rss *rssSampler
}

// wants reports whether the run includes the load.
func (o Options) wants(key string) bool {
	return len(o.Only) == 0 || o.Only[key] || strings.HasPrefix(key, "ceiling")
}

// Sample is the figures of one or more vegeta attacks on one endpoint.
type Sample struct {
	Requests      int
	Elapsed       time.Duration // attack time, summed over slices
	RPS           float64       // successful responses per second of Elapsed
	P50, P95, P99 time.Duration
	Max           time.Duration
	Errors        int // answers other than the expected status, and failed requests
	FirstError    string
}

// add sums another slice into s. Throughput is recomputed; percentiles
// are not (only open-loop samples, taken in one piece, report them).
func (s *Sample) add(o Sample) {
	s.Requests += o.Requests
	s.Errors += o.Errors
	s.Elapsed += o.Elapsed
	if s.FirstError == "" {
		s.FirstError = o.FirstError
	}
	if s.Elapsed > 0 {
		s.RPS = float64(s.Requests-s.Errors) / s.Elapsed.Seconds()
	}
}

// LoadResult is one endpoint: its throughput with Clients closed-loop
// clients next to ceiling (a) measured in the slices between, and its
// latency at a constant offered rate.
type LoadResult struct {
	Key, Name string
	Closed    Sample
	Ceiling   Sample // ceiling (a), in slices alternating with Closed's
	Open      Sample
	Rate      int
	PeakRSSKB int64 // the server's largest resident set while this load ran
	// Targets from the issue; zero when there is none.
	MinRatio float64       // of ceiling (a)'s throughput
	MaxP99   time.Duration // at Rate
}

// Ratio is the load's throughput over ceiling (a)'s, both measured in
// alternating slices so that the machine's other work weighs on both alike.
func (l *LoadResult) Ratio() float64 {
	if l.Ceiling.RPS == 0 {
		return 0
	}
	return l.Closed.RPS / l.Ceiling.RPS
}

// Results are everything Measure found.
type Results struct {
	Loads         []*LoadResult
	Rescore       pipeline.RescoreStats
	RescoreTime   time.Duration
	Scan          time.Duration   // the faster of ScanPlanned and ScanIndexOnly
	ScanPlanned   time.Duration   // SELECT deal_id, count(*) FROM touches GROUP BY deal_id, as planned
	ScanIndexOnly time.Duration   // the same, made to read touches_deal_idx alone
	PeakRSSKB     int64           // server's high-water mark during the loads
	StartRSSKB    int64           // its high-water mark before them (start-up, start-up rescore)
	RSSReset      bool            // whether the mark could be reset between the two
	BenchTouches  int             // touches the write loads logged (removed afterwards)
	Digest        *digestResult   // nil when not measured
	Outcomes      *outcomesResult // nil when not measured
}

// Load looks a load up by key.
func (r *Results) Load(key string) *LoadResult {
	for _, l := range r.Loads {
		if l.Key == key {
			return l
		}
	}
	return nil
}

// benchNote marks the touches the write load logs, so they can be removed.
const benchNote = "benchrun"

// Measure signs clients in and runs every load against t, then times the
// full rescore next to a bare scan of the touches.
func Measure(ctx context.Context, t Target, o Options) (*Results, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(o.Log, format+"\n", a...) }
	f, err := prepareFixture(ctx, t.DB, t.BaseURL, t.OrgID, o.Clients)
	if err != nil {
		return nil, err
	}
	logf("benchrun: signed in %d managers and %d reps; %d search fragments", len(f.managers), len(f.reps), len(f.fragments))

	if err := settle(ctx, t.DB); err != nil {
		return nil, err
	}
	res := &Results{StartRSSKB: peakRSS(t.PID), RSSReset: resetPeakRSS(t.PID)}
	o.rss = &rssSampler{pid: t.PID}
	get := func(list []*session, path func(s *session) string) vegeta.Targeter {
		return targeter(list, func(s *session, tg *vegeta.Target) {
			tg.Method, tg.URL = http.MethodGet, t.BaseURL+path(s)
		})
	}
	ceiling := get(f.managers, func(*session) string { return "/bench/ceiling/query" })
	loads := []struct {
		l      *LoadResult
		tr     vegeta.Targeter
		expect int
		d      time.Duration
	}{
		{&LoadResult{Key: "ceiling_a", Name: "ceiling (a): one primary-key query + small component", Rate: o.ReadRate},
			ceiling, http.StatusOK, o.Read},
		{&LoadResult{Key: "ceiling_b", Name: "ceiling (b): same page, no query", Rate: o.ReadRate},
			get(f.managers, func(*session) string { return "/bench/ceiling/static" }), http.StatusOK, o.Read},
		{&LoadResult{Key: "deal", Name: "deal page GET /deals/{id}", Rate: o.ReadRate, MinRatio: 0.40, MaxP99: 25 * time.Millisecond},
			get(f.managers, func(s *session) string { return "/deals/" + strconv.FormatInt(s.deals[rand.IntN(len(s.deals))], 10) }),
			http.StatusOK, o.Read},
		{&LoadResult{Key: "band", Name: "GET /deals?band=not_good_money", Rate: o.ReadRate, MinRatio: 0.25, MaxP99: 50 * time.Millisecond},
			get(f.managers, func(*session) string { return "/deals?band=not_good_money" }), http.StatusOK, o.Read},
		{&LoadResult{Key: "review", Name: "manager review GET /review", Rate: o.ReadRate, MinRatio: 0.25, MaxP99: 50 * time.Millisecond},
			get(f.managers, func(*session) string { return "/review" }), http.StatusOK, o.Read},
		{&LoadResult{Key: "search", Name: "GET /prospects?q=<fragment>", Rate: o.ReadRate, MinRatio: 0.25, MaxP99: 50 * time.Millisecond},
			get(f.managers, func(*session) string {
				return "/prospects?q=" + url.QueryEscape(f.fragments[rand.IntN(len(f.fragments))])
			}), http.StatusOK, o.Read},
		{&LoadResult{Key: "touch", Name: "POST /deals/{id}/touches", Rate: o.WriteRate, MaxP99: 40 * time.Millisecond},
			touchTargeter(t.BaseURL, f.reps), http.StatusSeeOther, o.Write},
	}
	for _, ld := range loads {
		if !o.wants(ld.l.Key) {
			continue
		}
		if err := runLoad(ctx, t.BaseURL, ld.l, ld.tr, ceiling, ld.expect, o, ld.d); err != nil {
			return nil, err
		}
		logf("benchrun: %-55s %7.0f req/s closed (%3.0f %% of ceiling (a) alongside) · p50 %s p95 %s p99 %s at %d/s · errors %d · RSS ≤ %d MB",
			ld.l.Name, ld.l.Closed.RPS, 100*ld.l.Ratio(), ms(ld.l.Open.P50), ms(ld.l.Open.P95), ms(ld.l.Open.P99), ld.l.Rate,
			ld.l.Closed.Errors+ld.l.Open.Errors, ld.l.PeakRSSKB/1024)
		res.Loads = append(res.Loads, ld.l)
	}
	res.PeakRSSKB = peakRSS(t.PID)

	// The write loads' touches go, so a reused dataset stays the one seeded.
	if res.BenchTouches, err = postgres.NewBench(t.DB).RemoveTouches(ctx, t.OrgID, benchNote); err != nil {
		return nil, err
	}
	if o.wants("digest") {
		if res.Digest, err = measureDigests(ctx, t); err != nil {
			return nil, err
		}
		logf("benchrun: built and recorded the digests of %d users (%d with nothing to say) in %s",
			res.Digest.Stats.Recorded, res.Digest.Stats.Skipped, res.Digest.Time.Round(time.Millisecond))
	}
	if o.wants("outcomes") {
		if res.Outcomes, err = measureOutcomes(ctx, t, f); err != nil {
			return nil, err
		}
		logf("benchrun: back-test of %d closed deals in %s (bare scan %s); manager's report first %s, then p50 %s",
			res.Outcomes.Deals, res.Outcomes.Time.Round(time.Millisecond), res.Outcomes.Scan.Round(time.Millisecond),
			ms(res.Outcomes.Cold), ms(res.Outcomes.Warm))
	}
	if !o.wants("rescore") {
		return res, nil
	}
	if err := measureRescore(ctx, t, res); err != nil {
		return nil, err
	}
	logf("benchrun: full rescore of %d open deals %s; bare scan of the touches %s", res.Rescore.Deals,
		res.RescoreTime.Round(time.Millisecond), res.Scan.Round(time.Millisecond))
	return res, nil
}

// settle vacuums the tables that earlier runs and the server's start-up
// jobs wrote to, so that every run starts from the state the seed left: the
// visibility map set (index-only scans need it) and statistics current, as
// autovacuum keeps them on a live system.
func settle(ctx context.Context, db *postgres.DB) error {
	return db.VacuumAnalyze(ctx, []string{"deals", "deal_scores", "flags", "touches", "audit_events", "sessions"})
}

// measureRescore times one full rescore of the org's open deals next to
// the bare aggregate scan it cannot beat: reading every touch once. The
// scan runs before and after the rescore, each time as PostgreSQL plans it
// and made to read the narrow touches_deal_idx alone (the planner switches
// between a parallel hash aggregate and that index-only pass from one
// ANALYZE to the next); the fastest counts, so the ratio is never flattered.
func measureRescore(ctx context.Context, t Target, res *Results) error {
	bench := postgres.NewBench(t.DB)
	scans := func() error {
		planned, err := bench.BareTouchScan(ctx, false)
		if err != nil {
			return err
		}
		indexOnly, err := bench.BareTouchScan(ctx, true)
		if err != nil {
			return err
		}
		res.ScanPlanned = minPositive(res.ScanPlanned, planned)
		res.ScanIndexOnly = minPositive(res.ScanIndexOnly, indexOnly)
		return nil
	}
	if err := scans(); err != nil {
		return err
	}
	start := time.Now()
	var err error
	if res.Rescore, err = postgres.NewScoreService(t.DB).RescoreAll(ctx, t.OrgID); err != nil {
		return err
	}
	res.RescoreTime = time.Since(start)
	if err := scans(); err != nil {
		return err
	}
	res.Scan = min(res.ScanPlanned, res.ScanIndexOnly)
	return nil
}

func minPositive(a, b time.Duration) time.Duration {
	if a <= 0 {
		return b
	}
	return min(a, b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
