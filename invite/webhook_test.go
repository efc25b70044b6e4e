package invite_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/invite/memstore"
	"github.com/invitehq/invite/store/storetest"
)

// stores are the stores the webhook tests run on.
var stores = []struct {
	name string
	open func(t *testing.T) invite.Store
}{
	{"memstore", func(*testing.T) invite.Store { return memstore.New() }},
	{"sqlite", func(t *testing.T) invite.Store { return storetest.SQLite(t) }},
	{"mysql", func(t *testing.T) invite.Store { return storetest.MySQL(t) }}, // skips without INVITE_TEST_MYSQL
}

// loopback is what a test allows webhooks to reach: its own servers.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// tlsServer starts a TLS server with h that keeps quiet about the
// connections the tests drop.
func tlsServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

// trusting returns a TLS configuration that trusts srv's certificate.
func trusting(srv *httptest.Server) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{RootCAs: pool}
}

// receiver is a webhook receiver that verifies what it gets and counts
// each event's deliveries by Webhook-Id, per path, failing attempts as
// fail says.
type receiver struct {
	t       *testing.T
	clock   *invitetest.Clock
	mu      sync.Mutex
	secrets map[string]string         // by path
	tries   map[string]map[string]int // path -> Webhook-Id -> requests
	got     map[string]map[string]int // path -> Webhook-Id -> verified bodies
	bodies  map[string]invite.WebhookEvent
	// fail says what the n-th request (from 1) of an event to a path
	// meets: "" for 200, "500", "drop" (the connection closed unanswered)
	// or "slow" (no answer until the client gives up).
	fail func(path, id string, n int) string
}

