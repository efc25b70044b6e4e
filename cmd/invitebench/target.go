package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// target is the database the benchmark loads and measures, made for this
// run alone: its URL, as store.Open and the invited binary take it, and
// what removes it.
type target struct {
	url   string
	mysql bool
	drop  func(ctx context.Context) error
}

// newTarget makes the database: a SQLite file in dir when dbURL is empty,
// or, for a mysql:// URL, a fresh database on the same server named after
// the one the URL names.
func newTarget(ctx context.Context, dbURL, dir string) (*target, error) {
	switch {
	case dbURL == "":
		return &target{url: "sqlite:" + filepath.Join(dir, "bench.db"), drop: func(context.Context) error { return nil }}, nil
	case strings.HasPrefix(dbURL, "mysql://"):
		return newMySQLTarget(ctx, dbURL)
	}
	return nil, errors.New("-db: want mysql://USER:PASS@HOST:PORT/DB, or nothing for a temporary SQLite file")
}

// databaseName is what a database name made from another may hold: it
// goes into CREATE DATABASE unquoted.
var databaseName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func newMySQLTarget(ctx context.Context, dbURL string) (*target, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, errors.New("-db: the mysql:// URL does not parse") // it may hold a password: not repeated
	}
	base := strings.TrimPrefix(u.Path, "/")
	if !databaseName.MatchString(base) {
		return nil, fmt.Errorf("-db: the database name %q is not letters, digits and _", base)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg.Timeout = 5 * time.Second
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("mysql: %w", err)
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("mysql at %s: %w", u.Redacted(), err)
	}
	// MySQL names are at most 64 characters.
	name := base[:min(len(base), 46)] + "_bench_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop := func(ctx context.Context) error {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE "+name); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return &target{url: u.String(), mysql: true, drop: drop}, nil
}
