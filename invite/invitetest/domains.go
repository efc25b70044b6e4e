package invitetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// domains returns the allowed domains of company id as the store has them.
func (f *fixture) domains(t testing.TB, id int64) []invite.AllowedDomain {
	t.Helper()
	c, err := f.Store.Company(context.Background(), id)
	if err != nil {
		t.Fatalf("Company: %v", err)
	}
	return c.AllowedDomains
}

// setDomains sets company c's allowed domains as the Global Administrator,
// each written as a person writes it ("*.example.com").
func (f *fixture) setDomains(t testing.TB, c *invite.Company, entries ...string) {
	t.Helper()
	list := make([]invite.AllowedDomain, len(entries))
	for i, e := range entries {
		list[i] = invite.AllowedDomain{Name: e}
	}
	if err := f.Service.SetAllowedDomains(f.Global, c.ID, list); err != nil {
		t.Fatalf("SetAllowedDomains(%q): %v", entries, err)
	}
}

// A Global Administrator sets a company's allowed domains, in any
// spelling: the store keeps one ASCII spelling of each, once, ordered by
// name, and gives them back with the company. Nobody else may set them;
// a wrong entry is a field error with its index, and nothing is saved.
func testAllowedDomains(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	if d := f.domains(t, f.A.ID); len(d) != 0 {
		t.Fatalf("a new company has allowed domains %v", d)
	}
	ok := []invite.AllowedDomain{{Name: "example.com"}}
	wantErr(t, f.Service.SetAllowedDomains(f.AdminA, f.A.ID, ok), invite.ErrForbidden)
	member := invite.NewContext(ctx, f.Member(t, f.A, invite.AdminNone))
	wantErr(t, f.Service.SetAllowedDomains(member, f.A.ID, ok), invite.ErrForbidden)
	wantErr(t, f.Service.SetAllowedDomains(ctx, f.A.ID, ok), invite.ErrUnauthorized)
	wantErr(t, f.Service.SetAllowedDomains(f.Global, 1<<40, ok), invite.ErrCompanyNotFound)

	bad := []struct {
		name  string
		entry invite.AllowedDomain
	}{
		{"Empty", invite.AllowedDomain{Name: "  "}},
		{"OneLabel", invite.AllowedDomain{Name: "localhost"}},
		{"WildcardOfTLD", invite.AllowedDomain{Name: "*.com"}},
		{"Address", invite.AllowedDomain{Name: "ada@example.com"}},
		{"Space", invite.AllowedDomain{Name: "exa mple.com"}},
		{"Underscore", invite.AllowedDomain{Name: "ex_ample.com"}},
		{"WildcardInside", invite.AllowedDomain{Name: "a.*.example.com"}},
		{"EmptyLabel", invite.AllowedDomain{Name: "example..com"}},
		{"LongLabel", invite.AllowedDomain{Name: strings.Repeat("a", 64) + ".com"}},
		{"IP", invite.AllowedDomain{Name: "[127.0.0.1]"}},
		{"Invisible", invite.AllowedDomain{Name: "exam\u200bple.com"}},
		{"InvalidUTF8", invite.AllowedDomain{Name: "ex\xffample.com"}},
		{"BadPunycode", invite.AllowedDomain{Name: "xn--zz.example"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := f.Service.SetAllowedDomains(f.Global, f.A.ID, []invite.AllowedDomain{{Name: "fine.example"}, tc.entry})
			wantField(t, err, "allowed_domains", invite.ReasonInvalidDomain)
			fe, _ := errors.AsType[*invite.Error](err)
			if got, _ := fe.Field("allowed_domains"); got.Args["Index"] != 1 {
				t.Errorf("got Args %v, want Index 1", got.Args)
			}
			if d := f.domains(t, f.A.ID); len(d) != 0 {
				t.Errorf("saved %v from an invalid list", d)
			}
		})
	}
	many := make([]invite.AllowedDomain, invite.MaxAllowedDomains+1)
	for i := range many {
		many[i].Name = fmt.Sprintf("d%d.example", i)
	}
	wantField(t, f.Service.SetAllowedDomains(f.Global, f.A.ID, many), "allowed_domains", invite.ReasonTooMany)
	if err := f.Service.SetAllowedDomains(f.Global, f.A.ID, many[:invite.MaxAllowedDomains]); err != nil {
		t.Fatalf("the most domains: %v", err)
	}
	if d := f.domains(t, f.A.ID); len(d) != invite.MaxAllowedDomains {
		t.Fatalf("kept %d of %d domains", len(d), invite.MaxAllowedDomains)
	}

	// Every spelling of one domain is one; with its subdomains if any
	// spelling asks for them; the list replaces the one before.
	f.setDomains(t, f.A, " Example.COM ", "*.example.com", "bücher.example", "XN--BCHER-KVA.example", "@Corp.Example", "corp.example")
	want := []invite.AllowedDomain{{Name: "corp.example"}, {Name: "example.com", Subdomains: true}, {Name: "xn--bcher-kva.example"}}
	if got := f.domains(t, f.A.ID); !reflect.DeepEqual(got, want) {
		t.Fatalf("kept %+v, want %+v", got, want)
	}
	// With the Subdomains field as well as with "*.".
	if err := f.Service.SetAllowedDomains(f.Global, f.B.ID, []invite.AllowedDomain{{Name: "bolt.example", Subdomains: true}}); err != nil {
		t.Fatal(err)
	}
	c, err := f.Service.Company(f.AdminA, f.A.ID)
	if err != nil || !reflect.DeepEqual(c.AllowedDomains, want) {
		t.Fatalf("Company: %+v, %v", c, err)
	}
	cs, err := f.Service.Companies(f.Global)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		switch c.ID {
		case f.A.ID:
			if !reflect.DeepEqual(c.AllowedDomains, want) {
				t.Errorf("Companies: A has %+v", c.AllowedDomains)
			}
		case f.B.ID:
			if !reflect.DeepEqual(c.AllowedDomains, []invite.AllowedDomain{{Name: "bolt.example", Subdomains: true}}) {
				t.Errorf("Companies: B has %+v", c.AllowedDomains)
			}
		}
	}
	if got := c.AllowedDomainsText(); got != "corp.example, *.example.com, bücher.example" {
		t.Errorf("AllowedDomainsText: %q", got)
	}
	// An empty list allows any domain again.
	if err := f.Service.SetAllowedDomains(f.Global, f.A.ID, nil); err != nil {
		t.Fatal(err)
	}
	if d := f.domains(t, f.A.ID); len(d) != 0 {
		t.Fatalf("an empty list kept %v", d)
	}
	if d := f.domains(t, f.B.ID); len(d) != 1 {
		t.Fatalf("clearing A's list changed B's: %v", d)
	}
}