func newReceiver(t *testing.T) *receiver {
	return &receiver{t: t, secrets: map[string]string{}, tries: map[string]map[string]int{}, got: map[string]map[string]int{}, bodies: map[string]invite.WebhookEvent{},
		fail: func(string, string, int) string { return "" }}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	id := r.Header.Get(invite.WebhookIDHeader)
	rc.mu.Lock()
	secret, clock, fail := rc.secrets[r.URL.Path], rc.clock, rc.fail
	if rc.tries[r.URL.Path] == nil {
		rc.tries[r.URL.Path], rc.got[r.URL.Path] = map[string]int{}, map[string]int{}
	}
	rc.tries[r.URL.Path][id]++
	n := rc.tries[r.URL.Path][id]
	rc.mu.Unlock()
	if err := invite.VerifyWebhook(secret, r.Header, body, clock.Now()); err != nil {
		rc.t.Errorf("%s %s: %v", r.URL.Path, id, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev invite.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil || strconv.FormatInt(ev.ID, 10) != id {
		rc.t.Errorf("body %s: %v, want the event with ID %s", body, err, id)
	}
	if ev.Kind == invite.EventCompanyChanged && strings.Contains(string(ev.Detail), `"setting":"webhooks"`) {
		// The registration of a webhook is in the history too, and goes
		// to the company's webhooks, as any change: not this test's.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// What a receiver does first: the event is taken (and would be
	// deduplicated by its Webhook-Id), whatever becomes of the answer.
	rc.mu.Lock()
	rc.got[r.URL.Path][id]++
	rc.bodies[id] = ev
	rc.mu.Unlock()
	switch fail(r.URL.Path, id, n) {
	case "500":
		http.Error(w, "try later", http.StatusInternalServerError)
	case "drop":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			// Not dropped: failed, never a 200 the server would write
			// for a handler that wrote nothing.
			http.Error(w, "could not drop", http.StatusServiceUnavailable)
			return
		}
		conn.Close()
	case "slow":
		<-r.Context().Done() // the client gave up
		// Whatever ended the wait, the answer is no success: a handler
		// that writes nothing is answered 200 by the server (seen once
		// under -race, as an attempt too few).
		http.Error(w, "too slow", http.StatusServiceUnavailable)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// webhookWorld is a World and a Service whose webhooks may reach srv.
func webhookWorld(t *testing.T, st invite.Store, srv *httptest.Server, allow []netip.Prefix) (*invitetest.World, *invite.Service) {
	w := invitetest.NewWorld(t, st)
	svc := invite.NewService(st, invite.Config{
		Now: w.Clock.Now,
		Webhooks: invite.WebhookConfig{
			// Long enough for any answer on a loaded machine: only the
			// receiver's "slow" answers, which never come, run into it.
			Allow: allow, TLS: trusting(srv), Timeout: 2 * time.Second,
			Retry: invite.Retry{Attempts: 6, Base: time.Minute, Max: time.Hour, Lease: 10 * time.Minute},
		},
	})
	return w, svc
}

// companyEvents returns n events of company c of the given kind.
func companyEvents(c *invite.Company, kind invite.EventKind, n int) []*invite.Event {
	evs := make([]*invite.Event, n)
	for i := range evs {
		evs[i] = &invite.Event{Kind: kind, CompanyID: c.ID, Subject: invite.SubjectCompany, SubjectID: c.ID, Detail: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
	}
	return evs
}

// deliverAll runs the worker, moving the clock past every backoff, until
// nothing is due, at most rounds times.
func deliverAll(t *testing.T, svc *invite.Service, clock *invitetest.Clock, rounds int) {
	t.Helper()
	for range rounds {
		if _, err := svc.DeliverWebhooks(t.Context()); err != nil {
			t.Fatal(err)
		}
		clock.Add(2 * time.Hour)
	}
}

// Each event reaches each endpoint that takes its kind, and after
// deduplicating by Webhook-Id exactly once, despite answers of 500,
// connections dropped and answers too slow; every delivery is signed.
func TestWebhookDeliveredOnceEach(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			rc := newReceiver(t)
			srv := tlsServer(rc)
			defer srv.Close()
			w, svc := webhookWorld(t, s.open(t), srv, loopback)
			rc.mu.Lock()
			rc.clock = w.Clock
			// Events with an even ID meet each failure once, in turn,
			// before they are taken; the others are taken at once.
			rc.fail = func(path, id string, n int) string {
				if n, _ := strconv.Atoi(id); n%2 == 1 {
					return ""
				}
				return [...]string{"", "500", "drop", "slow", ""}[min(n, 4)]
			}
			all, err := svc.CreateWebhook(w.AdminA, invite.WebhookInput{CompanyID: w.A.ID, URL: srv.URL + "/all", Kinds: invite.EventKinds()})
			if err != nil {
				t.Fatal(err)
			}
			some, err := svc.CreateWebhook(w.Global, invite.WebhookInput{CompanyID: w.A.ID, URL: srv.URL + "/some", Kinds: []invite.EventKind{invite.EventCompanyChanged}})
			if err != nil {
				t.Fatal(err)
			}
			other, err := svc.CreateWebhook(w.AdminB, invite.WebhookInput{CompanyID: w.B.ID, URL: srv.URL + "/other", Kinds: invite.EventKinds()})
			if err != nil {
				t.Fatal(err)
			}
			rc.secrets["/all"], rc.secrets["/some"], rc.secrets["/other"] = all.Secret, some.Secret, other.Secret
			rc.mu.Unlock()

			ctx := context.Background()
			changed := companyEvents(w.A, invite.EventCompanyChanged, 12)
			if err := invite.RecordForTest(ctx, svc, nil, changed...); err != nil {
				t.Fatal(err)
			}
			tmpl := companyEvents(w.A, invite.EventTemplateChanged, 5)
			for _, e := range tmpl { // a transaction each
				if err := invite.RecordForTest(ctx, svc, nil, e); err != nil {
					t.Fatal(err)
				}
			}
			deliverAll(t, svc, w.Clock, 8)
			rc.mu.Lock()
			defer rc.mu.Unlock()

			want := map[string][]*invite.Event{"/all": append(changed, tmpl...), "/some": changed, "/other": nil}
			for path, evs := range want {
				if len(rc.got[path]) != len(evs) {
					t.Errorf("%s got %d events, want %d", path, len(rc.got[path]), len(evs))
				}
				for _, e := range evs {
					id := strconv.FormatInt(e.ID, 10)
					if rc.got[path][id] == 0 {
						t.Errorf("%s never got event %s", path, id)
					}
					// More only if an answer was lost on the way, which the
					// deduplication covers as well.
					if e.ID%2 == 0 && rc.tries[path][id] < 4 {
						t.Errorf("%s: event %s tried %d times, want 4 (500, dropped, slow, taken)", path, id, rc.tries[path][id])
					}
					if e.ID%2 == 1 && rc.tries[path][id] < 1 {
						t.Errorf("%s: event %s tried %d times, want 1", path, id, rc.tries[path][id])
					}
				}
			}
			if b := rc.bodies[strconv.FormatInt(changed[3].ID, 10)]; b.Kind != invite.EventCompanyChanged || b.CompanyID != w.A.ID || b.Actor.Kind != invite.ActorSystem || string(b.Detail) != `{"n":3}` || b.Subject != invite.SubjectCompany {
				t.Errorf("body: %+v", b)
			}
			for _, hook := range []*invite.Webhook{all, some} {
				ds, err := w.Store.WebhookDeliveries(ctx, hook.ID, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range ds {
					if d.State != invite.WebhookDelivered {
						t.Errorf("%s: delivery of event %d is %s after %d attempts (%s)", hook.URL, d.EventID, d.State, d.Attempts, d.LastError)
					}
				}
			}
			ws, _ := svc.Webhooks(w.AdminA, w.A.ID)
			if len(ws) != 2 || !ws[0].Delivered() || ws[0].LastStatus != http.StatusNoContent || ws[0].LastAttemptAt.IsZero() {
				t.Errorf("last attempt: %+v", ws[0])
			}
		})
	}
}

// A delivery that keeps failing is failed for good after the retry's
// attempts, with the last answer for the page.
func TestWebhookGivesUp(t *testing.T) {
	srv := tlsServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	w, svc := webhookWorld(t, memstore.New(), srv, loopback)
	hook, err := svc.CreateWebhook(w.AdminA, invite.WebhookInput{CompanyID: w.A.ID, URL: srv.URL + "/", Kinds: invite.EventKinds()})
	if err != nil {
		t.Fatal(err)
	}
	if err := invite.RecordForTest(t.Context(), svc, nil, companyEvents(w.A, invite.EventCompanyChanged, 1)...); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, svc, w.Clock, 10)
	ds, _ := w.Store.WebhookDeliveries(t.Context(), hook.ID, 0)
	if len(ds) != 1 || ds[0].State != invite.WebhookFailed || ds[0].Attempts != 6 || ds[0].LastStatus != http.StatusServiceUnavailable {
		t.Fatalf("deliveries: %+v, want one failed after 6 attempts", ds)
	}
	ws, _ := svc.Webhooks(w.AdminA, w.A.ID)
	if ws[0].Delivered() || ws[0].LastStatus != http.StatusServiceUnavailable || !strings.Contains(ws[0].LastError, "503") {
		t.Errorf("last attempt: %+v", ws[0])
	}
}

// An event and its deliveries commit together: a change that rolls back
// leaves neither.
func TestWebhookRolledBackWithEvent(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			srv := tlsServer(http.NotFoundHandler())
			defer srv.Close()
			w, svc := webhookWorld(t, s.open(t), srv, loopback)
			hook, err := svc.CreateWebhook(w.AdminA, invite.WebhookInput{CompanyID: w.A.ID, URL: srv.URL + "/", Kinds: invite.EventKinds()})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			// The company's history so far (registering it, adding the
			// webhook) is not this test's.
			before, _ := w.Store.Events(ctx, invite.EventQuery{CompanyID: w.A.ID})
			var mark int64
			if len(before) > 0 {
				mark = before[len(before)-1].ID
			}
			boom := errors.New("the change failed")
			if err := invite.RecordForTest(ctx, svc, boom, companyEvents(w.A, invite.EventCompanyChanged, 2)...); !errors.Is(err, boom) {
				t.Fatalf("got %v, want the change's error", err)
			}
			evs, _ := w.Store.Events(ctx, invite.EventQuery{CompanyID: w.A.ID, After: mark})
			ds := deliveriesAfter(t, w.Store, hook.ID, mark)
			if len(evs) != 0 || len(ds) != 0 {
				t.Fatalf("rolled back: %d events, %d deliveries; want none", len(evs), len(ds))
			}
			if err := invite.RecordForTest(ctx, svc, nil, companyEvents(w.A, invite.EventCompanyChanged, 2)...); err != nil {
				t.Fatal(err)
			}
			evs, _ = w.Store.Events(ctx, invite.EventQuery{CompanyID: w.A.ID, After: mark})
			ds = deliveriesAfter(t, w.Store, hook.ID, mark)
			if len(evs) != 2 || len(ds) != 2 || ds[0].EventID != evs[0].ID || ds[1].EventID != evs[1].ID {
				t.Fatalf("committed: %d events, %d deliveries; want 2 each, one for the other", len(evs), len(ds))
			}
		})
	}
}

