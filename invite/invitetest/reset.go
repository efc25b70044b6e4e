package invitetest

import (
	"context"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// resetToken runs the job and returns the token of the latest reset link
// mailed to email.
func (f *fixture) resetToken(t *testing.T, email string) string {
	t.Helper()
	m := f.latestMail(t)
	if m.Kind != invite.KindPasswordReset || m.To != email {
		t.Fatalf("latest message is %s to %s, want a password reset to %s", m.Kind, m.To, email)
	}
	return tokenAt(t, m.Text, invite.DefaultPaths().ResetPassword)
}

func testPasswordReset(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	member := f.Member(t, f.A, invite.AdminNone)
	_, session := f.loginAs(t, member.Email)
	ctx := context.Background()

	// Known and unknown addresses are answered alike, and so is what is
	// no address at all.
	for _, email := range []string{" " + member.Email + " ", "nobody@example.com", "not an address"} {
		if err := f.Service.RequestPasswordReset(ctx, email, "de"); err != nil {
			t.Fatalf("RequestPasswordReset(%q): %v", email, err)
		}
	}
	outbox := f.messages(t, nil)
	if n, err := f.Service.IssuePasswordResets(ctx); err != nil || n != 1 {
		t.Fatalf("IssuePasswordResets: %d, %v; want 1", n, err)
	}
	if n := f.messages(t, nil) - outbox; n != 1 {
		t.Fatalf("wrote %d messages, want 1 (none for unknown addresses)", n)
	}
	first := f.resetToken(t, member.Email)

	// Asking again at once sends nothing more; a minute later a newer
	// link, and the older one is dead.
	f.Service.RequestPasswordReset(ctx, member.Email, "en")
	if n, _ := f.Service.IssuePasswordResets(ctx); n != 0 {
		t.Fatalf("a second link within a minute")
	}
	f.Clock.Add(invite.ResetInterval)
	f.Service.RequestPasswordReset(ctx, member.Email, "en")
	if n, _ := f.Service.IssuePasswordResets(ctx); n != 1 {
		t.Fatalf("no second link after a minute")
	}
	second := f.resetToken(t, member.Email)
	_, err := f.Service.ResetPassword(ctx, first, "a brand new passphrase")
	wantErr(t, err, invite.ErrResetNotFound)

	_, err = f.Service.ResetPassword(ctx, second, "short")
	wantField(t, err, "password", invite.ReasonPasswordTooShort)
	if email, err := f.Service.PasswordResetFor(ctx, second); err != nil || email != member.Email {
		t.Fatalf("PasswordResetFor: %q, %v", email, err)
	}
	if _, err := f.Service.ResetPassword(ctx, second, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	f.wantLoggedOut(t, session)
	if _, _, err := f.Service.Login(ctx, member.Email, "a brand new passphrase"); err != nil {
		t.Errorf("log in with the new password: %v", err)
	}
	_, err = f.Service.ResetPassword(ctx, second, "another new passphrase")
	wantErr(t, err, invite.ErrResetNotFound) // used once

	t.Run("ErrResetExpired", func(t *testing.T) {
		f.Clock.Add(invite.ResetInterval)
		f.Service.RequestPasswordReset(ctx, member.Email, "en")
		f.Service.IssuePasswordResets(ctx)
		token := f.resetToken(t, member.Email)
		f.Clock.Add(invite.ResetTTL)
		_, err := f.Service.ResetPassword(ctx, token, "yet another passphrase")
		wantErr(t, err, invite.ErrResetExpired)
	})
	t.Run("GlobalAdministrator", func(t *testing.T) {
		f.Service.RequestPasswordReset(ctx, "root@example.com", "en")
		if n, err := f.Service.IssuePasswordResets(ctx); err != nil || n != 1 {
			t.Fatalf("a Global Administrator of no company: %d, %v", n, err)
		}
	})
	t.Run("Pruned", func(t *testing.T) {
		f.Clock.Add(8 * 24 * time.Hour)
		if _, err := f.Service.IssuePasswordResets(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := f.Store.PrunePasswordResets(ctx, f.Clock.Now()); err != nil || n != 0 {
			t.Errorf("%d requests older than a week are kept (%v)", n, err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		f.Clock.Add(time.Hour)
		for range 10 {
			f.Service.RequestPasswordReset(ctx, member.Email, "en")
		}
		counts := make([]int, 3)
		errs := Parallel(3, func(i int) error {
			var err error
			counts[i], err = f.Service.IssuePasswordResets(context.Background())
			return err
		})
		if got := Tally(errs); got[""] != 3 || counts[0]+counts[1]+counts[2] != 1 {
			t.Fatalf("three jobs on ten requests: %v, sent %v; want one link", got, counts)
		}
	})
}

// Found from outside: one request a minute sent a reset link each, 1,440 a
// day to any account. At most ResetMails a day reach one mailbox; asking
// too soon uses none of them.
func testResetMailsBounded(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	member := f.Member(t, f.A, invite.AdminNone)
	bound := invite.DefaultLimits().ResetMails.Count
	sent := 0
	for range bound + 5 {
		for range 3 { // asked three times a minute: two are too soon
			if err := f.Service.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
				t.Fatal(err)
			}
		}
		n, err := f.Service.IssuePasswordResets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent += n
		f.Clock.Add(invite.ResetInterval)
	}
	if sent != bound {
		t.Errorf("%d reset links in %d minutes, want %d", sent, bound+5, bound)
	}
}
