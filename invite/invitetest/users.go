package invitetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// loginAs logs u in with the fixture's password and returns a context acting
// as them and the session's token.
func (f *fixture) loginAs(t *testing.T, email string) (context.Context, string) {
	t.Helper()
	u, token, err := f.Service.Login(context.Background(), email, Password)
	if err != nil {
		t.Fatalf("Login %s: %v", email, err)
	}
	return invite.NewContext(context.Background(), u), token
}

func (f *fixture) wantLoggedOut(t *testing.T, token string) {
	t.Helper()
	if _, err := f.Service.SessionUser(context.Background(), token); err == nil {
		t.Errorf("the session still works")
	}
}

func testChangeUser(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	member := f.Member(t, f.A, invite.AdminNone)
	_, memberToken := f.loginAs(t, member.Email)

	t.Run("OK", func(t *testing.T) {
		u, err := f.Service.ChangeUser(f.AdminA, member.ID, invite.UserChange{
			BusinessRoleID: f.A.BusinessRoles[1].ID,
			Grants:         []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleAdministrator}},
			AdminLevel:     invite.AdminCompany,
		})
		if err != nil {
			t.Fatal(err)
		}
		if u.BusinessRoleID != f.A.BusinessRoles[1].ID || u.AdminLevel != invite.AdminCompany || len(u.Grants) != 1 || u.Grant(f.A.Subscriptions[1].ID) != invite.RoleAdministrator {
			t.Errorf("got %+v", u)
		}
		f.wantLoggedOut(t, memberToken) // privileges changed: log in again
		if _, err := f.Service.ChangeUser(f.AdminA, member.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
			t.Fatalf("demoting one of two administrators: %v", err)
		}
	})
	t.Run("ErrUserNotFound", func(t *testing.T) {
		_, err := f.Service.ChangeUser(f.AdminB, member.ID, invite.UserChange{BusinessRoleID: f.A.BusinessRoles[0].ID})
		wantErr(t, err, invite.ErrUserNotFound)
		_, err = f.Service.User(f.AdminB, member.ID)
		wantErr(t, err, invite.ErrUserNotFound)
		root, _ := f.Service.Authenticate(context.Background(), "root@example.com", Password)
		_, err = f.Service.ChangeUser(f.AdminA, root.ID, invite.UserChange{AdminLevel: invite.AdminNone})
		wantErr(t, err, invite.ErrUserNotFound)
	})
	t.Run("ErrAboveOwnRole", func(t *testing.T) {
		// An administrator who only views Data Stream Designer cannot
		// grant more there, nor invite with more.
		in := f.Input(f.A)
		in.AdminLevel = invite.AdminCompany
		in.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleViewer}}
		_, token, err := f.Service.Invite(f.Global, in)
		if err != nil {
			t.Fatal(err)
		}
		weak, err := f.Service.Accept(context.Background(), acceptInput(token))
		if err != nil {
			t.Fatal(err)
		}
		weakCtx := invite.NewContext(context.Background(), weak)
		// Nobody acts on someone above their own: the member
		// contributes to App Designer.
		_, err = f.Service.ChangeUser(weakCtx, member.ID, invite.UserChange{Grants: []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleViewer}}})
		wantErr(t, err, invite.ErrUserAboveYou)
		_, err = f.Service.SetDisabled(weakCtx, member.ID, true)
		wantErr(t, err, invite.ErrUserAboveYou)
		viewer := f.Input(f.A)
		viewer.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleViewer}}
		_, token, err = f.Service.Invite(f.Global, viewer)
		if err != nil {
			t.Fatal(err)
		}
		peer, err := f.Service.Accept(context.Background(), acceptInput(token))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Service.ChangeUser(weakCtx, peer.ID, invite.UserChange{Grants: []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleContributor}}})
		wantField(t, err, "grants[0].role", invite.ReasonAboveOwnRole)
		inv := f.Input(f.A)
		inv.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}}
		_, _, err = f.Service.Invite(weakCtx, inv)
		wantField(t, err, "grants[0].role", invite.ReasonAboveOwnRole)
		inv.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleViewer}}
		if _, _, err := f.Service.Invite(weakCtx, inv); err != nil {
			t.Errorf("granting one's own role: %v", err)
		}
	})
}

