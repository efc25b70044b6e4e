package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

func TestOpen(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.Run("SQLiteFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nested", "dir", "invite.db")
		db, err := store.Open(ctx, "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database file: %v", err)
		}
		if db.Dialect() != "sqlite" {
			t.Errorf("Dialect: got %q", db.Dialect())
		}
	})
	t.Run("SQLiteMemory", func(t *testing.T) {
		// Two in-memory databases are two databases.
		a, b := mustOpen(t, "sqlite::memory:"), mustOpen(t, "sqlite::memory:")
		if err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.HasUsers(ctx); err == nil {
			t.Errorf("a second in-memory database sees the first one's tables")
		}
	})
	t.Run("MySQLStoresUTC", func(t *testing.T) {
		db := storetest.MySQL(t)
		var zone string
		if err := db.Bun().QueryRowContext(ctx, "SELECT @@session.time_zone").Scan(&zone); err != nil || zone != "+00:00" {
			t.Errorf("session time zone: got %q, %v; want +00:00", zone, err)
		}
		var concat int
		if err := db.Bun().QueryRowContext(ctx, "SELECT @@session.group_concat_max_len").Scan(&concat); err != nil || concat < 1<<20 {
			t.Errorf("group_concat_max_len: got %d, %v; want at least 1 MiB, for the grants of a page", concat, err)
		}
	})
	t.Run("MySQLReadCommitted", func(t *testing.T) {
		// Every connection's transactions read what is committed, without
		// the driver setting it before each one.
		db := storetest.MySQL(t)
		var conns []bun.Conn
		for range 3 {
			conn, err := db.Bun().Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conns = append(conns, conn)
		}
		for i, conn := range conns {
			var level string
			err := conn.QueryRowContext(ctx, "SELECT @@session.transaction_isolation").Scan(&level)
			if err != nil { // MariaDB before 11.1 names it tx_isolation only
				err = conn.QueryRowContext(ctx, "SELECT @@session.tx_isolation").Scan(&level)
			}
			if err != nil || level != "READ-COMMITTED" {
				t.Errorf("connection %d: isolation level %q, %v; want READ-COMMITTED", i, level, err)
			}
		}
	})
	tests := []struct {
		name, url, err string
	}{
		{"Unsupported", "postgres://localhost/invite", "unsupported database URL"},
		{"NoScheme", "data/invite.db", "unsupported database URL"},
		{"SQLiteEmpty", "sqlite:", "empty path"},
		{"MySQLNoDatabase", "mysql://root@127.0.0.1:3306/", "names no database"},
		{"MySQLUnknownParameter", "mysql://root@127.0.0.1:3306/x?charset=latin1", "unsupported URL parameter"},
		{"MySQLDown", "mysql://root:secret@127.0.0.1:1/invite", "ping mysql"},
		{"MySQLAllHostsDown", "mysql://root:secret@127.0.0.1:1,127.0.0.1:2/invite", "ping mysql"},
		{"MySQLEmptyHost", "mysql://root:secret@127.0.0.1:1,,127.0.0.1:2/invite", "not a host name"},
		{"MySQLNoHost", "mysql://root:secret@/invite", "names no host"},
		{"MySQLBadTimeout", "mysql://root:secret@127.0.0.1:3306/x?readTimeout=soon", "not a positive duration"},
		{"MySQLZeroTimeout", "mysql://root:secret@127.0.0.1:3306/x?timeout=0s", "not a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(ctx, tt.url)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", tt.url)
			}
			if !strings.Contains(err.Error(), tt.err) {
				t.Errorf("got %v, want an error containing %q", err, tt.err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func mustOpen(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A database that cannot be reached is reported as unavailable, a code
// callers answer with "try again shortly", never as an internal error; and
// once it is back, the same DB works again.
func TestDatabaseCutIsUnavailable(t *testing.T) {
	ctx := context.Background()
	t.Run("Closed", func(t *testing.T) {
		db := storetest.SQLite(t)
		db.Close()
		if _, err := db.HasUsers(ctx); invite.ErrorCode(err) != invite.CodeUnavailable {
			t.Errorf("on a closed database: got %v (%s), want unavailable", err, invite.ErrorCode(err))
		}
	})
	t.Run("MySQLPartition", func(t *testing.T) {
		raw := storetest.MySQLURL(t)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		proxy := storetest.NewProxy(t, u.Host)
		u.Host = proxy.Addr()
		var log bytes.Buffer
		db, err := store.Open(ctx, u.String(), store.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		proxy.Cut()
		for range 3 { // through the pool's connections and a new one
			if _, err := db.HasUsers(ctx); invite.ErrorCode(err) != invite.CodeUnavailable {
				t.Fatalf("with the database cut off: got %v (%s), want unavailable", err, invite.ErrorCode(err))
			}
		}
		// What the driver saw goes to the DB's logger, not to standard
		// error in a format of its own.
		if !strings.Contains(log.String(), `level=WARN msg="mysql driver"`) {
			t.Errorf("the driver's report is not in the log:\n%s", log.String())
		}
		proxy.Restore()
		if _, err := db.HasUsers(ctx); err != nil {
			t.Fatalf("after the database came back: %v", err)
		}
	})
	t.Run("MySQLBlackhole", func(t *testing.T) {
		// A partition: nothing answers, nothing is reset. A call without
		// a deadline (as a job's) ends by the URL's read timeout, on the
		// pool's connection and on a new one, rather than waiting for
		// the kernel's keep-alive, some two hours.
		u, err := url.Parse(storetest.MySQLURL(t))
		if err != nil {
			t.Fatal(err)
		}
		proxy := storetest.NewProxy(t, u.Host)
		u.Host, u.RawQuery = proxy.Addr(), "readTimeout=1s"
		db := mustOpen(t, u.String())
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		proxy.Blackhole()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 3 {
				if _, err := db.HasUsers(ctx); invite.ErrorCode(err) != invite.CodeUnavailable {
					t.Errorf("in a partition: got %v (%s), want unavailable", err, invite.ErrorCode(err))
					return
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(time.Minute): // the timeout is a second; this only spares the test its 10 minutes
			t.Fatal("a call in a partition did not return in a minute")
		}
		proxy.Restore()
		if _, err := db.HasUsers(ctx); err != nil {
			t.Fatalf("after the partition healed: %v", err)
		}
	})
}

// Found from outside: a request whose COMMIT went into a partition waited
// for the network to heal, past its deadline, and its client got no
// answer. A transaction ends with its context, its COMMIT included.
func TestCommitEndsWithItsContext(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(storetest.MySQLURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := storetest.NewProxy(t, u.Host)
	u.Host = proxy.Addr() // the read timeout is the default, two minutes
	db := mustOpen(t, u.String())
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		short, cancel := context.WithTimeout(ctx, 2*time.Second) // a request's deadline
		defer cancel()
		done <- db.InTx(short, func(st invite.Store) error {
			if err := st.CreateCompany(short, &invite.Company{Name: "Acme", DefaultLanguage: "en", TimeZone: "UTC", CreatedAt: time.Now()}); err != nil {
				return err
			}
			proxy.Blackhole() // the COMMIT goes into a partition
			return nil
		})
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("InTx committed into a black hole")
		}
	case <-time.After(time.Minute): // the deadline is 2 s; this only spares the test the read timeout
		t.Fatal("a COMMIT in a partition outlived its context by a minute")
	}
	proxy.Restore()
	if _, err := db.HasUsers(ctx); err != nil {
		// The pool's cut connection fails once; the next one works.
		if _, err := db.HasUsers(ctx); err != nil {
			t.Fatalf("after the partition healed: %v", err)
		}
	}
}

// With several hosts in the URL, the DB connects to the first that answers
// and moves to another when it goes away, and back.
func TestFailover(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(storetest.MySQLURL(t))
	if err != nil {
		t.Fatal(err)
	}
	a, b := storetest.NewProxy(t, u.Host), storetest.NewProxy(t, u.Host)
	u.Host = "127.0.0.1:1," + a.Addr() + "," + b.Addr() // the first never answers
	db := mustOpen(t, u.String())
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	works := func(when string) {
		t.Helper()
		// The pool's connections to a host that went away fail once
		// each, as unavailable; a new connection goes to another host.
		var err error
		for range 20 {
			if _, err = db.HasUsers(ctx); err == nil {
				return
			}
			if invite.ErrorCode(err) != invite.CodeUnavailable {
				t.Fatalf("%s: got %v (%s), want unavailable until it moves", when, err, invite.ErrorCode(err))
			}
		}
		t.Fatalf("%s: still failing after 20 calls: %v", when, err)
	}
	works("with two of three hosts up")
	a.Cut()
	works("with the host in use cut")
	a.Restore()
	b.Cut()
	works("with the other host cut")
	a.Cut()
	if _, err := db.HasUsers(ctx); invite.ErrorCode(err) != invite.CodeUnavailable {
		t.Errorf("with every host cut: got %v (%s), want unavailable", err, invite.ErrorCode(err))
	}
}
