// Package metrics keeps goodmoney's Prometheus series: requests by route
// pattern and status class, the database pool, River jobs by kind and
// outcome, rescore and digest durations, and open flags by band. The
// registry is served by Handler on its own listener (METRICS_ADDR), never on
// the app's public address.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"goodmoney/internal/pipeline"
)

const namespace = "goodmoney"

// Metrics holds the registry and the series the app updates.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	jobRun   *prometheus.HistogramVec
	rescore  prometheus.Histogram
	digest   prometheus.Histogram
}

// New returns the metrics on a fresh registry that also carries the Go
// runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests by chi route pattern, method and status class (2xx, 3xx, 4xx, 5xx).",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "HTTP request latency by chi route pattern, method and status class.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "code"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "river_jobs_total",
			Help: "River job runs by kind and outcome (completed, failed, cancelled, snoozed).",
		}, []string{"kind", "outcome"}),
		jobRun: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "river_job_run_seconds",
			Help:    "Time River jobs spent in their worker, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10), // 10 ms to ~45 min
		}, []string{"kind"}),
		rescore: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "rescore_duration_seconds",
			Help:    "Time to rescore every open deal of one org.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}),
		digest: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "digest_duration_seconds",
			Help:    "Time to build and send one digest.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 9),
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.jobs, m.jobRun, m.rescore, m.digest,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveRequest counts a request. route is chi's pattern ("/deals/{id}"),
// never the raw path, so the series stay few; "" becomes "unmatched".
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	code := strconv.Itoa(status/100) + "xx"
	m.requests.WithLabelValues(route, method, code).Inc()
	m.latency.WithLabelValues(route, method, code).Observe(d.Seconds())
}

// ObserveJob counts one finished run of a River job.
func (m *Metrics) ObserveJob(kind, outcome string, run time.Duration) {
	m.jobs.WithLabelValues(kind, outcome).Inc()
	m.jobRun.WithLabelValues(kind).Observe(run.Seconds())
}

// ObserveRescore records how long rescoring one org's open deals took.
func (m *Metrics) ObserveRescore(d time.Duration) { m.rescore.Observe(d.Seconds()) }

// ObserveDigest records how long one digest took to build and send.
func (m *Metrics) ObserveDigest(d time.Duration) { m.digest.Observe(d.Seconds()) }

// WatchPool exports the pool's connection figures at every scrape.
func (m *Metrics) WatchPool(pool *pgxpool.Pool) {
	m.registry.MustRegister(poolCollector{stat: pool.Stat})
}

// WatchFlags exports the open flags by band, counted at every scrape (with
// a 5-second limit; a failed count is logged and the series left out).
func (m *Metrics) WatchFlags(c pipeline.FlagCounter, logger *slog.Logger) {
	m.registry.MustRegister(flagCollector{counter: c, logger: logger})
}
