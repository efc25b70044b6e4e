package invite_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
)

// An invitation's history tells who did what to it, in order; a program
// that exports it reads it with EachEvent, a thousand events at a time.
func ExampleService_Events() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := invite.NewService(memstore.New(), invite.Config{
		Now:    func() time.Time { return now },
		Limits: invite.Limits{Mails: invite.Rate{Count: -1}}, // resent at once here
	})
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
	inv, _, err := svc.Invite(adminCtx, in)
	if err != nil {
		log.Fatal(err)
	}
	in.Department = "Assembly"
	if _, _, err := svc.Resend(adminCtx, inv.ID, &in); err != nil {
		log.Fatal(err)
	}
	if _, err := svc.CancelBecause(adminCtx, inv.ID, "Hired elsewhere"); err != nil {
		log.Fatal(err)
	}
	page, err := svc.Events(adminCtx, invite.EventFilter{InvitationID: inv.ID})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range page.Events {
		fmt.Println(e.Kind, e.ActorEmail, string(e.Detail))
	}
	// Output:
	// invitation.created admin@example.com {"expires_at":"2026-03-09T09:00:00Z","times_sent":1}
	// mail.queued admin@example.com {"kind":"invitation","message":1}
	// invitation.resent admin@example.com {"changed":{"department":{"from":"","to":"Assembly"}},"expires_at":"2026-03-09T09:00:00Z","times_sent":2,"was":"pending"}
	// mail.queued admin@example.com {"kind":"invitation","message":2}
	// invitation.canceled admin@example.com {"reason":"Hired elsewhere"}
}
