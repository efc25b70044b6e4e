package invitetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// Parallel runs fn n times at once and returns each call's error. All
// goroutines start together, so the calls really race.
func Parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	ready.Add(1)
	for i := range n {
		done.Go(func() {
			ready.Wait()
			errs[i] = fn(i)
		})
	}
	ready.Done()
	done.Wait()
	return errs
}

// Tally counts errors by reason; "" counts successes.
func Tally(errs []error) map[string]int {
	m := map[string]int{}
	for _, err := range errs {
		switch e, ok := errors.AsType[*invite.Error](err); {
		case err == nil:
			m[""]++
		case ok:
			m[e.Reason]++
		default:
			m[err.Error()]++
		}
	}
	return m
}

// 50 goroutines accept one token: exactly one user, 49 clear errors.
func testConcurrentAccept(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	inv, token := f.invite(t, f.A)
	errs := Parallel(50, func(int) error {
		_, err := f.Service.Accept(context.Background(), acceptInput(token))
		return err
	})
	got := Tally(errs)
	if got[""] != 1 || got["invitation_accepted"] != 49 {
		t.Errorf("got outcomes %v, want 1 success and 49 invitation_accepted", got)
	}
	if n := f.users(t, byEmail(inv.Email)); n != 1 {
		t.Errorf("got %d users, want 1", n)
	}
}

// 20 goroutines invite the same address: exactly one pending invitation.
func testConcurrentInvite(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	in := f.Input(f.A)
	errs := Parallel(20, func(int) error {
		_, _, err := f.Service.Invite(f.AdminA, in)
		return err
	})
	got := Tally(errs)
	if got[""] != 1 || got["invitation_pending"] != 19 {
		t.Errorf("got outcomes %v, want 1 success and 19 invitation_pending", got)
	}
	if n := f.invitations(t, invitationTo(strings.ToLower(in.Email))); n != 1 {
		t.Errorf("got %d invitations, want 1", n)
	}

	// Found from outside: with the bounds on mail in force, those that
	// lost the race were told they sent too often. They wait for the
	// winner and are told the invitation is pending.
	t.Run("WithBounds", func(t *testing.T) {
		bounded := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now})
		in := f.Input(f.A)
		errs := Parallel(20, func(int) error {
			_, _, err := bounded.Invite(f.Global, in)
			return err
		})
		if got := Tally(errs); got[""] != 1 || got["invitation_pending"] != 19 {
			t.Errorf("got outcomes %v, want 1 success and 19 invitation_pending", got)
		}
	})

	// Past its expiry with no job run, the pending invitation gives way to
	// exactly one new one however many race for its place.
	t.Run("PastExpiry", func(t *testing.T) {
		page, err := f.Service.Invitations(f.AdminA, invite.InvitationFilter{Email: in.Email})
		if err != nil || len(page.Invitations) != 1 {
			t.Fatalf("Invitations: %v, %v", page, err)
		}
		old := page.Invitations[0]
		f.Clock.Set(old.ExpiresAt)
		errs := Parallel(20, func(int) error {
			_, _, err := f.Service.Invite(f.AdminA, in)
			return err
		})
		if got := Tally(errs); got[""] != 1 || got["invitation_pending"] != 19 {
			t.Errorf("got outcomes %v, want 1 success and 19 invitation_pending", got)
		}
		if n := f.invitations(t, invitationIn(old.ID, invite.StatusExpired)); n != 1 {
			t.Errorf("the invitation past its expiry was not marked expired")
		}
		pendingTo := func(inv *invite.Invitation) bool {
			return inv.Email == strings.ToLower(in.Email) && inv.Status == invite.StatusPending
		}
		if n := f.invitations(t, pendingTo); n != 1 {
			t.Errorf("got %d pending invitations to the address, want 1", n)
		}
	})
}

// A resend racing an accept of the old token never makes two users, and
// after a resend the old token never works.
func testResendRacesAccept(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	outcomes := map[string]int{}
	for round := range 20 {
		inv, oldToken := f.invite(t, f.A)
		var newToken string
		errs := Parallel(2, func(i int) error {
			if i == 0 {
				_, err := f.Service.Accept(context.Background(), acceptInput(oldToken))
				return err
			}
			// Accept hashes the password before it takes the lock; a
			// growing head start for it moves the race across that.
			time.Sleep(time.Duration(round) * 4 * time.Millisecond)
			_, token, err := f.Service.Resend(f.AdminA, inv.ID, nil)
			newToken = token
			return err
		})
		acceptErr, resendErr := errs[0], errs[1]
		switch {
		case acceptErr == nil && errors.Is(resendErr, invite.ErrInvitationAccepted):
			outcomes["accept first"]++
		case resendErr == nil && errors.Is(acceptErr, invite.ErrInvitationNotFound):
			outcomes["resend first"]++
			_, err := f.Service.Accept(context.Background(), acceptInput(oldToken))
			wantErr(t, err, invite.ErrInvitationNotFound)
			if _, err := f.Service.Accept(context.Background(), acceptInput(newToken)); err != nil {
				t.Fatalf("Accept with the new token: %v", err)
			}
		default:
			t.Fatalf("accept: %v, resend: %v; want exactly one to win", acceptErr, resendErr)
		}
		if n := f.users(t, byEmail(inv.Email)); n != 1 {
			t.Fatalf("got %d users, want 1", n)
		}
	}
	t.Logf("outcomes of 20 races: %v", outcomes)
}

// Three expiry jobs at once mark each due invitation exactly once.
func testConcurrentExpireDue(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	const due = 60
	for range due {
		f.invite(t, f.A)
	}
	f.Clock.Add(f.Service.TTL())
	counts := make([]int, 3)
	errs := Parallel(3, func(i int) error {
		var err error
		counts[i], err = f.Service.ExpireDue(context.Background())
		return err
	})
	if got := Tally(errs); got[""] != 3 {
		t.Fatalf("got outcomes %v, want 3 successes", got)
	}
	if sum := counts[0] + counts[1] + counts[2]; sum != due {
		t.Errorf("jobs marked %v, %d in all; want %d", counts, sum, due)
	}
	if n := f.invitations(t, invitationsIn(invite.StatusExpired)); n != due {
		t.Errorf("got %d expired, want %d", n, due)
	}
}
