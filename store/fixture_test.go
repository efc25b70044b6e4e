package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
)

// start is where every fixture's clock begins.
var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture is a service over one database with two companies, A and B, a
// Global Administrator and a Company Administrator of each company.
type fixture struct {
	db     *store.DB
	svc    *invite.Service
	clock  *invitetest.Clock
	global context.Context // acting as the Global Administrator
	adminA context.Context // acting as a Company Administrator of A
	adminB context.Context // acting as a Company Administrator of B
	a, b   *invite.Company
	n      int // makes e-mail addresses unique
}

const password = "correct horse battery staple"

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, clock: invitetest.NewClock(start)}
	// The tests make hundreds of invitations as one administrator, and
	// send again at once, within a minute of their clock; the bounds on
	// that have tests of their own (limits_test.go).
	none := invite.Rate{Count: -1}
	f.svc = invite.NewService(db, invite.Config{Now: f.clock.Now, Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}})
	ctx := context.Background()
	root, created, err := f.svc.Bootstrap(ctx, "root@example.com", password)
	if err != nil || !created {
		t.Fatalf("Bootstrap: created %v, err %v", created, err)
	}
	f.global = invite.NewContext(ctx, root)
	f.a = f.company(t, "Acme")
	f.b = f.company(t, "Bolt")
	f.adminA = invite.NewContext(ctx, f.member(t, f.a, invite.AdminCompany))
	f.adminB = invite.NewContext(ctx, f.member(t, f.b, invite.AdminCompany))
	return f
}

// company registers a company with two subscriptions and two business roles.
func (f *fixture) company(t testing.TB, name string) *invite.Company {
	t.Helper()
	c, err := f.svc.RegisterCompany(f.global, invite.CompanyInput{
		Name:            name,
		DefaultLanguage: "de",
		TimeZone:        "Europe/Berlin",
		Subscriptions:   []string{"App Designer", "Data Stream Designer"},
		BusinessRoles:   []string{"Plant Operator", "Maintenance Engineer"},
	})
	if err != nil {
		t.Fatalf("RegisterCompany(%s): %v", name, err)
	}
	return c
}

// input returns a valid invitation of a fresh e-mail address into c.
func (f *fixture) input(c *invite.Company) invite.InvitationInput {
	f.n++
	return invite.InvitationInput{
		CompanyID:      c.ID,
		Email:          fmt.Sprintf("Person%d@Example.com", f.n),
		FirstName:      "Grace",
		LastName:       "Hopper",
		BusinessRoleID: c.BusinessRoles[0].ID,
		Department:     "Quality",
		Phone:          "+1 202 555 0143",
		Grants: []invite.Grant{
			{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleContributor},
			{SubscriptionID: c.Subscriptions[1].ID, Role: invite.RoleViewer},
		},
	}
}

func acceptInput(token string) invite.AcceptInput {
	return invite.AcceptInput{Token: token, Password: password, FirstName: "Grace", LastName: "Hopper", AcceptTerms: true}
}

// member invites a user into c with the given admin level and accepts.
func (f *fixture) member(t testing.TB, c *invite.Company, level invite.AdminLevel) *invite.User {
	t.Helper()
	in := f.input(c)
	in.AdminLevel = level
	if level == invite.AdminCompany {
		// Administrators hold every subscription's top role, so that they
		// may grant any role (nobody grants above their own).
		for i := range in.Grants {
			in.Grants[i].Role = invite.RoleAdministrator
		}
	}
	_, token, err := f.svc.Invite(f.global, in)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	u, err := f.svc.Accept(context.Background(), acceptInput(token))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	return u
}

// count returns how many rows of table match where.
func (f *fixture) count(t testing.TB, table, where string, args ...any) int {
	t.Helper()
	n, err := f.db.Bun().NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}
