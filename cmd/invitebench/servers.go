package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// processes runs P5 to P7, which measure the invited binary as it is
// shipped, each in processes of its own. A phase that cannot run is
// counted as a failure, and the report goes on with what was measured.
func (b *bench) processes(ctx context.Context, m *measurements, p1 *inviting, p2 *listing) error {
	var bin string
	err := b.timings.time("build", func() error {
		var err error
		bin, err = b.binary(ctx)
		return err
	})
	if err != nil {
		b.fail("P5-P7", 1, err)
		return nil
	}
	for _, phase := range []struct {
		name string
		run  func() error
	}{
		{"P5", func() error { return b.memory(ctx, bin, p2, m) }},
		{"P6", func() error { return b.startup(ctx, bin, m) }},
		{"P7", func() error { return b.scaleOut(ctx, bin, p1, m) }},
	} {
		if err := b.timings.time(phase.name, phase.run); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			b.fail(phase.name, 1, err)
		}
	}
	return nil
}

// serving starts n processes on the run's database and waits until each
// answers; stop stops them all.
func (b *bench) serving(ctx context.Context, bin string, n int, env ...string) (procs []*process, stop func(), err error) {
	stop = func() {
		for _, p := range procs {
			if err := p.stop(); err != nil {
				fmt.Fprintln(b.log, "invitebench:", err)
			}
		}
	}
	for range n {
		p, err := b.start(bin, append([]string{"INVITE_DB=" + b.target.url}, env...)...)
		if err != nil {
			stop()
			return nil, nil, err
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		if _, err := p.healthy(ctx, b.web); err != nil {
			stop()
			return nil, nil, err
		}
	}
	return procs, stop, nil
}

// logged counts as failures the lines the processes logged at level
// ERROR: a job or request of the product failed, whether or not a client
// saw it.
func (b *bench) logged(what string, procs []*process) {
	for _, p := range procs {
		if lines := p.log.errorLines(); len(lines) > 0 {
			b.fail(what+" server log", len(lines), errors.New(lines[0]))
		}
	}
}

// memory is P5: the peak resident memory of one process serving P2's
// pages, first and deep, to the run's clients for a few seconds. The
// browsers are P2's: their sessions live in the database, which the
// process shares.
func (b *bench) memory(ctx context.Context, bin string, p2 *listing, m *measurements) error {
	procs, stop, err := b.serving(ctx, bin, 1)
	if err != nil {
		return err
	}
	defer stop()
	p := procs[0]
	paths := []string{p2.first, p2.deep}
	b.check("P5 pages", drive(ctx, b.cfg.clients, stopAt{d: b.cfg.p5}, func(ctx context.Context, c int) error {
		return p2.browsers[c].at(p.base).visit(ctx, paths[c%len(paths)])
	}))
	rss, err := p.peakRSS()
	if err != nil {
		return err
	}
	m.p5RSS = append(m.p5RSS, rss)
	b.logged("P5", procs)
	return nil
}

// startup is P6: from exec to /readyz answering 200, on a fresh SQLite
// file each round (migrating it and creating the administrator included),
// as a new installation starts.
func (b *bench) startup(ctx context.Context, bin string, m *measurements) error {
	for i := range b.cfg.rounds {
		p, err := b.start(bin, "INVITE_DB=sqlite:"+filepath.Join(b.tmp, fmt.Sprintf("startup-%d.db", i)))
		if err != nil {
			return err
		}
		took, err := p.healthy(ctx, b.web)
		if serr := p.stop(); err == nil {
			err = serr
		}
		if err != nil {
			return err
		}
		m.p6 = append(m.p6, ms(took))
		b.logged("P6", []*process{p})
	}
	return nil
}

// scaleOut is P7: 1, 2 and 3 processes on one MySQL database, mailing
// through an SMTP server of the run's, under P1's load spread over them,
// for the same number of invitations each time. Every invitation must be
// mailed exactly once. SQLite is one process's database: P7 is MySQL's.
func (b *bench) scaleOut(ctx context.Context, bin string, p1 *inviting, m *measurements) error {
	if !b.dialect.mysql {
		m.notes = append(m.notes, "P7 skipped: it runs on MySQL/MariaDB only (SQLite serves one process)")
		return nil
	}
	sink, err := startSink(b.log)
	if err != nil {
		return err
	}
	defer sink.close()
	for n := 1; n <= 3; n++ {
		rate, err := b.scaleOutWith(ctx, bin, p1, sink, n)
		if err != nil {
			return fmt.Errorf("%d processes: %w", n, err)
		}
		m.p7 = append(m.p7, rate)
	}
	return nil
}

func (b *bench) scaleOutWith(ctx context.Context, bin string, p1 *inviting, sink *mailSink, n int) (float64, error) {
	procs, stop, err := b.serving(ctx, bin, n, "INVITE_SMTP_URL="+sink.url())
	if err != nil {
		return 0, err
	}
	defer stop()
	prefix := fmt.Sprintf("p7n%d-", n)
	var (
		mu      sync.Mutex
		invited = make(map[string]bool)
	)
	// Client c posts to process c mod n, with P1's browser c: its session,
	// in the database, is good on every process.
	r := b.check(fmt.Sprintf("P7 %d processes", n), drive(ctx, b.cfg.clients, stopAt{n: b.cfg.p7Invites}, func(ctx context.Context, c int) error {
		email := b.email(prefix)
		if err := postInvite(ctx, p1.browsers[c].at(procs[c%n].base), p1.form(c, email)); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		invited[email] = true
		return nil
	}))
	start := time.Now()
	if err := b.awaitMail(ctx, sink, prefix, invited); err != nil {
		return 0, err
	}
	m := sink.received(prefix)
	fmt.Fprintf(b.log, "P7 %d processes: %d invitations in %v, %d mailed to %d addresses within %v after\n",
		n, r.ops, r.elapsed.Round(time.Millisecond), sum(m), len(m), time.Since(start).Round(time.Millisecond))
	b.logged(fmt.Sprintf("P7 %d processes", n), procs)
	return r.rate(), nil
}

// mailWait bounds how long the outbox may take to drain after the last
// invitation; mailGrace is how long to go on listening once every
// invitation has been mailed, for a second copy of one.
const (
	mailWait  = 2 * time.Minute
	mailGrace = time.Second
)

// awaitMail waits until each invited address has been mailed, and records
// as failures the addresses mailed never, twice or without an invitation,
// and the messages the outbox did not send.
func (b *bench) awaitMail(ctx context.Context, sink *mailSink, prefix string, invited map[string]bool) error {
	deadline := time.Now().Add(mailWait)
	for !allMailed(sink.received(prefix), invited) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	time.Sleep(mailGrace)
	got := sink.received(prefix)
	var missing, twice, unasked []string
	for email := range invited {
		switch got[email] {
		case 0:
			missing = append(missing, email)
		case 1:
		default:
			twice = append(twice, fmt.Sprintf("%s (%d times)", email, got[email]))
		}
	}
	for email := range got {
		if !invited[email] {
			unasked = append(unasked, email)
		}
	}
	for _, f := range []struct {
		what   string
		emails []string
	}{{"never mailed", missing}, {"mailed more than once", twice}, {"mailed without an invitation", unasked}} {
		if len(f.emails) > 0 {
			slices.Sort(f.emails)
			b.fail("P7 "+prefix+" "+f.what, len(f.emails), errors.New(strings.Join(f.emails[:min(5, len(f.emails))], ", ")))
		}
	}
	return b.unsent(ctx, prefix)
}

// unsent records as failures the messages to the prefix's addresses that
// the outbox holds other than sent.
func (b *bench) unsent(ctx context.Context, prefix string) error {
	rows, err := b.raw.QueryContext(ctx, "SELECT state, COUNT(*) FROM outbox WHERE recipient LIKE ? AND state <> 'sent' GROUP BY state", prefix+"%")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			state string
			n     int
		)
		if err := rows.Scan(&state, &n); err != nil {
			return err
		}
		b.fail("P7 "+prefix+" outbox", n, fmt.Errorf("%d messages %s, not sent", n, state))
	}
	return rows.Err()
}

func allMailed(got map[string]int, invited map[string]bool) bool {
	for email := range invited {
		if got[email] == 0 {
			return false
		}
	}
	return true
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
