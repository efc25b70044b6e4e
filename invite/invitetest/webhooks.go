package invitetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// hook registers a webhook of c through the store, taking every kind.
func (f *fixture) hook(t testing.TB, c *invite.Company) *invite.Webhook {
	t.Helper()
	w := &invite.Webhook{
		CompanyID: c.ID, URL: "https://hooks.example.com/" + c.Name, Kinds: invite.EventKinds(),
		Secret: "whsec_test", CreatedBy: 1, CreatedAt: f.Clock.Now(),
	}
	if err := f.Store.CreateWebhook(context.Background(), w, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	return w
}

// queueDeliveries appends n events of c and queues a delivery of each to w.
func (f *fixture) queueDeliveries(t testing.TB, c *invite.Company, w *invite.Webhook, n int) {
	t.Helper()
	ctx := context.Background()
	now := f.Clock.Now()
	err := f.Store.InTx(ctx, func(tx invite.Store) error {
		evs := make([]*invite.Event, n)
		for i := range evs {
			evs[i] = &invite.Event{At: now, Kind: invite.EventCompanyChanged, CompanyID: c.ID, Actor: invite.ActorSystem, Subject: invite.SubjectCompany, SubjectID: c.ID}
		}
		if err := tx.AppendEvents(ctx, evs); err != nil {
			return err
		}
		ds := make([]*invite.WebhookDelivery, n)
		for i, e := range evs {
			ds[i] = &invite.WebhookDelivery{
				CompanyID: c.ID, WebhookID: w.ID, EventID: e.ID, Payload: fmt.Appendf(nil, `{"id":%d}`, e.ID),
				State: invite.WebhookQueued, NextAttemptAt: now, CreatedAt: now,
			}
		}
		return tx.EnqueueWebhookDeliveries(ctx, ds)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The store keeps webhooks and their outbox as WebhookStore says.
func testWebhookStore(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	a := f.hook(t, f.A)
	b := f.hook(t, f.B)
	a2 := f.hook(t, f.A)
	t.Run("Read", func(t *testing.T) {
		got, err := f.Store.Webhook(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != a.URL || got.Secret != "whsec_test" || !slices.Equal(got.Kinds, invite.EventKinds()) || !got.CreatedAt.Equal(a.CreatedAt) || !got.LastAttemptAt.IsZero() {
			t.Errorf("got %+v, want %+v", got, a)
		}
		_, err = f.Store.Webhook(ctx, a.ID+1000)
		wantErr(t, err, invite.ErrWebhookNotFound)
		ws, err := f.Store.Webhooks(ctx, []int64{f.B.ID, f.A.ID})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, w := range ws {
			ids = append(ids, w.ID)
		}
		want := []int64{a.ID, a2.ID, b.ID}
		if f.A.ID > f.B.ID {
			want = []int64{b.ID, a.ID, a2.ID}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("Webhooks: got %v, want %v (by company, then ID)", ids, want)
		}
		if ws, err := f.Store.Webhooks(ctx, []int64{f.A.ID + f.B.ID + 100}); err != nil || len(ws) != 0 {
			t.Errorf("Webhooks of no company: %v, %v", ws, err)
		}
	})
	t.Run("CreateChecksCount", func(t *testing.T) {
		var seen int = -1
		w := &invite.Webhook{CompanyID: f.B.ID, URL: "https://x.example.com/", Kinds: []invite.EventKind{invite.EventCompanyChanged}, Secret: "s", CreatedAt: f.Clock.Now()}
		err := f.Store.CreateWebhook(ctx, w, func(n int) error { seen = n; return invite.ErrTooManyWebhooks })
		wantErr(t, err, invite.ErrTooManyWebhooks)
		if seen != 1 || w.ID != 0 {
			t.Errorf("check saw %d (want 1), ID %d (want none)", seen, w.ID)
		}
		w.CompanyID = f.A.ID + f.B.ID + 100
		wantErr(t, f.Store.CreateWebhook(ctx, w, func(int) error { return nil }), invite.ErrCompanyNotFound)
	})
	t.Run("ClaimSaveAndLastStatus", func(t *testing.T) {
		f.queueDeliveries(t, f.A, a, 3)
		now := f.Clock.Now()
		ds, err := f.Store.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[0].Webhook == nil || ds[0].Webhook.URL != a.URL || ds[0].Webhook.Secret != "whsec_test" || ds[0].Attempts != 1 || ds[0].State != invite.WebhookSending {
			t.Fatalf("claimed %d: %+v, want 2 with their webhook, sending, attempt 1", len(ds), ds)
		}
		// The third only; the first two are claimed.
		more, err := f.Store.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 10)
		if err != nil || len(more) != 1 {
			t.Fatalf("second claim: %d, %v; want 1", len(more), err)
		}
		d := ds[0]
		d.State, d.LastStatus, d.DeliveredAt = invite.WebhookDelivered, 204, now
		if err := f.Store.SaveWebhookDelivery(ctx, d, now); err != nil {
			t.Fatal(err)
		}
		d2 := ds[1]
		d2.State, d2.LastStatus, d2.LastError, d2.NextAttemptAt = invite.WebhookQueued, 500, "answered 500", now.Add(time.Hour)
		if err := f.Store.SaveWebhookDelivery(ctx, d2, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		got, _ := f.Store.Webhook(ctx, a.ID)
		if !got.LastAttemptAt.Equal(now.Add(time.Second)) || got.LastStatus != 500 || got.LastError != "answered 500" {
			t.Errorf("last attempt: %v %d %q, want the second save's", got.LastAttemptAt, got.LastStatus, got.LastError)
		}
		// A lease that lapsed: claimed again, and the stale save does nothing.
		later := now.Add(2 * time.Minute)
		again, err := f.Store.ClaimWebhookDeliveries(ctx, later, later.Add(time.Minute), 10)
		if err != nil || len(again) != 1 || again[0].ID != more[0].ID || again[0].Attempts != 2 {
			t.Fatalf("after the lease: %+v, %v; want the third again, attempt 2", again, err)
		}
		more[0].State, more[0].DeliveredAt = invite.WebhookDelivered, later
		if err := f.Store.SaveWebhookDelivery(ctx, more[0], later); err != nil {
			t.Fatal(err)
		}
		all, err := f.Store.WebhookDeliveries(ctx, a.ID, 0)
		if err != nil || len(all) != 3 {
			t.Fatalf("deliveries: %d, %v", len(all), err)
		}
		if all[0].State != invite.WebhookDelivered || !all[0].DeliveredAt.Equal(now) || all[1].State != invite.WebhookQueued || all[1].LastStatus != 500 || all[2].State != invite.WebhookSending || all[2].Attempts != 2 {
			t.Errorf("deliveries: %+v %+v %+v", all[0], all[1], all[2])
		}
		if !strings.HasPrefix(string(all[0].Payload), `{"id":`) {
			t.Errorf("payload %q", all[0].Payload)
		}
		n, err := f.Store.PruneWebhookDeliveries(ctx, now.Add(time.Second), 0)
		if err != nil || n != 1 {
			t.Errorf("pruned %d, %v; want the delivered one", n, err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		f.queueDeliveries(t, f.A, a2, 2)
		if err := f.Store.DeleteWebhook(ctx, a2.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.Store.DeleteWebhook(ctx, a2.ID), invite.ErrWebhookNotFound)
		if ds, err := f.Store.WebhookDeliveries(ctx, a2.ID, 0); err != nil || len(ds) != 0 {
			t.Errorf("deliveries of a deleted webhook: %d, %v", len(ds), err)
		}
		// A delivery queued for a webhook deleted meanwhile is dropped
		// when claimed.
		now := f.Clock.Now().Add(time.Hour)
		f.Clock.Set(now)
		gone := &invite.Webhook{ID: a2.ID}
		f.queueDeliveries(t, f.A, gone, 1)
		ds, err := f.Store.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.WebhookID == a2.ID {
				t.Errorf("claimed a delivery to a deleted webhook")
			}
		}
		if ds, _ := f.Store.WebhookDeliveries(ctx, a2.ID, 0); len(ds) != 0 {
			t.Errorf("the orphan was kept")
		}
	})
}

// Workers claiming at once never get the same delivery, and together get
// every one.
func testWebhookClaimsConcurrent(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	w := f.hook(t, f.A)
	const n, workers = 120, 6
	for range n / 20 {
		f.queueDeliveries(t, f.A, w, 20)
	}
	now := f.Clock.Now()
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	for range workers {
		wg.Go(func() {
			for {
				ds, err := f.Store.ClaimWebhookDeliveries(ctx, now, now.Add(time.Hour), 5)
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if invite.ErrorCode(err) == invite.CodeUnavailable {
			continue // a busy database that a job tries again
		}
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Errorf("claimed %d deliveries, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("delivery %d claimed %d times", id, c)
		}
	}
}

// An event and its deliveries are committed together: a transaction that
// rolls back leaves neither.
func testWebhookDeliveriesAtomic(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	w := f.hook(t, f.A)
	before, _ := f.Store.Events(ctx, invite.EventQuery{CompanyID: f.A.ID})
	boom := errors.New("boom")
	err := f.Store.InTx(ctx, func(tx invite.Store) error {
		fx := &fixture{&World{Store: tx, Clock: f.Clock}}
		fx.queueDeliveries(t, f.A, w, 2)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v", err)
	}
	after, _ := f.Store.Events(ctx, invite.EventQuery{CompanyID: f.A.ID})
	ds, _ := f.Store.WebhookDeliveries(ctx, w.ID, 0)
	if len(after) != len(before) || len(ds) != 0 {
		t.Errorf("rolled back: %d events (want %d), %d deliveries (want 0)", len(after), len(before), len(ds))
	}
}

// Administrators register, list and delete their company's webhooks; the
// service checks the URL and kinds, bounds their number and shows the
// secret once.
func testWebhooks(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	in := invite.WebhookInput{CompanyID: f.A.ID, URL: "https://hooks.example.com/invite", Kinds: []invite.EventKind{invite.EventInvitationAccepted, invite.EventInvitationCreated}}
	var created *invite.Webhook
	t.Run("OK", func(t *testing.T) {
		w, err := f.Service.CreateWebhook(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(w.Secret, "whsec_") || len(w.Secret) < 40 || !slices.Equal(w.Kinds, []invite.EventKind{invite.EventInvitationCreated, invite.EventInvitationAccepted}) {
			t.Errorf("got %+v, want a secret and the kinds in EventKinds' order", w)
		}
		created = w
		ws, err := f.Service.Webhooks(f.AdminA, f.A.ID)
		if err != nil || len(ws) != 1 || ws[0].Secret != "" || ws[0].URL != in.URL {
			t.Fatalf("Webhooks: %+v, %v; want one, without its secret", ws, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct{ url, reason string }{
			{"", invite.ReasonRequired},
			{"http://hooks.example.com/", invite.ReasonHTTPSRequired},
			{"ftp://hooks.example.com/", invite.ReasonHTTPSRequired},
			{"https://user:pw@hooks.example.com/", invite.ReasonURLUserinfo},
			{"https://" + strings.Repeat("a", 2040) + ".example/", invite.ReasonTooLong},
			{"https:///path", invite.ReasonInvalidURL},
			{"https://hooks.example.com/a b", invite.ReasonInvalidURL},
			{"https://127.0.0.1/", invite.ReasonNotPublicAddress},
			{"https://[::1]/", invite.ReasonNotPublicAddress},
			{"https://10.0.0.1/", invite.ReasonNotPublicAddress},
			{"https://172.16.5.4:8443/", invite.ReasonNotPublicAddress},
			{"https://192.168.1.1/", invite.ReasonNotPublicAddress},
			{"https://169.254.169.254/latest/meta-data/", invite.ReasonNotPublicAddress},
			{"https://0.0.0.0/", invite.ReasonNotPublicAddress},
			{"https://100.64.0.1/", invite.ReasonNotPublicAddress},
			{"https://[::ffff:10.0.0.1]/", invite.ReasonNotPublicAddress},
			{"https://[::ffff:127.0.0.1]/", invite.ReasonNotPublicAddress},
			{"https://[fd00::1]/", invite.ReasonNotPublicAddress},
			{"https://[fe80::1]/", invite.ReasonNotPublicAddress},
			{"https://224.0.0.1/", invite.ReasonNotPublicAddress},
			{"https://localhost/", invite.ReasonNotPublicAddress},
			{"https://api.localhost./", invite.ReasonNotPublicAddress},
			// Found from outside: addresses in other spellings.
			{"https://0/", invite.ReasonNotPublicAddress},
			{"https://127.1/", invite.ReasonNotPublicAddress},
			{"https://2130706433/", invite.ReasonNotPublicAddress},
			{"https://0x7f000001/", invite.ReasonNotPublicAddress},
			{"https://017700000001/", invite.ReasonNotPublicAddress},
			{"https://0177.0.0.1/", invite.ReasonNotPublicAddress},
			{"https://localhost.localdomain/", invite.ReasonNotPublicAddress},
		} {
			bad := in
			bad.URL = tc.url
			_, err := f.Service.CreateWebhook(f.AdminA, bad)
			if err == nil {
				t.Errorf("%q: registered", tc.url)
				continue
			}
			wantField(t, err, "url", tc.reason)
		}
		bad := in
		bad.Kinds = nil
		_, err := f.Service.CreateWebhook(f.AdminA, bad)
		wantField(t, err, "kinds", invite.ReasonKindsRequired)
		bad.Kinds = []invite.EventKind{"invitation.eaten"}
		_, err = f.Service.CreateWebhook(f.AdminA, bad)
		wantField(t, err, "kinds", invite.ReasonUnknownEventKind)
	})
	t.Run("ErrOtherCompany", func(t *testing.T) {
		_, err := f.Service.CreateWebhook(f.AdminB, in)
		wantErr(t, err, invite.ErrCompanyNotFound)
		_, err = f.Service.Webhooks(f.AdminB, f.A.ID)
		wantErr(t, err, invite.ErrCompanyNotFound)
		wantErr(t, f.Service.DeleteWebhook(f.AdminB, created.ID), invite.ErrWebhookNotFound)
		member := invite.NewContext(ctx, f.Member(t, f.A, invite.AdminNone))
		_, err = f.Service.CreateWebhook(member, in)
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.Service.Webhooks(context.Background(), f.A.ID)
		wantErr(t, err, invite.ErrUnauthorized)
	})
	t.Run("GlobalAdministrator", func(t *testing.T) {
		b := in
		b.CompanyID = f.B.ID
		w, err := f.Service.CreateWebhook(f.Global, b)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Service.DeleteWebhook(f.Global, w.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.Service.DeleteWebhook(f.Global, w.ID), invite.ErrWebhookNotFound)
	})
	t.Run("ErrTooManyWebhooks", func(t *testing.T) {
		// Created at once: the bound holds however they race.
		var wg sync.WaitGroup
		errs := make([]error, invite.DefaultMaxWebhooks+3)
		for i := range errs {
			wg.Go(func() { _, errs[i] = f.Service.CreateWebhook(f.AdminA, in) })
		}
		wg.Wait()
		ok, limited := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, invite.ErrTooManyWebhooks):
				limited++
			case invite.ErrorCode(err) == invite.CodeUnavailable:
			default:
				t.Fatal(err)
			}
		}
		ws, _ := f.Service.Webhooks(f.AdminA, f.A.ID)
		if len(ws) != invite.DefaultMaxWebhooks || ok != invite.DefaultMaxWebhooks-1 {
			t.Errorf("%d webhooks (%d made here, %d refused), want %d", len(ws), ok, limited, invite.DefaultMaxWebhooks)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := f.Service.DeleteWebhook(f.AdminA, created.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.Service.DeleteWebhook(f.AdminA, created.ID), invite.ErrWebhookNotFound)
	})
}

// An event that the service records is queued, in its transaction, for
// each webhook of its company that takes its kind, and for no other.
// Only once the lead's wiring records invitation.created (issue 14); it
// skips until then.
func testWebhookFanOut(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	takes, err := f.Service.CreateWebhook(f.AdminA, invite.WebhookInput{CompanyID: f.A.ID, URL: "https://hooks.example.com/a", Kinds: []invite.EventKind{invite.EventInvitationCreated}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.Service.CreateWebhook(f.AdminA, invite.WebhookInput{CompanyID: f.A.ID, URL: "https://hooks.example.com/b", Kinds: []invite.EventKind{invite.EventUserDeleted}})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := f.Service.CreateWebhook(f.AdminB, invite.WebhookInput{CompanyID: f.B.ID, URL: "https://hooks.example.com/c", Kinds: invite.EventKinds()})
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := f.Service.Invite(f.AdminA, f.Input(f.A))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := f.Store.Events(ctx, invite.EventQuery{CompanyID: f.A.ID, Kinds: []invite.EventKind{invite.EventInvitationCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Skip("Invite records no invitation.created event yet (wired by the lead in issue 14)")
	}
	ev := evs[len(evs)-1] // the fixture invited its administrators before
	ds, err := f.Store.WebhookDeliveries(ctx, takes.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].EventID != ev.ID || ds[0].State != invite.WebhookQueued || !strings.Contains(string(ds[0].Payload), fmt.Sprintf(`"subject_id":%d`, inv.ID)) {
		t.Errorf("deliveries to the webhook that takes invitation.created: %d, want 1 of event %d about invitation %d", len(ds), ev.ID, inv.ID)
	}
	for _, w := range []*invite.Webhook{other, elsewhere} {
		if ds, _ := f.Store.WebhookDeliveries(ctx, w.ID, 0); len(ds) != 0 {
			t.Errorf("webhook %s got %d deliveries, want none", w.URL, len(ds))
		}
	}
}
