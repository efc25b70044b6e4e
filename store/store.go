// Package store implements invite.Store with bun on SQLite (the embedded
// default, pure Go) and MySQL or MariaDB.
package store

import (
	"context"
	cryptorand "crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/invitehq/invite/invite"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a database that implements invite.Store. It is safe for concurrent
// use by many goroutines, and any number of processes may share one MySQL or
// MariaDB database.
type DB struct {
	bun   *bun.DB
	mysql bool
	// instance names this DB's row of readiness checks.
	instance string
	// tx is the transaction of a DB that InTx hands its function, and nil
	// for the DB that Open returns.
	tx *bun.Tx
}

// idb returns what statements run on: the transaction of a DB that InTx
// made, or the pool.
func (db *DB) idb() bun.IDB {
	if db.tx != nil {
		return *db.tx
	}
	return db.bun
}

// InTx runs fn with a Store whose every method works in one transaction,
// committed if fn returns nil and rolled back otherwise; fn's error comes
// back as it is. A transaction that loses a deadlock (MySQL) or finds the
// database busy (SQLite) is run again, so fn must be repeatable: it must do
// nothing but work through the Store it is given. Within fn, InTx joins the
// transaction it is in.
func (db *DB) InTx(ctx context.Context, fn func(tx invite.Store) error) error {
	if db.tx != nil {
		return fn(db)
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inner := *db
		inner.tx = &tx
		err := fn(&inner)
		if retryable(err) {
			return err // run again, or translated after the last attempt
		}
		return fromCaller(err)
	})
}

var _ invite.Store = (*DB)(nil)

// Pool bounds the connections a DB keeps to its database. Every request
// of the server may need one at once, so an unbounded pool turns a burst of
// requests into as many connections, past what the database allows.
type Pool struct {
	MaxOpen     int           // connections open at most; more wait for one
	MaxIdle     int           // connections kept open while unused
	MaxLifetime time.Duration // a connection is closed after this long; 0 for never
	MaxIdleTime time.Duration // an unused connection is closed after this long; 0 for never
}

// DefaultPool returns the pool a DB has unless Open is given another.
func DefaultPool() Pool {
	return Pool{MaxOpen: 16, MaxIdle: 16, MaxLifetime: 5 * time.Minute, MaxIdleTime: time.Minute}
}

// Option configures Open.
type Option func(*options)

type options struct {
	pool   Pool
	logger *slog.Logger
}

// WithLogger sends what the MySQL driver reports (a connection found
// broken, a packet cut short) to logger, at Warn, where the driver writes
// its own lines to standard error.
func WithLogger(logger *slog.Logger) Option { return func(o *options) { o.logger = logger } }

// driverLog is the MySQL driver's logger, writing to slog.
type driverLog struct{ logger *slog.Logger }

func (l driverLog) Print(v ...any) {
	l.logger.Warn("mysql driver", "msg", strings.TrimSpace(fmt.Sprint(v...)))
}

// WithPool sets the bounds of the connection pool; zero fields take
// DefaultPool's.
func WithPool(p Pool) Option {
	return func(o *options) {
		d := DefaultPool()
		if p.MaxOpen <= 0 {
			p.MaxOpen = d.MaxOpen
		}
		if p.MaxIdle <= 0 {
			p.MaxIdle = min(d.MaxIdle, p.MaxOpen)
		}
		if p.MaxLifetime < 0 {
			p.MaxLifetime = 0
		}
		if p.MaxIdleTime < 0 {
			p.MaxIdleTime = 0
		}
		o.pool = p
	}
}

// The MySQL connection's timeouts unless the URL sets them: connecting,
// and reading or writing one packet. A request's context ends its
// statements sooner (the driver closes the connection); these bound what
// runs without a deadline, so that a connection cut off without a reset (a
// partition, a node gone) is given up rather than waited on for the
// kernel's keep-alive, about two hours. The read timeout leaves room for a
// migration that builds an index on a large table.
const (
	dialTimeout  = 5 * time.Second
	readTimeout  = 2 * time.Minute
	writeTimeout = time.Minute
)