// Invitations go only to the company's allowed domains: Invite, Resend
// (of a changed address, and of an unchanged one made before the rule)
// and approving a request to join are refused at "email", and write
// nothing; what was sent before the rule, and the users there are, stay.
func testInvitationsFollowDomains(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	// Before the rule: an invitation, a user and a request to join, each
	// at a domain the rule will not allow.
	before := f.Input(f.A)
	before.Email = "old@elsewhere.example"
	old, oldToken, err := f.Service.Invite(f.AdminA, before)
	if err != nil {
		t.Fatal(err)
	}
	expiring := f.Input(f.A)
	expiring.Email = "later@elsewhere.example"
	exp, _, err := f.Service.Invite(f.AdminA, expiring)
	if err != nil {
		t.Fatal(err)
	}
	user := f.Member(t, f.A, invite.AdminNone) // at example.com
	key := f.openJoinPage(t, f.A)
	if err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: "asks@elsewhere.example", FirstName: "Ann", LastName: "Asks"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.ProcessJoinRequests(ctx); err != nil {
		t.Fatal(err)
	}

	f.setDomains(t, f.A, "*.acme.example", "bücher.example")
	invs, msgs := f.invitations(t, nil), f.messages(t, nil)
	cases := []struct {
		email string
		ok    bool
	}{
		{"ada@acme.example", true},
		{"bea@ACME.example", true},
		{"ada@plant.berlin.acme.example", true}, // a subdomain
		{"ada@bücher.example", true},
		{"bea@XN--BCHER-KVA.example", true}, // the same domain, in ASCII
		{"ada@sub.bücher.example", false},   // its subdomains are not allowed
		{"ada@example.com", false},
		{"ada@acme.example.com", false}, // ends like it, is not under it
		{"ada@notacme.example", false},
		{"acme.example@elsewhere.example", false},
	}
	for _, tc := range cases {
		t.Run(tc.email, func(t *testing.T) {
			in := f.Input(f.A)
			in.Email = tc.email
			_, _, err := f.Service.Invite(f.AdminA, in)
			if tc.ok {
				if err != nil {
					t.Fatalf("Invite: %v", err)
				}
				invs, msgs = invs+1, msgs+1
				return
			}
			wantField(t, err, "email", invite.ReasonDomainNotAllowed)
			fe, _ := errors.AsType[*invite.Error](err)
			if got, _ := fe.Field("email"); got.Args["Domains"] != "*.acme.example, bücher.example" {
				t.Errorf("got Args %v, want the allowed domains named", got.Args)
			}
			if n, m := f.invitations(t, nil), f.messages(t, nil); n != invs || m != msgs {
				t.Errorf("a refused invitation wrote %d invitations and %d messages", n-invs, m-msgs)
			}
		})
	}
	// The rule is the company's own: B allows any domain.
	in := f.Input(f.B)
	in.Email = "ada@elsewhere.example"
	if _, _, err := f.Service.Invite(f.AdminB, in); err != nil {
		t.Fatalf("company B follows A's rule: %v", err)
	}
	// Other wrong fields are told with it, at once.
	in = f.Input(f.A)
	in.Email, in.FirstName = "ada@elsewhere.example", ""
	err = func() error { _, _, err := f.Service.Invite(f.Global, in); return err }()
	wantField(t, err, "email", invite.ReasonDomainNotAllowed)
	wantField(t, err, "first_name", invite.ReasonRequired)

	// Resending, unchanged or to another address outside the rule, is
	// refused; to an allowed address it goes.
	_, _, err = f.Service.Resend(f.AdminA, old.ID, nil)
	wantField(t, err, "email", invite.ReasonDomainNotAllowed)
	same := old.Input()
	_, _, err = f.Service.Resend(f.AdminA, old.ID, &same)
	wantField(t, err, "email", invite.ReasonDomainNotAllowed)
	f.Clock.Add(8 * 24 * time.Hour) // exp expires; so does old, below
	_, _, err = f.Service.Resend(f.AdminA, exp.ID, nil)
	wantField(t, err, "email", invite.ReasonDomainNotAllowed)
	moved := exp.Input()
	moved.Email = "later@acme.example"
	resent, _, err := f.Service.Resend(f.AdminA, exp.ID, &moved)
	if err != nil || resent.Email != "later@acme.example" {
		t.Fatalf("Resend to an allowed address: %v, %v", resent, err)
	}

	// What was there before the rule stays: the user, and the pending
	// invitation made before it, which is still accepted (its clock put
	// back: it has expired meanwhile in this test's time).
	if u, err := f.Service.User(f.AdminA, user.ID); err != nil || u.Disabled() {
		t.Errorf("the user at a domain not allowed: %v, %v", u, err)
	}
	f.Clock.Add(-8 * 24 * time.Hour)
	if _, err := f.Service.Accept(ctx, acceptInput(oldToken)); err != nil {
		t.Errorf("an invitation sent before the rule: %v", err)
	}

	// The request to join made before the rule is still listed, and
	// approving it is refused clearly; it stays pending, to be declined.
	reqs, err := f.Service.JoinRequests(f.AdminA, 0)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("JoinRequests: %v, %v", reqs, err)
	}
	invs = f.invitations(t, nil)
	_, err = f.Service.ApproveJoinRequest(f.AdminA, reqs[0].ID, f.A.BusinessRoles[0].ID, []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}})
	wantField(t, err, "email", invite.ReasonDomainNotAllowed)
	if n := f.invitations(t, nil); n != invs {
		t.Errorf("a refused approval made %d invitations", n-invs)
	}
	if n := f.pendingJoinRequests(t, nil); n != 1 {
		t.Errorf("a refused approval left %d pending requests, want 1", n)
	}
	if err := f.Service.DeclineJoinRequest(f.AdminA, reqs[0].ID); err != nil {
		t.Errorf("declining it: %v", err)
	}
}

