package invite_test

import (
	"context"
	"fmt"
	"log"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
)

// A company's administrators define a preset once; an invitation that
// names it (a bulk row, a form) gets what it leaves empty from the preset,
// and what it says itself wins.
func ExamplePreset_Fill() {
	ctx := context.Background()
	svc := invite.NewService(memstore.New(), invite.Config{})
	admin, _, err := svc.Bootstrap(ctx, "admin@example.com", "a long and secret phrase")
	if err != nil {
		log.Fatal(err)
	}
	adminCtx := invite.NewContext(ctx, admin)
	acme, err := svc.RegisterCompany(adminCtx, invite.CompanyInput{
		Name: "Acme Plant", DefaultLanguage: "de", TimeZone: "Europe/Berlin",
		Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Plant Operator"},
	})
	if err != nil {
		log.Fatal(err)
	}
	err = svc.CreatePreset(adminCtx, &invite.Preset{
		CompanyID: acme.ID, Name: "Plant Operator", BusinessRoleID: acme.BusinessRoles[0].ID,
		Department: "Production", Language: "fr",
		Grants: []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	})
	if err != nil {
		log.Fatal(err)
	}

	p, err := svc.PresetByName(adminCtx, acme.ID, "plant operator")
	if err != nil {
		log.Fatal(err)
	}
	in := invite.InvitationInput{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Department: "Quality"}
	p.Fill(&in)
	inv, _, err := svc.Invite(adminCtx, in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Department, inv.Language, inv.TimeZone, len(inv.Grants), inv.Grants[0].Role)
	// Output: Quality fr Europe/Berlin 1 viewer
}
