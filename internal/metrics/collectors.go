package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"goodmoney/internal/pipeline"
)

var (
	poolConns = prometheus.NewDesc(namespace+"_db_pool_connections",
		"Database pool connections by state (acquired, idle, constructing).", []string{"state"}, nil)
	poolMax = prometheus.NewDesc(namespace+"_db_pool_max_connections",
		"The pool's connection limit.", nil, nil)
	poolAcquires = prometheus.NewDesc(namespace+"_db_pool_acquires_total",
		"Connections acquired from the pool.", nil, nil)
	poolEmptyAcquires = prometheus.NewDesc(namespace+"_db_pool_empty_acquires_total",
		"Acquires that had to wait for a connection: the pool was too small at that moment.", nil, nil)
	poolAcquireWait = prometheus.NewDesc(namespace+"_db_pool_acquire_wait_seconds_total",
		"Time spent waiting for a connection.", nil, nil)
	poolCanceled = prometheus.NewDesc(namespace+"_db_pool_canceled_acquires_total",
		"Acquires given up because their request ended first.", nil, nil)
	openFlags = prometheus.NewDesc(namespace+"_flags",
		"Flags asking for attention, by status (open, snoozed) and the deal's current band.", []string{"status", "band"}, nil)
)

// poolCollector reads pgxpool's figures at scrape time.
type poolCollector struct{ stat func() *pgxpool.Stat }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolMax, poolAcquires, poolEmptyAcquires, poolAcquireWait, poolCanceled} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolEmptyAcquires, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolAcquireWait, prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds())
	ch <- prometheus.MustNewConstMetric(poolCanceled, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
}

// flagCollector counts flags in the database at scrape time.
type flagCollector struct {
	counter pipeline.FlagCounter
	logger  *slog.Logger
}

func (c flagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- openFlags }

func (c flagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.counter.OpenFlagsByBand(ctx)
	if err != nil {
		c.logger.Warn("metrics: count open flags", "err", err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(openFlags, prometheus.GaugeValue, float64(n.Count), n.Status, n.Band)
	}
}
