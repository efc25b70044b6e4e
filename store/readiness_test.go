package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// Ready commits a write: it holds on a database that takes one, on every
// dialect, with several DBs on one database each writing their own row.
func TestReady(t *testing.T) {
	urls := map[string]func(t *testing.T) string{
		"SQLite": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "invite.db") },
		"MySQL":  func(t *testing.T) string { return storetest.MySQLURL(t) },
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			u := url(t)
			a := migrated(t, u)
			b := mustOpen(t, u)
			for _, db := range []*store.DB{a, b, a} {
				if err := db.Ready(ctx); err != nil {
					t.Fatalf("Ready: %v", err)
				}
			}
			var rows int
			if err := a.Bun().NewSelect().Table("readiness").ColumnExpr("COUNT(*)").Scan(ctx, &rows); err != nil || rows != 2 {
				t.Errorf("readiness rows: %d, %v; want one for each DB", rows, err)
			}
		})
	}
}

// A database that answers but cannot write is not ready, and says so as
// unavailable (503 to a client, not 500); once it can write again, it is
// ready again, and the file is intact.
func TestReadyFaultsSQLite(t *testing.T) {
	ctx := context.Background()
	t.Run("Locked", func(t *testing.T) {
		// Another process holds the write lock (an operator's sqlite3
		// shell, a backup): reads go on, writes wait.
		path := filepath.Join(t.TempDir(), "invite.db")
		db := migrated(t, "sqlite:"+path)
		other, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
			t.Fatal(err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("Ping while locked: %v", err)
		}
		short, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := db.Ready(short); err == nil {
			t.Error("Ready while another process holds the write lock: nil")
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		notBroken(t, db)
	})
	t.Run("ReadOnly", func(t *testing.T) {
		// The database's volume mounted read-only: SQLite cannot make
		// the shared-memory file of its write-ahead log, so the server
		// does not start, and says why.
		dir := t.TempDir()
		migrated(t, "sqlite:"+filepath.Join(dir, "invite.db")).Close()
		ro := t.TempDir()
		mount(t, "--bind", dir, ro)
		if out, err := exec.Command("mount", "-o", "remount,bind,ro", ro).CombinedOutput(); err != nil {
			t.Fatalf("remount read-only: %v: %s", err, out)
		}
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(ro, "invite.db"))
		if err == nil {
			db.Close()
			t.Fatal("Open on a read-only volume succeeded")
		}
		if !strings.Contains(err.Error(), "unable to open database file") {
			t.Errorf("Open on a read-only volume: %v; want it to say that the file cannot be opened", err)
		}
		notBroken(t, mustOpen(t, "sqlite:"+filepath.Join(dir, "invite.db")))
	})
	t.Run("DiskFull", func(t *testing.T) {
		dir := tmpfs(t, "4m")
		db := migrated(t, "sqlite:"+filepath.Join(dir, "invite.db"))
		filler := filepath.Join(dir, "filler")
		fill(t, filler)
		notReady(t, db)
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		notBroken(t, db)
	})
}

func migrated(t *testing.T, url string) *store.DB {
	t.Helper()
	db := mustOpen(t, url)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(context.Background()); err != nil {
		t.Fatalf("Ready before the fault: %v", err)
	}
	return db
}

// notReady checks that db answers but is not ready, as unavailable.
func notReady(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	err := db.Ready(ctx)
	if invite.ErrorCode(err) != invite.CodeUnavailable {
		t.Errorf("Ready: got %v (%s), want unavailable", err, invite.ErrorCode(err))
	}
	// A write of the product fails alike.
	err = db.CreateCompany(ctx, &invite.Company{Name: "Acme"})
	if invite.ErrorCode(err) != invite.CodeUnavailable {
		t.Errorf("CreateCompany: got %v (%s), want unavailable", err, invite.ErrorCode(err))
	}
}

// notBroken checks that db is ready once the fault is over and that its
// file is intact.
func notBroken(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.Ready(ctx); err != nil {
		t.Errorf("Ready after the fault: %v", err)
	}
	var check string
	if err := db.Bun().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check after the fault: %q, %v", check, err)
	}
}

// tmpfs mounts a file system of the given size for the test.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	mount(t, "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir)
	return dir
}

// mount runs mount(8) with args, whose last is the mount point, unmounted
// when the test ends. It needs root and a system that lets it mount (CI
// has both and requires "mount"); the test is skipped otherwise.
func mount(t *testing.T, args ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		storetest.Unavailable(t, "mount", "mounting a file system needs root")
	}
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		storetest.Unavailable(t, "mount", fmt.Sprintf("mount %v: %v: %s", args, err, out))
	}
	dir := args[len(args)-1]
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// fill writes to path until its file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			return // ENOSPC
		}
	}
}
