package invitetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
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

// An address is sent an invitation at most once a minute and five times a
// day, however it is sent; 30 resends at once put one mail in the
// invitee's inbox, not 31.
func testResendLimits(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	// Two processes on one database, with the bounds by default: the
	// counts are in it.
	config := invite.Config{Now: f.Clock.Now, Limits: invite.Limits{Invitations: invite.Rate{Count: -1}}}
	f.Service = invite.NewService(f.Store, config)
	other := invite.NewService(f.Store, config)
	inv, _ := f.invite(t, f.A)
	f.Clock.Add(time.Minute)
	outbox := f.messages(t, func(m *invite.Message) bool { return m.InvitationID == inv.ID })
	errs := Parallel(30, func(i int) error {
		svc := f.Service
		if i%2 == 1 {
			svc = other
		}
		_, _, err := svc.Resend(f.AdminA, inv.ID, nil)
		return err
	})
	if got := Tally(errs); got[""] != 1 || got[invite.ErrTooManyMails.Reason] != 29 {
		t.Fatalf("30 resends at once: got %v, want 1 sent and 29 refused", got)
	}
	if n := f.messages(t, func(m *invite.Message) bool { return m.InvitationID == inv.ID }) - outbox; n != 1 {
		t.Fatalf("30 resends at once wrote %d messages, want 1", n)
	}
	_, _, err := f.Service.Resend(f.AdminA, inv.ID, nil)
	wantLimited(t, err, invite.ErrTooManyMails, time.Minute)
	// A minute apart, three more today (five with the invitation);
	// the sixth of the day waits.
	for range 3 {
		f.Clock.Add(time.Minute)
		if _, _, err := f.Service.Resend(f.AdminA, inv.ID, nil); err != nil {
			t.Fatalf("a resend a minute later: %v", err)
		}
	}
	f.Clock.Add(time.Minute)
	_, _, err = f.Service.Resend(f.AdminA, inv.ID, nil)
	wantLimited(t, err, invite.ErrTooManyMails, 24*time.Hour/5-5*time.Minute)
	f.Clock.Add(24*time.Hour/5 - 5*time.Minute)
	if _, _, err := f.Service.Resend(f.AdminA, inv.ID, nil); err != nil {
		t.Fatalf("a resend once the day's bound allows it: %v", err)
	}
	// Another address has bounds of its own; canceling and inviting
	// again counts as much as resending.
	other2, _ := f.invite(t, f.A)
	f.Clock.Add(time.Minute)
	if _, _, err := f.Service.Resend(f.AdminA, other2.ID, nil); err != nil {
		t.Fatalf("another address: %v", err)
	}
	if _, err := f.Service.Cancel(f.AdminA, inv.ID); err != nil {
		t.Fatal(err)
	}
	again := f.Input(f.A)
	again.Email = inv.Email
	_, _, err = f.Service.Invite(f.AdminA, again)
	wantLimited(t, err, invite.ErrTooManyMails, 24*time.Hour/5-time.Minute)
}

// An administrator sends at most so many invitations an hour, resends
// included, whatever the number of processes; a refused one stores
// nothing.
func testInvitationLimit(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	svc := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, Limits: invite.Limits{Invitations: invite.Rate{Count: 10, Per: time.Hour}}})
	before := f.invitations(t, nil)
	inputs := make([]invite.InvitationInput, 12)
	for i := range inputs {
		inputs[i] = f.Input(f.A)
	}
	errs := Parallel(12, func(i int) error {
		_, _, err := svc.Invite(f.AdminA, inputs[i])
		return err
	})
	if got := Tally(errs); got[""] != 10 || got[invite.ErrTooManyInvitations.Reason] != 2 {
		t.Fatalf("12 invitations at once with 10 an hour: got %v", got)
	}
	if n := f.invitations(t, nil) - before; n != 10 {
		t.Fatalf("stored %d invitations, want 10", n)
	}
	invs, _ := svc.Invitations(f.AdminA, invite.InvitationFilter{Limit: 1})
	f.Clock.Add(time.Minute) // past the bound on mail to the address
	_, _, err := svc.Resend(f.AdminA, invs.Invitations[0].ID, nil)
	wantLimited(t, err, invite.ErrTooManyInvitations, 5*time.Minute)
	// Another administrator is not held back by this one.
	if _, _, err := svc.Invite(f.AdminB, f.Input(f.B)); err != nil {
		t.Fatalf("another administrator: %v", err)
	}
	f.Clock.Add(5 * time.Minute)
	if _, _, err := svc.Invite(f.AdminA, f.Input(f.A)); err != nil {
		t.Fatalf("after six minutes (an hour over ten): %v", err)
	}
}

