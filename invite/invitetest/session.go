package invitetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

func testSessions(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	u, token, err := f.Service.Login(t.Context(), "Root@Example.com", Password)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Service.SessionUser(t.Context(), token)
	if err != nil || got.ID != u.ID {
		t.Fatalf("SessionUser: got %v, %v; want user %d", got, err, u.ID)
	}
	_, other, _ := f.Service.Login(t.Context(), "root@example.com", Password)
	if other == token {
		t.Fatalf("two log-ins share a session")
	}
	if err := f.Service.Logout(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	_, err = f.Service.SessionUser(t.Context(), token)
	wantErr(t, err, invite.ErrUnauthorized)
	if _, err := f.Service.SessionUser(t.Context(), other); err != nil {
		t.Errorf("logging out ended another session: %v", err)
	}
	f.Clock.Add(invite.SessionTTL)
	_, err = f.Service.SessionUser(t.Context(), other)
	wantErr(t, err, invite.ErrUnauthorized)
	_, _, err = f.Service.Login(t.Context(), "root@example.com", "wrong password!")
	wantErr(t, err, invite.ErrBadCredentials)
	for _, bad := range []string{"", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		_, err = f.Service.SessionUser(t.Context(), bad)
		wantErr(t, err, invite.ErrUnauthorized)
	}
}

func testRequestNewInvitation(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	inv, token := f.invite(t, f.A)
	wantErr(t, f.Service.RequestNewInvitation(t.Context(), token), invite.ErrInvalidTransition)
	f.Clock.Set(inv.ExpiresAt)
	before := f.messages(t, nil)
	for range 2 { // asking twice notifies once
		if err := f.Service.RequestNewInvitation(t.Context(), token); err != nil {
			t.Fatal(err)
		}
	}
	admins := f.users(t, adminsOf(f.A.ID))
	if got := f.messages(t, nil) - before; got != admins || admins == 0 {
		t.Fatalf("got %d notifications, want one per Company Administrator (%d)", got, admins)
	}
	page, _ := f.Service.Messages(f.AdminA, invite.MessageFilter{Limit: 1})
	m := page.Messages[0]
	if m.Kind != invite.KindRenewalRequest || m.InvitationID != 0 || m.To == inv.Email {
		t.Errorf("got %s to %s for invitation %d", m.Kind, m.To, m.InvitationID)
	}
	// After a resend the invitee may ask again, once.
	if _, _, err := f.Service.Resend(f.AdminA, inv.ID, nil); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.Service.RequestNewInvitation(t.Context(), token), invite.ErrInvitationNotFound)
	wantErr(t, f.Service.RequestNewInvitation(t.Context(), "nope"), invite.ErrInvitationNotFound)
}

func testUsers(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.Member(t, f.A, invite.AdminNone)
	page, err := f.Service.Users(f.AdminA, invite.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Users) != 2 {
		t.Errorf("company A lists %d users, want 2", len(page.Users))
	}
	for _, u := range page.Users {
		if u.CompanyID != f.A.ID || u.PasswordHash != "" {
			t.Errorf("listed %+v", u)
		}
	}
	all, _ := f.Service.Users(f.Global, invite.UserFilter{Limit: 2})
	rest, _ := f.Service.Users(f.Global, invite.UserFilter{Limit: 2, After: all.Next})
	if len(all.Users)+len(rest.Users) != 4 || rest.Next != 0 {
		t.Errorf("paging all users: %d + %d, next %d", len(all.Users), len(rest.Users), rest.Next)
	}
	_, err = f.Service.Users(f.AdminA, invite.UserFilter{CompanyID: f.B.ID})
	wantErr(t, err, invite.ErrCompanyNotFound)
}

// Found from outside: expired sessions were kept for ever. Prune deletes
// them, and only them.
func testPruneSessions(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	member := f.Member(t, f.A, invite.AdminNone)
	if _, _, err := f.Service.Login(context.Background(), member.Email, Password); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(invite.SessionTTL / 2)
	_, live, err := f.Service.Login(context.Background(), member.Email, Password)
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(invite.SessionTTL/2 + time.Second)
	if n, err := f.Service.Prune(context.Background()); err != nil || n < 1 {
		t.Fatalf("Prune: %d, %v", n, err)
	}
	if _, err := f.Service.SessionUser(context.Background(), live); err != nil {
		t.Errorf("the live session: %v", err)
	}
	if n := f.endSessions(t); n != 1 {
		t.Errorf("%d sessions were left, want the live one", n)
	}
}

// beforeSession is the store under test, with something done just before a
// session is stored: the moment another request may change what a log-in
// checked.
type beforeSession struct {
	invite.Store
	do func()
}

func (s beforeSession) CreateSession(ctx context.Context, sess *invite.Session) error {
	s.do()
	return s.Store.CreateSession(ctx, sess)
}

