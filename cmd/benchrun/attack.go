package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// runLoad warms the endpoint up, measures its closed-loop throughput in
// slices alternating with ceiling (a), then its open-loop latency.
func runLoad(ctx context.Context, baseURL string, l *LoadResult, tr, ceiling vegeta.Targeter, expect int, o Options, d time.Duration) error {
	if o.rss != nil {
		defer o.rss.during(&l.PeakRSSKB)()
	}
	if o.Warm > 0 {
		if _, err := attack(ctx, tr, vegeta.Rate{}, o.Clients, o.Warm, expect); err != nil {
			return err
		}
	}
	profiled := make(chan error, 1)
	if o.ProfileDir != "" {
		go func() { profiled <- saveProfile(ctx, baseURL, filepath.Join(o.ProfileDir, l.Key+".pprof"), 2*d) }()
	} else {
		profiled <- nil
	}
	slices := max(o.Slices, 1)
	for i := range slices {
		// Alternate which goes first, so neither always follows the other.
		order := []bool{i%2 == 0, i%2 != 0}
		for _, page := range order {
			target, code, into := ceiling, http.StatusOK, &l.Ceiling
			if page {
				target, code, into = tr, expect, &l.Closed
			}
			s, err := attack(ctx, target, vegeta.Rate{}, o.Clients, d/time.Duration(slices), code)
			if err != nil {
				return err
			}
			into.add(s)
		}
	}
	if err := <-profiled; err != nil {
		return err
	}
	var err error
	l.Open, err = attack(ctx, tr, vegeta.Rate{Freq: l.Rate, Per: time.Second}, 0, d, expect)
	return err
}

// attack runs one vegeta attack. With clients > 0 it is a closed loop:
// that many workers, each sending its next request as soon as the last one
// is answered (vegeta's rate 0). Otherwise it offers rate requests per
// second whatever the answers take, adding workers as needed (open loop).
func attack(ctx context.Context, tr vegeta.Targeter, rate vegeta.Rate, clients int, d time.Duration, expect int) (Sample, error) {
	opts := []func(*vegeta.Attacker){
		vegeta.Redirects(vegeta.NoFollow), vegeta.MaxBody(0), vegeta.KeepAlive(true), vegeta.Timeout(30 * time.Second),
	}
	if clients > 0 {
		opts = append(opts, vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)), vegeta.Connections(clients))
	}
	a := vegeta.NewAttacker(opts...)
	var m vegeta.Metrics
	var s Sample
	results := a.Attack(tr, rate, d, "")
	for {
		select {
		case <-ctx.Done():
			a.Stop()
			for range results {
			}
			return s, ctx.Err()
		case r, ok := <-results:
			if !ok {
				m.Close()
				s.Requests = int(m.Requests)
				s.P50, s.P95, s.P99, s.Max = m.Latencies.P50, m.Latencies.P95, m.Latencies.P99, m.Latencies.Max
				s.Elapsed = m.Duration + m.Wait
				if s.Elapsed > 0 {
					s.RPS = float64(s.Requests-s.Errors) / s.Elapsed.Seconds()
				}
				return s, nil
			}
			if int(r.Code) != expect {
				s.Errors++
				if s.FirstError == "" {
					s.FirstError = fmt.Sprintf("%s %s: %d %s", r.Method, r.URL, r.Code, r.Error)
				}
			}
			m.Add(r)
		}
	}
}

// targeter hands out requests round-robin over the sessions.
func targeter(list []*session, fill func(s *session, t *vegeta.Target)) vegeta.Targeter {
	var next atomic.Uint64
	return func(t *vegeta.Target) error {
		s := list[next.Add(1)%uint64(len(list))]
		fill(s, t)
		t.Header = http.Header{"Cookie": {"gm_session=" + s.cookie}}
		return nil
	}
}

// touchTargeter logs a call on one of the rep's open deals, as the deal
// page's form does: the time in the rep's timezone, to the minute, and the
// Origin a browser sends with a same-origin form.
func touchTargeter(baseURL string, reps []*session) vegeta.Targeter {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		loc = time.UTC
	}
	inner := targeter(reps, func(s *session, t *vegeta.Target) {
		at := time.Now().In(loc).Add(-time.Duration(rand.IntN(600)) * time.Minute)
		form := url.Values{
			"kind": {"call"}, "direction": {"outbound"}, "occurred_at": {at.Format("2006-01-02T15:04")},
			"outcome": {[]string{"connected", "no_answer"}[rand.IntN(2)]}, "notes": {benchNote},
		}
		t.Method = http.MethodPost
		t.URL = baseURL + "/deals/" + strconv.FormatInt(s.deals[rand.IntN(len(s.deals))], 10) + "/touches"
		t.Body = []byte(form.Encode())
	})
	return func(t *vegeta.Target) error {
		if err := inner(t); err != nil {
			return err
		}
		t.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		t.Header.Set("Origin", baseURL)
		return nil
	}
}

// saveProfile fetches a CPU profile of the server over d from its pprof endpoint.
func saveProfile(ctx context.Context, baseURL, path string, d time.Duration) error {
	secs := max(1, int(d.Seconds())-1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", baseURL, secs), nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("cpu profile: status %d", res.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, res.Body)
	return errors.Join(err, f.Close())
}
