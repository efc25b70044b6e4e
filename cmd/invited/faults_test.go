package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/store/storetest"
)

// The database cut off from a running server, as a restart does (reset)
// and as a partition does (black hole): every request is answered, 503
// with Retry-After, within the request timeout; /readyz goes red (and
// /healthz stays green: the process lives); once the database is back the
// server recovers by itself.
func TestDatabaseCut(t *testing.T) {
	for _, cut := range []string{"Reset", "Blackhole"} {
		t.Run(cut, func(t *testing.T) {
			srv, proxy := startBehindProxy(t, 3*time.Second)
			down := map[string]func(){"Reset": proxy.Cut, "Blackhole": proxy.Blackhole}[cut]
			if got := srv.get(t, "/admin/invitations"); got.status != http.StatusOK {
				t.Fatalf("before the cut: %d", got.status)
			}
			down()
			if got := srv.get(t, "/healthz"); got.status != http.StatusOK {
				t.Errorf("GET /healthz with the database cut: %d, want 200 (the process lives)", got.status)
			}
			for _, path := range []string{"/admin/invitations", "/admin/users", "/readyz", "/admin/invitations"} {
				got := srv.get(t, path)
				if got.status != http.StatusServiceUnavailable {
					t.Errorf("GET %s with the database cut: %d, want 503\n%s", path, got.status, got.body)
				}
				if strings.HasPrefix(path, "/admin/") && got.retryAfter == "" {
					t.Errorf("GET %s with the database cut: no Retry-After", path)
				}
			}
			proxy.Restore()
			// The pool's connections that were cut fail once each;
			// then the server answers as before, by itself.
			deadline := time.Now().Add(time.Minute)
			for srv.get(t, "/admin/invitations").status != http.StatusOK {
				if time.Now().After(deadline) {
					t.Fatal("the server did not recover in a minute after the database came back")
				}
			}
			for _, path := range []string{"/healthz", "/readyz"} {
				if got := srv.get(t, path); got.status != http.StatusOK {
					t.Errorf("GET %s after the database came back: %d", path, got.status)
				}
			}
		})
	}
}

// Found from outside: with the database cut off, SIGTERM dropped the
// requests in flight after 10 s without an answer. A shutdown waits for
// each to be answered, which its timeout bounds.
func TestShutdownAnswersInFlight(t *testing.T) {
	const timeout = 12 * time.Second // longer than the shutdown waited
	srv, proxy := startBehindProxy(t, timeout)
	proxy.Blackhole()
	dropped := proxy.Dropped()
	answer := make(chan response, 1)
	go func() { answer <- srv.get(t, "/admin/invitations") }()
	for proxy.Dropped() == dropped { // the request waits for the database
		time.Sleep(10 * time.Millisecond)
	}
	closed := make(chan error, 1)
	go func() { closed <- srv.m.Close() }() // SIGTERM
	if got := <-answer; got.status != http.StatusServiceUnavailable || got.err != nil {
		t.Errorf("the request in flight: %d, %v; want 503", got.status, got.err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

// server is a running invited with a Global Administrator's session.
type server struct {
	m      *Main
	cookie *http.Cookie
}

type response struct {
	status     int
	retryAfter string
	body       string
	err        error
}

// get requests path with the session, as a browser would; a request that
// fails without an answer is a response with err, and status 0.
func (s *server) get(t *testing.T, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.m.URL()+path, nil)
	if err != nil {
		return response{err: err}
	}
	req.AddCookie(s.cookie)
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return response{err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(body)}
}

// startBehindProxy starts invited on a MariaDB database reached through a
// proxy that can cut it off, with the given request timeout.
func startBehindProxy(t *testing.T, requestTimeout time.Duration) (*server, *storetest.Proxy) {
	t.Helper()
	u, err := url.Parse(storetest.MySQLURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := storetest.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	cfg := testConfig(t, u.String())
	cfg.AdminPassword, cfg.RequestTimeout = adminPassword, requestTimeout
	m, _ := start(t, cfg)
	_, token, err := m.svc.Login(t.Context(), "admin@example.com", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	return &server{m: m, cookie: &http.Cookie{Name: "invite_session", Value: token}}, proxy
}

// SQLite on a disk that fills up: reading goes on (/healthz 200), /readyz
// and anything that writes (a log-in makes a session) answer 503 with
// Retry-After, never 500; once there is room again, all works, and the
// file is intact.
func TestSQLiteDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		storetest.Unavailable(t, "mount", "mounting a small file system needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		storetest.Unavailable(t, "mount", fmt.Sprintf("mount a tmpfs: %v: %s", err, out))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	cfg := testConfig(t, "sqlite:"+filepath.Join(dir, "invite.db"))
	cfg.AdminPassword = adminPassword
	m, _ := start(t, cfg)

	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = filler.Write(make([]byte, 64<<10))
	}
	filler.Close()

	if got := status(t, m.URL()+"/healthz"); got != http.StatusOK {
		t.Errorf("GET /healthz on a full disk: %d, want 200 (the database answers)", got)
	}
	if got := status(t, m.URL()+"/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz on a full disk: %d, want 503", got)
	}
	code, retry, err := logIn(t.Context(), m.URL(), "admin@example.com", adminPassword)
	if err != nil || code != http.StatusServiceUnavailable || retry == "" {
		t.Errorf("log in on a full disk: %d, Retry-After %q, %v; want 503 with Retry-After", code, retry, err)
	}

	if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
		t.Fatal(err)
	}
	if got := status(t, m.URL()+"/readyz"); got != http.StatusOK {
		t.Errorf("GET /readyz with room again: %d, want 200", got)
	}
	if code, _, err := logIn(t.Context(), m.URL(), "admin@example.com", adminPassword); err != nil || code != http.StatusSeeOther {
		t.Errorf("log in with room again: %d, %v; want 303", code, err)
	}
	var check string
	if err := m.db.Bun().QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q, %v", check, err)
	}
}
