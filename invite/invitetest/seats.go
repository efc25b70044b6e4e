package invitetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// seatsOf returns the use of c's subscription sub, as the Global
// Administrator reads it.
func (f *fixture) seatsOf(t testing.TB, c *invite.Company, sub int64) invite.SeatUse {
	t.Helper()
	uses, err := f.Service.Seats(f.Global, c.ID)
	if err != nil {
		t.Fatalf("Seats: %v", err)
	}
	for _, u := range uses {
		if u.Subscription.ID == sub {
			return u
		}
	}
	t.Fatalf("Seats: no subscription %d in %+v", sub, uses)
	return invite.SeatUse{}
}

func (f *fixture) setSeats(t testing.TB, c *invite.Company, sub int64, seats int) {
	t.Helper()
	if err := f.Service.SetSeats(f.Global, c.ID, sub, seats); err != nil {
		t.Fatalf("SetSeats(%d): %v", seats, err)
	}
}

// wantSeats fails unless the subscription's use is as given.
func (f *fixture) wantSeats(t testing.TB, c *invite.Company, sub int64, seats, used, pending int) {
	t.Helper()
	u := f.seatsOf(t, c, sub)
	if u.Subscription.Seats != seats || u.Used != used || u.Pending != pending {
		t.Fatalf("seats of %s: %d, used %d, pending %d; want %d, %d, %d",
			u.Subscription.Name, u.Subscription.Seats, u.Used, u.Pending, seats, used, pending)
	}
}

// wantNoSeats fails unless err refuses for want of seats, with the
// numbers of the subscription at field.
func wantNoSeats(t testing.TB, err error, field string, seats, used, pending int) {
	t.Helper()
	wantErr(t, err, invite.ErrNoSeats)
	wantField(t, err, field, invite.ReasonNoSeats)
	fe, _ := err.(*invite.Error).Field(field)
	if fe.Args["Seats"] != seats || fe.Args["Used"] != used || fe.Args["Pending"] != pending {
		t.Fatalf("%s: got %v, want seats %d, used %d, pending %d", field, fe.Args, seats, used, pending)
	}
}

// A subscription's seats count enabled users and invitations pending now;
// what would exceed them is refused with the numbers and writes nothing,
// and what frees a seat (cancel, expiry, disabling) gives it back.
func testSeats(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := f.Global
	app := f.A.Subscriptions[0].ID
	f.wantSeats(t, f.A, app, 0, 1, 0) // AdminA holds it; no bound

	f.setSeats(t, f.A, app, 3)
	first, _ := f.invite(t, f.A)
	_, token := f.invite(t, f.A)
	f.wantSeats(t, f.A, app, 3, 1, 2)

	in := f.Input(f.A)
	_, _, err := f.Service.Invite(ctx, in)
	wantNoSeats(t, err, "grants[0].subscription", 3, 1, 2)
	if n := f.invitations(t, invitationTo(strings.ToLower(in.Email))); n != 0 {
		t.Fatalf("a refused invitation was stored (%d)", n)
	}
	// The other subscription has no bound: an invitation of it alone goes.
	only := f.Input(f.A)
	only.Grants = only.Grants[1:]
	if _, _, err := f.Service.Invite(ctx, only); err != nil {
		t.Fatalf("Invite of an unbounded subscription: %v", err)
	}

	// Canceling frees the seat.
	if _, err := f.Service.Cancel(ctx, first.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	third, _, err := f.Service.Invite(ctx, in)
	if err != nil {
		t.Fatalf("Invite after a cancel: %v", err)
	}
	// Accepting moves a seat from pending to used.
	u, err := f.Service.Accept(context.Background(), acceptInput(token))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	f.wantSeats(t, f.A, app, 3, 2, 1)

	// Resending a pending invitation keeps its seat, changed or not.
	if _, _, err := f.Service.Resend(ctx, third.ID, nil); err != nil {
		t.Fatalf("Resend: %v", err)
	}
	f.wantSeats(t, f.A, app, 3, 2, 1)

	// An expired invitation holds none, and sending it again needs one.
	f.Clock.Add(invite.DefaultTTL)
	f.wantSeats(t, f.A, app, 3, 2, 0)
	blocker := f.Input(f.A)
	if _, _, err := f.Service.Invite(ctx, blocker); err != nil {
		t.Fatalf("Invite into the seat an expiry freed: %v", err)
	}
	_, _, err = f.Service.Resend(ctx, third.ID, nil)
	wantNoSeats(t, err, "grants[0].subscription", 3, 2, 1)

	// Disabling a user frees their seat; enabling them needs one.
	if _, err := f.Service.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatalf("SetDisabled: %v", err)
	}
	f.wantSeats(t, f.A, app, 3, 1, 1)
	if _, _, err := f.Service.Resend(ctx, third.ID, nil); err != nil {
		t.Fatalf("Resend into the seat a disabling freed: %v", err)
	}
	_, err = f.Service.SetDisabled(ctx, u.ID, false)
	wantNoSeats(t, err, "grants[0].subscription", 3, 1, 2)
	if got, _ := f.Store.User(context.Background(), u.ID); !got.Disabled() {
		t.Fatal("a refused enabling enabled the user")
	}
}