// deliveriesAfter returns the deliveries of a webhook of events after
// the one with ID mark.
func deliveriesAfter(t *testing.T, st invite.Store, hookID, mark int64) []*invite.WebhookDelivery {
	t.Helper()
	all, err := st.WebhookDeliveries(t.Context(), hookID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(all, func(d *invite.WebhookDelivery) bool { return d.EventID <= mark })
}

// A name that resolves to a loopback address is refused when connecting,
// whatever registration let through, unless the operator allowed it; a
// redirect is not followed.
func TestWebhookRefusedAtDial(t *testing.T) {
	var hits sync.Map
	srv := tlsServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	st := memstore.New()
	w, strict := webhookWorld(t, st, srv, nil)
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "https://"), ":")
	byName := "https://localhost:" + port + "/named"
	if _, err := strict.CreateWebhook(w.AdminA, invite.WebhookInput{CompanyID: w.A.ID, URL: byName, Kinds: invite.EventKinds()}); invite.ErrorCode(err) != invite.CodeInvalid {
		t.Fatalf("registering localhost: %v, want refused", err)
	}
	// As if the name had resolved elsewhere when it was registered (DNS
	// rebinding): stored as it is.
	hook := &invite.Webhook{CompanyID: w.A.ID, URL: byName, Kinds: invite.EventKinds(), Secret: "whsec_x", CreatedAt: w.Clock.Now()}
	if err := st.CreateWebhook(t.Context(), hook, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := invite.RecordForTest(t.Context(), strict, nil, companyEvents(w.A, invite.EventCompanyChanged, 1)...); err != nil {
		t.Fatal(err)
	}
	if n, err := strict.DeliverWebhooks(t.Context()); err != nil || n != 0 {
		t.Fatalf("delivered %d, %v; want none", n, err)
	}
	if _, ok := hits.Load("/named"); ok {
		t.Fatal("the server was reached")
	}
	ds, _ := st.WebhookDeliveries(t.Context(), hook.ID, 0)
	if len(ds) != 1 || !strings.Contains(ds[0].LastError, "not a public address") || ds[0].LastStatus != 0 {
		t.Fatalf("delivery: %+v, want refused as not public", ds)
	}

	// Allowed by the operator: delivered.
	allowed := invite.NewService(st, invite.Config{Now: w.Clock.Now, Webhooks: invite.WebhookConfig{AllowPrivate: true, TLS: &tls.Config{RootCAs: trusting(srv).RootCAs, ServerName: "127.0.0.1"}}})
	w.Clock.Add(2 * time.Hour)
	if n, err := allowed.DeliverWebhooks(t.Context()); err != nil || n != 1 {
		t.Fatalf("allowed: delivered %d, %v; want 1", n, err)
	}

	// A redirect is an answer like any other that is not 2xx.
	redirect, err := allowed.CreateWebhook(w.AdminA, invite.WebhookInput{CompanyID: w.A.ID, URL: srv.URL + "/redirect", Kinds: []invite.EventKind{invite.EventTemplateChanged}})
	if err != nil {
		t.Fatal(err)
	}
	// Its registration goes to the first webhook, as any change does.
	if n, err := allowed.DeliverWebhooks(t.Context()); err != nil || n != 1 {
		t.Fatalf("the registration: delivered %d, %v; want 1", n, err)
	}
	if err := invite.RecordForTest(t.Context(), allowed, nil, companyEvents(w.A, invite.EventTemplateChanged, 1)...); err != nil {
		t.Fatal(err)
	}
	if n, err := allowed.DeliverWebhooks(t.Context()); err != nil || n != 1 {
		t.Fatalf("redirect: delivered %d, %v; want 1, to the first webhook only", n, err)
	}
	if _, ok := hits.Load("/elsewhere"); ok {
		t.Error("the redirect was followed")
	}
	ds, _ = st.WebhookDeliveries(t.Context(), redirect.ID, 0)
	if len(ds) != 1 || ds[0].State != invite.WebhookQueued || ds[0].LastStatus != http.StatusTemporaryRedirect {
		t.Errorf("redirected delivery: %+v, want queued again with status 307", ds)
	}
}

