package invitetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// testPruneHistory checks what PruneHistory deletes: events and finished
// mail past the retention, in chunks, but the latest message of a pending
// invitation; batches checked and never confirmed past a week; and
// nothing that is younger or still wanted.
func testPruneHistory(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	const keep = 30 * 24 * time.Hour
	svc := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, Retention: keep})

	// Mail, all written now, which is past the retention once the clock
	// moves on.
	pending, _ := f.invite(t, f.A)
	canceled, _ := f.invite(t, f.A)
	if _, err := f.Service.Cancel(f.Global, canceled.ID); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	now := f.Clock.Now()
	msg := func(invitationID int64, state invite.DeliveryState) *invite.Message {
		f.n++
		return &invite.Message{
			CompanyID: f.A.ID, InvitationID: invitationID, Kind: invite.KindInvitation,
			MessageID: fmt.Sprintf("<prune-%d@invite.example.com>", f.n), To: "x@example.com", ToName: "X",
			Language: "en", Subject: "s", Text: "t", HTML: "h", State: state,
			NextAttemptAt: now, CreatedAt: now, SentAt: now,
		}
	}
	latest := msg(pending.ID, invite.DeliverySent) // the pending invitation's latest
	failed := msg(0, invite.DeliveryFailed)
	queued := msg(0, invite.DeliveryQueued)
	if err := f.Store.Enqueue(ctx, []*invite.Message{latest, failed, queued}); err != nil {
		t.Fatal(err)
	}
	// Batches: one checked, one confirmed.
	checked, err := f.Service.PrepareBatch(f.AdminA, f.batchRows(f.A, 2))
	if err != nil {
		t.Fatal(err)
	}
	confirmed, err := f.Service.PrepareBatch(f.AdminA, f.batchRows(f.A, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.ConfirmBatch(f.AdminA, confirmed.ID, false); err != nil {
		t.Fatal(err)
	}
	// Events: more than a chunk of old ones.
	old := make([]*invite.Event, 1001)
	for i := range old {
		old[i] = &invite.Event{At: now.Add(-time.Hour), Kind: invite.EventLoginFailed, CompanyID: f.A.ID, Actor: invite.ActorSystem, Subject: invite.SubjectUser, Email: "old@example.com"}
	}
	if err := f.Store.AppendEvents(ctx, old); err != nil {
		t.Fatal(err)
	}

	f.Clock.Add(keep + time.Hour)
	now = f.Clock.Now()
	young := msg(0, invite.DeliverySent)
	if err := f.Store.Enqueue(ctx, []*invite.Message{young}); err != nil {
		t.Fatal(err)
	}
	youngChecked, err := f.Service.PrepareBatch(f.AdminA, f.batchRows(f.A, 1))
	if err != nil {
		t.Fatal(err)
	}
	recent := []*invite.Event{{At: now, Kind: invite.EventLoginFailed, CompanyID: f.A.ID, Actor: invite.ActorSystem, Subject: invite.SubjectUser, Email: "new@example.com"}}
	if err := f.Store.AppendEvents(ctx, recent); err != nil {
		t.Fatal(err)
	}

	n, err := svc.PruneHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// At least: 1,001 events, the pending invitation's first message, the
	// canceled one's, the failed one, and one batch. (The service's own
	// events of what this test did are old too.)
	if want := 1001 + 3 + 1; n < want {
		t.Errorf("PruneHistory: got %d deleted, want at least %d", n, want)
	}
	left, err := f.Store.Events(ctx, invite.EventQuery{Until: now.Add(-keep)})
	if err != nil || len(left) != 0 {
		t.Errorf("events past the retention: got %d (err %v), want none", len(left), err)
	}
	if evs, err := f.Store.Events(ctx, invite.EventQuery{After: recent[0].ID - 1}); err != nil || len(evs) == 0 || evs[0].ID != recent[0].ID {
		t.Errorf("a young event: got %v (err %v), want it kept", evs, err)
	}
	for _, c := range []struct {
		name string
		m    *invite.Message
		kept bool
	}{
		{"the pending invitation's latest", latest, true},
		{"queued", queued, true},
		{"young", young, true},
		{"failed", failed, false},
	} {
		_, err := f.Store.Message(ctx, c.m.ID)
		if gone := errors.Is(err, invite.ErrMessageNotFound); gone == c.kept || (err != nil && !gone) {
			t.Errorf("message %s: got err %v, want kept %v", c.name, err, c.kept)
		}
	}
	for _, id := range []int64{pending.ID, canceled.ID} {
		inv, err := f.Store.Invitation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case id == pending.ID && (inv.Delivery == nil || inv.Delivery.MessageID != latest.ID):
			t.Errorf("the pending invitation's delivery: got %+v, want message %d", inv.Delivery, latest.ID)
		case id == canceled.ID && inv.Delivery != nil:
			t.Errorf("the canceled invitation's delivery: got %+v, want none (its mail is past the retention)", inv.Delivery)
		}
	}
	msgs, err := f.Store.Messages(ctx, invite.MessageQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Errorf("messages left: got %d, want 3 (latest, queued, young)", len(msgs))
	}
	for _, c := range []struct {
		name string
		id   int64
		kept bool
	}{{"checked", checked.ID, false}, {"confirmed", confirmed.ID, true}, {"checked young", youngChecked.ID, true}} {
		_, err := f.Store.Batch(ctx, c.id)
		if gone := errors.Is(err, invite.ErrBatchNotFound); gone == c.kept || (err != nil && !gone) {
			t.Errorf("batch %s: got err %v, want kept %v", c.name, err, c.kept)
		}
	}
	if n, err := svc.PruneHistory(ctx); n != 0 || err != nil {
		t.Errorf("PruneHistory again: got %d, %v, want 0, nil", n, err)
	}

	// Forever: events and mail stay, and the batches' week holds still.
	forever := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, Retention: -1})
	f.Clock.Add(10 * keep)
	if n, err := forever.PruneHistory(ctx); n != 1 || err != nil {
		t.Errorf("PruneHistory keeping forever: got %d, %v, want 1 (the young checked batch), nil", n, err)
	}
	if msgs, err := f.Store.Messages(ctx, invite.MessageQuery{}); err != nil || len(msgs) != 3 {
		t.Errorf("messages kept forever: got %d (err %v), want 3", len(msgs), err)
	}
	if d, ok := forever.Retention(); ok || d != 0 {
		t.Errorf("Retention: got %v, %v, want 0, false", d, ok)
	}
	if d, ok := f.Service.Retention(); !ok || d != invite.DefaultRetention {
		t.Errorf("Retention by default: got %v, %v, want %v, true", d, ok, invite.DefaultRetention)
	}
}

