package invitetest

import (
	"context"
	"testing"

	"github.com/invitehq/invite/invite"
)

// A Company Administrator cannot learn whether an address has an account
// in another company: inviting it, or resending to it, is answered as for
// a fresh address, and a mail goes out. The invitee is told on following
// the link, and no second account is ever made. A Global Administrator,
// who sees every user, and an address of one's own company are told.
func testNoAccountOracle(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	elsewhere := f.Member(t, f.B, invite.AdminNone)
	fresh := "fresh@example.com"
	users := f.users(t, nil)

	for _, email := range []string{elsewhere.Email, fresh, "root@example.com"} {
		in := f.Input(f.A)
		in.Email = email
		inv, token, err := f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatalf("a Company Administrator invites %s: %v", email, err)
		}
		if inv.Status != invite.StatusPending || inv.Delivery == nil || inv.Delivery.State != invite.DeliveryQueued {
			t.Fatalf("%s: got %s, delivery %+v; want pending with its mail queued", email, inv.Status, inv.Delivery)
		}
		view, err := f.Service.Invitee(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		exists := email != fresh
		if view.AccountExists != exists {
			t.Errorf("%s: the invitee's page says an account exists: %v, want %v", email, view.AccountExists, exists)
		}
		_, err = f.Service.Accept(ctx, acceptInput(token))
		if exists {
			wantErr(t, err, invite.ErrUserExists)
		} else if err != nil {
			t.Fatalf("accept for a fresh address: %v", err)
		}
	}
	if n := f.users(t, nil) - users; n != 1 {
		t.Fatalf("%d users made, want 1 (the fresh address only)", n)
	}
	// Told where the administrator sees the user anyway.
	in := f.Input(f.A)
	in.Email = elsewhere.Email
	_, _, err := f.Service.Invite(f.Global, in)
	wantErr(t, err, invite.ErrUserExists)
	in = f.Input(f.B)
	in.Email = elsewhere.Email
	_, _, err = f.Service.Invite(f.AdminB, in)
	wantErr(t, err, invite.ErrUserExists)
}

// An address is one address however its domain is spelt: invited in
// Unicode, it logs in in punycode, and cannot be invited again in either.
func testOneAddressHoweverSpelt(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	in := f.Input(f.A)
	in.Email = "Ada@Bücher.Example"
	_, token, err := f.Service.Invite(f.Global, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Accept(context.Background(), acceptInput(token)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Authenticate(context.Background(), "ada@xn--bcher-kva.example", Password); err != nil {
		t.Errorf("log in with the punycode spelling: %v", err)
	}
	in = f.Input(f.A)
	in.Email = "ADA@XN--BCHER-KVA.example"
	_, _, err = f.Service.Invite(f.Global, in)
	wantErr(t, err, invite.ErrUserExists)
}