// Changing a user's subscriptions takes a seat only for a subscription
// they did not hold.
func testSeatsChangeUser(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := f.Global
	app, stream := f.A.Subscriptions[0].ID, f.A.Subscriptions[1].ID
	in := f.Input(f.A)
	in.Grants = in.Grants[1:] // Data Stream Designer only
	_, token, err := f.Service.Invite(ctx, in)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	u, err := f.Service.Accept(context.Background(), acceptInput(token))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	f.setSeats(t, f.A, app, 1) // AdminA holds the one seat
	f.setSeats(t, f.A, stream, 2)

	both := []invite.Grant{{SubscriptionID: stream, Role: invite.RoleContributor}, {SubscriptionID: app, Role: invite.RoleViewer}}
	_, err = f.Service.ChangeUser(ctx, u.ID, invite.UserChange{Grants: both})
	wantNoSeats(t, err, "grants[1].subscription", 1, 1, 0)
	got, _ := f.Store.User(context.Background(), u.ID)
	if len(got.Grants) != 1 {
		t.Fatalf("a refused change was saved: %+v", got.Grants)
	}
	// A role changed within a subscription they hold takes no seat.
	if _, err := f.Service.ChangeUser(ctx, u.ID, invite.UserChange{Grants: both[:1]}); err != nil {
		t.Fatalf("ChangeUser within the held subscription: %v", err)
	}
	f.setSeats(t, f.A, app, 2)
	if _, err := f.Service.ChangeUser(ctx, u.ID, invite.UserChange{Grants: both}); err != nil {
		t.Fatalf("ChangeUser with a free seat: %v", err)
	}
	f.wantSeats(t, f.A, app, 2, 2, 0)
}

// Seats are set by a Global Administrator only, within bounds, for a
// subscription of the company.
func testSetSeats(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	app := f.A.Subscriptions[0].ID
	wantErr(t, f.Service.SetSeats(f.AdminA, f.A.ID, app, 100), invite.ErrForbidden)
	err := f.Service.SetSeats(f.Global, f.A.ID, app, -1)
	wantField(t, err, "seats", invite.ReasonOutOfRange)
	err = f.Service.SetSeats(f.Global, f.A.ID, f.B.Subscriptions[0].ID, 1)
	wantField(t, err, "subscription", invite.ReasonUnknownSubscription)
	_, err = f.Service.Seats(f.AdminA, f.B.ID)
	wantErr(t, err, invite.ErrCompanyNotFound)
	f.wantSeats(t, f.A, app, 0, 1, 0)
	// Fewer seats than are used: nobody loses theirs.
	f.setSeats(t, f.A, app, 0)
	f.setSeats(t, f.A, app, 1)
	if uses, err := f.Service.Seats(f.AdminA, 0); err != nil || len(uses) != 2 || uses[0].Free() != 0 || uses[1].Free() != -1 {
		t.Fatalf("Seats of their own company: %+v, %v", uses, err)
	}
}

// 20 invitations sent while App Designer had no bound, then 5 seats free
// and 20 concurrent accepts: exactly 5 users; the others are told there is
// no seat, and their invitations stay pending, to be accepted once one is
// free.
func testSeatsConcurrentAccept(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	app := f.A.Subscriptions[0].ID
	tokens := make([]string, 20)
	for i := range tokens {
		_, tokens[i] = f.invite(t, f.A)
	}
	f.setSeats(t, f.A, app, 6) // AdminA holds one
	errs := Parallel(len(tokens), func(i int) error {
		_, err := f.Service.Accept(context.Background(), acceptInput(tokens[i]))
		return err
	})
	if got := Tally(errs); got[""] != 5 || got[invite.ReasonNoSeats] != 15 {
		t.Fatalf("got outcomes %v, want 5 successes and 15 %s", got, invite.ReasonNoSeats)
	}
	f.wantSeats(t, f.A, app, 6, 6, 15)
	pending := f.invitations(t, func(inv *invite.Invitation) bool { return inv.Status == invite.StatusPending })
	if pending != 15 {
		t.Fatalf("%d invitations pending, want 15", pending)
	}
	f.setSeats(t, f.A, app, 7)
	for i, err := range errs {
		if err != nil {
			if _, err := f.Service.Accept(context.Background(), acceptInput(tokens[i])); err != nil {
				t.Fatalf("Accept once a seat is free: %v", err)
			}
			break
		}
	}
	f.wantSeats(t, f.A, app, 7, 7, 14)
}

