// Package storetest opens real, migrated databases for tests: SQLite in a
// temporary file, MySQL or MariaDB when INVITE_TEST_MYSQL names a server,
// and a MariaDB Galera cluster when INVITE_TEST_GALERA names its nodes.
//
// Tests that need a service that is absent skip, saying why, unless
// INVITE_TEST_REQUIRE names it (a comma-separated list such as
// "mysql,chromium"); then they fail, so CI cannot pass by skipping.
package storetest

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/invitehq/invite/store"
)

// EnvMySQL names the MySQL/MariaDB server for tests, as a URL such as
// mysql://root:@127.0.0.1:3306/test. Each test gets a fresh database on it.
const EnvMySQL = "INVITE_TEST_MYSQL"

// EnvGalera names the nodes of a MariaDB Galera cluster for tests, as
// comma-separated mysql:// URLs (scripts/galera.sh up prints them). Each
// test gets a fresh database on it.
const EnvGalera = "INVITE_TEST_GALERA"

// EnvRequire lists the services whose absence fails tests instead of
// skipping them.
const EnvRequire = "INVITE_TEST_REQUIRE"

// Required reports whether INVITE_TEST_REQUIRE names service: "mysql",
// "galera", "chromium", or "mount" (the tests that mount a small or
// read-only file system, which need root).
func Required(service string) bool {
	return slices.Contains(strings.Split(os.Getenv(EnvRequire), ","), service)
}

// Unavailable skips the test because service is absent, or fails it if
// INVITE_TEST_REQUIRE names the service.
func Unavailable(t testing.TB, service, why string) {
	t.Helper()
	if Required(service) {
		t.Fatalf("%s is required (%s=%q) but unavailable: %s", service, EnvRequire, os.Getenv(EnvRequire), why)
	}
	env := map[string]string{"mysql": EnvMySQL, "galera": EnvGalera}[service]
	t.Skipf("%s unavailable: %s (set %s to run, %s=%s to fail instead)", service, why, cmp.Or(env, "it"), EnvRequire, service)
}

// Each runs fn as a subtest on every backend: "sqlite", and "mysql" when
// available.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t)) })
}

// SQLite returns a migrated SQLite database in a temporary file, closed when
// the test ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "invite.db"))
}

// MySQL returns a migrated database of its own on the server named by
// INVITE_TEST_MYSQL, dropped when the test ends.
func MySQL(t testing.TB) *store.DB {
	t.Helper()
	return open(t, MySQLURL(t))
}

// Galera returns a migrated database of its own on the first node of the
// cluster named by INVITE_TEST_GALERA, dropped when the test ends.
func Galera(t testing.TB) *store.DB {
	t.Helper()
	return open(t, GaleraURLs(t)[0])
}

// MySQLURL creates an empty database on the server named by
// INVITE_TEST_MYSQL, drops it when the test ends, and returns its URL.
func MySQLURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(EnvMySQL)
	if raw == "" {
		Unavailable(t, "mysql", EnvMySQL+" is not set")
	}
	return freshDatabase(t, "mysql", EnvMySQL, []string{raw})[0]
}

// GaleraURLs creates an empty database on the cluster named by
// INVITE_TEST_GALERA, drops it when the test ends, and returns its URL on
// each node.
func GaleraURLs(t testing.TB) []string {
	t.Helper()
	raw := os.Getenv(EnvGalera)
	if raw == "" {
		Unavailable(t, "galera", EnvGalera+" is not set")
	}
	return freshDatabase(t, "galera", EnvGalera, strings.Split(raw, ","))
}

// freshDatabase creates a database of a random name through the first of
// the servers named by raws (one server, or the nodes of a cluster, which
// replicate it), drops it when the test ends, and returns the servers'
// URLs with its name.
func freshDatabase(t testing.TB, service, env string, raws []string) []string {
	t.Helper()
	var us []*url.URL
	for _, raw := range raws {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		us = append(us, u)
	}
	cfg := mysql.NewConfig()
	cfg.User = us[0].User.Username()
	cfg.Passwd, _ = us[0].User.Password()
	cfg.Net, cfg.Addr = "tcp", us[0].Host
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	if err := admin.PingContext(ctx); err != nil {
		Unavailable(t, service, fmt.Sprintf("%s=%s does not answer: %v", env, us[0].Redacted(), err))
	}
	name := "invite_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	urls := make([]string, len(us))
	for i, u := range us {
		u.Path = "/" + name
		urls[i] = u.String()
		if i > 0 {
			waitForDatabase(t, u, name)
		}
	}
	return urls
}

// waitForDatabase waits until the cluster node at u has applied the
// CREATE DATABASE of name, which another node ran: a connection to a
// database the node does not have yet fails at once.
func waitForDatabase(t testing.TB, u *url.URL, name string) {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	node, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		var n int
		err := node.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n)
		if err == nil && n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node at %s has no database %s a minute after it was made: %v", u.Host, name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func open(t testing.TB, rawURL string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, rawURL)
	if err != nil {
		t.Fatalf("open %s: %v", rawURL, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
