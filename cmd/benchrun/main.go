// Command benchrun measures goodmoney at the size of a real sales org, each
// figure next to the stack's own ceiling taken in the same run.
//
// It prepares the benchmark org in its own data folder (or reuses it),
// starts `goodmoney serve` from the bench build (go build -tags bench: the
// ceiling pages and pprof are compiled in), signs
// clients in and loads every page with vegeta, then times a full rescore
// next to a bare scan of the touches, reads the server's peak RSS and runs
// the Go micro-benchmarks. It prints a table and rewrites the generated part
// of BENCHMARKS.md. `make bench` runs it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pglocal"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
)

func main() {
	var (
		dataDir = flag.String("data", "bench-data", "data folder of the benchmark cluster")
		bin     = flag.String("bin", "bin/goodmoney-bench", "goodmoney binary built with -tags bench, to seed and serve with")
		seedNum = flag.Uint64("seed", 42, "random seed of the benchmark org")
		out     = flag.String("out", "BENCHMARKS.md", "markdown file to update")
		micro   = flag.Bool("micro", true, "run the Go micro-benchmarks")
		o       = Options{Log: os.Stdout}
	)
	flag.IntVar(&o.Clients, "clients", 50, "closed-loop clients")
	flag.DurationVar(&o.Warm, "warm", 3*time.Second, "warm-up before each endpoint")
	flag.DurationVar(&o.Read, "read", 10*time.Second, "length of each read measurement")
	flag.DurationVar(&o.Write, "write", 10*time.Second, "length of each write measurement")
	flag.IntVar(&o.Slices, "slices", 5, "closed-loop slices, alternating with ceiling (a)")
	flag.IntVar(&o.ReadRate, "read-rate", 300, "open-loop rate for reads, per second")
	flag.IntVar(&o.WriteRate, "write-rate", 100, "open-loop rate for the touch POST, per second")
	only := flag.String("only", "", "comma-separated loads to run (deal, band, review, search, touch, rescore, digest, outcomes); the ceilings always run")
	flag.StringVar(&o.ProfileDir, "pprof", "", "folder for a server CPU profile of each closed loop")
	flag.Parse()
	if *only != "" {
		o.Only = map[string]bool{}
		for _, k := range strings.Split(*only, ",") {
			o.Only[strings.TrimSpace(k)] = true
		}
		*out = "" // a partial run does not replace the figures in BENCHMARKS.md
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := run(ctx, *dataDir, *bin, *seedNum, *micro, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
	fmt.Println()
	fmt.Print(r.Table())
	if *out == "" {
		return
	}
	if err := writeMarkdown(*out, r.Section()); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
	fmt.Printf("\nbenchrun: wrote %s\n", *out)
}

// phaseLine matches the seed's lines that end a phase (not its progress lines).
var phaseLine = regexp.MustCompile(`^seed: (planned|loaded|vacuumed|references|rescored|Bench Corp done)`)

// seedRecord is kept in the data folder so that a run that reuses the
// dataset can still report how it was made and how long that took.
type seedRecord struct {
	Seed     uint64    `json:"seed"`
	At       time.Time `json:"at"`
	Duration string    `json:"duration"`
	Output   []string  `json:"output"` // the seed's phase lines
}

func run(ctx context.Context, dataDir, bin string, seedNum uint64, micro bool, o Options) (*Report, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s: build it first (go build -tags bench -o %s ./cmd/goodmoney, as make bench does): %w", bin, bin, err)
	}
	cluster, err := pglocal.Start(ctx, pglocal.Options{DataDir: dataDir})
	if err != nil {
		return nil, err
	}
	defer cluster.Stop()
	if err := cluster.EnsureDatabase(ctx, "goodmoney"); err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, cluster.ConnString("goodmoney"))
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool); err != nil {
		return nil, err
	}

	db := postgres.NewDB(pool)
	bench := postgres.NewBench(db)
	rec, orgID, err := prepareDataset(ctx, bench, dataDir, bin, seedNum)
	if err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, bin, dataDir)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	fmt.Printf("benchrun: serving on %s (pid %d, log %s)\n", srv.url, srv.cmd.Process.Pid, srv.logPath)
	if err := waitJobsIdle(ctx, bench); err != nil {
		return nil, err
	}

	report := &Report{Date: time.Now(), Options: o, Machine: machine(ctx, bench)}
	report.Results, err = Measure(ctx, Target{BaseURL: srv.url, PID: srv.cmd.Process.Pid, DB: db, OrgID: orgID}, o)
	if err != nil {
		return nil, err
	}
	report.Problems = problems(report.Results)
	srv.stop()
	if report.Dataset, err = dataset(ctx, bench, orgID, rec); err != nil {
		return nil, err
	}
	if micro {
		fmt.Println("benchrun: Go micro-benchmarks")
		if report.Micro, err = microBenchmarks(ctx); err != nil {
			return nil, err
		}
	}
	return report, nil
}