// testUserNames checks UsersByID (without grants, an unknown ID
// left out) and who may name whom through UserNames.
func testUserNames(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	a := f.Member(t, f.A, invite.AdminNone)
	b := f.Member(t, f.B, invite.AdminNone)
	users, err := f.Store.UsersByID(ctx, []int64{b.ID, a.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].ID != min(a.ID, b.ID) || users[1].ID != max(a.ID, b.ID) {
		t.Fatalf("UsersByID: got %v, want %d and %d by ID", users, a.ID, b.ID)
	}
	for _, u := range users {
		if len(u.Grants) != 0 {
			t.Errorf("UsersByID: got grants %v, want none (one read)", u.Grants)
		}
	}
	if users, err := f.Store.UsersByID(ctx, nil); err != nil || len(users) != 0 {
		t.Errorf("UsersByID of none: got %v, %v, want none", users, err)
	}
	root, err := f.Store.UserByEmail(ctx, "root@example.com")
	if err != nil {
		t.Fatal(err)
	}
	names, err := f.Service.UserNames(f.AdminA, []int64{a.ID, b.ID, root.ID, a.ID, 0, -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := names[b.ID]; ok || names[a.ID].Email != a.Email || names[root.ID].Email != root.Email || len(names) != 2 {
		t.Errorf("UserNames as A's administrator: got %v, want A's member and the Global Administrator, not B's", names)
	}
	names, err = f.Service.UserNames(f.Global, []int64{a.ID, b.ID})
	if err != nil || len(names) != 2 || names[b.ID].Name != b.Name() {
		t.Errorf("UserNames as the Global Administrator: got %v, %v, want both", names, err)
	}
	_, err = f.Service.UserNames(invite.NewContext(ctx, a), []int64{a.ID})
	wantErr(t, err, invite.ErrForbidden)
}
