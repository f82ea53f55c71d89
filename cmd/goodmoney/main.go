// Command goodmoney is the whole app in one binary: the web server, its
// database migrations, demo data and admin commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"goodmoney/internal/jobs"
	"goodmoney/internal/metrics"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
	"goodmoney/internal/server"
)

const usage = `goodmoney: sales pipeline that flags deals that are not good money.

Usage:
  goodmoney serve [--demo]          serve the web app (ADDR, default 127.0.0.1:8080)
  goodmoney migrate                 apply database migrations
  goodmoney seed                    create the demo org (on an empty database)
  goodmoney seed --size large [--seed N]
                                    add the benchmark org "Bench Corp" (500 reps, 5M touches)
  goodmoney score [--org N]         rescore every open deal (of one org, or of all)
  goodmoney user add --email E --name N --role rep|manager|admin [--team T] --password P
                                    (adds to the first org)
  goodmoney digest send --user EMAIL [--week 2026-W48] [--force]
                                    build, record and send one user's Monday digest
  goodmoney digest preview --user EMAIL
                                    print this week's digest of a user as plain text
  goodmoney backup FILE             pg_dump (custom format) of the database to FILE
  goodmoney restore FILE            load a backup into an empty database
  goodmoney org add --name N --admin-email E --password P [--admin-name A] [--timezone TZ]
                                    add an org (tenant) with its first admin

Environment: ADDR, DATABASE_URL, DATA_DIR, SMTP_URL, MAIL_FROM, BASE_URL, SESSION_SECURE, LOG_FORMAT,
RESCORE_INTERVAL (how often every open deal is rescored, like 6h; default 24h),
TRUSTED_PROXIES (CIDRs whose X-Forwarded-For is believed), METRICS_ADDR (/metrics listener; off when empty),
DATABASE_MAX_DOWN (how long serve restarts a dead private PostgreSQL before exiting 1; default 60s).
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cfg := loadConfig()
	logger := newLogger(cfg.LogFormat)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch os.Args[1] {
	case "serve":
		err = runServe(ctx, cfg, logger, os.Args[2:])
	case "migrate":
		err = runMigrate(ctx, cfg, logger)
	case "seed":
		err = runSeed(ctx, cfg, logger, os.Args[2:])
	case "score":
		err = runScore(ctx, cfg, logger, os.Args[2:])
	case "user":
		err = runUser(ctx, cfg, logger, os.Args[2:])
	case "digest":
		err = runDigest(ctx, cfg, logger, os.Args[2:])
	case "backup":
		err = runBackup(ctx, cfg, logger, os.Args[2:])
	case "restore":
		err = runRestore(ctx, cfg, logger, os.Args[2:])
	case "org":
		err = runOrg(ctx, cfg, logger, os.Args[2:])
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		logger.Error(os.Args[1]+" failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

// openMigrated opens the database and applies pending migrations.
func openMigrated(ctx context.Context, cfg config, logger *slog.Logger, maxConns int32) (*database, error) {
	d, err := openDatabase(ctx, cfg, logger, maxConns)
	if err != nil {
		return nil, err
	}
	if err := postgres.Migrate(ctx, d.Pool); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func runMigrate(ctx context.Context, cfg config, logger *slog.Logger) error {
	d, err := openMigrated(ctx, cfg, logger, 4)
	if err != nil {
		return err
	}
	defer d.Close()
	logger.Info("migrations applied")
	return nil
}

func runSeed(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	size := fs.String("size", "demo", "demo, or large for the benchmark org")
	seedNum := fs.Uint64("seed", 42, "random seed of the large org")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *size != "demo" && *size != "large" {
		return fmt.Errorf("seed --size %q: want demo or large", *size)
	}
	d, err := openMigrated(ctx, cfg, logger, 4)
	if err != nil {
		return err
	}
	defer d.Close()
	if *size == "large" {
		return seedLarge(ctx, postgres.NewDB(d.Pool), *seedNum)
	}
	created, err := seed.Demo(ctx, postgres.NewDB(d.Pool))
	if err != nil {
		return err
	}
	if !created {
		fmt.Println("The database already has data; the demo org was not added.")
	}
	printLogins()
	return nil
}

// seedLarge adds the benchmark org and scores it.
func seedLarge(ctx context.Context, db *postgres.DB, seedNum uint64) error {
	scores := newServices(db).scores
	st, err := seed.Large(ctx, db, seed.LargeOptions{
		Seed:     seedNum,
		Progress: os.Stdout,
		Rescore: func(ctx context.Context, orgID int64) error {
			rs, err := scores.RescoreAll(ctx, orgID)
			fmt.Printf("seed: rescored %d open deals, %d flagged, in %s\n", rs.Deals, rs.Flagged, rs.Duration.Round(time.Millisecond))
			return err
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("Bench Corp (org %d): %d users, %d prospects, %d contacts, %d deals (%d open), %d stage changes, %d touches in %s.\n",
		st.OrgID, st.Users, st.Prospects, st.Contacts, st.Deals, st.OpenDeals, st.StageChanges, st.Touches, st.Total.Round(time.Second))
	fmt.Printf("Logins (password %s): %s, %s … %s, %s … %s\n", seed.DemoPassword, seed.BenchAdminEmail,
		seed.BenchManagerEmail(1), seed.BenchManagerEmail(seed.LargeDefaults.Teams), seed.BenchRepEmail(1), seed.BenchRepEmail(seed.LargeDefaults.Reps))
	return nil
}

// runScore rescores the open deals of one org, or of every org.
func runScore(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	org := fs.Int64("org", 0, "org id (default: every org)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg, logger, 4)
	if err != nil {
		return err
	}
	defer d.Close()
	scores := newServices(postgres.NewDB(d.Pool)).scores
	orgs := []int64{*org}
	if *org == 0 {
		if orgs, err = scores.OrgIDs(ctx); err != nil {
			return err
		}
	}
	for _, id := range orgs {
		st, err := scores.RescoreAll(ctx, id)
		if err != nil {
			return err
		}
		fmt.Printf("org %d: rescored %d open deals in %s: %d flagged, %d scores changed, %d flags opened, %d resolved\n",
			id, st.Deals, st.Duration.Round(time.Millisecond), st.Flagged, st.Written, st.Opened, st.Resolved)
	}
	return nil
}

func printLogins() {
	fmt.Println("Demo logins (password for all: " + seed.DemoPassword + "):")
	for _, l := range seed.DemoLogins {
		fmt.Printf("  %-24s %s\n", l.Email, l.Role)
	}
}

func runUser(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: goodmoney user add --email E --name N --role R [--team T] --password P")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "full name")
	role := fs.String("role", pipeline.RoleRep, "rep, manager or admin")
	team := fs.String("team", "", "team name (optional)")
	pw := fs.String("password", "", "password (8+ characters)")
	tz := fs.String("timezone", "UTC", "IANA timezone")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg, logger, 4)
	if err != nil {
		return err
	}
	defer d.Close()
	db := postgres.NewDB(d.Pool)
	u, err := seed.AddUser(ctx, db, pipeline.NewUser{Email: *email, Name: *name, Role: *role, Timezone: *tz, Password: *pw}, *team)
	if err != nil {
		if fields := pipeline.FieldErrors(err); fields != nil {
			return fmt.Errorf("%v", fields)
		}
		return err
	}
	fmt.Printf("added user %d %s (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

// runOrg adds a tenant and its first admin: the only way to a second org
// besides SQL, and how the access tests make two.
func runOrg(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	const usage = "usage: goodmoney org add --name N --admin-email E --password P [--admin-name A] [--timezone TZ]"
	if len(args) == 0 || args[0] != "add" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("org add", flag.ContinueOnError)
	name := fs.String("name", "", "organisation name")
	email := fs.String("admin-email", "", "email of the first admin")
	adminName := fs.String("admin-name", "Admin", "name of the first admin")
	pw := fs.String("password", "", "the admin's password (8+ characters)")
	tz := fs.String("timezone", "UTC", "IANA timezone of the org and its admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg, logger, 4)
	if err != nil {
		return err
	}
	defer d.Close()
	org, admin, err := postgres.NewOrgService(postgres.NewDB(d.Pool)).AddOrg(ctx,
		pipeline.Org{Name: *name, Timezone: *tz},
		pipeline.NewUser{Email: *email, Name: *adminName, Timezone: *tz, Password: *pw})
	if err != nil {
		if fields := pipeline.FieldErrors(err); fields != nil {
			return fmt.Errorf("%v", fields)
		}
		return err
	}
	fmt.Printf("added org %d %q with admin %d %s\n", org.ID, org.Name, admin.ID, admin.Email)
	return nil
}

func runServe(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "seed the demo org when the database is empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.TrustedProxiesErr != nil {
		return cfg.TrustedProxiesErr
	}
	d, err := openMigrated(ctx, cfg, logger, 0)
	if err != nil {
		return err
	}
	defer d.Close()
	// If the private cluster dies and cannot be restarted, stop serving and
	// exit non-zero rather than answer 503 forever.
	ctx, giveUp := context.WithCancelCause(ctx)
	defer giveUp(nil)
	d.supervise(cfg.DatabaseMaxDown, giveUp)
	db := postgres.NewDB(d.Pool)
	if *demo {
		if _, err := seed.Demo(ctx, db); err != nil {
			return err
		}
	}

	svc := newServices(db)
	rescoreEvery, err := rescoreInterval()
	if err != nil {
		return err
	}
	var m *metrics.Metrics
	if cfg.MetricsAddr != "" {
		m = metrics.New()
		m.WatchPool(d.Pool)
		m.WatchFlags(postgres.NewStats(db), logger)
	}
	workers := river.NewWorkers()
	if err := jobs.Register(workers, svc.jobs(logger, m), rescoreEvery); err != nil {
		return err
	}
	if svc.digests, err = newDigests(cfg, db, logger); err != nil {
		return err
	}
	if err := jobs.RegisterDigests(workers, svc.digests, db.Now, jobMetrics(m)); err != nil {
		return err
	}
	periodic := append(jobs.Periodic(rescoreEvery), jobs.DigestPeriodic())
	jobClient, err := jobs.NewClient(riverpgxv5.New(d.Pool), jobs.Config{Logger: logger, Workers: workers, Periodic: periodic})
	if err != nil {
		return err
	}
	svc.queueRescores(jobClient)
	if err := jobClient.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	if m != nil {
		jobs.Report(jobClient, m)
	}

	srv := svc.server(server.Config{
		SessionSecure:  cfg.SessionSecure,
		TrustedProxies: cfg.TrustedProxies,
	}, logger, m, d.health)
	httpServer := newHTTPServer(cfg.Addr, srv.Handler(), logger)
	errc := make(chan error, 2)
	go func() { errc <- httpServer.ListenAndServe() }()
	fmt.Printf("goodmoney is serving on http://%s\n", cfg.Addr)
	var metricsServer *http.Server
	if m != nil {
		metricsServer = newHTTPServer(cfg.MetricsAddr, metricsMux(m), logger)
		go func() { errc <- metricsServer.ListenAndServe() }()
		logger.Info("metrics on a separate listener", "url", "http://"+cfg.MetricsAddr+"/metrics")
	}
	if *demo {
		printLogins()
	}

	select {
	case err = <-errc:
		err = fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
			logger.Error("shutting down: the database is gone", "err", cause)
		} else {
			logger.Info("shutting down: draining requests")
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if e := httpServer.Shutdown(shutdownCtx); e != nil {
		logger.Error("http shutdown", "err", e)
	}
	if metricsServer != nil {
		if e := metricsServer.Shutdown(shutdownCtx); e != nil {
			logger.Error("metrics shutdown", "err", e)
		}
	}
	if e := jobs.Stop(shutdownCtx, jobClient); e != nil {
		logger.Error("jobs shutdown", "err", e)
	}
	logger.Info("stopped")
	return err
}

// newHTTPServer returns a server on addr with timeouts that bound slow
// clients.
func newHTTPServer(addr string, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// metricsMux serves /metrics only: the listener is for the operator's
// scraper, never the public.
func metricsMux(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return mux
}

// rescoreInterval reads RESCORE_INTERVAL, how often the periodic job
// rescores every open deal (a Go duration such as "6h"; default 24h).
func rescoreInterval() (time.Duration, error) {
	v := os.Getenv("RESCORE_INTERVAL")
	if v == "" {
		return jobs.DefaultRescoreInterval, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		return 0, fmt.Errorf("RESCORE_INTERVAL %q: want a duration of a minute or more, like 6h", v)
	}
	return d, nil
}
