package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// outcomesResult is the back-test of every closed deal of the org next to
// the bare scan of the touches, and a manager's report page.
type outcomesResult struct {
	Deals, Flagged int
	Time           time.Duration // back-test of every closed deal, 14 days before close
	Scan           time.Duration // the faster bare scan of the touches, taken just before
	Cold           time.Duration // a manager's first view: their team's back-test, then kept
	Warm, WarmMax  time.Duration // the same page again (median and slowest of 20), from what was kept
}

// measureOutcomes times the back-test the admin's report runs: every closed
// deal of the org over the last three years (all of them in the benchmark
// org), scored as of 14 days before it closed with the rules in force,
// each deal's touches read once. Then a manager opens /reports/outcomes:
// once to run their team's back-test, then 20 times from the kept result.
func measureOutcomes(ctx context.Context, t Target, f *fixture) (*outcomesResult, error) {
	var r outcomesResult
	bench := postgres.NewBench(t.DB)
	planned, err := bench.BareTouchScan(ctx, false)
	if err != nil {
		return nil, err
	}
	indexOnly, err := bench.BareTouchScan(ctx, true)
	if err != nil {
		return nil, err
	}
	r.Scan = min(planned, indexOnly)
	now := time.Now()
	q, errs := outcomes.ParseQuery(outcomes.Values{From: now.AddDate(-3, 0, 1).Format("2006-01-02")}, now, time.UTC)
	if errs != nil {
		return nil, fmt.Errorf("outcomes query: %v", errs)
	}
	scores := postgres.NewScoreService(t.DB)
	rules, err := scores.Rules(ctx, t.OrgID)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rows, err := scores.BackTest(ctx, pipeline.Actor{OrgID: t.OrgID, Role: pipeline.RoleAdmin}, q, rules)
	if err != nil {
		return nil, fmt.Errorf("back-test: %w", err)
	}
	r.Time = time.Since(start)
	s := outcomes.Summarize(rows)
	r.Deals, r.Flagged = s.Deals, s.Flagged
	if len(f.managers) == 0 {
		return &r, nil
	}
	if err := bench.ForgetOutcomes(ctx, t.OrgID); err != nil {
		return nil, err
	}
	m := f.managers[0]
	if r.Cold, err = timeGet(ctx, t.BaseURL+"/reports/outcomes", m.cookie); err != nil {
		return nil, err
	}
	warm := make([]time.Duration, 20)
	for i := range warm {
		if warm[i], err = timeGet(ctx, t.BaseURL+"/reports/outcomes", m.cookie); err != nil {
			return nil, err
		}
	}
	slices.Sort(warm)
	r.Warm, r.WarmMax = warm[len(warm)/2], warm[len(warm)-1]
	return &r, nil
}

// timeGet times one GET with the session cookie, read to the end; any
// answer but 200 is an error.
func timeGet(ctx context.Context, url, cookie string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Cookie", "gm_session="+cookie)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	return time.Since(start), nil
}

// row is the report's line for the back-test.
func (r *outcomesResult) row() string {
	ratio := r.Time.Seconds() / max(r.Scan.Seconds(), 1e-9)
	return fmt.Sprintf("| back-test of %d closed deals (14 days before close; %d flagged) | %s: %.1f× the bare scan of all touches (%s) | | | ≤ 2× %s | "+
		"manager's GET /reports/outcomes: first view %s, then p50 %s, slowest %s (kept result) | ≤ 200 ms %s | |\n",
		r.Deals, r.Flagged, r.Time.Round(10*time.Millisecond), ratio, r.Scan.Round(10*time.Millisecond), verdict(ratio <= 2),
		ms(r.Cold), ms(r.Warm), ms(r.WarmMax), verdict(r.WarmMax <= 200*time.Millisecond))
}