// Failed log-ins of one address are bounded, whether or not it has an
// account: from one client at a low bound, past which even the right
// password from that client waits; from everywhere at a higher one. The
// owner, logging in from elsewhere, is not kept out by one guesser, and a
// password reset lifts the bound of everywhere. A success counts nothing.
func testFailedLoginLimit(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	member := f.Member(t, f.A, invite.AdminNone)
	from := func(client string) context.Context { return invite.WithClient(context.Background(), client) }
	for range 3 {
		if _, err := f.Service.Authenticate(from("owner"), member.Email, Password); err != nil {
			t.Fatalf("log in: %v", err)
		}
	}
	limits := invite.DefaultLimits()
	for _, email := range []string{member.Email, "nobody@example.com"} {
		for i := range limits.FailedLogins.Count {
			if _, err := f.Service.Authenticate(from("guesser"), email, "a wrong password"); !errors.Is(err, invite.ErrBadCredentials) {
				t.Fatalf("%s, failure %d: got %v", email, i+1, err)
			}
		}
		_, err := f.Service.Authenticate(from("guesser"), email, Password)
		wantLimited(t, err, invite.ErrTooManyFailedLogins, 3*time.Minute)
	}
	if _, err := f.Service.Authenticate(from("owner"), " "+member.Email+" ", Password); err != nil {
		t.Fatalf("the owner, from elsewhere, while one guesser is held: %v", err)
	}
	// Guessing from many places reaches the bound of everywhere.
	for i := limits.FailedLogins.Count; i < limits.FailedLoginsAnywhere.Count; i++ {
		if _, err := f.Service.Authenticate(from(fmt.Sprintf("guesser %d", i/limits.FailedLogins.Count)), member.Email, "a wrong password"); !errors.Is(err, invite.ErrBadCredentials) {
			t.Fatalf("failure %d: got %v", i+1, err)
		}
	}
	_, err := f.Service.Authenticate(from("owner"), member.Email, Password)
	wantLimited(t, err, invite.ErrTooManyFailedLogins, time.Hour/time.Duration(limits.FailedLoginsAnywhere.Count))
	// Setting the password by the mailed link lifts it.
	if err := f.Service.RequestPasswordReset(context.Background(), member.Email, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.IssuePasswordResets(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.ResetPassword(context.Background(), f.resetToken(t, member.Email), "a new long passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Authenticate(from("owner"), member.Email, "a new long passphrase"); err != nil {
		t.Fatalf("log in after the reset: %v", err)
	}
	// Guessing the current password with a session counts the same.
	asMember := invite.NewContext(from("guesser"), member)
	err = f.Service.ChangePassword(asMember, "a wrong password", "another new passphrase", "")
	wantLimited(t, err, invite.ErrTooManyFailedLogins, time.Hour/time.Duration(limits.FailedLogins.Count))
}

// The forms people guess with take so many submissions a minute from one
// client address, counted in the database; the counts are forgotten once
// they are back to nothing.
func testAttemptLimit(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	// What the fixture left (Bootstrap takes its turn on a limit's row)
	// holds nothing.
	if _, err := f.Service.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	errs := Parallel(25, func(int) error { return f.Service.Attempt(ctx, "192.0.2.7") })
	if got := Tally(errs); got[""] != 20 || got[invite.ErrTooManyAttempts.Reason] != 5 {
		t.Fatalf("25 attempts at once: got %v, want 20 and 5 refused", got)
	}
	if err := f.Service.Attempt(ctx, "192.0.2.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	if n, err := f.Service.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("Prune while counting: %d, %v", n, err)
	}
	f.Clock.Add(time.Minute)
	if err := f.Service.Attempt(ctx, "192.0.2.7"); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
	f.Clock.Add(time.Minute)
	if n, err := f.Service.Prune(ctx); err != nil || n != 2 {
		t.Fatalf("Prune when all are back to nothing: %d, %v; want 2", n, err)
	}
	if n, err := f.Store.PruneLimits(ctx, f.Clock.Now().Add(100*365*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("%d limits left, %v", n, err)
	}
}

// Found from outside: guesses sent at once were all checked, because the
// bound was checked first and counted after. Each try now takes its place
// first: of 50 wrong passwords at once from one client, 20 are checked.
func testFailedLoginsAtOnce(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	member := f.Member(t, f.A, invite.AdminNone)
	ctx := invite.WithClient(context.Background(), "guesser")
	errs := Parallel(50, func(int) error {
		_, err := f.Service.Authenticate(ctx, member.Email, "a wrong password")
		return err
	})
	bound := invite.DefaultLimits().FailedLogins.Count
	if got := Tally(errs); got[invite.ErrBadCredentials.Reason] != bound || got[invite.ErrTooManyFailedLogins.Reason] != 50-bound {
		t.Fatalf("50 wrong passwords at once: got %v, want %d checked and the rest refused", got, bound)
	}
	// A right one gives its place back: the owner logging in often
	// counts nothing.
	owner := invite.WithClient(context.Background(), "owner")
	for i := range bound + 5 {
		if _, err := f.Service.Authenticate(owner, member.Email, Password); err != nil {
			t.Fatalf("log-in %d: %v", i+1, err)
		}
	}
}

// A limit the store does not have yet counts as the zero time; what update
// returns is what the next call sees, the zero time included.
func testUpdateLimitsNewKey(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	key := bytes.Repeat([]byte{7}, 32)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, step := range []struct{ want, next time.Time }{{time.Time{}, at}, {at, time.Time{}}, {time.Time{}, time.Time{}}} {
		err := st.UpdateLimits(ctx, [][]byte{key}, func(got []time.Time) ([]time.Time, error) {
			if len(got) != 1 || !got[0].Equal(step.want) {
				t.Errorf("update got %v, want [%v]", got, step.want)
			}
			return []time.Time{step.next}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