func TestVerifyWebhook(t *testing.T) {
	const secret = "whsec_abc"
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	body := []byte(`{"id":7,"kind":"invitation.created"}`)
	signed := func(at time.Time, b []byte, sig string) http.Header {
		h := http.Header{}
		h.Set(invite.WebhookIDHeader, "7")
		h.Set(invite.WebhookTimestampHeader, strconv.FormatInt(at.Unix(), 10))
		if sig == "" {
			sig = invite.WebhookSignature(secret, at.Unix(), b)
		}
		h.Set(invite.WebhookSignatureHeader, sig)
		return h
	}
	good := invite.WebhookSignature(secret, now.Unix(), body)
	for _, tc := range []struct {
		name string
		h    http.Header
		body []byte
		want error
	}{
		{"OK", signed(now, body, ""), body, nil},
		{"OKWithinWindow", signed(now.Add(-4*time.Minute), body, ""), body, nil},
		{"OKOneOfSeveral", signed(now, body, "v1=00ff "+good), body, nil},
		{"ErrTamperedBody", signed(now, body, ""), []byte(`{"id":7,"kind":"invitation.accepted"}`), invite.ErrWebhookSignature},
		{"ErrTamperedSignature", signed(now, body, "v1="+strings.Repeat("0", 64)), body, invite.ErrWebhookSignature},
		{"ErrOtherSecret", signed(now, body, invite.WebhookSignature("whsec_other", now.Unix(), body)), body, invite.ErrWebhookSignature},
		{"ErrNoVersion", signed(now, body, strings.TrimPrefix(good, "v1=")), body, invite.ErrWebhookSignature},
		{"ErrOldTimestamp", signed(now.Add(-6*time.Minute), body, ""), body, invite.ErrWebhookTimestamp},
		{"ErrFutureTimestamp", signed(now.Add(6*time.Minute), body, ""), body, invite.ErrWebhookTimestamp},
		{"ErrNoHeaders", http.Header{}, body, invite.ErrWebhookTimestamp},
		// Found from outside: a capture replayed under another ID passed
		// a receiver's deduplication.
		{"ErrOtherID", func() http.Header { h := signed(now, body, ""); h.Set(invite.WebhookIDHeader, "999999999"); return h }(), body, invite.ErrWebhookSignature},
		{"ErrNoID", func() http.Header { h := signed(now, body, ""); h.Del(invite.WebhookIDHeader); return h }(), body, invite.ErrWebhookSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := invite.VerifyWebhook(secret, tc.h, tc.body, now)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// The timestamp is signed: moved into the window, it fails.
	h := signed(now.Add(-10*time.Minute), body, "")
	h.Set(invite.WebhookTimestampHeader, strconv.FormatInt(now.Unix(), 10))
	if err := invite.VerifyWebhook(secret, h, body, now); !errors.Is(err, invite.ErrWebhookSignature) {
		t.Errorf("a timestamp moved: got %v", err)
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.8.9.1": false, "::1": false, "10.1.2.3": false, "172.31.0.1": false,
		"192.168.0.1": false, "169.254.169.254": false, "0.0.0.0": false, "::": false, "100.64.0.1": false,
		"100.127.255.254": false, "224.0.0.251": false, "255.255.255.255": false, "fe80::1": false,
		"fd12::1": false, "ff02::1": false, "::ffff:10.0.0.1": false, "::ffff:8.8.8.8": true,
		"64:ff9b::a00:1": false, "64:ff9b::808:808": true, "2002:a00:1::": false, "2002:808:808::": true,
		"192.0.2.1": false, "198.18.0.1": false, "240.0.0.1": false, "2001:db8::1": false, "::10.0.0.1": false,
		"fec0::1": false, "2001::1": false,
	} {
		if got := invite.PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}