// Open connects to the database named by rawURL:
//
//	sqlite:PATH                        a file, created with its directory if missing
//	sqlite::memory:                    a private in-memory database
//	mysql://USER:PASS@HOST:PORT/DB     MySQL 8 or MariaDB 10.6+ (?tls=true|skip-verify|preferred,
//	                                   timeout=5s, readTimeout=2m, writeTimeout=1m)
//	mysql://USER:PASS@H1:P1,H2:P2/DB   the first of these hosts that answers (a Galera cluster)
//
// Open checks that the database answers but changes nothing; call Migrate
// to create or update the schema.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	o := options{pool: DefaultPool()}
	for _, opt := range opts {
		opt(&o)
	}
	src, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var db *DB
	if src.mysql != nil {
		if o.logger != nil {
			src.mysql.Logger = driverLog{o.logger}
		}
		db, err = openMySQL(src.mysql, src.hosts)
	} else {
		db, err = openSQLite(src.sqlite)
	}
	if err != nil {
		return nil, err
	}
	db.instance = cryptorand.Text()[:16]
	if src.sqlite != ":memory:" { // which has one connection, kept forever
		sqldb := db.bun.DB
		sqldb.SetMaxOpenConns(o.pool.MaxOpen)
		sqldb.SetMaxIdleConns(o.pool.MaxIdle)
		sqldb.SetConnMaxLifetime(o.pool.MaxLifetime)
		sqldb.SetConnMaxIdleTime(o.pool.MaxIdleTime)
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// source is a parsed database URL: a SQLite path, or a MySQL configuration.
type source struct {
	sqlite string
	mysql  *mysql.Config
	hosts  []string // the MySQL servers' addresses, mysql.Addr first
}

// parseURL parses a database URL as Open describes it, without connecting.
func parseURL(rawURL string) (source, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		if path == "" {
			return source{}, errors.New("sqlite: empty path")
		}
		if strings.ContainsAny(path, "?#\x00") {
			return source{}, fmt.Errorf("sqlite: the path %q has a character that a file name here may not: ? # or NUL", path)
		}
		return source{sqlite: path}, nil
	case strings.HasPrefix(rawURL, "mysql://"):
		cfg, hosts, err := mysqlConfig(rawURL)
		return source{mysql: cfg, hosts: hosts}, err
	}
	return source{}, fmt.Errorf("unsupported database URL %q: want sqlite:PATH, sqlite::memory: or mysql://USER:PASS@HOST:PORT/DB", redact(rawURL))
}

func openSQLite(path string) (*DB, error) {
	// Writers take the lock when their transaction begins (BEGIN
	// IMMEDIATE) and wait for it up to the busy timeout, so concurrent
	// read-then-write transactions queue instead of failing.
	params := url.Values{
		"_pragma": {"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"},
		"_txlock": {"immediate"},
	}
	memory := path == ":memory:"
	dsn := "file:" + path + "?" + params.Encode()
	if !memory {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if memory {
		// Each connection to :memory: is a database of its own: keep one.
		sqldb.SetMaxOpenConns(1)
		sqldb.SetConnMaxIdleTime(0)
		sqldb.SetConnMaxLifetime(0)
	}
	return &DB{bun: bun.NewDB(sqldb, sqlitedialect.New())}, nil
}

// mysqlConfig turns a mysql:// URL into the driver's configuration.
func mysqlConfig(rawURL string) (*mysql.Config, []string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("mysql: invalid URL %q", redact(rawURL))
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	addrs, err := hostList(u.Host)
	if err != nil {
		return nil, nil, fmt.Errorf("mysql: the URL %q: %w", redact(rawURL), err)
	}
	cfg.Addr = addrs[0]
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return nil, nil, fmt.Errorf("mysql: the URL %q names no database", redact(rawURL))
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = dialTimeout, readTimeout, writeTimeout
	cfg.Params = map[string]string{
		"time_zone": "'+00:00'",
		// A page of invitations gathers each one's grants with
		// GROUP_CONCAT, which MySQL 8 cuts at 1,024 bytes by default.
		"group_concat_max_len": "1048576",
	}
	for k, v := range u.Query() {
		switch k {
		case "tls":
			cfg.TLSConfig = v[0]
		case "timeout":
			err = duration(&cfg.Timeout, k, v[0])
		case "readTimeout":
			err = duration(&cfg.ReadTimeout, k, v[0])
		case "writeTimeout":
			err = duration(&cfg.WriteTimeout, k, v[0])
		default:
			err = fmt.Errorf("mysql: unsupported URL parameter %q (supported: tls, timeout, readTimeout, writeTimeout)", k)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return cfg, addrs, nil
}

// duration sets *d from the URL parameter name=value, a positive duration.
func duration(d *time.Duration, name, value string) error {
	v, err := time.ParseDuration(value)
	if err != nil || v <= 0 {
		return fmt.Errorf("mysql: URL parameter %s=%q is not a positive duration such as 30s", name, value)
	}
	*d = v
	return nil
}

func openMySQL(cfg *mysql.Config, hosts []string) (*DB, error) {
	c := &connector{}
	for _, h := range hosts {
		cfg := cfg.Clone()
		cfg.Addr, cfg.DialFunc = h, dial
		server, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, fmt.Errorf("mysql: %w", err)
		}
		c.servers = append(c.servers, server)
	}
	return &DB{
		bun:   bun.NewDB(sql.OpenDB(c), mysqldialect.New(mysqldialect.WithTimeLocation("UTC"))), // bun writes times itself: as UTC, as read
		mysql: true,
	}, nil
}

// redact shows what of a database URL an error may: its scheme, user,
// host and path, never the password, query or fragment, and only the
// scheme of a URL that does not parse or whose other parts repeat the
// password (as in "//:secret@/:secret@").
func redact(rawURL string) string {
	scheme, _, _ := strings.Cut(rawURL, ":")
	u, err := url.Parse(rawURL)
	if err != nil {
		return scheme + ":…"
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.ForceQuery = "", "", "", false
	if u.Opaque != "" {
		u.Opaque = "…"
	}
	shown := u.Redacted()
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(shown, pw) {
		return scheme + ":…"
	}
	return shown
}

// forceIndex makes sel, a select from table as alias, read by index: FORCE
// INDEX on MySQL, INDEXED BY on SQLite. For a list read in the order of an
// index, from a cursor on, when the planners would rather filter by
// another and sort what it finds.
func (db *DB) forceIndex(sel *bun.SelectQuery, table, alias, index string) {
	if db.mysql {
		sel.ForceIndex(index)
		return
	}
	sel.ModelTableExpr("? AS ? INDEXED BY ?", bun.Ident(table), bun.Ident(alias), bun.Ident(index))
}

// Close closes the database.
func (db *DB) Close() error { return db.bun.Close() }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.bun.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.Dialect(), err)
	}
	return nil
}