// 20 concurrent invitations for 5 free seats: exactly 5 are made.
func testSeatsConcurrentInvite(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	app := f.A.Subscriptions[0].ID
	f.setSeats(t, f.A, app, 6) // AdminA holds one
	ins := make([]invite.InvitationInput, 20)
	for i := range ins {
		ins[i] = f.Input(f.A)
	}
	errs := Parallel(len(ins), func(i int) error {
		_, _, err := f.Service.Invite(f.AdminA, ins[i])
		return err
	})
	if got := Tally(errs); got[""] != 5 || got[invite.ReasonNoSeats] != 15 {
		t.Fatalf("got outcomes %v, want 5 successes and 15 %s", got, invite.ReasonNoSeats)
	}
	f.wantSeats(t, f.A, app, 6, 1, 5)
	if n := f.invitations(t, func(inv *invite.Invitation) bool { return inv.Status == invite.StatusPending }); n != 5 {
		t.Fatalf("%d invitations pending, want 5", n)
	}
}

// A user whom their access window's end disabled holds no seat; a window
// extended lets them back in only where seats are free, for every limited
// subscription they then hold (found from outside: an extension passed the
// seats by, with new subscriptions too).
func testSeatsWindowExtension(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := f.Global
	app, stream := f.A.Subscriptions[0].ID, f.A.Subscriptions[1].ID
	w := f.Member(t, f.A, invite.AdminNone) // App Designer and Data Stream Designer
	in := f.Input(f.A)
	in.Grants = in.Grants[1:] // Data Stream Designer only
	_, token, err := f.Service.Invite(ctx, in)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	streamOnly, err := f.Service.Accept(context.Background(), acceptInput(token))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	f.setSeats(t, f.A, app, 2) // AdminA and w
	ended := &invite.AccessWindow{Until: f.Clock.Now().Add(time.Hour)}
	for _, u := range []*invite.User{w, streamOnly} {
		if _, err := f.Service.ChangeUser(ctx, u.ID, invite.UserChange{Access: ended}); err != nil {
			t.Fatalf("ChangeUser(window): %v", err)
		}
	}
	f.Clock.Add(2 * time.Hour)
	if n, err := f.Service.DisableEndedAccess(context.Background()); err != nil || n != 2 {
		t.Fatalf("DisableEndedAccess: %d, %v; want 2", n, err)
	}
	f.wantSeats(t, f.A, app, 2, 1, 0)
	f.invite(t, f.A) // takes the seat w left
	f.wantSeats(t, f.A, app, 2, 1, 1)

	later := &invite.AccessWindow{Until: f.Clock.Now().Add(30 * 24 * time.Hour)}
	_, err = f.Service.ChangeUser(ctx, w.ID, invite.UserChange{Access: later})
	wantNoSeats(t, err, "grants[0].subscription", 2, 1, 1)
	both := []invite.Grant{{SubscriptionID: app, Role: invite.RoleViewer}, {SubscriptionID: stream, Role: invite.RoleViewer}}
	_, err = f.Service.ChangeUser(ctx, streamOnly.ID, invite.UserChange{Access: later, Grants: both})
	wantNoSeats(t, err, "grants[0].subscription", 2, 1, 1)
	for _, u := range []*invite.User{w, streamOnly} {
		if got, _ := f.Store.User(context.Background(), u.ID); !got.Disabled() {
			t.Fatalf("user %d was let back in past the seats", u.ID)
		}
	}
	// Without the limited subscription, the extension lets them back in.
	if _, err := f.Service.ChangeUser(ctx, streamOnly.ID, invite.UserChange{Access: later}); err != nil {
		t.Fatalf("ChangeUser(extend, no limited subscription): %v", err)
	}
	f.wantSeats(t, f.A, app, 2, 1, 1)
}
