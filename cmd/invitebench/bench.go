package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/phone"
	"github.com/invitehq/invite/store"
)

// bench is one run: the database, the product in this process (service
// and HTTP handler, wired as cmd/invited wires them), and what has been
// measured and has failed so far.
type bench struct {
	cfg     *config
	log     io.Writer
	tmp     string
	target  *target
	dialect dialect
	db      *store.DB
	raw     *sql.DB // the store's own pool: the baseline waits for connections as the product does
	svc     *invite.Service

	ln   net.Listener
	srv  *http.Server
	base string // the in-process server's URL
	web  *http.Transport

	globalEmail, password string // the Global Administrator's; every loaded user has the password
	due                   int    // invitations that P3 expires each round

	seq      atomic.Int64 // numbers the e-mail addresses invited
	failures int
	notes    []string // findings of the setup, printed under the table
	timings  timings
	profile  io.Writer
}

func newBench(ctx context.Context, cfg *config, log io.Writer) (*bench, error) {
	tmp, err := os.MkdirTemp("", "invitebench-")
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, log: log, tmp: tmp, web: newTransport(cfg.clients)}
	b.target, err = newTarget(ctx, cfg.db, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	b.dialect = dialect{mysql: b.target.mysql}
	fmt.Fprintf(log, "database: %s\n", redactURL(b.target.url))
	return b, nil
}

// redactURL hides the password of a database URL.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	return raw
}

// close stops serving, closes the database and removes what the run made,
// also when it was interrupted.
func (b *bench) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if b.srv != nil {
		b.srv.Shutdown(ctx)
	}
	if b.db != nil {
		b.db.Close()
	}
	if err := b.target.drop(ctx); err != nil {
		fmt.Fprintln(b.log, "invitebench:", err)
	}
	os.RemoveAll(b.tmp)
}

// fail records the failures of one measurement, saying what the first was.
func (b *bench) fail(what string, n int, first error) {
	if n == 0 {
		return
	}
	b.failures += n
	fmt.Fprintf(b.log, "%s: %d failed; the first: %v\n", what, n, first)
}

// note records a finding for the report, and shows it now.
func (b *bench) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	b.notes = append(b.notes, n)
	fmt.Fprintln(b.log, "note:", n)
}

// check shows a measurement on the progress output and records its
// failures.
func (b *bench) check(what string, r result) result {
	fmt.Fprintf(b.log, "  %-22s %8s/s  p50 %6s ms  p99 %6s ms  (%d in %v)\n", what, num(r.rate()), num(r.quantile(0.5)), num(r.p99()),
		r.ops, r.elapsed.Round(time.Millisecond))
	b.fail(what, r.failed, r.firstErr)
	return r
}

// email returns a new address in the company P1 and P7 invite into; kind
// tells the addresses of the measurements apart.
func (b *bench) email(kind string) string {
	return fmt.Sprintf("%s%d@company%d.example", kind, b.seq.Add(1), inviteCompany)
}

// noLimits turns every bound of the service off: the benchmark sends more
// than any administrator may.
func noLimits() invite.Limits {
	off := invite.Rate{Count: -1}
	return invite.Limits{
		Attempts: off, FailedLogins: off, FailedLoginsAnywhere: off, Mails: off, DailyMails: off,
		Invitations: off, ResetMails: off, JoinRequests: off, JoinNotices: off,
	}
}

// open opens and migrates the database, and makes the service with the
// Global Administrator. The listener comes first: the service's links
// start with its address.
func (b *bench) open(ctx context.Context) error {
	db, err := store.Open(ctx, b.target.url)
	if err != nil {
		return err
	}
	b.db, b.raw = db, db.Bun().DB
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if b.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return err
	}
	b.base = "http://" + b.ln.Addr().String()
	b.svc = invite.NewService(db, invite.Config{Limits: noLimits(), BaseURL: b.base, Phone: phone.Check})
	b.globalEmail, b.password = "root@bench.example", rand.Text()
	if _, created, err := b.svc.Bootstrap(ctx, b.globalEmail, b.password); err != nil || !created {
		return fmt.Errorf("bootstrap the Global Administrator (created %v): %w", created, err)
	}
	return nil
}

// load loads the data set. Every loaded user gets the Global
// Administrator's password hash: made once by the product, so that they
// log in as anyone would.
func (b *bench) load(ctx context.Context) error {
	l := &loader{db: b.raw, d: b.dialect, set: b.cfg.dataset, now: time.Now().UTC().Truncate(time.Second), progress: b.log}
	if err := b.raw.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE email = ?", b.globalEmail).Scan(&l.hash); err != nil {
		return err
	}
	if err := b.raw.QueryRowContext(ctx, "SELECT MAX(id) FROM users").Scan(&l.userBase); err != nil {
		return err
	}
	var err error
	if l.sample, err = sampleMessage(b.base); err != nil {
		return err
	}
	if err := l.load(ctx); err != nil {
		return err
	}
	if err := b.raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM invitations WHERE status = 'pending' AND expires_at <= ?",
		b.dialect.arg(time.Now())).Scan(&b.due); err != nil {
		return err
	}
	fmt.Fprintf(b.log, "load: %d invitations, %d users, %d due for expiry\n", b.cfg.invitations, b.cfg.users, b.due)
	return nil
}

