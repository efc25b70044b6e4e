package httpui

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store/storetest"
)

// /metrics is served only to the bearer of the token, and not at all
// without a token or a handler: a session opens nothing.
func TestMetricsToken(t *testing.T) {
	served := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("invite_up 1\n")) })
	svc := invite.NewService(storetest.SQLite(t), invite.Config{})
	health := func(context.Context) error { return nil }
	tests := []struct {
		name    string
		handler http.Handler
		token   string
		auth    string // the Authorization header; none when ""
		want    int
	}{
		{"NoToken", served, "", "Bearer ", http.StatusNotFound},
		{"NoHandler", nil, "s3cret-token", "Bearer s3cret-token", http.StatusNotFound},
		{"NoAuthorization", served, "s3cret-token", "", http.StatusUnauthorized},
		{"WrongToken", served, "s3cret-token", "Bearer s3cret-tokem", http.StatusUnauthorized},
		{"Prefix", served, "s3cret-token", "Bearer s3cret", http.StatusUnauthorized},
		{"Basic", served, "s3cret-token", "Basic s3cret-token", http.StatusUnauthorized},
		{"RightToken", served, "s3cret-token", "Bearer s3cret-token", http.StatusOK},
		{"SchemeAnyCase", served, "s3cret-token", "bearer s3cret-token", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{Service: svc, Health: health, Logger: slog.New(slog.DiscardHandler), Metrics: tt.handler, MetricsToken: tt.token})
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("got %d, want %d\n%s", rec.Code, tt.want, rec.Body)
			}
			switch rec.Code {
			case http.StatusOK:
				if rec.Body.String() != "invite_up 1\n" {
					t.Errorf("body %q, want the handler's", rec.Body)
				}
			case http.StatusUnauthorized:
				if rec.Header().Get("WWW-Authenticate") == "" {
					t.Errorf("401 without WWW-Authenticate")
				}
			}
		})
	}
}

type observed struct {
	method, route string
	status        int
}

// Each request is observed once answered, by its route's pattern and never
// by its path: a path of no route, and a method a route does not take,
// are observed with no route; an error and a panic with their status.
func TestObserve(t *testing.T) {
	var mu sync.Mutex
	var got []observed
	e := New(Config{Service: invite.NewService(storetest.SQLite(t), invite.Config{}), Health: func(context.Context) error { return nil },
		Logger: slog.New(slog.DiscardHandler),
		Observe: func(method, route string, status int, took time.Duration) {
			if took < 0 {
				t.Errorf("took %v", took)
			}
			mu.Lock()
			defer mu.Unlock()
			got = append(got, observed{method, route, status})
		}})
	e.GET("/boom/:id", func(echo.Context) error { panic("boom") })
	for _, tt := range []struct {
		method, path string
		want         observed
	}{
		{http.MethodGet, "/healthz", observed{"GET", "/healthz", 200}},
		{http.MethodGet, "/admin/invitations/12345/resend", observed{"GET", "/admin/invitations/:id/resend", 303}},
		{http.MethodGet, "/join/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", observed{"GET", "/join/:token", 404}},
		{http.MethodGet, "/no/such/page/8b1f", observed{"GET", "", 404}},
		{http.MethodDelete, "/healthz", observed{"DELETE", "", 0}}, // refused before routing
		{http.MethodGet, "/boom/7", observed{"GET", "/boom/:id", 500}},
		{http.MethodGet, "/metrics", observed{"GET", "/metrics", 404}},
	} {
		mu.Lock()
		got = nil
		mu.Unlock()
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		mu.Lock()
		if tt.want.status == 0 { // whatever it was answered
			tt.want.status = rec.Code
		}
		if len(got) != 1 || got[0] != tt.want || rec.Code != tt.want.status {
			t.Errorf("%s %s: answered %d, observed %v; want once %v", tt.method, tt.path, rec.Code, got, tt.want)
		}
		mu.Unlock()
	}
}
