package invite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
)

// newService opens a migrated SQLite database in memory with a Global
// Administrator and one German company, and returns the service, a
// context acting as the administrator, and the company.
func newService(ctx context.Context, cfg invite.Config) (*invite.Service, context.Context, *invite.Company) {
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	svc := invite.NewService(db, cfg)
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
	return svc, adminCtx, acme
}

// outbox is a Mailer that keeps what it is given instead of sending it, as
// a program that hands mail to its own queue does.
type outbox struct{ sent []*invite.Message }

func (o *outbox) Deliver(_ context.Context, msgs []*invite.Message) []error {
	o.sent = append(o.sent, msgs...) // the messages are the mailer's own
	return make([]error, len(msgs))  // nil: accepted
}

// A company's own German template, and a Mailer of one's own: Invite
// writes the message to the outbox in the transaction that makes the
// invitation, and DeliverOutbox hands it to the Mailer.
func Example_mailer() {
	ctx := context.Background()
	svc, adminCtx, acme := newService(ctx, invite.Config{BaseURL: "https://invite.example.com"})
	err := svc.SetMailTemplate(adminCtx, acme.ID, "de", invite.Template{
		Subject: "Willkommen bei {CompanyName}, {FirstName}",
		Body:    "Hallo {UserName},\n\n{InviterName} lädt Sie ein: {InvitationLink}\nGültig bis {ExpirationDate}.",
	})
	if err != nil {
		log.Fatal(err)
	}
	_, token, err := svc.Invite(adminCtx, invite.InvitationInput{
		Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", CompanyID: acme.ID,
		BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants:         []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	})
	if err != nil {
		log.Fatal(err)
	}
	var mail outbox
	if _, err := svc.DeliverOutbox(ctx, &mail); err != nil {
		log.Fatal(err)
	}
	m := mail.sent[0]
	fmt.Println(m.To, m.Language)
	fmt.Println(m.Subject)
	fmt.Println(strings.Contains(m.Text, "https://invite.example.com"+invite.DefaultPaths().AcceptInvitation+token))
	// Output:
	// ada@example.com de
	// Willkommen bei Acme Plant, Ada
	// true
}

// Everything the service refuses is an *invite.Error: a Code to branch on,
// a stable Reason, and for bad input one FieldError per field, with
// nothing written.
func ExampleError() {
	ctx := context.Background()
	svc, adminCtx, acme := newService(ctx, invite.Config{})
	_, _, err := svc.Invite(adminCtx, invite.InvitationInput{
		CompanyID: acme.ID, Email: "not an address", FirstName: "Ada", BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: "owner"}},
	})
	fmt.Println(invite.ErrorCode(err))
	if e, ok := errors.AsType[*invite.Error](err); ok {
		for _, f := range e.Fields {
			fmt.Printf("%s: %s\n", f.Field, f.Reason)
		}
	}

	_, err = svc.Invitation(adminCtx, 404)
	fmt.Println(invite.ErrorCode(err), errors.Is(err, invite.ErrInvitationNotFound))
	// Output:
	// invalid
	// email: invalid_email
	// last_name: required
	// grants[0].role: invalid_role
	// not_found true
}

// A template is previewed without a store or an acting user: the e-mail
// that Invite would send for these details.
func ExampleRenderInvitation() {
	acme := &invite.Company{Name: "Acme Plant", Subscriptions: []invite.Subscription{{ID: 1, Name: "App Designer"}}}
	inv := &invite.Invitation{
		Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Language: "en", TimeZone: "Europe/London",
		ExpiresAt: time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC),
		Grants:    []invite.Grant{{SubscriptionID: 1, Role: invite.RoleContributor}},
	}
	m, err := invite.RenderInvitation(invite.Template{
		Subject: "Welcome to {CompanyName}, {FirstName}",
		Body:    "{InviterName} gives you {Subscriptions} until {ExpirationDate}: {InvitationLink}",
	}, inv, acme, "Grace Hopper", "https://invite.example.com/join/TOKEN")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Subject)
	fmt.Println(strings.SplitN(m.Text, "\n", 2)[0])
	// Output:
	// Welcome to Acme Plant, Ada
	// Grace Hopper gives you App Designer (Contributor) until March 8, 2026 at 9:30 AM GMT: https://invite.example.com/join/TOKEN
}
