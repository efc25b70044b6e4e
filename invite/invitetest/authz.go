package invitetest

import (
	"context"
	"testing"

	"github.com/invitehq/invite/invite"
)

// A Company Administrator of A cannot find, list, resend or cancel company
// B's invitations: to them B's invitations do not exist. Users who
// administer nothing, and callers with no acting user, are refused.
func testCompanyIsolation(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	invB, tokenB := f.invite(t, f.b)
	invA, _ := f.invite(t, f.a)
	member := invite.NewContext(context.Background(), f.member(t, f.a, invite.AdminNone))
	nobody := context.Background()

	t.Run("ErrInvitationNotFound", func(t *testing.T) {
		_, err := f.svc.Invitation(f.adminA, invB.ID)
		wantErr(t, err, invite.ErrInvitationNotFound)
		_, _, err = f.svc.Resend(f.adminA, invB.ID, nil)
		wantErr(t, err, invite.ErrInvitationNotFound)
		_, err = f.svc.Cancel(f.adminA, invB.ID)
		wantErr(t, err, invite.ErrInvitationNotFound)
		in := f.input(f.b)
		_, _, err = f.svc.Resend(f.adminA, invB.ID, &in)
		wantErr(t, err, invite.ErrInvitationNotFound)
	})
	t.Run("ErrCompanyNotFound", func(t *testing.T) {
		_, err := f.svc.Invitations(f.adminA, invite.InvitationFilter{CompanyID: f.b.ID})
		wantErr(t, err, invite.ErrCompanyNotFound)
		_, _, err = f.svc.Invite(f.adminA, f.input(f.b))
		wantErr(t, err, invite.ErrCompanyNotFound)
		_, err = f.svc.Company(f.adminA, f.b.ID)
		wantErr(t, err, invite.ErrCompanyNotFound)
	})
	t.Run("ListsOwnCompanyOnly", func(t *testing.T) {
		page, err := f.svc.Invitations(f.adminA, invite.InvitationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range page.Invitations {
			if inv.CompanyID != f.a.ID {
				t.Errorf("listed invitation %d of company %d to an administrator of %d", inv.ID, inv.CompanyID, f.a.ID)
			}
		}
		companies, err := f.svc.Companies(f.adminA)
		if err != nil || len(companies) != 1 || companies[0].ID != f.a.ID {
			t.Errorf("Companies: got %v, %v; want only A", companies, err)
		}
	})
	t.Run("OwnCompanyByDefault", func(t *testing.T) {
		in := f.input(f.a)
		in.CompanyID = 0
		inv, _, err := f.svc.Invite(f.adminA, in)
		if err != nil || inv.CompanyID != f.a.ID {
			t.Fatalf("Invite without a company: got %v, %v; want company A", inv, err)
		}
		_, _, err = f.svc.Invite(f.global, in)
		wantField(t, err, "company", invite.ReasonRequired)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, _, err := f.svc.Invite(member, f.input(f.a))
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.svc.Invitation(member, invA.ID)
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.svc.Cancel(member, invA.ID)
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.svc.Invitations(member, invite.InvitationFilter{})
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.svc.RegisterCompany(f.adminA, invite.CompanyInput{Name: "Mine", Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}})
		wantErr(t, err, invite.ErrForbidden)
		in := f.input(f.a)
		in.AdminLevel = invite.AdminGlobal
		_, _, err = f.svc.Invite(f.adminA, in)
		wantField(t, err, "admin_level", invite.ReasonInvalidAdminLevel)
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, _, err := f.svc.Invite(nobody, f.input(f.a))
		wantErr(t, err, invite.ErrUnauthorized)
		_, err = f.svc.Invitations(nobody, invite.InvitationFilter{})
		wantErr(t, err, invite.ErrUnauthorized)
		_, err = f.svc.RegisterCompany(nobody, invite.CompanyInput{Name: "Mine"})
		wantErr(t, err, invite.ErrUnauthorized)
	})
	t.Run("GlobalAdministrator", func(t *testing.T) {
		page, err := f.svc.Invitations(f.global, invite.InvitationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for _, inv := range page.Invitations {
			seen[inv.CompanyID] = true
		}
		if !seen[f.a.ID] || !seen[f.b.ID] {
			t.Errorf("a Global Administrator saw companies %v, want A and B", seen)
		}
		if _, err := f.svc.Cancel(f.global, invB.ID); err != nil {
			t.Errorf("Cancel by a Global Administrator: %v", err)
		}
		_, err = f.svc.Accept(context.Background(), acceptInput(tokenB))
		wantErr(t, err, invite.ErrInvitationCanceled)
	})
}

// The acting user in a context is only a claim: the service loads them
// again on every call, so a made-up value, a stale copy of a user since
// disabled, demoted or deleted, and a value with a higher role than the
// user has grant nothing beyond what the stored user may do.
func testActorIsReloaded(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	as := func(u invite.User) context.Context { return invite.NewContext(ctx, &u) }
	registers := func(ctx context.Context) error {
		_, err := f.svc.RegisterCompany(ctx, invite.CompanyInput{Name: "Made Up " + t.Name(), Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}})
		return err
	}
	invites := func(ctx context.Context) error {
		_, _, err := f.svc.Invite(ctx, f.input(f.a))
		return err
	}

	t.Run("MadeUp", func(t *testing.T) {
		forged := as(invite.User{ID: 999999, Email: "ghost@example.com", AdminLevel: invite.AdminGlobal})
		wantErr(t, registers(forged), invite.ErrUnauthorized)
		wantErr(t, invites(forged), invite.ErrUnauthorized)
	})
	t.Run("RaisedRole", func(t *testing.T) {
		member := *f.member(t, f.a, invite.AdminNone)
		member.AdminLevel = invite.AdminGlobal
		wantErr(t, registers(as(member)), invite.ErrForbidden)
		wantErr(t, invites(as(member)), invite.ErrForbidden)
		boss := *f.member(t, f.a, invite.AdminCompany)
		boss.CompanyID = f.b.ID
		_, _, err := f.svc.Invite(as(boss), f.input(f.b))
		wantErr(t, err, invite.ErrCompanyNotFound)
	})
	t.Run("Disabled", func(t *testing.T) {
		stale := f.member(t, f.a, invite.AdminCompany)
		if _, err := f.svc.SetDisabled(f.global, stale.ID, true); err != nil {
			t.Fatal(err)
		}
		wantErr(t, invites(as(*stale)), invite.ErrUnauthorized)
		_, err := f.svc.Users(as(*stale), invite.UserFilter{})
		wantErr(t, err, invite.ErrUnauthorized)
	})
	t.Run("Demoted", func(t *testing.T) {
		stale := f.member(t, f.a, invite.AdminCompany)
		if _, err := f.svc.ChangeUser(f.global, stale.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
			t.Fatal(err)
		}
		wantErr(t, invites(as(*stale)), invite.ErrForbidden)
	})
	t.Run("Deleted", func(t *testing.T) {
		stale := f.member(t, f.a, invite.AdminCompany)
		if err := f.svc.DeleteUser(f.global, stale.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, invites(as(*stale)), invite.ErrUnauthorized)
	})
	if n := f.invitations(t, invitationsIn(invite.StatusPending)); n != 0 {
		t.Errorf("%d invitations were made", n)
	}
}