// prepareDataset returns the benchmark org, seeding it with the goodmoney
// binary (as `goodmoney seed --size large` would be run by hand) when the
// data folder does not hold it yet.
func prepareDataset(ctx context.Context, bench *postgres.Bench, dataDir, bin string, seedNum uint64) (*seedRecord, int64, error) {
	recPath := filepath.Join(dataDir, "benchrun-seed.json")
	orgID, err := bench.OrgID(ctx, seed.BenchOrgName)
	if err != nil && pipeline.ErrorCode(err) != pipeline.ENOTFOUND {
		return nil, 0, err
	}
	if err == nil {
		var rec seedRecord
		if b, err := os.ReadFile(recPath); err == nil {
			_ = json.Unmarshal(b, &rec)
		}
		fmt.Printf("benchrun: reusing %s (org %d) in %s\n", seed.BenchOrgName, orgID, dataDir)
		return &rec, orgID, nil
	}
	fmt.Printf("benchrun: seeding %s in %s (seed %d)\n", seed.BenchOrgName, dataDir, seedNum)
	cmd := exec.CommandContext(ctx, bin, "seed", "--size", "large", "--seed", fmt.Sprint(seedNum))
	cmd.Env = append(os.Environ(), "DATA_DIR="+dataDir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	rec := &seedRecord{Seed: seedNum, At: start.UTC()}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		fmt.Println(line)
		if phaseLine.MatchString(line) {
			rec.Output = append(rec.Output, line)
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, 0, fmt.Errorf("seed: %w", err)
	}
	rec.Duration = time.Since(start).Round(time.Second).String()
	if b, err := json.MarshalIndent(rec, "", "  "); err == nil {
		_ = os.WriteFile(recPath, b, 0o644)
	}
	if orgID, err = bench.OrgID(ctx, seed.BenchOrgName); err != nil {
		return nil, 0, fmt.Errorf("benchmark org after seeding: %w", err)
	}
	return rec, orgID, nil
}

// serveProcess is `goodmoney serve` running as a child process.
type serveProcess struct {
	cmd     *exec.Cmd
	url     string
	logPath string
	done    chan struct{}
}

// startServer runs `goodmoney serve` (the bench build, with the ceiling
// pages and pprof) on a free loopback port and waits until it answers.
func startServer(ctx context.Context, bin, dataDir string) (*serveProcess, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	logPath := filepath.Join(dataDir, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &serveProcess{url: "http://" + addr, logPath: logPath, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(os.Environ(), "DATA_DIR="+dataDir, "ADDR="+addr, "BASE_URL="+s.url, "LOG_FORMAT=json")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() { s.cmd.Wait(); logFile.Close(); close(s.done) }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("goodmoney serve exited; see %s", logPath)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if res, err := http.Get(s.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("goodmoney serve did not answer in time; see %s", logPath)
}

// stop asks the server to shut down and waits for it.
func (s *serveProcess) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// waitJobsIdle waits until River has run the jobs serve enqueues at start
// (among them a full rescore of every org), so they do not run during the
// measurements.
func waitJobsIdle(ctx context.Context, bench *postgres.Bench) error {
	fmt.Println("benchrun: waiting for the server's start-up jobs (periodic rescore) to finish")
	start := time.Now()
	quiet := 0
	for quiet < 3 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		busy, err := bench.BusyJobs(ctx)
		if err != nil {
			return err
		}
		if busy == 0 && time.Since(start) > 5*time.Second {
			quiet++
		} else {
			quiet = 0
		}
	}
	fmt.Printf("benchrun: jobs idle after %s\n", time.Since(start).Round(time.Second))
	return nil
}

// machine describes where the run happened.
func machine(ctx context.Context, bench *postgres.Bench) []string {
	lines := []string{fmt.Sprintf("%d cores (nproc)", runtime.NumCPU())}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				lines = append(lines, "CPU "+strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":")))
				break
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "free", "-h").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Mem:" {
				lines = append(lines, "memory "+f[1]+" (free -h)")
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "uname", "-sr").Output(); err == nil {
		lines = append(lines, strings.TrimSpace(string(out)))
	}
	lines = append(lines, runtime.Version())
	if pg, err := bench.ServerVersion(ctx); err == nil {
		lines = append(lines, pg+" (private cluster, default settings, fsync on)")
	}
	return lines
}

// dataset describes the benchmark org as it is in the database.
func dataset(ctx context.Context, bench *postgres.Bench, orgID int64, rec *seedRecord) ([]string, error) {
	d, err := bench.Dataset(ctx, orgID)
	if err != nil {
		return nil, err
	}
	lines := []string{
		fmt.Sprintf("%s: %d users (%s), %d prospects, %d contacts, %d deals (%d open, %d of them flagged not good money: %.1f %%), %d stage changes, %d touches over 365 days",
			seed.BenchOrgName, d.Users, "reps, managers, an admin", d.Prospects, d.Contacts, d.Deals, d.OpenDeals, d.Flagged,
			100*float64(d.Flagged)/float64(max(d.OpenDeals, 1)), d.StageChanges, d.Touches),
	}
	if rec != nil && rec.Duration != "" {
		phases := slices.DeleteFunc(slices.Clone(rec.Output), func(line string) bool { return !phaseLine.MatchString(line) })
		lines = append(lines, fmt.Sprintf("`goodmoney seed --size large --seed %d` took %s on %s (%s)", rec.Seed, rec.Duration,
			rec.At.Format("2006-01-02"), strings.Join(phases, " · ")))
	} else {
		lines = append(lines, "seeded before this harness recorded seed times")
	}
	return lines, nil
}

// microBenchmarks runs the Go benchmarks of the scoring core and the money
// parser and keeps their result lines.
func microBenchmarks(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", ".", "-benchmem", "./internal/scoring/", "./internal/money/")
	var buf strings.Builder
	cmd.Stdout = io.MultiWriter(&buf, os.Stdout)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("micro-benchmarks: %w", err)
	}
	var keep []string
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "cpu:") || strings.HasPrefix(line, "pkg:") {
			keep = append(keep, line)
		}
	}
	if len(keep) == 0 {
		return "", errors.New("micro-benchmarks printed no results")
	}
	return strings.Join(keep, "\n") + "\n", nil
}
