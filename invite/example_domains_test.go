package invite_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
)

// A Global Administrator restricts a company's invitations to its own
// domains; an address elsewhere is refused at the field "email", and the
// error's Args name the domains that are allowed.
func ExampleService_SetAllowedDomains() {
	ctx := context.Background()
	svc := invite.NewService(memstore.New(), invite.Config{})
	admin, _, err := svc.Bootstrap(ctx, "admin@example.com", "a long and secret phrase")
	if err != nil {
		log.Fatal(err)
	}
	adminCtx := invite.NewContext(ctx, admin)
	acme, err := svc.RegisterCompany(adminCtx, invite.CompanyInput{
		Name: "Acme", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Plant Operator"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// acme.example with its subdomains, and bücher.example alone.
	err = svc.SetAllowedDomains(adminCtx, acme.ID, []invite.AllowedDomain{
		{Name: "acme.example", Subdomains: true},
		{Name: "Bücher.example"},
	})
	if err != nil {
		log.Fatal(err)
	}
	acme, _ = svc.Company(adminCtx, acme.ID)
	fmt.Println(acme.AllowedDomains)
	fmt.Println(acme.AllowsEmail("ada@plant.acme.example"), acme.AllowsEmail("ada@xn--bcher-kva.example"), acme.AllowsEmail("ada@elsewhere.example"))

	_, _, err = svc.Invite(adminCtx, invite.InvitationInput{
		CompanyID: acme.ID, Email: "ada@elsewhere.example", FirstName: "Ada", LastName: "Lovelace",
		BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants:         []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	})
	if e, ok := errors.AsType[*invite.Error](err); ok {
		f, _ := e.Field("email")
		fmt.Println(f.Reason, f.Args["Domains"])
	}
	// Output:
	// [*.acme.example bücher.example]
	// true true false
	// domain_not_allowed *.acme.example, bücher.example
}