// sampleMessage renders an invitation as the product does, for the bodies
// of the loaded outbox rows: sent mail of the size the product writes.
func sampleMessage(base string) (*invite.Message, error) {
	c := &invite.Company{ID: bigCompany, Name: "Company 001", Subscriptions: []invite.Subscription{{ID: 1, Name: "Product 1"}, {ID: 2, Name: "Product 2"}}}
	inv := &invite.Invitation{
		CompanyID: bigCompany, Email: "grace.hopper@company1.example", FirstName: "Grace", LastName: "Hopper",
		Language: "de", TimeZone: "Europe/Berlin", ExpiresAt: time.Now().Add(ttl),
		Grants: []invite.Grant{{SubscriptionID: 1, Role: invite.RoleViewer}, {SubscriptionID: 2, Role: invite.RoleContributor}},
	}
	return invite.RenderInvitation(companyTemplate(), inv, c, "Ada Lovelace", base+invite.DefaultPaths().AcceptInvitation+invite.RedactedToken)
}

// serve serves the product's pages in this process, as cmd/invited does.
// Only warnings and errors are logged: the answers the server could not
// give.
func (b *bench) serve() {
	logger := slog.New(slog.NewTextHandler(b.log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b.srv = &http.Server{
		Handler:           httpui.New(httpui.Config{Service: b.svc, Health: b.db.Ping, BaseURL: b.base, Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go b.srv.Serve(b.ln)
}

// stopServing stops the in-process server, so that it takes no CPU from
// the processes measured next.
func (b *bench) stopServing(ctx context.Context) error {
	err := b.srv.Shutdown(ctx)
	b.srv = nil
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// settleOutbox marks sent what the rounds left queued. The in-process
// service has no mailer; the invited processes of P5 to P7 would otherwise
// begin by delivering thousands of messages, which is not what they
// measure, and P7 counts every message its mail server receives.
func (b *bench) settleOutbox(ctx context.Context) error {
	now := b.dialect.arg(time.Now())
	_, err := b.raw.ExecContext(ctx, "UPDATE outbox SET state = 'sent', sent_at = ? WHERE state IN ('queued', 'sending')", now)
	return err
}

// run loads the data set, runs the rounds and the phases with processes of
// their own, and returns what was measured.
func (b *bench) run(ctx context.Context) (*results, error) {
	m := &measurements{}
	if err := b.timings.time("open", func() error { return b.open(ctx) }); err != nil {
		return nil, err
	}
	if err := b.timings.time("load", func() error { return b.load(ctx) }); err != nil {
		return nil, err
	}
	b.serve()
	var (
		p1 *inviting
		p2 *listing
		p3 *expiring
		p4 *composing
	)
	err := b.timings.time("setup", func() error {
		var err error
		if p1, err = b.newInviting(ctx); err != nil {
			return fmt.Errorf("P1: %w", err)
		}
		if p2, err = b.newListing(ctx, b.base); err != nil {
			return fmt.Errorf("P2: %w", err)
		}
		if p3, err = b.newExpiring(ctx); err != nil {
			return fmt.Errorf("P3: %w", err)
		}
		if p4, err = b.newComposing(ctx); err != nil {
			return fmt.Errorf("P4: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := b.rounds(ctx, m, p1, p2, p3, p4); err != nil {
		return nil, err
	}
	if err := b.stopServing(ctx); err != nil {
		return nil, err
	}
	if err := b.settleOutbox(ctx); err != nil {
		return nil, err
	}
	if err := b.processes(ctx, m, p1, p2); err != nil {
		return nil, err
	}
	m.notes = append(b.notes, m.notes...)
	return m.results(b.failures), nil
}

// startProfile starts the CPU profile, if one was asked for, and returns
// what stops it.
func (b *bench) startProfile() (func(), error) {
	if b.profile == nil {
		return func() {}, nil
	}
	if err := pprof.StartCPUProfile(b.profile); err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return pprof.StopCPUProfile, nil
}

// rounds runs the interleaved rounds of P1 to P4.
func (b *bench) rounds(ctx context.Context, m *measurements, p1 *inviting, p2 *listing, p3 *expiring, p4 *composing) error {
	stop, err := b.startProfile()
	if err != nil {
		return err
	}
	defer stop()
	for r := range b.cfg.rounds {
		start := time.Now()
		for _, phase := range []struct {
			name string
			run  func(context.Context, *measurements) error
		}{{"P1", p1.round}, {"P2", p2.round}, {"P3", p3.round}, {"P4", p4.round}} {
			if err := b.settle(ctx); err != nil {
				return err
			}
			if err := b.timings.time(phase.name, func() error { return phase.run(ctx, m) }); err != nil {
				return fmt.Errorf("round %d, %s: %w", r+1, phase.name, err)
			}
		}
		fmt.Fprintf(b.log, "round %d/%d in %v\n", r+1, b.cfg.rounds, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
