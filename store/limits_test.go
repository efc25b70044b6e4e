package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// wantLimited fails unless err is want with a RetryAfter about wait.
func wantLimited(t *testing.T, err error, want *invite.Error, wait time.Duration) {
	t.Helper()
	wantErr(t, err, want)
	e, _ := errors.AsType[*invite.Error](err)
	if e.RetryAfter < wait-time.Second || e.RetryAfter > wait+time.Second {
		t.Fatalf("RetryAfter: got %v, want about %v", e.RetryAfter, wait)
	}
}

// An invitation is sent again at most once a minute and five times a day;
// 30 resends at once put one mail in the invitee's inbox, not 31.
func TestResendLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		inv, _ := f.invite(t, f.a)
		outbox := f.count(t, "outbox", "invitation_id = ?", inv.ID)
		// Two processes on one database: the counts are in it.
		other := invite.NewService(db, invite.Config{Now: f.clock.Now})
		errs := parallel(30, func(i int) error {
			svc := f.svc
			if i%2 == 1 {
				svc = other
			}
			_, _, err := svc.Resend(f.adminA, inv.ID, nil)
			return err
		})
		if got := tally(errs); got[""] != 1 || got[invite.ErrTooManyResends.Reason] != 29 {
			t.Fatalf("30 resends at once: got %v, want 1 sent and 29 refused", got)
		}
		if n := f.count(t, "outbox", "invitation_id = ?", inv.ID) - outbox; n != 1 {
			t.Fatalf("30 resends at once wrote %d messages, want 1", n)
		}
		_, _, err := f.svc.Resend(f.adminA, inv.ID, nil)
		wantLimited(t, err, invite.ErrTooManyResends, time.Minute)
		// A minute apart, four more today; the sixth of the day waits.
		for range 4 {
			f.clock.Add(time.Minute)
			if _, _, err := f.svc.Resend(f.adminA, inv.ID, nil); err != nil {
				t.Fatalf("a resend a minute later: %v", err)
			}
		}
		f.clock.Add(time.Minute)
		_, _, err = f.svc.Resend(f.adminA, inv.ID, nil)
		wantLimited(t, err, invite.ErrTooManyResends, 24*time.Hour/5-5*time.Minute)
		f.clock.Add(24*time.Hour/5 - 5*time.Minute)
		if _, _, err := f.svc.Resend(f.adminA, inv.ID, nil); err != nil {
			t.Fatalf("a resend once the day's bound allows it: %v", err)
		}
		// Another invitation has bounds of its own.
		other2, _ := f.invite(t, f.a)
		if _, _, err := f.svc.Resend(f.adminA, other2.ID, nil); err != nil {
			t.Fatalf("another invitation: %v", err)
		}
	})
}

// An administrator sends at most so many invitations an hour, resends
// included, whatever the number of processes; a refused one stores
// nothing.
func TestInvitationLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		svc := invite.NewService(db, invite.Config{Now: f.clock.Now, Limits: invite.Limits{Invitations: invite.Rate{Count: 10, Per: time.Hour}}})
		before := f.count(t, "invitations", "1 = 1")
		errs := parallel(12, func(int) error {
			_, _, err := svc.Invite(f.adminA, f.input(f.a))
			return err
		})
		if got := tally(errs); got[""] != 10 || got[invite.ErrTooManyInvitations.Reason] != 2 {
			t.Fatalf("12 invitations at once with 10 an hour: got %v", got)
		}
		if n := f.count(t, "invitations", "1 = 1") - before; n != 10 {
			t.Fatalf("stored %d invitations, want 10", n)
		}
		invs, _ := svc.Invitations(f.adminA, invite.InvitationFilter{Limit: 1})
		_, _, err := svc.Resend(f.adminA, invs.Invitations[0].ID, nil)
		wantLimited(t, err, invite.ErrTooManyInvitations, 6*time.Minute)
		// Another administrator is not held back by this one.
		if _, _, err := svc.Invite(f.adminB, f.input(f.b)); err != nil {
			t.Fatalf("another administrator: %v", err)
		}
		f.clock.Add(6 * time.Minute)
		if _, _, err := svc.Invite(f.adminA, f.input(f.a)); err != nil {
			t.Fatalf("after six minutes (an hour over ten): %v", err)
		}
	})
}

// Failed log-ins of one address are bounded, whether or not it has an
// account, and past the bound even the right password waits: guessing
// from many places gets nowhere. A successful log-in counts nothing.
func TestFailedLoginLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		member := f.member(t, f.a, invite.AdminNone)
		for range 3 {
			if _, err := f.svc.Authenticate(ctx, member.Email, password); err != nil {
				t.Fatalf("log in: %v", err)
			}
		}
		for _, email := range []string{member.Email, "nobody@example.com"} {
			for i := range invite.DefaultLimits().FailedLogins.Count {
				if _, err := f.svc.Authenticate(ctx, email, "a wrong password"); !errors.Is(err, invite.ErrBadCredentials) {
					t.Fatalf("%s, failure %d: got %v", email, i+1, err)
				}
			}
			_, err := f.svc.Authenticate(ctx, email, password)
			wantLimited(t, err, invite.ErrTooManyFailedLogins, 3*time.Minute)
		}
		f.clock.Add(3 * time.Minute)
		if _, err := f.svc.Authenticate(ctx, " "+member.Email+" ", password); err != nil {
			t.Fatalf("log in once the bound allows it: %v", err)
		}
	})
}

// The forms people guess with take so many submissions a minute from one
// client address, counted in the database; the counts are forgotten once
// they are back to nothing.
func TestAttemptLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		errs := parallel(25, func(int) error { return f.svc.Attempt(ctx, "192.0.2.7") })
		if got := tally(errs); got[""] != 20 || got[invite.ErrTooManyAttempts.Reason] != 5 {
			t.Fatalf("25 attempts at once: got %v, want 20 and 5 refused", got)
		}
		if err := f.svc.Attempt(ctx, "192.0.2.8"); err != nil {
			t.Fatalf("another address: %v", err)
		}
		if n, err := f.svc.PruneLimits(ctx); err != nil || n != 0 {
			t.Fatalf("PruneLimits while counting: %d, %v", n, err)
		}
		f.clock.Add(time.Minute)
		if err := f.svc.Attempt(ctx, "192.0.2.7"); err != nil {
			t.Fatalf("a minute later: %v", err)
		}
		f.clock.Add(time.Minute)
		if n, err := f.svc.PruneLimits(ctx); err != nil || n != 2 {
			t.Fatalf("PruneLimits when all are back to nothing: %d, %v; want 2", n, err)
		}
		if n := f.count(t, "limits", "1 = 1"); n != 0 {
			t.Fatalf("%d limits left", n)
		}
	})
}
