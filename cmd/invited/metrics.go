package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/invitehq/invite/invite"
)

// metrics is what /metrics tells: totals across companies (no label names
// a company, a user or an address, so the series are few and bounded),
// counted in a registry of this server's own.
type metrics struct {
	reg *prometheus.Registry

	invitations *prometheus.CounterVec // by event
	mail        *prometheus.CounterVec // by event

	jobRuns     *prometheus.CounterVec // by job
	jobFailures *prometheus.CounterVec
	jobPanics   *prometheus.CounterVec
	jobSeconds  *prometheus.HistogramVec

	requests       *prometheus.CounterVec   // by method, route and code
	requestSeconds *prometheus.HistogramVec // by method and route
}

// invitationEvent returns the value of invite_invitations_total's event
// label that an event of kind counts as, and false for a kind it does not
// count.
func invitationEvent(kind invite.EventKind) (string, bool) {
	switch kind {
	case invite.EventInvitationCreated:
		return "created", true
	case invite.EventInvitationResent:
		return "resent", true
	case invite.EventInvitationCanceled:
		return "canceled", true
	case invite.EventInvitationAccepted:
		return "accepted", true
	case invite.EventInvitationExpired:
		return "expired", true
	}
	return "", false
}

// The values of the event labels.
func invitationEvents() []string {
	return []string{"created", "resent", "canceled", "accepted", "expired"}
}
func mailEvents() []string { return []string{"queued", "delivered", "failed", "retried"} }

// unmatchedRoute is the route label of a request that no route answered:
// one value for every path that is not a page, whatever was asked.
const unmatchedRoute = "unmatched"

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		invitations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invite_invitations_total",
			Help: "Invitations created, resent, canceled, accepted and expired, as the history committed them.",
		}, []string{"event"}),
		mail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invite_mail_total",
			Help: "Messages queued, delivered, failed for good, and failed to be tried again (retried).",
		}, []string{"event"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invite_job_runs_total",
			Help: "Runs of each scheduled job.",
		}, []string{"job"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invite_job_failures_total",
			Help: "Runs of each scheduled job that returned an error (the shutdown's own cancellation aside).",
		}, []string{"job"}),
		jobPanics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invite_job_panics_total",
			Help: "Runs of each scheduled job that panicked.",
		}, []string{"job"}),
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "invite_job_duration_seconds",
			Help:    "How long each scheduled job's runs took.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 9), // 5 ms to about 5.5 min
		}, []string{"job"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invite_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern (" + unmatchedRoute + " for none) and status code.",
		}, []string{"method", "route", "code"}),
		requestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "invite_http_request_duration_seconds",
			Help:    "How long HTTP requests took to be answered, by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	m.reg.MustRegister(m.invitations, m.mail, m.jobRuns, m.jobFailures, m.jobPanics, m.jobSeconds, m.requests, m.requestSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every series of a bounded label starts at zero, so that a rate over
	// it is there before the first event.
	for _, ev := range invitationEvents() {
		m.invitations.WithLabelValues(ev)
	}
	for _, ev := range mailEvents() {
		m.mail.WithLabelValues(ev)
	}
	return m
}

// recorded counts committed events: it is the Service's Config.Recorded.
func (m *metrics) recorded(evs []*invite.Event) {
	for _, e := range evs {
		if ev, ok := invitationEvent(e.Kind); ok {
			m.invitations.WithLabelValues(ev).Inc()
			continue
		}
		switch e.Kind {
		case invite.EventMailQueued:
			m.mail.WithLabelValues("queued").Inc()
		case invite.EventMailDelivered:
			m.mail.WithLabelValues("delivered").Inc()
		case invite.EventMailFailed:
			// Tried again unless final; a detail without it is counted
			// as failed, which an alert notices rather than misses.
			var d struct {
				Final *bool `json:"final"`
			}
			if json.Unmarshal(e.Detail, &d) == nil && d.Final != nil && !*d.Final {
				m.mail.WithLabelValues("retried").Inc()
			} else {
				m.mail.WithLabelValues("failed").Inc()
			}
		}
	}
}

