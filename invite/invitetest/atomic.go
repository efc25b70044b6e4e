package invitetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

var errInjected = errors.New("injected failure")

// faulty is a Store whose one named method fails, within transactions
// too, as a database that breaks between two statements does.
type faulty struct {
	invite.Store
	fail string
}

func (s faulty) InTx(ctx context.Context, fn func(invite.Store) error) error {
	return s.Store.InTx(ctx, func(tx invite.Store) error { return fn(faulty{tx, s.fail}) })
}

func (s faulty) Enqueue(ctx context.Context, msgs []*invite.Message) error {
	if s.fail == "Enqueue" {
		return errInjected
	}
	return s.Store.Enqueue(ctx, msgs)
}

func (s faulty) DecideJoinRequest(ctx context.Context, id int64, status invite.JoinStatus, by, invitationID int64, at time.Time) error {
	if s.fail == "DecideJoinRequest" {
		return errInjected
	}
	return s.Store.DecideJoinRequest(ctx, id, status, by, invitationID, at)
}

func (s faulty) UpdateLimits(ctx context.Context, keys [][]byte, update func([]time.Time) ([]time.Time, error)) error {
	if s.fail == "UpdateLimits" {
		return errInjected
	}
	return s.Store.UpdateLimits(ctx, keys, update)
}

func (s faulty) SavePasswordReset(ctx context.Context, r *invite.PasswordReset) error {
	if s.fail == "SavePasswordReset" {
		return errInjected
	}
	return s.Store.SavePasswordReset(ctx, r)
}

func (s faulty) DeleteUserSessions(ctx context.Context, userID int64, except []byte) error {
	if s.fail == "DeleteUserSessions" {
		return errInjected
	}
	return s.Store.DeleteUserSessions(ctx, userID, except)
}

// failing returns a service like the fixture's over a store whose method
// fail fails.
func (f *fixture) failing(fail string) *invite.Service {
	none := invite.Rate{Count: -1}
	return invite.NewService(faulty{f.Store, fail}, invite.Config{Now: f.Clock.Now, Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}})
}

