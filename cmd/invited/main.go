// Command invited serves the invitation product.
//
//	invited [serve]   migrate the database and serve HTTP (the default)
//	invited migrate   migrate the database and exit
//
// With no configuration it serves http://localhost:8080 on SQLite at
// data/invite.db. Run invited --help for every setting.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones validate alike on machines without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "invited:", err)
		os.Exit(1)
	}
}

// run is the whole program, with its inputs and outputs passed in so that
// tests run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	command := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "migrate") {
		command, args = args[0], args[1:]
	}
	var cfg Config
	rest, err := cfg.parse("invited", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q (see invited --help)", rest)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	m := NewMain(cfg, logger, stdout)
	if command == "migrate" {
		return m.Migrate(ctx)
	}
	if err := m.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	logger.Info("shutting down")
	return m.Close()
}
