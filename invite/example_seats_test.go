package invite_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
)

// A subscription with seats takes no invitation past them: the refusal
// names the subscription with its numbers, at the grant that asked for it.
func ExampleService_SetSeats() {
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
	app := acme.Subscriptions[0].ID
	if err := svc.SetSeats(adminCtx, acme.ID, app, 1); err != nil {
		log.Fatal(err)
	}
	in := func(email string) invite.InvitationInput {
		return invite.InvitationInput{
			CompanyID: acme.ID, Email: email, FirstName: "Ada", LastName: "Lovelace", BusinessRoleID: acme.BusinessRoles[0].ID,
			Grants: []invite.Grant{{SubscriptionID: app, Role: invite.RoleViewer}},
		}
	}
	if _, _, err := svc.Invite(adminCtx, in("ada@example.com")); err != nil {
		log.Fatal(err)
	}
	_, _, err = svc.Invite(adminCtx, in("grace@example.com"))
	fmt.Println(errors.Is(err, invite.ErrNoSeats))
	if e, ok := errors.AsType[*invite.Error](err); ok {
		f, _ := e.Field("grants[0].subscription")
		fmt.Println(f.Message)
		fmt.Println(f.Localize("de"))
	}
	uses, err := svc.Seats(adminCtx, acme.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(uses[0].Subscription.Seats, uses[0].Used, uses[0].Pending, uses[0].Free())
	// Output:
	// true
	// App Designer: 0 of 1 seats used, 1 pending
	// App Designer: 0 von 1 Plätzen belegt, 1 ausstehend. Geben Sie einen Platz frei (eine Einladung zurückziehen, einen Benutzer deaktivieren) oder fragen Sie nach mehr Plätzen.
	// 1 0 1 0
}