// Each flow of two writes is one transaction: a failure of the second
// leaves nothing of the first, and doing it again then works in full.
func testFlowsAreAtomic(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()

	t.Run("RequestNewInvitation", func(t *testing.T) {
		inv, token := f.invite(t, f.A)
		f.Clock.Set(inv.ExpiresAt)
		outbox := f.messages(t, nil)
		if err := f.failing("Enqueue").RequestNewInvitation(ctx, token); !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if n := f.messages(t, nil) - outbox; n != 0 {
			t.Fatalf("wrote %d messages", n)
		}
		if err := f.Service.RequestNewInvitation(ctx, token); err != nil {
			t.Fatal(err)
		}
		if n := f.messages(t, nil) - outbox; n == 0 {
			t.Errorf("asking again notified nobody: the failed request marked the invitation")
		}
		f.Clock.Set(start)
	})

	t.Run("ApproveJoinRequest", func(t *testing.T) {
		key, err := f.Service.OpenJoinPage(f.Global, f.A.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Service.RequestToJoin(ctx, tokenAt(t, key, invite.DefaultPaths().RequestToJoin), invite.JoinRequestInput{Email: "asks@example.com", FirstName: "As", LastName: "Ks"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.ProcessJoinRequests(ctx); err != nil {
			t.Fatal(err)
		}
		grants := []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}}
		reqs, err := f.Service.JoinRequests(f.AdminA, 0)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("JoinRequests: %v, %v", reqs, err)
		}
		_, err = f.failing("DecideJoinRequest").ApproveJoinRequest(f.AdminA, reqs[0].ID, f.A.BusinessRoles[0].ID, grants)
		if !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if n := f.invitations(t, invitationTo("asks@example.com")); n != 0 {
			t.Fatalf("a failed approval left %d invitations", n)
		}
		if n := f.pendingJoinRequests(t, nil); n != 1 {
			t.Fatalf("a failed approval decided the request")
		}
		if _, err := f.Service.ApproveJoinRequest(f.AdminA, reqs[0].ID, f.A.BusinessRoles[0].ID, grants); err != nil {
			t.Fatalf("approving again: %v", err)
		}
	})

	t.Run("ChangePassword", func(t *testing.T) {
		member := f.Member(t, f.A, invite.AdminNone)
		asMember, _ := f.loginAs(t, member.Email)
		_, other := f.loginAs(t, member.Email)
		err := f.failing("DeleteUserSessions").ChangePassword(asMember, Password, "a brand new passphrase", "")
		if !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if _, err := f.Service.Authenticate(ctx, member.Email, Password); err != nil {
			t.Fatalf("the old password no longer works: %v", err)
		}
		if err := f.Service.ChangePassword(asMember, Password, "a brand new passphrase", ""); err != nil {
			t.Fatal(err)
		}
		f.wantLoggedOut(t, other)
	})

	// Found from outside: a demotion or a disabling that failed half-way
	// was saved without its consequences, and doing it again did nothing.
	for name, change := range map[string]func(svc *invite.Service, id int64) error{
		"Demote": func(svc *invite.Service, id int64) error {
			_, err := svc.ChangeUser(f.Global, id, invite.UserChange{AdminLevel: invite.AdminNone})
			return err
		},
		"Disable": func(svc *invite.Service, id int64) error {
			_, err := svc.SetDisabled(f.Global, id, true)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			boss := f.Member(t, f.A, invite.AdminCompany)
			asBoss, session := f.loginAs(t, boss.Email)
			sent, _, err := f.Service.Invite(asBoss, f.Input(f.A))
			if err != nil {
				t.Fatal(err)
			}
			if err := change(f.failing("DeleteUserSessions"), boss.ID); !errors.Is(err, errInjected) {
				t.Fatalf("got %v, want the injected failure", err)
			}
			if u, err := f.Service.SessionUser(ctx, session); err != nil || u.AdminLevel != invite.AdminCompany {
				t.Fatalf("a failed change was kept: %+v, %v", u, err)
			}
			if err := change(f.Service, boss.ID); err != nil {
				t.Fatal(err)
			}
			f.wantLoggedOut(t, session)
			if inv, err := f.Service.Invitation(f.Global, sent.ID); err != nil || inv.Status != invite.StatusCanceled {
				t.Errorf("the invitation they sent: %+v, %v; want canceled", inv, err)
			}
		})
	}

	// A link is sent with the bounds that count it and the older links it
	// ends, or none of it happens.
	t.Run("IssuePasswordResets", func(t *testing.T) {
		member := f.Member(t, f.A, invite.AdminNone)
		if err := f.Service.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.IssuePasswordResets(ctx); err != nil {
			t.Fatal(err)
		}
		first := f.resetToken(t, member.Email)
		f.Clock.Add(invite.ResetInterval)
		if err := f.Service.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
			t.Fatal(err)
		}
		outbox := f.messages(t, nil)
		if _, err := f.failing("Enqueue").IssuePasswordResets(ctx); !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if n := f.messages(t, nil) - outbox; n != 0 {
			t.Fatalf("wrote %d messages", n)
		}
		if _, err := f.Service.PasswordResetFor(ctx, first); err != nil {
			t.Fatalf("a link that failed to go out ended the one before: %v", err)
		}
		// Had the failure taken the minute's link, asking now would be
		// too soon.
		if err := f.Service.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
			t.Fatal(err)
		}
		if n, err := f.Service.IssuePasswordResets(ctx); err != nil || n != 1 {
			t.Fatalf("after a failed sending: %d sent, %v; want 1", n, err)
		}
		f.resetToken(t, member.Email)
	})

	t.Run("ResetPassword", func(t *testing.T) {
		member := f.Member(t, f.A, invite.AdminNone)
		if err := f.Service.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.IssuePasswordResets(ctx); err != nil {
			t.Fatal(err)
		}
		token := f.resetToken(t, member.Email)
		if _, err := f.failing("UpdateLimits").ResetPassword(ctx, token, "a brand new passphrase"); !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if _, err := f.Service.Authenticate(ctx, member.Email, Password); err != nil {
			t.Fatalf("a failed reset changed the password: %v", err)
		}
		if _, err := f.Service.ResetPassword(ctx, token, "a brand new passphrase"); err != nil {
			t.Fatalf("the link after a failed reset: %v", err)
		}
	})
}

