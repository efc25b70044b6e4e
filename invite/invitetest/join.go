package invitetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

func testJoinRequests(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	// A new company takes no requests until its page is opened.
	if f.A.JoinRequests {
		t.Fatalf("a new company's join page is open")
	}
	key := f.openJoinPage(t, f.A)
	if other := f.openJoinPage(t, f.B); len(key) != 43 || key == other {
		t.Fatalf("join keys %q and %q", key, other)
	}
	_, err := f.Service.OpenJoinPage(f.AdminB, f.A.ID)
	wantErr(t, err, invite.ErrCompanyNotFound)
	page, err := f.Service.JoinPage(ctx, key)
	if err != nil || page.Name != "Acme" {
		t.Fatalf("JoinPage: %v, %v", page, err)
	}
	_, err = f.Service.JoinPage(ctx, "no such key")
	wantErr(t, err, invite.ErrJoinClosed)

	in := invite.JoinRequestInput{Email: "Wants.In@Example.com", FirstName: "Wanda", LastName: "In", Language: "fr"}
	wantField(t, f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: "nope"}), "email", invite.ReasonInvalidEmail)
	ofA := f.Member(t, f.A, invite.AdminNone)
	ofB := f.Member(t, f.B, invite.AdminNone)
	outbox := f.messages(t, nil)
	// Asking twice, asking as a user of the company, and asking as a
	// user of another are answered and kept alike: each is one row as
	// it came, and the page has done the same work for each.
	for _, in := range []invite.JoinRequestInput{in, in, {Email: ofA.Email, FirstName: "A", LastName: "A"}, {Email: ofB.Email, FirstName: "B", LastName: "B"}} {
		if err := f.Service.RequestToJoin(ctx, key, in); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.pendingJoinRequests(t, nil); n != 0 {
		t.Fatalf("%d requests pending before they were looked at", n)
	}
	// Looked at later: the first, and the other company's user (who
	// is shown as anyone, so that A learns nothing of B), are shown;
	// the one administrator of A is told of each, once.
	if n, err := f.Service.ProcessJoinRequests(ctx); err != nil || n != 2 {
		t.Fatalf("ProcessJoinRequests: %d, %v; want 2", n, err)
	}
	if n := f.pendingJoinRequests(t, nil); n != 2 {
		t.Fatalf("got %d pending requests, want 2", n)
	}
	if n := f.messages(t, nil) - outbox; n != 2 {
		t.Errorf("wrote %d notifications, want 2", n)
	}
	for _, r := range []string{ofB.Email} {
		if n := f.pendingJoinRequests(t, func(req *invite.JoinRequest) bool { return req.Email == r }); n != 1 {
			t.Errorf("the other company's user's request is not shown like anyone's")
		}
	}

	reqs, err := f.Service.JoinRequests(f.AdminA, 0)
	if err != nil || len(reqs) != 2 || reqs[0].Language != "fr" {
		t.Fatalf("JoinRequests: %v, %v", reqs, err)
	}
	if err := f.Service.DeclineJoinRequest(f.AdminA, reqs[1].ID); err != nil {
		t.Fatal(err)
	}
	if others, _ := f.Service.JoinRequests(f.AdminB, 0); len(others) != 0 {
		t.Errorf("company B's administrator sees A's requests")
	}
	_, err = f.Service.ApproveJoinRequest(f.AdminB, reqs[0].ID, f.B.BusinessRoles[0].ID, nil)
	wantErr(t, err, invite.ErrJoinRequestNotFound)
	inv, err := f.Service.ApproveJoinRequest(f.AdminA, reqs[0].ID, f.A.BusinessRoles[1].ID,
		[]invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Email != "wants.in@example.com" || inv.Language != "fr" || inv.Status != invite.StatusPending {
		t.Errorf("approval invited %+v", inv)
	}
	_, err = f.Service.ApproveJoinRequest(f.AdminA, reqs[0].ID, f.A.BusinessRoles[1].ID, nil)
	wantErr(t, err, invite.ErrJoinRequestDecided)

	// Declining, and a page that is turned off.
	in.Email = "second@example.com"
	f.Service.RequestToJoin(ctx, key, in)
	f.Service.ProcessJoinRequests(ctx)
	reqs, _ = f.Service.JoinRequests(f.AdminA, 0)
	if err := f.Service.DeclineJoinRequest(f.AdminA, reqs[0].ID); err != nil {
		t.Fatal(err)
	}
	if reqs, _ := f.Service.JoinRequests(f.AdminA, 0); len(reqs) != 0 {
		t.Errorf("a declined request is still pending")
	}
	wantErr(t, f.Service.CloseJoinPage(f.AdminB, f.A.ID), invite.ErrCompanyNotFound)
	if err := f.Service.CloseJoinPage(f.AdminA, f.A.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.Service.RequestToJoin(ctx, key, in), invite.ErrJoinClosed)
	_, err = f.Service.JoinPage(ctx, key)
	wantErr(t, err, invite.ErrJoinClosed)
	// Opened again, at a new address only.
	again := f.openJoinPage(t, f.A)
	_, err = f.Service.JoinPage(ctx, key)
	wantErr(t, err, invite.ErrJoinClosed)
	if _, err := f.Service.JoinPage(ctx, again); err != nil {
		t.Errorf("the new address: %v", err)
	}
}

// A flood of requests to join tells a company's administrators at most
// JoinNotices times; the rest wait on the Users page.
func testJoinNoticesBounded(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	key := f.openJoinPage(t, f.A)
	outbox := f.messages(t, nil)
	bound := invite.DefaultLimits().JoinNotices.Count
	for i := range bound + 5 {
		if err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: fmt.Sprintf("asker%d@example.com", i), FirstName: "A", LastName: "B"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.Service.ProcessJoinRequests(ctx); err != nil || n != bound+5 {
		t.Fatalf("ProcessJoinRequests: %d, %v; want %d", n, err, bound+5)
	}
	if n := f.messages(t, nil) - outbox; n != bound {
		t.Errorf("%d notices for %d requests, want %d", n, bound+5, bound)
	}
	if reqs, _ := f.Service.JoinRequests(f.AdminA, 0); len(reqs) != bound+5 {
		t.Errorf("%d requests on the Users page, want all %d", len(reqs), bound+5)
	}
}

// Found from outside: asking again and again from one address used up the
// company's notices, so that a real request told no one. Only a request
// that is shown takes a notice.
func testJoinNoticesNotUsedByRepeats(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	key := f.openJoinPage(t, f.A)
	outbox := f.messages(t, nil)
	repeat := invite.JoinRequestInput{Email: "again@example.com", FirstName: "A", LastName: "B"}
	for range invite.DefaultLimits().JoinNotices.Count + 2 {
		if err := f.Service.RequestToJoin(ctx, key, repeat); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: "real@example.com", FirstName: "R", LastName: "E"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.ProcessJoinRequests(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.messages(t, nil) - outbox; n != 2 {
		t.Errorf("%d notices, want 2: the repeated address once, the real request once", n)
	}
}

// A company takes so many requests to join an hour, from however many
// places: a flood cannot fill its Users page.
func testJoinRequestsBounded(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	key := f.openJoinPage(t, f.A)
	bound := invite.DefaultLimits().JoinRequests.Count
	for i := range bound {
		if err := f.Service.RequestToJoin(invite.WithClient(ctx, fmt.Sprint(i)), key, invite.JoinRequestInput{Email: fmt.Sprintf("a%d@example.com", i), FirstName: "A", LastName: "B"}); err != nil {
			t.Fatal(err)
		}
	}
	err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: "one.more@example.com", FirstName: "A", LastName: "B"})
	wantLimited(t, err, invite.ErrTooManyJoinRequests, time.Hour/time.Duration(bound))
	if _, err := f.Service.ProcessJoinRequests(ctx); err != nil {
		t.Fatal(err)
	}
	if reqs, _ := f.Service.JoinRequests(f.AdminA, 0); len(reqs) != invite.MaxJoinRequests {
		t.Errorf("the Users page lists %d requests, want %d", len(reqs), invite.MaxJoinRequests)
	}
}

// openJoinPage opens c's join page and returns its key.
func (f *fixture) openJoinPage(t testing.TB, c *invite.Company) string {
	t.Helper()
	address, err := f.Service.OpenJoinPage(f.Global, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(address, invite.DefaultBaseURL+invite.DefaultPaths().RequestToJoin)
}

// A company without a Company Administrator still answers its invitees
// and applicants: what they ask for is told to the Global Administrators,
// and only then.
func testRequestsReachSomeone(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	told := func(to string, kind invite.MessageKind) int {
		return f.messages(t, func(m *invite.Message) bool { return m.To == to && m.Kind == kind })
	}
	for _, tc := range []struct {
		name  string
		admin bool // the company has a Company Administrator
	}{{"without a Company Administrator", false}, {"with one", true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.company(t, "Cogs "+tc.name)
			to := "root@example.com"
			if tc.admin {
				to = f.Member(t, c, invite.AdminCompany).Email
			}
			joins, renewals, global := told(to, invite.KindJoinRequest), told(to, invite.KindRenewalRequest), f.messages(t, func(m *invite.Message) bool { return m.To == "root@example.com" })

			key := f.openJoinPage(t, c)
			if err := f.Service.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: "applicant@" + strings.ReplaceAll(c.Name, " ", "-") + ".example", FirstName: "Ap", LastName: "Plicant"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Service.ProcessJoinRequests(ctx); err != nil {
				t.Fatal(err)
			}
			inv, token := f.invite(t, c)
			f.Clock.Set(inv.ExpiresAt)
			if err := f.Service.RequestNewInvitation(ctx, token); err != nil {
				t.Fatal(err)
			}
			if n := told(to, invite.KindJoinRequest) - joins; n != 1 {
				t.Errorf("%s was told of %d requests to join, want 1", to, n)
			}
			if n := told(to, invite.KindRenewalRequest) - renewals; n != 1 {
				t.Errorf("%s was told of %d requests for a new invitation, want 1", to, n)
			}
			if tc.admin {
				if n := f.messages(t, func(m *invite.Message) bool { return m.To == "root@example.com" }) - global; n != 0 {
					t.Errorf("the Global Administrator was told %d times of a company that has its own administrator", n)
				}
			}
		})
	}
}

// A company's terms of use are set by its administrators and shown to its
// invitees; "" restores the built-in ones.
func testTerms(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	_, token := f.invite(t, f.A)
	terms := func() string {
		t.Helper()
		v, err := f.Service.Invitee(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		return v.Terms
	}
	if got := terms(); got != "" {
		t.Fatalf("a new company has terms %q", got)
	}
	wantErr(t, f.Service.SetTerms(f.AdminB, f.A.ID, "Mine."), invite.ErrCompanyNotFound)
	wantField(t, f.Service.SetTerms(f.AdminA, f.A.ID, "bad\x00"), "terms", invite.ReasonInvalidCharacters)
	if err := f.Service.SetTerms(f.AdminA, f.A.ID, "Use it well.\r\n\r\nOr not at all. "); err != nil {
		t.Fatal(err)
	}
	if got := terms(); got != "Use it well.\n\nOr not at all." {
		t.Errorf("terms %q", got)
	}
	if c, _ := f.Service.Company(f.AdminA, f.A.ID); c.Terms != "Use it well.\n\nOr not at all." {
		t.Errorf("Company has terms %q", c.Terms)
	}
	if err := f.Service.SetTerms(f.Global, f.A.ID, " "); err != nil {
		t.Fatal(err)
	}
	if got := terms(); got != "" {
		t.Errorf("terms %q after clearing them", got)
	}
}
