// Command lifecycle runs the invitation lifecycle as a Go program that
// imports invite does, on a store of its choice: the in-memory reference
// store (-store memory, the default) or SQLite (-store sqlite:PATH).
//
// It is a module of its own, built against this repository by a replace
// directive, so that it sees the library only as any other program does.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
	"github.com/invitehq/invite/store"
)

func main() {
	storeURL := flag.String("store", "memory", `"memory", or a database URL such as sqlite:lifecycle.db`)
	flag.Parse()
	ctx := context.Background()
	st, done, err := open(ctx, *storeURL)
	if err != nil {
		log.Fatal(err)
	}
	defer done()
	if err := run(ctx, st, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// open returns the store that url names, migrated, and what closes it.
func open(ctx context.Context, url string) (invite.Store, func(), error) {
	if url == "memory" {
		return memstore.New(), func() {}, nil
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// mailbox is a Mailer that keeps the messages, as a program that hands
// mail to its own queue would.
type mailbox struct{ msgs []*invite.Message }

func (m *mailbox) Deliver(_ context.Context, msgs []*invite.Message) []error {
	m.msgs = append(m.msgs, msgs...)
	return make([]error, len(msgs))
}

// run invites a person into a new company, delivers the invitation, accepts
// it with the link's token, logs in, resends and cancels a second one, and
// writes what happened to w.
func run(ctx context.Context, st invite.Store, w io.Writer) error {
	// A clock of the program's own, so that the run can wait out the bound
	// of one invitation mail a minute to an address without sleeping.
	now := time.Now()
	svc := invite.NewService(st, invite.Config{BaseURL: "https://invite.example.com", Now: func() time.Time { return now }})
	admin, _, err := svc.Bootstrap(ctx, "admin@example.com", "a long and secret phrase")
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	// The first administrator has no name until they give one; the mail
	// they send is signed with the company's name meanwhile.
	admin, err = svc.UpdateProfile(invite.NewContext(ctx, admin), invite.ProfileInput{
		FirstName: "Margaret", LastName: "Hamilton", Language: "en", TimeZone: "UTC",
	})
	if err != nil {
		return fmt.Errorf("name the administrator: %w", err)
	}
	asAdmin := invite.NewContext(ctx, admin)
	acme, err := svc.RegisterCompany(asAdmin, invite.CompanyInput{
		Name: "Acme Plant", DefaultLanguage: "de", TimeZone: "Europe/Berlin",
		Subscriptions: []string{"App Designer", "Data Stream Designer"}, BusinessRoles: []string{"Plant Operator"},
	})
	if err != nil {
		return fmt.Errorf("register a company: %w", err)
	}
	in := invite.InvitationInput{
		CompanyID: acme.ID, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
		BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants:         []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleContributor}},
	}
	inv, _, err := svc.Invite(asAdmin, in)
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	fmt.Fprintln(w, "invited", inv.Email, inv.Status)

	var mail mailbox
	if _, err := svc.DeliverOutbox(ctx, &mail); err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	m := mail.msgs[len(mail.msgs)-1]
	fmt.Fprintln(w, "mailed", m.To, m.Subject)
	token, ok := tokenIn(m.Text)
	if !ok {
		return fmt.Errorf("no link in %q", m.Text)
	}

	user, err := svc.Accept(ctx, invite.AcceptInput{Token: token, Password: "correct horse battery staple", FirstName: "Ada", LastName: "Lovelace", AcceptTerms: true})
	if err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	fmt.Fprintln(w, "accepted by", user.Name(), len(user.Grants), "subscription")
	if _, _, err := svc.Login(ctx, "ada@example.com", "correct horse battery staple"); err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	fmt.Fprintln(w, "logged in")

	in.Email, in.FirstName = "grace@example.com", "Grace"
	second, _, err := svc.Invite(asAdmin, in)
	if err != nil {
		return fmt.Errorf("invite again: %w", err)
	}
	now = now.Add(time.Minute) // one mail a minute to an address
	change := second.Input()
	change.LastName = "Hopper"
	if second, _, err = svc.Resend(asAdmin, second.ID, &change); err != nil {
		return fmt.Errorf("resend: %w", err)
	}
	fmt.Fprintln(w, "resent to", second.FirstName, second.LastName)
	if second, err = svc.Cancel(asAdmin, second.ID); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	fmt.Fprintln(w, "canceled", second.Email, second.Status)
	return nil
}

// tokenIn returns the token of the invitation link in a message's text.
func tokenIn(text string) (string, bool) {
	_, rest, ok := strings.Cut(text, invite.DefaultPaths().AcceptInvitation)
	if !ok || len(rest) < 43 {
		return "", false
	}
	return rest[:43], true
}