// job makes the series of a job, at zero.
func (m *metrics) job(name string) {
	m.jobRuns.WithLabelValues(name)
	m.jobFailures.WithLabelValues(name)
	m.jobPanics.WithLabelValues(name)
	m.jobSeconds.WithLabelValues(name)
}

// jobRan counts a run of the job name: see jobObserver.
// A job run only on demand has its series from its first run.
func (m *metrics) jobRan(name string, took time.Duration, failed, panicked bool) {
	m.jobRuns.WithLabelValues(name).Inc()
	m.jobSeconds.WithLabelValues(name).Observe(took.Seconds())
	failures, panics := m.jobFailures.WithLabelValues(name), m.jobPanics.WithLabelValues(name)
	if failed {
		failures.Inc()
	}
	if panicked {
		panics.Inc()
	}
}

// observe counts an answered request: it is httpui's Config.Observe.
func (m *metrics) observe(method, route string, status int, took time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
	default:
		method = "other" // a client may send any word
	}
	if route == "" {
		route = unmatchedRoute
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.requestSeconds.WithLabelValues(method, route).Observe(took.Seconds())
}

// handler serves the metrics in Prometheus's text format (or OpenMetrics,
// as the scraper asks). A collector that fails leaves its metrics out and
// is logged; the rest are served.
func (m *metrics) handler(logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            promLog{logger},
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            m.reg,
		MaxRequestsInFlight: 4,
		EnableOpenMetrics:   true, // when the scraper asks for it (Accept)
	})
}

// promLog lets promhttp log through slog.
type promLog struct{ logger *slog.Logger }

func (l promLog) Println(v ...any) { l.logger.Warn("metrics", "err", fmt.Sprint(v...)) }

// outboxScrapeTimeout bounds the outbox's statement of a scrape: a
// database that does not answer leaves the outbox's gauges out, in time.
const outboxScrapeTimeout = 2 * time.Second

// outboxCollector asks the store, at each scrape, how much waits in the
// outbox. When the store does not answer in time, the gauges are left out
// and invite_outbox_scrape_errors_total counts it.
type outboxCollector struct {
	stats  func(ctx context.Context, now time.Time) (invite.OutboxStats, error)
	now    func() time.Time
	logger *slog.Logger
	errors atomic.Int64

	depth, age, errs *prometheus.Desc
}

// errNoOutboxYet is what the outbox's stats answer while the server
// migrates the database, which has no outbox yet.
var errNoOutboxYet = errors.New("the database is being migrated")

func newOutboxCollector(stats func(context.Context, time.Time) (invite.OutboxStats, error), logger *slog.Logger) *outboxCollector {
	return &outboxCollector{
		stats: stats, now: time.Now, logger: logger,
		depth: prometheus.NewDesc("invite_outbox_depth", "Messages in the outbox still to be sent (queued, or being sent).", nil, nil),
		age:   prometheus.NewDesc("invite_outbox_oldest_due_age_seconds", "How long the message due the longest has been due; 0 when none is.", nil, nil),
		errs:  prometheus.NewDesc("invite_outbox_scrape_errors_total", "Scrapes at which the database did not tell the outbox's depth (the outbox's gauges were left out).", nil, nil),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.age
	ch <- c.errs
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), outboxScrapeTimeout)
	defer cancel()
	now := c.now()
	st, err := c.stats(ctx, now)
	switch {
	case errors.Is(err, errNoOutboxYet):
		// Migrating: the gauges are left out, and nothing failed.
	case err != nil:
		c.logger.Warn("metrics: outbox stats", "err", err, "count", c.errors.Add(1))
	default:
		var age float64
		if !st.OldestDue.IsZero() {
			age = max(0, now.Sub(st.OldestDue).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(st.Depth))
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
	}
	ch <- prometheus.MustNewConstMetric(c.errs, prometheus.CounterValue, float64(c.errors.Load()))
}