// InTx commits what its function did when it returns nil, and otherwise
// rolls it all back and returns the function's error as it is; an InTx
// within joins the outer transaction.
func testInTx(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	company := func(name string) *invite.Company {
		return &invite.Company{Name: name, DefaultLanguage: "en", TimeZone: "UTC", CreatedAt: start}
	}
	exists := func(name string) bool {
		cs, err := db.Companies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Name == name {
				return true
			}
		}
		return false
	}
	err := db.InTx(ctx, func(tx invite.Store) error {
		if err := tx.CreateCompany(ctx, company("Rolled")); err != nil {
			return err
		}
		return tx.InTx(ctx, func(inner invite.Store) error {
			if err := inner.CreateCompany(ctx, company("Inner")); err != nil {
				return err
			}
			if cs, err := inner.Companies(ctx); err != nil || len(cs) != 2 {
				t.Errorf("within the transaction: %d companies, %v; want both", len(cs), err)
			}
			return errInjected
		})
	})
	if err != errInjected {
		t.Fatalf("got %v, want the function's error as it is", err)
	}
	if exists("Rolled") || exists("Inner") {
		t.Fatalf("a failed transaction kept its companies")
	}
	err = db.InTx(ctx, func(tx invite.Store) error {
		if err := tx.CreateCompany(ctx, company("Kept")); err != nil {
			return err
		}
		err := tx.CreateCompany(ctx, company("KEPT"))
		if !errors.Is(err, invite.ErrCompanyExists) {
			t.Errorf("a duplicate within a transaction: %v, want ErrCompanyExists", err)
		}
		return nil
	})
	if err != nil || !exists("Kept") {
		t.Fatalf("a transaction that returned nil: %v, kept %v", err, exists("Kept"))
	}
}

// Found from outside: a job whose work failed after its claim (the
// database gone for a moment) left its reset or request to join claimed
// for good, never sent or shown. A claim now lapses, and the work is done
// again then.
func testClaimsLapse(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	lease := invite.DefaultRetry().Lease

	t.Run("PasswordReset", func(t *testing.T) {
		member := f.Member(t, f.A, invite.AdminNone)
		if err := f.Service.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.failing("SavePasswordReset").IssuePasswordResets(ctx); !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if n, err := f.Service.IssuePasswordResets(ctx); err != nil || n != 0 {
			t.Fatalf("while claimed: %d sent, %v; want none", n, err)
		}
		f.Clock.Add(lease)
		if n, err := f.Service.IssuePasswordResets(ctx); err != nil || n != 1 {
			t.Fatalf("once the claim lapsed: %d sent, %v; want 1", n, err)
		}
		f.resetToken(t, member.Email)
	})

	t.Run("JoinRequest", func(t *testing.T) {
		key := f.openJoinPage(t, f.A)
		if err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: "lapse@example.com", FirstName: "La", LastName: "Pse"}); err != nil {
			t.Fatal(err)
		}
		outbox := f.messages(t, nil)
		if _, err := f.failing("Enqueue").ProcessJoinRequests(ctx); !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if n := f.pendingJoinRequests(t, nil); n != 0 {
			t.Fatalf("a request whose notices failed is shown, untold: %d", n)
		}
		if n, err := f.Service.ProcessJoinRequests(ctx); err != nil || n != 0 {
			t.Fatalf("while claimed: %d shown, %v; want none", n, err)
		}
		f.Clock.Add(lease)
		if n, err := f.Service.ProcessJoinRequests(ctx); err != nil || n != 1 {
			t.Fatalf("once the claim lapsed: %d shown, %v; want 1", n, err)
		}
		if n := f.messages(t, nil) - outbox; n == 0 {
			t.Errorf("the administrators were not told")
		}
	})
}