// The join page follows the company's allowed domains: it names them, and
// a request from another domain is refused at "email" and kept nowhere.
func testJoinRequestsFollowDomains(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	key := f.openJoinPage(t, f.A)
	f.setDomains(t, f.A, "*.Acme.example")
	page, err := f.Service.JoinPage(ctx, key)
	if err != nil || !reflect.DeepEqual(page.AllowedDomains, []invite.AllowedDomain{{Name: "acme.example", Subdomains: true}}) {
		t.Fatalf("JoinPage: %+v, %v", page, err)
	}
	for _, email := range []string{"ann@elsewhere.example", "ann@acme.example.org"} {
		err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: email, FirstName: "Ann", LastName: "Asks"})
		wantField(t, err, "email", invite.ReasonDomainNotAllowed)
	}
	for _, email := range []string{"ann@acme.example", "bob@plant.acme.example"} {
		if err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: email, FirstName: "Ann", LastName: "Asks"}); err != nil {
			t.Fatalf("RequestToJoin(%s): %v", email, err)
		}
	}
	if n, err := f.Service.ProcessJoinRequests(ctx); err != nil || n != 2 {
		t.Fatalf("ProcessJoinRequests: %d, %v; want the 2 allowed", n, err)
	}
}

// Global Administrators who set one company's list at once leave one of
// their lists, whole: never a mix, never an error.
func testConcurrentAllowedDomains(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	const n = 16
	lists := make([][]invite.AllowedDomain, n)
	for i := range lists {
		for j := range 1 + i%4 {
			lists[i] = append(lists[i], invite.AllowedDomain{Name: fmt.Sprintf("d%d-%d.example", i, j), Subdomains: j%2 == 0})
		}
	}
	errs := Parallel(n, func(i int) error { return f.Service.SetAllowedDomains(f.Global, f.A.ID, lists[i]) })
	if tally := Tally(errs); tally[""] != n {
		t.Fatalf("got %v, want %d successes", tally, n)
	}
	got := f.domains(t, f.A.ID)
	if !slices.ContainsFunc(lists, func(l []invite.AllowedDomain) bool { return reflect.DeepEqual(l, got) }) {
		t.Fatalf("kept %+v, which no one set", got)
	}
}