// Found from outside: a log-in with the old password that was under way
// when the password changed, or the user was disabled or deleted, still got
// a session, good for twelve hours. Now it gets none.
func testLoginRacesChange(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	for name, change := range map[string]func(u *invite.User){
		"PasswordChanged": func(u *invite.User) {
			if err := f.Service.ChangePassword(invite.NewContext(context.Background(), u), Password, "a brand new passphrase", ""); err != nil {
				t.Fatal(err)
			}
		},
		"Disabled": func(u *invite.User) {
			if _, err := f.Service.SetDisabled(f.Global, u.ID, true); err != nil {
				t.Fatal(err)
			}
		},
		"Deleted": func(u *invite.User) {
			if err := f.Service.DeleteUser(f.Global, u.ID); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			u := f.Member(t, f.A, invite.AdminNone)
			sessions := f.endSessions(t)
			racing := invite.NewService(beforeSession{f.Store, func() { change(u) }}, invite.Config{Now: f.Clock.Now})
			_, _, err := racing.Login(context.Background(), u.Email, Password)
			wantErr(t, err, invite.ErrBadCredentials)
			if n := f.endSessions(t); n != sessions {
				t.Errorf("%d sessions made", n-sessions)
			}
		})
	}
}

// A session's context acts as its user as they were when it was made,
// without loading them again, for that service only: another service, or
// another user put in the context over it, is loaded as ever.
func testSessionContext(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	admin := f.Member(t, f.A, invite.AdminCompany)
	_, token, err := f.Service.Login(t.Context(), admin.Email, Password)
	if err != nil {
		t.Fatal(err)
	}
	ctx, u, err := f.Service.SessionContext(t.Context(), token)
	if err != nil || u.ID != admin.ID || u.PasswordHash != "" {
		t.Fatalf("SessionContext: got %+v, %v; want user %d without a password hash", u, err, admin.ID)
	}
	if _, _, err := f.Service.SessionContext(t.Context(), "not a session"); !errors.Is(err, invite.ErrUnauthorized) {
		t.Fatalf("SessionContext of no session: got %v, want ErrUnauthorized", err)
	}
	if _, err := f.Service.SetDisabled(f.Global, admin.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Invitations(ctx, invite.InvitationFilter{}); err != nil {
		t.Errorf("the request that was in progress when its user was disabled: %v", err)
	}
	other := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now})
	_, err = other.Invitations(ctx, invite.InvitationFilter{})
	wantErr(t, err, invite.ErrUnauthorized)
	_, err = f.Service.Invitations(invite.NewContext(ctx, admin), invite.InvitationFilter{})
	if err != nil {
		t.Errorf("the same user put in the context over it: %v", err)
	}
	member := f.Member(t, f.A, invite.AdminNone)
	_, err = f.Service.Invitations(invite.NewContext(ctx, member), invite.InvitationFilter{})
	wantErr(t, err, invite.ErrForbidden)
	if _, _, err := f.Service.SessionContext(t.Context(), token); !errors.Is(err, invite.ErrUnauthorized) {
		t.Errorf("a new request of the disabled user's session: got %v, want ErrUnauthorized", err)
	}
}

// Found from outside: an administrator demoted while their requests were
// on their way kept the invitations those requests wrote after the
// demotion. A request acts as its user was when it began (SessionContext),
// but what it writes on their authority stands only if they may still
// write it when it commits: none of their invitations stays pending.
func testDemotionDuringInvitations(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	boss := f.Member(t, f.A, invite.AdminCompany)
	f.Member(t, f.A, invite.AdminCompany) // A keeps an administrator
	_, token, err := f.Service.Login(t.Context(), boss.Email, Password)
	if err != nil {
		t.Fatal(err)
	}
	const clients, each = 8, 6
	inputs := make([][]invite.InvitationInput, clients)
	for i := range inputs {
		for range each {
			inputs[i] = append(inputs[i], f.Input(f.A))
		}
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, in := range inputs {
		ctx, _, err := f.Service.SessionContext(t.Context(), token) // each a request begun before the demotion
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			<-start
			for _, in := range in {
				_, _, err := f.Service.Invite(ctx, in)
				if err != nil && !errors.Is(err, invite.ErrForbidden) && !errors.Is(err, invite.ErrUnauthorized) {
					t.Errorf("Invite: %v", err)
				}
			}
		})
	}
	close(start)
	if _, err := f.Service.ChangeUser(f.Global, boss.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	pending, err := f.Store.Invitations(t.Context(), invite.InvitationQuery{SentBy: boss.ID, Status: invite.StatusPending, Now: f.Clock.Now(), Limit: clients * each})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("%d invitations of the demoted administrator are pending", len(pending))
	}
}