// The last administrator of a company cannot be demoted, disabled or
// deleted, even when two administrators demote each other at once.
func testLastAdministrator(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	adminB, _ := invite.FromContext(f.AdminB)
	_, err := f.Service.ChangeUser(f.AdminB, adminB.ID, invite.UserChange{AdminLevel: invite.AdminNone})
	wantErr(t, err, invite.ErrLastAdmin)
	_, err = f.Service.SetDisabled(f.Global, adminB.ID, true)
	wantErr(t, err, invite.ErrLastAdmin)
	wantErr(t, f.Service.DeleteUser(f.Global, adminB.ID), invite.ErrLastAdmin)

	second := f.Member(t, f.B, invite.AdminCompany)
	secondCtx := invite.NewContext(context.Background(), second)
	for range 5 {
		errs := Parallel(2, func(i int) error {
			if i == 0 {
				_, err := f.Service.ChangeUser(f.AdminB, second.ID, invite.UserChange{AdminLevel: invite.AdminNone})
				return err
			}
			_, err := f.Service.ChangeUser(secondCtx, adminB.ID, invite.UserChange{AdminLevel: invite.AdminNone})
			return err
		})
		// The one who loses is refused as the last administrator, or,
		// demoted already when the service loads them, as no
		// administrator at all.
		if got := Tally(errs); got[""] != 1 || got["last_admin"]+got["forbidden"] != 1 {
			t.Fatalf("two administrators demoting each other: %v, want one success and one last_admin or forbidden", got)
		}
		if n := f.users(t, adminsOf(f.B.ID)); n != 1 {
			t.Fatalf("company B has %d administrators, want 1", n)
		}
		// Promote the demoted one again for the next round.
		for _, id := range []int64{adminB.ID, second.ID} {
			if _, err := f.Service.ChangeUser(f.Global, id, invite.UserChange{AdminLevel: invite.AdminCompany}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func testDisableUser(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	member := f.Member(t, f.A, invite.AdminNone)
	_, token := f.loginAs(t, member.Email)
	u, err := f.Service.SetDisabled(f.AdminA, member.ID, true)
	if err != nil || !u.Disabled() {
		t.Fatalf("SetDisabled: %+v, %v", u, err)
	}
	f.wantLoggedOut(t, token)
	_, _, err = f.Service.Login(context.Background(), member.Email, Password)
	wantErr(t, err, invite.ErrUserDisabled)
	_, _, err = f.Service.Login(context.Background(), member.Email, "wrong password!!")
	wantErr(t, err, invite.ErrBadCredentials) // nothing said without the password
	if _, err := f.Service.SetDisabled(f.AdminA, member.ID, false); err != nil {
		t.Fatal(err)
	}
	f.loginAs(t, member.Email)
	self, _ := invite.FromContext(f.AdminA)
	_, err = f.Service.SetDisabled(f.AdminA, self.ID, true)
	wantErr(t, err, invite.ErrForbidden)
	_, err = f.Service.SetDisabled(f.AdminB, member.ID, true)
	wantErr(t, err, invite.ErrUserNotFound)
}

func testDeleteUser(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	extra := f.Member(t, f.A, invite.AdminCompany)
	extraCtx, token := f.loginAs(t, extra.Email)
	sent, _, err := f.Service.Invite(extraCtx, f.Input(f.A))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.Service.DeleteUser(f.AdminA, extra.ID), invite.ErrForbidden)
	if err := f.Service.DeleteUser(f.Global, extra.ID); err != nil {
		t.Fatal(err)
	}
	f.wantLoggedOut(t, token)
	_, err = f.Service.User(f.Global, extra.ID)
	wantErr(t, err, invite.ErrUserNotFound)
	inv, err := f.Service.Invitation(f.Global, sent.ID)
	if err != nil || inv.Status != invite.StatusCanceled || inv.InvitedBy != extra.ID {
		t.Errorf("the deleted user's pending invitation: %+v, %v; want canceled, still naming them", inv, err)
	}
	// Their own invitation's history stays readable.
	page, err := f.Service.Invitations(f.Global, invite.InvitationFilter{Email: extra.Email})
	if err != nil || len(page.Invitations) != 1 || page.Invitations[0].AcceptedBy != extra.ID {
		t.Errorf("history: %v, %v", page, err)
	}
	// The address can be invited again.
	in := f.Input(f.A)
	in.Email = extra.Email
	if _, _, err := f.Service.Invite(f.AdminA, in); err != nil {
		t.Errorf("inviting a deleted user's address again: %v", err)
	}
}

func testProfileAndPassword(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	member := f.Member(t, f.A, invite.AdminNone)
	ctx, keep := f.loginAs(t, member.Email)
	_, other := f.loginAs(t, member.Email)

	_, err := f.Service.UpdateProfile(ctx, invite.ProfileInput{FirstName: "Grace", LastName: "Hopper", Phone: "12"})
	wantField(t, err, "phone", invite.ReasonInvalidPhone)
	u, err := f.Service.UpdateProfile(ctx, invite.ProfileInput{FirstName: " Amazing ", LastName: "Grace", Department: "Navy", Language: "fr", TimeZone: "America/New_York"})
	if err != nil || u.FirstName != "Amazing" || u.Language != "fr" || u.TimeZone != "America/New_York" || u.Email != member.Email {
		t.Fatalf("UpdateProfile: %+v, %v", u, err)
	}

	err = f.Service.ChangePassword(ctx, "not my password", "a brand new passphrase", keep)
	wantField(t, err, "current_password", invite.ReasonWrongPassword)
	err = f.Service.ChangePassword(ctx, Password, "short", keep)
	wantField(t, err, "password", invite.ReasonPasswordTooShort)
	if err := f.Service.ChangePassword(ctx, Password, "a brand new passphrase", keep); err != nil {
		t.Fatal(err)
	}
	f.wantLoggedOut(t, other)
	if _, err := f.Service.SessionUser(context.Background(), keep); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, _, err := f.Service.Login(context.Background(), member.Email, "a brand new passphrase"); err != nil {
		t.Errorf("log in with the new password: %v", err)
	}
	_, _, err = f.Service.Login(context.Background(), member.Email, Password)
	wantErr(t, err, invite.ErrBadCredentials)
}

func testUsersSearch(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	in := f.Input(f.A)
	in.FirstName, in.LastName = "Edsger", "Dijkstra"
	_, token, _ := f.Service.Invite(f.AdminA, in)
	acc := acceptInput(token)
	acc.FirstName, acc.LastName = "Edsger", "Dijkstra"
	if _, err := f.Service.Accept(context.Background(), acc); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DIJK", "edsger", in.Email[:8]} {
		page, err := f.Service.Users(f.AdminA, invite.UserFilter{Search: q})
		if err != nil || len(page.Users) != 1 || page.Users[0].LastName != "Dijkstra" {
			t.Errorf("search %q: %v, %v", q, page, err)
		}
	}
	if _, u := f.loginAs(t, "root@example.com"); u == "" {
		t.Fatal("no token")
	}
	root, _ := f.Service.Authenticate(context.Background(), "root@example.com", Password)
	if root.LastLoginAt.IsZero() {
		t.Errorf("the last log-in was not recorded")
	}
}

// Found from outside: an administrator who was disabled, demoted or
// deleted came back in through an invitation they had sent to an address of
// their own. What such an administrator last sent is canceled, but what
// they may still send.
func testRemovedAdministratorsInvitations(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	sub := f.A.Subscriptions[0].ID
	sends := func(admin *invite.User, role invite.Role) *invite.Invitation {
		t.Helper()
		in := f.Input(f.A)
		in.AdminLevel = invite.AdminCompany
		in.Grants = []invite.Grant{{SubscriptionID: sub, Role: role}}
		inv, _, err := f.Service.Invite(invite.NewContext(context.Background(), admin), in)
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	status := func(inv *invite.Invitation) invite.Status {
		t.Helper()
		got, err := f.Service.Invitation(f.Global, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	disabled := f.Member(t, f.A, invite.AdminCompany)
	demoted := f.Member(t, f.A, invite.AdminCompany)
	lowered := f.Member(t, f.A, invite.AdminCompany)
	deleted := f.Member(t, f.A, invite.AdminCompany)
	a, b := sends(disabled, invite.RoleAdministrator), sends(demoted, invite.RoleViewer)
	c, kept := sends(lowered, invite.RoleAdministrator), sends(lowered, invite.RoleViewer)
	gas, _ := f.invite(t, f.A) // the Global Administrator's, resent by one who is then deleted
	if _, _, err := f.Service.Resend(invite.NewContext(context.Background(), deleted), gas.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.SetDisabled(f.Global, disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.ChangeUser(f.Global, demoted.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.ChangeUser(f.Global, lowered.ID, invite.UserChange{Grants: []invite.Grant{{SubscriptionID: sub, Role: invite.RoleViewer}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.Service.DeleteUser(f.Global, deleted.ID); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		inv  *invite.Invitation
		want invite.Status
	}{
		"sent by one disabled":                   {a, invite.StatusCanceled},
		"sent by one no longer an administrator": {b, invite.StatusCanceled},
		"granting above the sender's new role":   {c, invite.StatusCanceled},
		"within the sender's new role":           {kept, invite.StatusPending},
		"resent last by one deleted":             {gas, invite.StatusCanceled},
	} {
		if got := status(tc.inv); got != tc.want {
			t.Errorf("an invitation %s: got %s, want %s", name, got, tc.want)
		}
	}
}

// No User that the service returns carries the password hash, in its
// field or in any encoding of it.
func testNoPasswordHashReturned(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	member := f.Member(t, f.A, invite.AdminNone) // returned by Accept
	self := invite.NewContext(ctx, member)
	_, session, err := f.Service.Login(ctx, member.Email, Password)
	if err != nil {
		t.Fatal(err)
	}
	// In order: resetting the password ends the session.
	calls := []struct {
		name string
		call func(t *testing.T) (*invite.User, error)
	}{
		{"Accept", func(t *testing.T) (*invite.User, error) { return member, nil }},
		{"Authenticate", func(t *testing.T) (*invite.User, error) {
			return f.Service.Authenticate(ctx, member.Email, Password)
		}},
		{"Login", func(t *testing.T) (*invite.User, error) {
			u, _, err := f.Service.Login(ctx, member.Email, Password)
			return u, err
		}},
		{"SessionUser", func(t *testing.T) (*invite.User, error) { return f.Service.SessionUser(ctx, session) }},
		{"User", func(t *testing.T) (*invite.User, error) { return f.Service.User(f.Global, member.ID) }},
		{"Users", func(t *testing.T) (*invite.User, error) {
			page, err := f.Service.Users(f.Global, invite.UserFilter{Search: member.Email})
			if err != nil || len(page.Users) != 1 {
				return nil, fmt.Errorf("users: %v, %v", page, err)
			}
			return page.Users[0], nil
		}},
		{"ChangeUser", func(t *testing.T) (*invite.User, error) {
			return f.Service.ChangeUser(f.Global, member.ID, invite.UserChange{BusinessRoleID: f.A.BusinessRoles[1].ID})
		}},
		{"SetDisabled", func(t *testing.T) (*invite.User, error) { return f.Service.SetDisabled(f.Global, member.ID, false) }},
		{"UpdateProfile", func(t *testing.T) (*invite.User, error) {
			return f.Service.UpdateProfile(self, invite.ProfileInput{FirstName: "Ada", LastName: "Lovelace", Language: "en", TimeZone: "UTC"})
		}},
		{"ResetPassword", func(t *testing.T) (*invite.User, error) {
			if err := f.Service.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
				return nil, err
			}
			if _, err := f.Service.IssuePasswordResets(ctx); err != nil {
				return nil, err
			}
			return f.Service.ResetPassword(ctx, f.resetToken(t, member.Email), Password)
		}},
		{"Bootstrap", func(t *testing.T) (*invite.User, error) {
			other := invite.NewService(open(t), invite.Config{})
			u, _, err := other.Bootstrap(ctx, "first@example.com", Password)
			return u, err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			u, err := c.call(t)
			if err != nil || u == nil {
				t.Fatalf("got %v, %v", u, err)
			}
			encoded, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			if u.PasswordHash != "" || strings.Contains(string(encoded), "argon2") {
				t.Errorf("returned the hash: field %q, JSON %s", u.PasswordHash, encoded)
			}
		})
	}
}
