package main

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// The server posts an event to a company's webhook as soon as the event is
// committed, not at the job's next scheduled run (an hour away here): the
// service's Recorded hook wakes the job. It needs an event that Invite
// records (invitation.created, wired in issue 14), and skips until then.
func TestWebhookDeliveredAtOnce(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	var secret string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := invite.VerifyWebhook(secret, r.Header, body, time.Now()); err != nil {
			t.Errorf("delivery: %v", err)
		}
		got = append(got, r.Header.Get(invite.WebhookIDHeader))
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	cfg := testConfig(t, "")
	cfg.AdminPassword = adminPassword
	cfg.WebhookSchedule = "@every 1h"
	cfg.WebhookAllow = "127.0.0.0/8"
	m := NewMain(cfg, slog.New(slog.DiscardHandler), io.Discard)
	m.webhookTLS = &tls.Config{RootCAs: pool}
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ctx := asAdmin(t, m)
	c, err := m.svc.RegisterCompany(ctx, invite.CompanyInput{Name: "Acme", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := m.svc.CreateWebhook(ctx, invite.WebhookInput{CompanyID: c.ID, URL: srv.URL + "/events", Kinds: []invite.EventKind{invite.EventInvitationCreated}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = hook.Secret
	mu.Unlock()
	if _, _, err := m.svc.Invite(ctx, inviteInput(c)); err != nil {
		t.Fatal(err)
	}
	evs, err := m.db.Events(t.Context(), invite.EventQuery{CompanyID: c.ID, Kinds: []invite.EventKind{invite.EventInvitationCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Skip("Invite records no invitation.created event yet (wired by the lead in issue 14)")
	}
	eventually(t, "the delivery", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	})
}
