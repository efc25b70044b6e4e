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
	invB, tokenB := f.invite(t, f.B)
	invA, _ := f.invite(t, f.A)
	member := invite.NewContext(context.Background(), f.Member(t, f.A, invite.AdminNone))
	nobody := context.Background()

	t.Run("ErrInvitationNotFound", func(t *testing.T) {
		_, err := f.Service.Invitation(f.AdminA, invB.ID)
		wantErr(t, err, invite.ErrInvitationNotFound)
		_, _, err = f.Service.Resend(f.AdminA, invB.ID, nil)
		wantErr(t, err, invite.ErrInvitationNotFound)
		_, err = f.Service.Cancel(f.AdminA, invB.ID)
		wantErr(t, err, invite.ErrInvitationNotFound)
		in := f.Input(f.B)
		_, _, err = f.Service.Resend(f.AdminA, invB.ID, &in)
		wantErr(t, err, invite.ErrInvitationNotFound)
	})
	t.Run("ErrCompanyNotFound", func(t *testing.T) {
		_, err := f.Service.Invitations(f.AdminA, invite.InvitationFilter{CompanyID: f.B.ID})
		wantErr(t, err, invite.ErrCompanyNotFound)
		_, _, err = f.Service.Invite(f.AdminA, f.Input(f.B))
		wantErr(t, err, invite.ErrCompanyNotFound)
		_, err = f.Service.Company(f.AdminA, f.B.ID)
		wantErr(t, err, invite.ErrCompanyNotFound)
	})
	t.Run("ListsOwnCompanyOnly", func(t *testing.T) {
		page, err := f.Service.Invitations(f.AdminA, invite.InvitationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range page.Invitations {
			if inv.CompanyID != f.A.ID {
				t.Errorf("listed invitation %d of company %d to an administrator of %d", inv.ID, inv.CompanyID, f.A.ID)
			}
		}
		companies, err := f.Service.Companies(f.AdminA)
		if err != nil || len(companies) != 1 || companies[0].ID != f.A.ID {
			t.Errorf("Companies: got %v, %v; want only A", companies, err)
		}
	})
	t.Run("OwnCompanyByDefault", func(t *testing.T) {
		in := f.Input(f.A)
		in.CompanyID = 0
		inv, _, err := f.Service.Invite(f.AdminA, in)
		if err != nil || inv.CompanyID != f.A.ID {
			t.Fatalf("Invite without a company: got %v, %v; want company A", inv, err)
		}
		_, _, err = f.Service.Invite(f.Global, in)
		wantField(t, err, "company", invite.ReasonRequired)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, _, err := f.Service.Invite(member, f.Input(f.A))
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.Service.Invitation(member, invA.ID)
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.Service.Cancel(member, invA.ID)
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.Service.Invitations(member, invite.InvitationFilter{})
		wantErr(t, err, invite.ErrForbidden)
		_, err = f.Service.RegisterCompany(f.AdminA, invite.CompanyInput{Name: "Mine", Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}})
		wantErr(t, err, invite.ErrForbidden)
		in := f.Input(f.A)
		in.AdminLevel = invite.AdminGlobal
		_, _, err = f.Service.Invite(f.AdminA, in)
		wantField(t, err, "admin_level", invite.ReasonInvalidAdminLevel)
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, _, err := f.Service.Invite(nobody, f.Input(f.A))
		wantErr(t, err, invite.ErrUnauthorized)
		_, err = f.Service.Invitations(nobody, invite.InvitationFilter{})
		wantErr(t, err, invite.ErrUnauthorized)
		_, err = f.Service.RegisterCompany(nobody, invite.CompanyInput{Name: "Mine"})
		wantErr(t, err, invite.ErrUnauthorized)
	})
	t.Run("GlobalAdministrator", func(t *testing.T) {
		page, err := f.Service.Invitations(f.Global, invite.InvitationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for _, inv := range page.Invitations {
			seen[inv.CompanyID] = true
		}
		if !seen[f.A.ID] || !seen[f.B.ID] {
			t.Errorf("a Global Administrator saw companies %v, want A and B", seen)
		}
		if _, err := f.Service.Cancel(f.Global, invB.ID); err != nil {
			t.Errorf("Cancel by a Global Administrator: %v", err)
		}
		_, err = f.Service.Accept(context.Background(), acceptInput(tokenB))
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
		_, err := f.Service.RegisterCompany(ctx, invite.CompanyInput{Name: "Made Up " + t.Name(), Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}})
		return err
	}
	invites := func(ctx context.Context) error {
		_, _, err := f.Service.Invite(ctx, f.Input(f.A))
		return err
	}

	t.Run("MadeUp", func(t *testing.T) {
		forged := as(invite.User{ID: 999999, Email: "ghost@example.com", AdminLevel: invite.AdminGlobal})
		wantErr(t, registers(forged), invite.ErrUnauthorized)
		wantErr(t, invites(forged), invite.ErrUnauthorized)
	})
	t.Run("RaisedRole", func(t *testing.T) {
		member := *f.Member(t, f.A, invite.AdminNone)
		member.AdminLevel = invite.AdminGlobal
		wantErr(t, registers(as(member)), invite.ErrForbidden)
		wantErr(t, invites(as(member)), invite.ErrForbidden)
		boss := *f.Member(t, f.A, invite.AdminCompany)
		boss.CompanyID = f.B.ID
		_, _, err := f.Service.Invite(as(boss), f.Input(f.B))
		wantErr(t, err, invite.ErrCompanyNotFound)
	})
	t.Run("Disabled", func(t *testing.T) {
		stale := f.Member(t, f.A, invite.AdminCompany)
		if _, err := f.Service.SetDisabled(f.Global, stale.ID, true); err != nil {
			t.Fatal(err)
		}
		wantErr(t, invites(as(*stale)), invite.ErrUnauthorized)
		_, err := f.Service.Users(as(*stale), invite.UserFilter{})
		wantErr(t, err, invite.ErrUnauthorized)
	})
	t.Run("Demoted", func(t *testing.T) {
		stale := f.Member(t, f.A, invite.AdminCompany)
		if _, err := f.Service.ChangeUser(f.Global, stale.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
			t.Fatal(err)
		}
		wantErr(t, invites(as(*stale)), invite.ErrForbidden)
	})
	t.Run("Deleted", func(t *testing.T) {
		stale := f.Member(t, f.A, invite.AdminCompany)
		if err := f.Service.DeleteUser(f.Global, stale.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, invites(as(*stale)), invite.ErrUnauthorized)
	})
	if n := f.invitations(t, invitationsIn(invite.StatusPending)); n != 0 {
		t.Errorf("%d invitations were made", n)
	}
}
