package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/phone"
	"github.com/invitehq/invite/invite/smtp"
	"github.com/invitehq/invite/store"
)

// Main is the running program: database, service, scheduled jobs and HTTP
// server. Tests start it on port 0 with a temporary database.
type Main struct {
	cfg    Config
	logger *slog.Logger
	out    io.Writer // where the one-time login details are printed

	db     *store.DB
	svc    *invite.Service
	mailer invite.Mailer
	jobs   *scheduler
	srv    *http.Server
	ln     net.Listener
	served chan error

	// metrics is what /metrics tells; metricsSrv serves it on
	// INVITE_METRICS_ADDR, when set, from metricsLn.
	metrics       *metrics
	metricsSrv    *http.Server
	metricsLn     net.Listener
	metricsServed chan error

	// starting is true from Start's opening of the database until it is
	// migrated and the jobs run: the server answers, as not ready.
	starting atomic.Bool

	closeOnce sync.Once
	closeErr  error

	// panics counts the jobs and requests that panicked: each is logged
	// with its stack, and the server goes on.
	panics atomic.Int64

	// webhookTLS, if set, is the TLS configuration of webhook deliveries:
	// a test's, which trusts its receiver's certificate.
	webhookTLS *tls.Config
}

// NewMain returns a program with the given configuration that logs to
// logger and prints login details to out.
func NewMain(cfg Config, logger *slog.Logger, out io.Writer) *Main {
	return &Main{cfg: cfg, logger: logger, out: out}
}

// Schedules without a setting: when the counts of rate limits that hold
// nothing, and expired sessions, are deleted, and when requests to join are
// looked at (besides at once after each).
const (
	pruneSchedule = "@every 10m"
	joinSchedule  = "@every 1m"
	// batchSchedule finishes a batch of invitations whose sender stopped
	// (its claim lapses after 30 s); a confirmed one is sent at once.
	batchSchedule = "@every 10s"
)

// minShutdown is the least time Close waits for requests and jobs.
const minShutdown = 10 * time.Second

// Bounds of the HTTP server beyond the request timeout: the time to write
// an answer after the handler's deadline, and the size of the headers.
const (
	writeSlack     = 5 * time.Second
	maxHeaderBytes = 64 << 10
)

// openDB opens the database, without migrating it.
func (m *Main) openDB(ctx context.Context) error {
	db, err := store.Open(ctx, m.cfg.DB, store.WithPool(store.Pool{
		MaxOpen: m.cfg.DBMaxOpen, MaxIdle: m.cfg.DBMaxIdle, MaxLifetime: m.cfg.DBConnLifetime, MaxIdleTime: m.cfg.DBConnIdleTime,
	}), store.WithLogger(m.logger))
	if err != nil {
		return err
	}
	m.db = db
	return nil
}

// open opens and migrates the database.
func (m *Main) open(ctx context.Context) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	if err := m.db.Migrate(ctx); err != nil {
		m.db.Close()
		return err
	}
	return nil
}

// Migrate migrates the database and closes it.
func (m *Main) Migrate(ctx context.Context) error {
	if err := m.open(ctx); err != nil {
		return err
	}
	m.logger.Info("database migrated", "dialect", m.db.Dialect())
	return m.db.Close()
}

