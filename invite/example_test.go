package invite_test

import (
	"context"
	"fmt"
	"log"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
)

// A Go program runs the whole lifecycle without the web layer: it opens a
// store, registers a company, invites a person and accepts with the token
// that the e-mail would carry.
func Example() {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	svc := invite.NewService(db, invite.Config{})

	// The first Global Administrator; later ones are invited.
	admin, _, err := svc.Bootstrap(ctx, "admin@example.com", "a long and secret phrase")
	if err != nil {
		log.Fatal(err)
	}
	adminCtx := invite.NewContext(ctx, admin)

	acme, err := svc.RegisterCompany(adminCtx, invite.CompanyInput{
		Name:            "Acme Plant",
		DefaultLanguage: "de",
		TimeZone:        "Europe/Berlin",
		Subscriptions:   []string{"App Designer", "Data Stream Designer"},
		BusinessRoles:   []string{"Plant Operator"},
	})
	if err != nil {
		log.Fatal(err)
	}

	inv, token, err := svc.Invite(adminCtx, invite.InvitationInput{
		CompanyID:      acme.ID,
		Email:          "Ada@Example.com",
		FirstName:      "Ada",
		LastName:       "Lovelace",
		BusinessRoleID: acme.BusinessRoles[0].ID,
		Phone:          "+49 30 901820",
		Grants: []invite.Grant{
			{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleContributor},
			{SubscriptionID: acme.Subscriptions[1].ID, Role: invite.RoleViewer},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Email, inv.Status, inv.Language, inv.TimeZone, inv.Phone, inv.ExpiresAt.Sub(inv.CreatedAt))

	// The invitee needs no acting user: the token is the authority.
	user, err := svc.Accept(ctx, invite.AcceptInput{
		Token:       token,
		Password:    "correct horse battery staple",
		FirstName:   "Ada",
		LastName:    "Lovelace",
		AcceptTerms: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.Name(), user.CompanyID == acme.ID, len(user.Grants))

	inv, err = svc.Invitation(adminCtx, inv.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Status, inv.AcceptedBy == user.ID)

	_, err = svc.Accept(ctx, invite.AcceptInput{Token: token, Password: "another long password", FirstName: "A", LastName: "L", AcceptTerms: true})
	fmt.Println(invite.ErrorCode(err), err)
	// Output:
	// ada@example.com pending de Europe/Berlin +4930901820 168h0m0s
	// Ada Lovelace true 2
	// accepted true
	// conflict The invitation has already been accepted.
}
