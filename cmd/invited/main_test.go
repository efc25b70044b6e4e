package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/smtp/smtptest"
	"github.com/invitehq/invite/store/storetest"
)

func testConfig(t *testing.T, db string) Config {
	t.Helper()
	if db == "" {
		db = "sqlite:" + filepath.Join(t.TempDir(), "data", "invite.db")
	}
	var cfg Config
	args := []string{"-addr", "127.0.0.1:0", "-db", db, "-base-url", "http://invite.test"}
	if _, err := cfg.parse("invited", args, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// start runs the program until the test ends and returns it with what it
// printed for people.
func start(t *testing.T, cfg Config) (*Main, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	m := NewMain(cfg, slog.New(slog.DiscardHandler), &out)
	if err := m.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m, &out
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

var passwordLine = regexp.MustCompile(`Password:\s+([A-Z2-7]{26})\n`)

func TestServe(t *testing.T) {
	cfg := testConfig(t, "")
	m, out := start(t, cfg)
	for _, probe := range []string{"/healthz", "/readyz"} {
		if got := status(t, m.URL()+probe); got != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", probe, got)
		}
	}
	// The generated password is printed once, with where to log in.
	match := passwordLine.FindStringSubmatch(out.String())
	if match == nil || !strings.Contains(out.String(), "Log in at: http://invite.test/login") || !strings.Contains(out.String(), "admin@example.com") {
		t.Fatalf("printed %q, want the login URL, e-mail and a generated password", out.String())
	}
	u, err := m.svc.Authenticate(t.Context(), "admin@example.com", match[1])
	if err != nil || u.AdminLevel != "global" {
		t.Fatalf("log in with the printed password: %v, %v", u, err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Started again on the same database: no second administrator, no
	// password printed.
	_, out = start(t, cfg)
	if out.Len() != 0 {
		t.Errorf("second start printed %q, want nothing", out.String())
	}
}

func TestServeConfiguredPassword(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.AdminEmail, cfg.AdminPassword = "Boss@Example.com", "a configured password"
	m, out := start(t, cfg)
	if strings.Contains(out.String(), cfg.AdminPassword) {
		t.Errorf("printed the configured password: %q", out.String())
	}
	if _, err := m.svc.Authenticate(t.Context(), "boss@example.com", cfg.AdminPassword); err != nil {
		t.Errorf("log in with the configured password: %v", err)
	}

	cfg = testConfig(t, "")
	cfg.AdminPassword = "short"
	m = NewMain(cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err := m.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "INVITE_ADMIN_PASSWORD") {
		m.Close()
		t.Errorf("Start with a short password: got %v, want an error naming INVITE_ADMIN_PASSWORD", err)
	}
}

// With the database gone, /readyz and every page that needs it answer 503
// with Retry-After, as a load balancer and a person expect, not 500; the
// process lives (/healthz 200), so that a liveness probe restarts nothing.
func TestDatabaseDown(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.AdminPassword = adminPassword
	m, _ := start(t, cfg)
	_, token, err := m.svc.Login(t.Context(), "admin@example.com", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	m.db.Close()
	for probe, want := range map[string]int{"/healthz": http.StatusOK, "/readyz": http.StatusServiceUnavailable} {
		if got := status(t, m.URL()+probe); got != want {
			t.Errorf("GET %s with the database closed: got %d, want %d", probe, got, want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, m.URL()+"/admin/invitations", nil)
	req.AddCookie(&http.Cookie{Name: "invite_session", Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(body), "cannot reach its database") {
		t.Errorf("a page with the database closed: got %d, Retry-After %q; want 503 with Retry-After and why:\n%s",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestServeMySQL(t *testing.T) {
	m, _ := start(t, testConfig(t, storetest.MySQLURL(t)))
	if got := status(t, m.URL()+"/healthz"); got != http.StatusOK {
		t.Fatalf("GET /healthz: got %d, want 200", got)
	}
}

// run serves until its context ends, then shuts down cleanly.
func TestRunShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "invite.db")
	go func() {
		done <- run(ctx, []string{"serve", "-addr", addr, "-db", db}, func(string) string { return "" }, io.Discard, io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
		}
		if err == nil && resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Errorf("still serving after shutdown")
	}
}

func TestMigrateCommand(t *testing.T) {
	noEnv := func(string) string { return "" }
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new", "invite.db")
		if err := run(t.Context(), []string{"migrate", "-db", "sqlite:" + path}, noEnv, io.Discard, io.Discard); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("no database file after migrate: %v", err)
		}
	})
	t.Run("mysql", func(t *testing.T) {
		env := map[string]string{"INVITE_DB": storetest.MySQLURL(t)}
		for range 2 { // and again: nothing left to do
			if err := run(t.Context(), []string{"migrate"}, func(k string) string { return env[k] }, io.Discard, io.Discard); err != nil {
				t.Fatalf("migrate: %v", err)
			}
		}
	})
}

// adminPassword is the Global Administrator's password in the tests that
// configure it.
const adminPassword = "a configured password"

// asAdmin returns a context acting as the Global Administrator of m.
func asAdmin(t *testing.T, m *Main) context.Context {
	t.Helper()
	admin, err := m.svc.Authenticate(t.Context(), "admin@example.com", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	return invite.NewContext(t.Context(), admin)
}

// serveAdmin starts the program with cfg and returns it with a context that
// acts as its Global Administrator, and a registered company.
func serveAdmin(t *testing.T, cfg Config) (*Main, context.Context, *invite.Company) {
	t.Helper()
	cfg.AdminPassword = adminPassword
	m, _ := start(t, cfg)
	ctx := asAdmin(t, m)
	c, err := m.svc.RegisterCompany(ctx, invite.CompanyInput{Name: "Acme", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
	if err != nil {
		t.Fatal(err)
	}
	return m, ctx, c
}

func inviteInput(c *invite.Company) invite.InvitationInput {
	return invite.InvitationInput{
		CompanyID: c.ID, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", BusinessRoleID: c.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleViewer}},
	}
}

// eventually polls cond until it holds or ten seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// The server delivers an invitation's mail over SMTP at once, not at the
// next scheduled run.
func TestServeDeliversMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	cfg := testConfig(t, "")
	cfg.SMTPURL, cfg.OutboxSchedule = srv.URL(), "@every 1h"
	m, ctx, c := serveAdmin(t, cfg)
	if _, _, err := m.svc.Invite(ctx, inviteInput(c)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the mail", func() bool { return len(srv.Received()) == 1 })
	msg, err := srv.Received()[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Parts["text/plain"], "http://invite.test"+invite.DefaultPaths().AcceptInvitation) {
		t.Errorf("the link does not start with INVITE_BASE_URL:\n%s", msg.Parts["text/plain"])
	}
}

// Without SMTP the mail is logged and kept in the outbox, where the
// invitation's sender finds its link.
func TestServeLogsMail(t *testing.T) {
	m, ctx, c := serveAdmin(t, testConfig(t, ""))
	_, token, err := m.svc.Invite(ctx, inviteInput(c))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the mail to be delivered to the log", func() bool {
		page, err := m.svc.Messages(ctx, invite.MessageFilter{})
		return err == nil && len(page.Messages) == 1 && page.Messages[0].State == invite.DeliverySent
	})
	page, _ := m.svc.Messages(ctx, invite.MessageFilter{})
	mv, err := m.svc.Message(ctx, page.Messages[0].ID)
	if err != nil || mv.Link != "http://invite.test"+invite.DefaultPaths().AcceptInvitation+token {
		t.Fatalf("the sender's link: got %q, %v", mv.Link, err)
	}
}

// A mail server URL that cannot work stops the start with a clear error.
func TestServeBadSMTPURL(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.SMTPURL = "smtp://mail.example.com?tls=sometimes"
	m := NewMain(cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err := m.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "tls=") {
		m.Close()
		t.Fatalf("got %v, want an error about tls=", err)
	}
}

// A client that sends its request slowly, headers or body, loses its
// connection once the request's time is up; it cannot hold it for minutes.
func TestSlowClientsAreCutOff(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.RequestTimeout = 300 * time.Millisecond
	m, _ := start(t, cfg)
	for _, tc := range []struct{ name, head string }{
		{"SlowHeaders", "GET /login HTTP/1.1\r\nHost: invite.test\r\n"},
		{"SlowBody", "POST /login HTTP/1.1\r\nHost: invite.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", m.ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.head); err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			closed := make(chan struct{})
			go func() {
				io.Copy(io.Discard, conn) // until the server closes
				close(closed)
			}()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-closed:
					t.Logf("cut off after %v", time.Since(began).Round(time.Millisecond))
					return
				case <-tick.C:
					if time.Since(began) > 20*time.Second {
						t.Fatalf("a client sending a byte every 50ms still holds its connection after 20s")
					}
					conn.Write([]byte("a")) // a byte at a time, as slowly as a client may
				}
			}
		})
	}
}

// syncBuffer is a log that tests read while the server writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A job that panics is logged with its stack and counted, and the server
// goes on serving and running its jobs; so does a request that panics. A
// panicking job used to end the process.
func TestPanicsAreSurvived(t *testing.T) {
	var log syncBuffer
	m := NewMain(testConfig(t, ""), slog.New(slog.NewTextHandler(&log, nil)), io.Discard)
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	boom := &job{name: "boom", run: func(context.Context) (int, error) { panic("boom") }}
	m.jobs.kick(boom)
	eventually(t, "the panic to be logged", func() bool { return m.panics.Load() == 1 })
	m.jobs.kick(boom) // again: the job is not stuck
	eventually(t, "the second panic", func() bool { return m.panics.Load() == 2 })
	if got := status(t, m.URL()+"/healthz"); got != http.StatusOK {
		t.Fatalf("after a job panicked: /healthz %d", got)
	}
	out := log.String()
	if !strings.Contains(out, `msg="job panicked" job=boom panic=boom panics=1`) || !strings.Contains(out, "jobs.go") {
		t.Errorf("the log does not show the panic with its stack:\n%s", out)
	}
}

// The first start's administrator signs the mail they send with the name
// INVITE_ADMIN_NAME gives them, or, without one, with the company's name:
// never with an English placeholder, whatever the invitee's language.
func TestAdministratorsName(t *testing.T) {
	for _, tc := range []struct {
		name, adminName, want string
	}{
		{"Named", "Grace Brewster Hopper", "Grace Brewster Hopper hat Sie zu Acme eingeladen"},
		{"Unnamed", "", "Acme hat Sie zu Acme eingeladen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, "")
			cfg.AdminName = tc.adminName
			m, ctx, c := serveAdmin(t, cfg)
			in := inviteInput(c)
			in.Language = "de"
			if _, _, err := m.svc.Invite(ctx, in); err != nil {
				t.Fatal(err)
			}
			page, err := m.svc.Messages(ctx, invite.MessageFilter{})
			if err != nil || len(page.Messages) != 1 {
				t.Fatalf("Messages: %v", err)
			}
			mv, err := m.svc.Message(ctx, page.Messages[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if mv.Message.Subject != tc.want || strings.Contains(mv.Message.Text, "Global Administrator") {
				t.Errorf("the invitation's subject is %q, want %q; text:\n%s", mv.Message.Subject, tc.want, mv.Message.Text)
			}
		})
	}
}