// Dialect returns "mysql" or "sqlite".
func (db *DB) Dialect() string {
	if db.mysql {
		return "mysql"
	}
	return "sqlite"
}

// Bun returns the underlying bun database, for tests and tools.
func (db *DB) Bun() *bun.DB { return db.bun }

// schemaTypes fills the dialect-specific parts of the migration templates.
type schemaTypes struct {
	ID, Time, Hash, Text, Options string
}

// Migrate applies the embedded migrations that have not run yet. On MySQL
// concurrent calls from many processes, on one server or on the nodes of a
// Galera cluster, take turns under a lock (lockMigrations).
func (db *DB) Migrate(ctx context.Context) error {
	types := schemaTypes{ID: "INTEGER PRIMARY KEY AUTOINCREMENT", Time: "DATETIME", Hash: "BLOB", Text: "TEXT"}
	if db.mysql {
		types = schemaTypes{
			ID:      "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
			Time:    "DATETIME(6)",
			Hash:    "BINARY(32)",
			Text:    "MEDIUMTEXT",
			Options: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
		}
		unlock, err := db.lockMigrations(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(migrationFiles); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	m := migrate.NewMigrator(db.bun, migrations,
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(types))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("migrate: init: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := db.hashJoinKeys(ctx); err != nil {
		return fmt.Errorf("migrate: join keys: %w", err)
	}
	return nil
}

// maxTxAttempts bounds how often a transaction that lost a deadlock or
// found the database busy is run again.
const maxTxAttempts = 8

// inTx runs fn in a transaction and translates its error. A transaction that
// loses a deadlock (MySQL) or finds the database busy (SQLite) is run again
// after a short random wait, so fn must do nothing but database work.
func (db *DB) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if db.tx != nil {
		// Within InTx: one transaction, which InTx commits and runs again.
		err := fn(ctx, *db.tx)
		if pt, ok := errors.AsType[*callerError](err); ok {
			return pt.err
		}
		return translate(err)
	}
	for attempt := 1; ; attempt++ {
		err := db.bun.RunInTx(ctx, nil, fn)
		if pt, ok := errors.AsType[*callerError](err); ok {
			return pt.err
		}
		if err == nil || attempt == maxTxAttempts || !retryable(err) {
			return translate(err)
		}
		wait := time.Duration(rand.Int64N(int64(time.Millisecond) << attempt))
		select {
		case <-ctx.Done():
			return translate(ctx.Err())
		case <-time.After(wait):
		}
	}
}

// callerError carries an error of a caller's function (such as the update
// of UpdateInvitation) through a transaction, so that inTx returns it as it
// is, untranslated and not retried.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }

// fromCaller marks err, returned by a caller's function, to pass through.
func fromCaller(err error) error {
	if err == nil {
		return nil
	}
	return &callerError{err}
}

// forUpdate locks the selected rows until the transaction ends. SQLite needs
// no row locks: its write transactions hold the database lock from BEGIN.
func (db *DB) forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if db.mysql {
		return q.For("UPDATE")
	}
	return q
}
