package invite_test

import (
	"context"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/invite/memstore"
)

// mailbox is a Mailer that keeps what it is given.
type mailbox struct{ got []*invite.Message }

func (b *mailbox) Deliver(_ context.Context, msgs []*invite.Message) []error {
	b.got = append(b.got, msgs...)
	return make([]error, len(msgs))
}

// Every link the Service makes, and every secret it redacts, follows
// Config.Paths: the domain knows no page of its own.
func TestPathsMakeEveryLink(t *testing.T) {
	ctx := context.Background()
	paths := invite.Paths{AcceptInvitation: "/i/", ResetPassword: "/pw/", RequestToJoin: "/ask/", Users: "/people", Invitations: "/sent"}
	const base = "https://invite.example.com"
	clock := invitetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc := invite.NewService(memstore.New(), invite.Config{BaseURL: base, Paths: paths, Now: clock.Now})
	mail := &mailbox{}
	deliver := func() []*invite.Message {
		t.Helper()
		mail.got = nil
		if _, err := svc.DeliverOutbox(ctx, mail); err != nil {
			t.Fatal(err)
		}
		return mail.got
	}
	want := func(m *invite.Message, link string) {
		t.Helper()
		if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, html.EscapeString(link)) {
			t.Errorf("%s to %s: no link %s in\n%s", m.Kind, m.To, link, m.Text)
		}
	}

	root, _, err := svc.Bootstrap(ctx, "root@example.com", "a long and secret phrase")
	if err != nil {
		t.Fatal(err)
	}
	asRoot := invite.NewContext(ctx, root)
	c, err := svc.RegisterCompany(asRoot, invite.CompanyInput{Name: "Acme", DefaultLanguage: "en", TimeZone: "UTC",
		Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
	if err != nil {
		t.Fatal(err)
	}
	in := invite.InvitationInput{CompanyID: c.ID, Email: "boss@example.com", FirstName: "Bo", LastName: "Ss",
		BusinessRoleID: c.BusinessRoles[0].ID, AdminLevel: invite.AdminCompany,
		Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleAdministrator}}}
	_, token, err := svc.Invite(asRoot, in)
	if err != nil {
		t.Fatal(err)
	}
	want(deliver()[0], base+"/i/"+token)
	if _, err := svc.Accept(ctx, invite.AcceptInput{Token: token, Password: "another long secret phrase", FirstName: "Bo", LastName: "Ss", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}

	// A request for a new invitation tells the administrators where the
	// expired invitations are.
	in.Email, in.AdminLevel, in.Grants[0].Role = "late@example.com", invite.AdminNone, invite.RoleViewer
	late, token, err := svc.Invite(asRoot, in)
	if err != nil {
		t.Fatal(err)
	}
	deliver()
	clock.Set(late.ExpiresAt)
	if err := svc.RequestNewInvitation(ctx, token); err != nil {
		t.Fatal(err)
	}
	want(deliver()[0], base+"/sent?status=expired&email=late%40example.com")

	// A join page, and the notice of a request to join it.
	page, err := svc.OpenJoinPage(asRoot, c.ID)
	if !strings.HasPrefix(page, base+"/ask/") || err != nil {
		t.Fatalf("OpenJoinPage: %q, %v; want it under %s/ask/", page, err, base)
	}
	if err := svc.RequestToJoin(ctx, strings.TrimPrefix(page, base+"/ask/"), invite.JoinRequestInput{Email: "asks@example.com", FirstName: "As", LastName: "Ks"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ProcessJoinRequests(ctx); err != nil {
		t.Fatal(err)
	}
	want(deliver()[0], base+"/people")

	// A reset link, which the sent mail never shows.
	if err := svc.RequestPasswordReset(ctx, "boss@example.com", "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.IssuePasswordResets(ctx); err != nil {
		t.Fatal(err)
	}
	sent := deliver()[0]
	want(sent, base+"/pw/")
	msgs, err := svc.Messages(asRoot, invite.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	shown := msgs.Messages[0]
	if shown.Kind != invite.KindPasswordReset || !strings.Contains(shown.Text, "/pw/"+invite.RedactedToken) || shown.Text == sent.Text {
		t.Errorf("the reset link shown in the sent mail is not redacted:\n%s", shown.Text)
	}
}

// Found from outside: a message written under other Paths (an earlier
// configuration, or another program on the same database) showed its
// secret links, which redaction by today's paths did not find.
func TestSecretsRedactedUnderOtherPaths(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	before := invite.NewService(st, invite.Config{})
	root, _, err := before.Bootstrap(ctx, "root@example.com", "a long and secret phrase")
	if err != nil {
		t.Fatal(err)
	}
	asRoot := invite.NewContext(ctx, root)
	c, err := before.RegisterCompany(asRoot, invite.CompanyInput{Name: "Acme", DefaultLanguage: "en", TimeZone: "UTC",
		Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := before.Invite(asRoot, invite.InvitationInput{CompanyID: c.ID, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
		BusinessRoleID: c.BusinessRoles[0].ID, Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleViewer}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := before.RequestPasswordReset(ctx, "root@example.com", "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := before.IssuePasswordResets(ctx); err != nil {
		t.Fatal(err)
	}

	after := invite.NewService(st, invite.Config{Paths: invite.Paths{AcceptInvitation: "/i/", ResetPassword: "/pw/", RequestToJoin: "/ask/", Users: "/people", Invitations: "/sent"}})
	page, err := after.Messages(asRoot, invite.MessageFilter{})
	if err != nil || len(page.Messages) != 2 {
		t.Fatalf("Messages: %v, %v", page, err)
	}
	for _, m := range page.Messages {
		view, err := after.Message(asRoot, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{m.Subject, m.Text, m.HTML, view.Message.Subject, view.Message.Text, view.Message.HTML, view.Link} {
			if strings.Contains(text, token) || strings.Contains(text, "/reset/") && !strings.Contains(text, "/reset/"+invite.RedactedToken) {
				t.Errorf("%s shows a secret link under other Paths:\n%s", m.Kind, text)
			}
		}
	}
}
