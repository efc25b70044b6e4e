package httpui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store/storetest"
)

func TestHealthz(t *testing.T) {
	down := errors.New("connection refused")
	tests := []struct {
		name          string
		health, ready error
		want          map[string]int // path: status
	}{
		{"OK", nil, nil, map[string]int{"/healthz": http.StatusOK, "/readyz": http.StatusOK}},
		// Liveness is the process's: an outage of the database restarts
		// no server; readiness takes it out of the load balancer.
		{"DatabaseDown", down, down, map[string]int{"/healthz": http.StatusOK, "/readyz": http.StatusServiceUnavailable}},
		{"CannotWrite", nil, errors.New("database or disk is full"), map[string]int{"/healthz": http.StatusOK, "/readyz": http.StatusServiceUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{Service: invite.NewService(storetest.SQLite(t), invite.Config{}), Logger: slog.New(slog.DiscardHandler),
				Health: func(context.Context) error { return tt.health }, Ready: func(context.Context) error { return tt.ready }})
			for path, want := range tt.want {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != want {
					t.Errorf("GET %s: got %d, want %d", path, rec.Code, want)
				}
			}
		})
	}
}

// Each error code has one status, and internal details never reach the client.
func TestErrorHandler(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{invite.ErrInvalidInput, http.StatusUnprocessableEntity},
		{fmt.Errorf("x: %w", invite.ErrInvitationNotFound), http.StatusNotFound},
		{invite.ErrInvitationAccepted, http.StatusConflict},
		{invite.ErrForbidden, http.StatusForbidden},
		{invite.ErrUnauthorized, http.StatusUnauthorized},
		{invite.ErrInvitationExpired, http.StatusGone},
		{errors.New("secret: dsn=root:hunter2"), http.StatusInternalServerError},
		{echo.ErrMethodNotAllowed, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.want), func(t *testing.T) {
			e := New(Config{Service: invite.NewService(storetest.SQLite(t), invite.Config{}), Health: func(context.Context) error { return nil }, Logger: slog.New(slog.DiscardHandler)})
			e.GET("/fail", func(echo.Context) error { return tt.err })
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
			if rec.Code != tt.want {
				t.Errorf("%v: got %d, want %d", tt.err, rec.Code, tt.want)
			}
			if body := rec.Body.String(); tt.want == http.StatusInternalServerError &&
				(!strings.Contains(body, "Something went wrong on our side") || strings.Contains(body, "hunter2")) {
				t.Errorf("internal error body: got %q", body)
			}
		})
	}
}

// A handler that panics is answered 500 with the usual page, logged with
// its stack and counted; the next request is served as usual.
func TestPanickingRequest(t *testing.T) {
	var log strings.Builder
	var panics atomic.Int64
	e := New(Config{Service: invite.NewService(storetest.SQLite(t), invite.Config{}), Health: func(context.Context) error { return nil }, Logger: slog.New(slog.NewTextHandler(&log, nil)), Panicked: func() int64 { return panics.Add(1) }})
	e.GET("/boom", func(echo.Context) error { panic("boom") })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Something went wrong on our side") {
		t.Errorf("a panicking handler: got %d\n%s", rec.Code, rec.Body)
	}
	if panics.Load() != 1 || !strings.Contains(log.String(), `msg="request panicked"`) || !strings.Contains(log.String(), "httpui_test.go") {
		t.Errorf("counted %d; log:\n%s", panics.Load(), log.String())
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("the next request: got %d", rec.Code)
	}
}

func TestLogPath(t *testing.T) {
	e := echo.New()
	custom := invite.Paths{AcceptInvitation: "/i/", ResetPassword: "/pw/", RequestToJoin: "/ask/", Users: "/admin/users", Invitations: "/admin/invitations"}
	for _, tt := range []struct {
		paths invite.Paths
		want  map[string]string // path: logged
	}{
		{invite.DefaultPaths(), map[string]string{
			"/join/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA":       "/join/[redacted]",
			"/join/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/renew": "/join/[redacted]/renew",
			"/reset/abc":         "/reset/[redacted]",
			"/request/key":       "/request/[redacted]",
			"/admin/users/7":     "/admin/users/7",
			"/joined/whatever":   "/joined/whatever",
			"/static/join/x.css": "/static/join/x.css",
		}},
		{custom, map[string]string{
			"/i/abc/renew": "/i/[redacted]/renew",
			"/pw/abc":      "/pw/[redacted]",
			"/ask/key":     "/ask/[redacted]",
			"/join/abc":    "/join/abc",
		}},
	} {
		h := &handlers{secretPaths: secretPaths(tt.paths)}
		for path, want := range tt.want {
			c := e.NewContext(httptest.NewRequest(http.MethodGet, path, nil), httptest.NewRecorder())
			if got := h.logPath(c); got != want {
				t.Errorf("logPath(%s) with %+v = %s, want %s", path, tt.paths, got, want)
			}
		}
	}
}

// A flood of requests the server cannot serve logs one line a second, with
// how many there were, not one line each.
func TestUnservedLogIsSampled(t *testing.T) {
	began := time.Now()
	var log strings.Builder
	e := New(Config{Service: invite.NewService(storetest.SQLite(t), invite.Config{}), Health: func(context.Context) error { return nil }, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	e.GET("/busy", func(echo.Context) error { return invite.ErrBusy })
	for range 100 {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/busy", nil))
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("got %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
	}
	// However slow the machine: at most one line a second it took.
	if n, most := strings.Count(log.String(), "requests not served"), 1+int(time.Since(began)/time.Second); n < 1 || n > most {
		t.Errorf("%d log lines for 100 requests, want 1 to %d:\n%s", n, most, log.String())
	}
}
