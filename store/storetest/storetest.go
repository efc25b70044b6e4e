// Package storetest opens real, migrated databases for tests: SQLite in a
// temporary file, and MySQL or MariaDB when INVITE_TEST_MYSQL names a server.
//
// Tests that need a service that is absent skip, saying why, unless
// INVITE_TEST_REQUIRE names it (a comma-separated list such as
// "mysql,chromium"); then they fail, so CI cannot pass by skipping.
package storetest

import (
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

	"github.com/go-sql-driver/mysql"

	"github.com/invitehq/invite/store"
)

// EnvMySQL names the MySQL/MariaDB server for tests, as a URL such as
// mysql://root:@127.0.0.1:3306/test. Each test gets a fresh database on it.
const EnvMySQL = "INVITE_TEST_MYSQL"

// EnvRequire lists the services whose absence fails tests instead of
// skipping them.
const EnvRequire = "INVITE_TEST_REQUIRE"

// Required reports whether INVITE_TEST_REQUIRE names service.
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
	t.Skipf("%s unavailable: %s (set %s to run, %s=%s to fail instead)", service, why, EnvMySQL, EnvRequire, service)
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

// MySQLURL creates an empty database on the server named by
// INVITE_TEST_MYSQL, drops it when the test ends, and returns its URL.
func MySQLURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(EnvMySQL)
	if raw == "" {
		Unavailable(t, "mysql", EnvMySQL+" is not set")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQL, err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	if err := admin.PingContext(ctx); err != nil {
		Unavailable(t, "mysql", fmt.Sprintf("%s=%s does not answer: %v", EnvMySQL, u.Redacted(), err))
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
	u.Path = "/" + name
	return u.String()
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
