package invitetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// The rows of a batch share the company's seats: the dry run tells which
// rows would find none, in row order, and the send takes them one by one,
// so that a batch never sends past them, even when seats went meanwhile.
func testBatchSeats(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	app := f.A.Subscriptions[0].ID
	f.setSeats(t, f.A, app, 4) // AdminA holds one: 3 free
	rows := f.batchRows(f.A, 5)
	rows[1].Grants = rows[1].Grants[1:] // Data Stream Designer only: no seat taken
	res, err := f.Service.InviteMany(f.AdminA, rows, true)
	if err != nil {
		t.Fatalf("InviteMany dry run: %v", err)
	}
	wantRows(t, res, []string{"", "", "", "", "grants[0].subscription:" + invite.ReasonNoSeats})
	f.wantSeats(t, f.A, app, 4, 1, 0) // a dry run takes nothing

	// A seat taken between the dry run kept and the send: the send
	// refuses the row that no longer fits, not more.
	b, err := f.Service.PrepareBatch(f.AdminA, rows)
	if err != nil {
		t.Fatalf("PrepareBatch: %v", err)
	}
	f.invite(t, f.A)
	if _, err := f.Service.ConfirmBatch(f.AdminA, b.ID, false); err != nil {
		t.Fatalf("ConfirmBatch: %v", err)
	}
	if _, err := f.Service.RunBatches(context.Background()); err != nil {
		t.Fatalf("RunBatches: %v", err)
	}
	if b, err = f.Service.Batch(f.AdminA, b.ID); err != nil {
		t.Fatalf("Batch: %v", err)
	}
	got := make([]string, len(b.Outcomes))
	for i, o := range b.Outcomes {
		if len(o.Fields) > 0 {
			got[i] = o.Fields[0].Field + ":" + o.Fields[0].Reason
		}
	}
	noSeat := "grants[0].subscription:" + invite.ReasonNoSeats
	if want := []string{"", "", "", noSeat, noSeat}; !slices.Equal(got, want) {
		t.Fatalf("batch outcomes %q, want %q", got, want)
	}
	f.wantSeats(t, f.A, app, 4, 1, 3)
}

// A row may name one of the company's presets, in any case: it fills what
// the row leaves empty, and grants nothing the sender may not.
func testBatchPresets(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	c := f.A
	p := &invite.Preset{CompanyID: c.ID, Name: "Plant Operator", BusinessRoleID: c.BusinessRoles[1].ID, Department: "Line 4",
		Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[1].ID, Role: invite.RoleContributor}}}
	if err := f.Service.CreatePreset(f.Global, p); err != nil {
		t.Fatalf("CreatePreset: %v", err)
	}
	rows := f.batchRows(c, 3)
	for i := range rows {
		rows[i].BusinessRoleID, rows[i].Department, rows[i].Grants = 0, "", nil
		rows[i].Preset = "plant operator"
	}
	rows[1].Department = "Own department" // the row's own value wins
	rows[2].Preset = "Nobody's preset"
	res, err := f.Service.InviteMany(f.AdminA, rows, false)
	if err != nil {
		t.Fatalf("InviteMany: %v", err)
	}
	wantRows(t, res, []string{"", "", "preset:" + invite.ReasonUnknownPreset})
	for i, want := range []string{"Line 4", "Own department"} {
		inv := res[i].Invitation
		if inv == nil || inv.BusinessRoleID != p.BusinessRoleID || inv.Department != want || len(inv.Grants) != 1 || inv.Grants[0] != p.Grants[0] {
			t.Errorf("row %d: made %+v, want the preset's details and department %q", i, inv, want)
		}
	}
	// Invite takes a preset's name too.
	in := f.Input(c)
	in.BusinessRoleID, in.Grants, in.Preset = 0, nil, "PLANT OPERATOR"
	inv, _, err := f.Service.Invite(f.AdminA, in)
	if err != nil || inv.BusinessRoleID != p.BusinessRoleID || len(inv.Grants) != 1 {
		t.Fatalf("Invite with a preset: %+v, %v", inv, err)
	}
}

// All or none is all or none even when a row is refused only as it is
// sent, by what the check before the send does not see (here the bound on
// mails to one address): nothing of the batch is sent, and its rows say
// why (found from outside: the rows before it had gone out).
func testBatchAllOrNoneAtSend(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	none := invite.Rate{Count: -1}
	limited := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, Limits: invite.Limits{
		Invitations: none, DailyMails: none, Mails: invite.Rate{Count: 1, Per: time.Hour},
	}})
	rows := f.batchRows(f.A, 150) // more than one chunk
	inv, _, err := limited.Invite(f.AdminA, rows[120])
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if _, err := limited.Cancel(f.AdminA, inv.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	before := f.invitations(t, func(*invite.Invitation) bool { return true })
	res, err := limited.InviteMany(f.AdminA, rows, false, invite.AllOrNone())
	if err != nil {
		t.Fatalf("InviteMany: %v", err)
	}
	want := make([]string, len(rows))
	for i := range want {
		want[i] = "batch_not_sent"
	}
	want[120] = "too_many_mails"
	wantRows(t, res, want)
	if n := f.invitations(t, func(*invite.Invitation) bool { return true }); n != before {
		t.Fatalf("%d invitations after an all-or-none batch not sent, want %d", n, before)
	}
}

// A batch whose administrator is disabled before it is sent sends
// nothing more, and its rows say why (found from outside: they read
// "Please log in.").
func testBatchSenderGone(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	sender := f.Member(t, f.A, invite.AdminCompany)
	ctx := invite.NewContext(context.Background(), sender)
	b, err := f.Service.PrepareBatch(ctx, f.batchRows(f.A, 3))
	if err != nil {
		t.Fatalf("PrepareBatch: %v", err)
	}
	if _, err := f.Service.ConfirmBatch(ctx, b.ID, false); err != nil {
		t.Fatalf("ConfirmBatch: %v", err)
	}
	if _, err := f.Service.SetDisabled(f.Global, sender.ID, true); err != nil {
		t.Fatalf("SetDisabled: %v", err)
	}
	if _, err := f.Service.RunBatches(context.Background()); err != nil {
		t.Fatalf("RunBatches: %v", err)
	}
	b, err = f.Service.Batch(f.Global, b.ID)
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	for i, o := range b.Outcomes {
		if o.Sent() || o.Reason != invite.ErrBatchSenderGone.Reason {
			t.Errorf("row %d: %+v, want %s", i, o, invite.ErrBatchSenderGone.Reason)
		}
	}
}

// The outbox sends what is not bulk before a batch's thousands: a single
// invitation sent after a batch is in the next claim (found from
// outside: a reset link waited 204 s behind 10,000 invitations).
func testBulkMailWaits(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	if _, err := f.Service.InviteMany(f.AdminA, f.batchRows(f.A, 30), false); err != nil {
		t.Fatalf("InviteMany: %v", err)
	}
	f.Clock.Add(time.Second)
	single, _ := f.invite(t, f.B)
	msgs, err := f.Store.ClaimMessages(context.Background(), f.Clock.Now(), f.Clock.Now().Add(time.Minute), 5)
	if err != nil {
		t.Fatalf("ClaimMessages: %v", err)
	}
	found := false
	for _, m := range msgs {
		found = found || m.InvitationID == single.ID
	}
	if len(msgs) != 5 || !found {
		t.Fatalf("claimed %d messages, the later single invitation among them: %v; want it first", len(msgs), found)
	}
}
