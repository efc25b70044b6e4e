package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/invitehq/invite/examples/apiclient"
	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
)

// A system invites two people over the API, retries one request (as after
// a timeout) without inviting twice, is told what is wrong with a bad
// one, and lists what is pending. The server is the real one, on SQLite
// in memory, with a Company Administrator's token.
func Example() {
	ctx := context.Background()
	srv, token, company := server(ctx)
	defer srv.Close()

	c := &apiclient.Client{BaseURL: srv.URL, Token: token}
	in := apiclient.NewInvitation{
		Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", BusinessRoleID: company.BusinessRoles[0].ID,
		Grants: []apiclient.Grant{{SubscriptionID: company.Subscriptions[0].ID, Role: "viewer"}},
	}
	ada, err := c.Invite(ctx, "hr-4711", in)
	if err != nil {
		panic(err)
	}
	again, err := c.Invite(ctx, "hr-4711", in) // a retry: the same invitation
	if err != nil {
		panic(err)
	}
	fmt.Println("invited", ada.Email, ada.Status, "retry gives", again.ID == ada.ID)

	in.Email, in.FirstName = "grace@example.com", "Grace"
	if _, err := c.Invite(ctx, "hr-4712", in); err != nil {
		panic(err)
	}
	in.Email = "not an address"
	_, err = c.Invite(ctx, "hr-4713", in)
	if p, ok := errors.AsType[*apiclient.Problem](err); ok {
		fmt.Println("refused:", p.Status, p.Reason, p.Errors[0].Field, p.Errors[0].Reason)
	}

	pending, err := c.Invitations(ctx, "pending")
	if err != nil {
		panic(err)
	}
	for _, inv := range pending {
		fmt.Println("pending", inv.Email)
	}
	// Output:
	// invited ada@example.com pending retry gives true
	// refused: 422 invalid_input email invalid_email
	// pending grace@example.com
	// pending ada@example.com
}

// server starts the real server on SQLite in memory with a company and a
// Company Administrator of it, and returns it with their API token and
// the company.
func server(ctx context.Context) (*httptest.Server, string, *invite.Company) {
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		panic(err)
	}
	if err := db.Migrate(ctx); err != nil {
		panic(err)
	}
	svc := invite.NewService(db, invite.Config{})
	root, _, err := svc.Bootstrap(ctx, "root@example.com", "a long admin password!")
	if err != nil {
		panic(err)
	}
	asRoot := invite.NewContext(ctx, root)
	c, err := svc.RegisterCompany(asRoot, invite.CompanyInput{Name: "Acme", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
	if err != nil {
		panic(err)
	}
	_, link, err := svc.Invite(asRoot, invite.InvitationInput{
		CompanyID: c.ID, Email: "boss@acme.example", FirstName: "Bo", LastName: "Ss", BusinessRoleID: c.BusinessRoles[0].ID,
		AdminLevel: invite.AdminCompany, Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleAdministrator}},
	})
	if err != nil {
		panic(err)
	}
	boss, err := svc.Accept(ctx, invite.AcceptInput{Token: link, Password: "a long admin password!", FirstName: "Bo", LastName: "Ss", AcceptTerms: true})
	if err != nil {
		panic(err)
	}
	token, _, err := svc.CreateAPIToken(invite.NewContext(ctx, boss), "HR system")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(httpui.New(httpui.Config{Service: svc, Health: db.Ping, Logger: slog.New(slog.DiscardHandler)}))
	return srv, token, c
}
