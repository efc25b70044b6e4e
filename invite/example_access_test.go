package invite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
)

// A contractor is invited for March: before it they register but cannot
// log in (the error says when they may, in their time zone); from April
// they cannot, and the scheduled job disables them. Extending the window
// lets them back in.
func ExampleService_DisableEndedAccess() {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 2, 20, 9, 0, 0, 0, berlin)
	svc := invite.NewService(db, invite.Config{Now: func() time.Time { return now }})
	admin, _, err := svc.Bootstrap(ctx, "admin@example.com", "a long and secret phrase")
	if err != nil {
		log.Fatal(err)
	}
	adminCtx := invite.NewContext(ctx, admin)
	acme, err := svc.RegisterCompany(adminCtx, invite.CompanyInput{Name: "Acme Plant", TimeZone: "Europe/Berlin",
		Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Contractor"}})
	if err != nil {
		log.Fatal(err)
	}
	_, token, err := svc.Invite(adminCtx, invite.InvitationInput{
		CompanyID: acme.ID, Email: "con@example.com", FirstName: "Con", LastName: "Tractor",
		BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants:         []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
		// March in the invitee's time zone: from the start of the 1st to
		// the start of April 1st.
		AccessFrom:  time.Date(2026, 3, 1, 0, 0, 0, 0, berlin),
		AccessUntil: time.Date(2026, 4, 1, 0, 0, 0, 0, berlin),
	})
	if err != nil {
		log.Fatal(err)
	}
	const password = "correct horse battery staple"
	u, err := svc.Accept(ctx, invite.AcceptInput{Token: token, Password: password, FirstName: "Con", LastName: "Tractor", AcceptTerms: true})
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = svc.Login(ctx, u.Email, password)
	var e *invite.Error
	if errors.As(err, &e) && errors.Is(err, invite.ErrAccessNotStarted) {
		fmt.Println("not yet; from", e.At.Format("2006-01-02 15:04 MST"))
	}

	now = time.Date(2026, 3, 15, 9, 0, 0, 0, berlin)
	_, session, err := svc.Login(ctx, u.Email, password)
	fmt.Println("in March:", err)

	now = time.Date(2026, 4, 1, 0, 0, 0, 0, berlin)
	_, err = svc.SessionUser(ctx, session)
	fmt.Println("the session in April:", invite.ErrorCode(err))
	n, err := svc.DisableEndedAccess(ctx)
	fmt.Println("disabled:", n, err)

	u, err = svc.ChangeUser(adminCtx, u.ID, invite.UserChange{Access: &invite.AccessWindow{Until: time.Date(2026, 5, 1, 0, 0, 0, 0, berlin)}})
	fmt.Println("extended; disabled:", u.Disabled(), err)
	// Output:
	// not yet; from 2026-03-01 00:00 CET
	// in March: <nil>
	// the session in April: unauthorized
	// disabled: 1 <nil>
	// extended; disabled: false <nil>
}