// Start opens the database and listens, then migrates the database,
// creates the first Global Administrator if there are no users and starts
// the scheduled jobs; it returns once all that is done. While it migrates,
// the server answers: /healthz 200 (the process lives), /readyz and every
// page 503 (httpui.Config.Starting), so that a load balancer waits for it
// and a liveness probe does not kill a long migration.
func (m *Main) Start(ctx context.Context) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	m.starting.Store(true)
	if err := m.openMailer(); err != nil {
		m.db.Close()
		return err
	}
	m.metrics = newMetrics()
	m.metrics.reg.MustRegister(collectors.NewDBStatsCollector(m.db.Bun().DB, "invite"), newOutboxCollector(m.outboxStats, m.logger))
	m.jobs = newScheduler(m.logger, &m.panics, m.metrics.jobRan)
	deliver := &job{name: "deliver outbox", run: func(ctx context.Context) (int, error) { return m.svc.DeliverOutbox(ctx, m.mailer) }}
	resets := &job{name: "send password reset links", run: func(ctx context.Context) (int, error) { return m.svc.IssuePasswordResets(ctx) }}
	joins := &job{name: "process requests to join", run: func(ctx context.Context) (int, error) { return m.svc.ProcessJoinRequests(ctx) }}
	batches := &job{name: "send batches of invitations", run: func(ctx context.Context) (int, error) { return m.svc.RunBatches(ctx) }}
	webhooks := &job{name: "deliver webhooks", run: func(ctx context.Context) (int, error) { return m.svc.DeliverWebhooks(ctx) }}
	// onRecorded runs once events are committed; what else wants to hear
	// of them joins here. It must not block.
	onRecorded := func(evs []*invite.Event) {
		for _, e := range evs {
			if e.CompanyID != 0 { // which a webhook may take
				m.jobs.kick(webhooks)
				return
			}
		}
	}
	remindBefore := m.cfg.RemindBefore
	if remindBefore == 0 {
		remindBefore = -1 // none
	}
	retention := m.cfg.Retention
	if retention == 0 {
		retention = -1 // forever
	}
	m.svc = invite.NewService(m.db, invite.Config{
		Retention:      retention,
		Limits:         m.cfg.limits(),
		TTL:            m.cfg.TTL,
		BaseURL:        m.cfg.BaseURL,
		RemindBefore:   remindBefore,
		Queued:         func() { m.jobs.kick(deliver) },
		ResetRequested: func() { m.jobs.kick(resets) },
		JoinRequested:  func() { m.jobs.kick(joins) },
		Phone:          phone.Check,
		Logger:         m.logger,
		BatchQueued:    func() { m.jobs.kick(batches) },
		Webhooks:       m.webhookConfig(),
		Recorded: func(evs []*invite.Event) {
			m.metrics.recorded(evs)
			onRecorded(evs)
		},
	})
	if err := m.serve(); err != nil {
		m.db.Close()
		return err
	}
	fail := func(err error) error {
		m.stopServing()
		m.db.Close()
		return err
	}
	if err := m.db.Migrate(ctx); err != nil {
		return fail(err)
	}
	if err := m.bootstrap(ctx); err != nil {
		return fail(err)
	}
	for _, j := range []struct {
		spec string
		job  *job
	}{
		{m.cfg.ExpireSchedule, &job{name: "expire invitations", run: m.svc.ExpireDue}},
		{m.cfg.RemindSchedule, &job{name: "send reminders", run: m.svc.SendReminders}},
		{m.cfg.OutboxSchedule, deliver},
		{m.cfg.ResetSchedule, resets},
		{pruneSchedule, &job{name: "prune limits and sessions", run: m.svc.Prune}},
		{pruneSchedule, &job{name: "prune idempotency keys", run: m.svc.PruneIdempotencyKeys}},
		{joinSchedule, joins},
		{m.cfg.AccessSchedule, &job{name: "disable users whose access ended", run: m.svc.DisableEndedAccess}},
		{batchSchedule, batches},
		{m.cfg.WebhookSchedule, webhooks},
		{pruneSchedule, &job{name: "prune webhook deliveries", run: m.svc.PruneWebhookDeliveries}},
		{m.cfg.RetentionSchedule, &job{name: "prune the history past its retention", run: m.svc.PruneHistory}},
	} {
		m.metrics.job(j.job.name)
		if err := m.jobs.add(j.spec, j.job); err != nil {
			return fail(fmt.Errorf("schedule %s: %w", j.job.name, err))
		}
	}
	m.jobs.start()
	m.jobs.kick(deliver)  // what an earlier run left queued
	m.jobs.kick(batches)  // and a batch it was sending
	m.jobs.kick(webhooks) // and the deliveries it left due
	m.starting.Store(false)
	m.logger.Info("serving", "url", m.cfg.BaseURL, "listen", m.ln.Addr().String(), "db", m.db.Dialect())
	if m.metricsLn != nil {
		m.logger.Info("serving /metrics", "listen", m.metricsLn.Addr().String())
	}
	return nil
}

// outboxStats is the outbox's for /metrics, once the database is migrated.
func (m *Main) outboxStats(ctx context.Context, now time.Time) (invite.OutboxStats, error) {
	if m.starting.Load() {
		return invite.OutboxStats{}, errNoOutboxYet
	}
	return m.db.OutboxStats(ctx, now)
}

// serve listens and serves HTTP (and /metrics on its own address, if
// set), answering as starting until Start is done.
func (m *Main) serve() error {
	ln, err := net.Listen("tcp", m.cfg.Addr)
	if err != nil {
		return err
	}
	m.ln = ln
	metricsHandler := m.metrics.handler(m.logger)
	if m.cfg.MetricsAddr != "" {
		if m.metricsLn, err = net.Listen("tcp", m.cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metricsHandler)
		m.metricsSrv = &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			WriteTimeout:      time.Minute,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
		}
		m.metricsServed = make(chan error, 1)
		go func() { m.metricsServed <- m.metricsSrv.Serve(m.metricsLn) }()
	}
	m.srv = &http.Server{
		Handler: httpui.New(httpui.Config{
			Service: m.svc, Health: m.db.Ping, Ready: m.db.Ready, BaseURL: m.cfg.BaseURL, Logger: m.logger,
			RequestTimeout: m.cfg.RequestTimeout, Panicked: func() int64 { return m.panics.Add(1) },
			Metrics: metricsHandler, MetricsToken: m.cfg.MetricsToken, Observe: m.metrics.observe,
			Starting: m.starting.Load,
		}),
		// A client that is slow to send its request, or never reads the
		// answer, gives up its connection: it cannot hold it for long.
		ReadHeaderTimeout: min(10*time.Second, m.cfg.RequestTimeout),
		ReadTimeout:       m.cfg.RequestTimeout,
		WriteTimeout:      m.cfg.RequestTimeout + writeSlack,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.srv.Serve(ln) }()
	return nil
}

