// Command invitebench measures the invitation product against a raw
// baseline, plain database/sql doing the same SQL work with no ORM,
// validation or rendering, in one run whose rounds interleave the two
// (raw, product, raw, product ...), so that a machine that slows down or
// speeds up during the run weighs on both alike.
//
//	invitebench [-db mysql://USER:PASS@HOST:PORT/DB] [-short] [-rounds N] [-clients 16]
//
// It loads a data set of its own: into a SQLite file in a temporary
// directory when -db is omitted, or into a fresh database created beside
// the one -db names (DB_bench_RANDOM) and dropped at the end. It measures
//
//	P1  sending an invitation: over HTTP as htmx posts the form, and
//	    through Service.Invite
//	P2  the Invitations tab, pending ones: the first page and a deep one
//	P3  expiring the invitations that are due
//	P4  composing an invitation mail, per core
//	P5  the peak memory of the invited binary serving P2
//	P6  how long that binary takes from exec to answering /readyz (migrated)
//	P7  (MySQL/MariaDB) 1, 2 and 3 invited processes on one database
//	    under P1's load, with every mail received exactly once
//
// It prints a table (median [min–max] of the rounds) and then, as the last
// line, one JSON object with the medians. It exits non-zero only when a
// request or operation failed, or mail went missing or twice: never
// because of a timing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // time zones validate alike on machines without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
	stop()
	os.Exit(code)
}

// exitCode is 0 when nothing failed, and 1 otherwise; asking for help is no
// failure.
func exitCode(failures int, err error) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(os.Stderr, "invitebench:", err)
		return 1
	case failures > 0:
		fmt.Fprintf(os.Stderr, "invitebench: %d errors\n", failures)
		return 1
	}
	return 0
}

// config is what the flags chose.
type config struct {
	db         string
	short      bool
	clients    int
	invited    string // a built invited binary; built from this module when empty
	cpuProfile string
	scale
}

// scale is how big the data set is and how long each measurement runs.
type scale struct {
	dataset
	rounds    int
	p1, p2    time.Duration // each measurement of a round
	p4        time.Duration
	p5        time.Duration // serving P2 before the peak memory is read
	p7Invites int           // invitations per process count
}

func fullScale() scale {
	return scale{
		dataset: dataset{invitations: 1_000_000, users: 100_000, due: 20_000, deepRow: 100_000, bigTenths: 3},
		rounds:  5,
		p1:      4 * time.Second, p2: 2 * time.Second, p4: 2 * time.Second, p5: 5 * time.Second,
		p7Invites: 2000,
	}
}

// shortScale is a run of well under a minute, for tests.
func shortScale() scale {
	return scale{
		dataset: dataset{invitations: 20_000, users: 2_000, due: 1_000, deepRow: 5_000, bigTenths: 5},
		rounds:  2,
		p1:      400 * time.Millisecond, p2: 250 * time.Millisecond, p4: 200 * time.Millisecond, p5: time.Second,
		p7Invites: 100,
	}
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("invitebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	fs.StringVar(&cfg.db, "db", "", "database: mysql://USER:PASS@HOST:PORT/DB (a fresh database is made beside DB); a temporary SQLite file when empty")
	fs.BoolVar(&cfg.short, "short", false, "a small data set and short rounds: well under a minute")
	rounds := fs.Int("rounds", 0, "rounds of interleaved measurements (default 5, 2 with -short)")
	fs.IntVar(&cfg.clients, "clients", 16, "concurrent clients of P1, P2 and P7")
	fs.StringVar(&cfg.invited, "invited", "", "invited binary for P5-P7; built from this module when empty")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the rounds (this process: the raw baseline and the in-process product) to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cfg.scale = fullScale()
	if cfg.short {
		cfg.scale = shortScale()
	}
	if *rounds != 0 {
		cfg.rounds = *rounds
	}
	if cfg.rounds <= 0 || cfg.clients <= 0 {
		return nil, fmt.Errorf("-rounds and -clients must be positive, got %d and %d", cfg.rounds, cfg.clients)
	}
	return cfg, nil
}

// run is the whole program, with its outputs passed in so that a test runs
// it in process. It returns how many requests or operations failed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return 0, err
	}
	b, err := newBench(ctx, cfg, stderr)
	if err != nil {
		return 0, err
	}
	defer b.close()
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		b.profile = f
	}
	res, err := b.run(ctx)
	if err != nil {
		return 0, err
	}
	if err := res.write(stdout); err != nil {
		return 0, err
	}
	b.timings.write(stderr)
	return res.errors, nil
}
