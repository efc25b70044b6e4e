package invite_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
)

// An administrator makes an API token; a request that brings its secret
// acts as them, with their rights as they are at that moment; once
// revoked, the secret lets no one in.
func ExampleService_CreateAPIToken() {
	ctx := context.Background()
	svc := invite.NewService(memstore.New(), invite.Config{})
	admin, _, err := svc.Bootstrap(ctx, "admin@example.com", "a long and secret phrase")
	if err != nil {
		log.Fatal(err)
	}
	adminCtx := invite.NewContext(ctx, admin)
	secret, tok, err := svc.CreateAPIToken(adminCtx, "HR system")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Name, strings.HasPrefix(secret, tok.Prefix), len(secret))

	// A request: the token's creator acts, as stored now.
	reqCtx, u, err := svc.TokenContext(ctx, secret)
	if err != nil {
		log.Fatal(err)
	}
	companies, err := svc.Companies(reqCtx)
	fmt.Println(u.Email, len(companies), err)

	if err := svc.RevokeAPIToken(adminCtx, tok.ID); err != nil {
		log.Fatal(err)
	}
	_, _, err = svc.TokenContext(ctx, secret)
	fmt.Println(errors.Is(err, invite.ErrUnauthorized))
	// Output:
	// HR system true 48
	// admin@example.com 0 <nil>
	// true
}

// A request that may be sent twice (a retry after a timeout) invites once:
// the key is kept with the invitation, in its transaction.
func ExampleService_InviteOnce() {
	ctx := context.Background()
	svc := invite.NewService(memstore.New(), invite.Config{})
	admin, _, err := svc.Bootstrap(ctx, "admin@example.com", "a long and secret phrase")
	if err != nil {
		log.Fatal(err)
	}
	adminCtx := invite.NewContext(ctx, admin)
	acme, err := svc.RegisterCompany(adminCtx, invite.CompanyInput{
		Name: "Acme Plant", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Plant Operator"},
	})
	if err != nil {
		log.Fatal(err)
	}
	in := invite.InvitationInput{
		CompanyID: acme.ID, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	}
	digest := sha256.Sum256([]byte("the request as it came"))
	once := invite.Once{Key: "hr-4711", Fingerprint: digest[:], Response: func(inv *invite.Invitation) ([]byte, error) {
		return fmt.Appendf(nil, "invitation %d", inv.ID), nil
	}}
	for range 2 {
		r, err := svc.InviteOnce(adminCtx, once, in)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(r.Response), "replayed:", r.Replayed)
	}
	other := sha256.Sum256([]byte("another request"))
	_, err = svc.InviteOnce(adminCtx, invite.Once{Key: "hr-4711", Fingerprint: other[:]}, in)
	fmt.Println(errors.Is(err, invite.ErrIdempotencyKeyReused))
	// Output:
	// invitation 1 replayed: false
	// invitation 1 replayed: true
	// true
}