// stopServing closes what serve started, for a Start that fails after it.
func (m *Main) stopServing() {
	m.srv.Close()
	<-m.served
	if m.metricsSrv != nil {
		m.metricsSrv.Close()
		<-m.metricsServed
	}
	m.srv, m.metricsSrv = nil, nil
}

// bootstrap creates the first Global Administrator on an empty database and
// prints how to log in. A password that was not configured is generated and
// shown only this once.
func (m *Main) bootstrap(ctx context.Context) error {
	password, generated := m.cfg.AdminPassword, false
	if password == "" {
		password, generated = rand.Text(), true
	}
	u, created, err := m.svc.Bootstrap(ctx, m.cfg.AdminEmail, password)
	if err != nil {
		return fmt.Errorf("create the Global Administrator from INVITE_ADMIN_EMAIL and INVITE_ADMIN_PASSWORD: %w", err)
	}
	if !created {
		return nil
	}
	if m.cfg.AdminName != "" {
		first, last, _ := strings.Cut(strings.TrimSpace(m.cfg.AdminName), " ")
		in := invite.ProfileInput{FirstName: first, LastName: last, Language: u.Language, TimeZone: u.TimeZone}
		if u, err = m.svc.UpdateProfile(invite.NewContext(ctx, u), in); err != nil {
			return fmt.Errorf("name the Global Administrator from INVITE_ADMIN_NAME (\"First Last\"): %w", err)
		}
	}
	fmt.Fprintf(m.out, "\nCreated the Global Administrator.\n  Log in at: %s/login\n  E-mail:    %s\n", m.cfg.BaseURL, u.Email)
	if generated {
		fmt.Fprintf(m.out, "  Password:  %s\n  (generated and shown only this once; set INVITE_ADMIN_PASSWORD to choose it)\n\n", password)
	} else {
		fmt.Fprintf(m.out, "  Password:  the value of INVITE_ADMIN_PASSWORD\n\n")
	}
	return nil
}

// openMailer sets up delivery: over SMTP when INVITE_SMTP_URL is set,
// otherwise to the log, with the messages kept in the outbox.
func (m *Main) openMailer() error {
	if m.cfg.SMTPURL == "" {
		m.mailer = invite.LogMailer{Logger: m.logger}
		m.logger.Info("no INVITE_SMTP_URL: mail is written to the log and kept in the outbox")
		return nil
	}
	mailer, err := smtp.New(m.cfg.SMTPURL, m.cfg.MailFrom)
	if err != nil {
		return err
	}
	m.mailer = mailer
	return nil
}

// URL returns the address the server listens on, as a URL.
func (m *Main) URL() string { return "http://" + m.ln.Addr().String() }

// MetricsURL returns the URL of /metrics on INVITE_METRICS_ADDR, or "" when
// it is not set.
func (m *Main) MetricsURL() string {
	if m.metricsLn == nil {
		return ""
	}
	return "http://" + m.metricsLn.Addr().String() + "/metrics"
}

// Close stops serving, letting requests in flight finish, stops the jobs
// after their current run and closes the database. Calling it again does
// nothing more and returns the same error.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	// Each request in flight is answered within its timeout (503 when
	// the database does not answer), so the shutdown waits that long
	// rather than cutting it off without an answer.
	ctx, cancel := context.WithTimeout(context.Background(), max(minShutdown, m.cfg.RequestTimeout+writeSlack))
	defer cancel()
	var errs []error
	if m.srv != nil {
		errs = append(errs, m.srv.Shutdown(ctx))
		if err := <-m.served; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.metricsSrv != nil {
		errs = append(errs, m.metricsSrv.Shutdown(ctx))
		if err := <-m.metricsServed; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.jobs != nil {
		if err := m.jobs.stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("scheduled jobs did not stop in time: %w", err))
		}
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
	}
	return errors.Join(errs...)
}

// webhookConfig returns the service's webhook configuration.
func (m *Main) webhookConfig() invite.WebhookConfig {
	wc := m.cfg.webhooks()
	wc.TLS = m.webhookTLS
	return wc
}
