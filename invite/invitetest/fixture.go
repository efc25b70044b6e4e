package invitetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// Clock is a clock that a test sets, for Config.Now; it is safe for
// concurrent use. The zero Clock reads the zero time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock that reads now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now returns the time the clock reads.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set makes the clock read t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// start is where every fixture's clock begins.
var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// World is a Service over one store with two companies, A and B, a Global
// Administrator and a Company Administrator of each company, and a clock
// the test sets: what every test of the suite starts from, for a store's
// tests of its own beside the suite (benchmarks, migrations). The bounds
// on how many invitations one administrator sends, and how soon again, are
// lifted: the tests make hundreds at once, and the bounds have tests of
// their own.
type World struct {
	Store   invite.Store
	Service *invite.Service
	Clock   *Clock
	Global  context.Context // acting as the Global Administrator
	AdminA  context.Context // acting as a Company Administrator of A
	AdminB  context.Context // acting as a Company Administrator of B
	A, B    *invite.Company

	n int // makes e-mail addresses unique
}

// Password is the password of every user a World makes.
const Password = "correct horse battery staple"

// NewWorld makes a World over st, which must be empty.
func NewWorld(t testing.TB, st invite.Store) *World {
	t.Helper()
	w := &World{Store: st, Clock: NewClock(start)}
	none := invite.Rate{Count: -1}
	w.Service = invite.NewService(st, invite.Config{Now: w.Clock.Now, Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}})
	ctx := context.Background()
	root, created, err := w.Service.Bootstrap(ctx, "root@example.com", Password)
	if err != nil || !created {
		t.Fatalf("Bootstrap: created %v, err %v", created, err)
	}
	w.Global = invite.NewContext(ctx, root)
	w.A = w.company(t, "Acme")
	w.B = w.company(t, "Bolt")
	w.AdminA = invite.NewContext(ctx, w.Member(t, w.A, invite.AdminCompany))
	w.AdminB = invite.NewContext(ctx, w.Member(t, w.B, invite.AdminCompany))
	return w
}

// fixture is the World of one test of the suite, with its helpers.
type fixture struct{ *World }

func newFixture(t testing.TB, st invite.Store) *fixture { return &fixture{NewWorld(t, st)} }

// company registers a company with two subscriptions and two business roles.
func (w *World) company(t testing.TB, name string) *invite.Company {
	t.Helper()
	c, err := w.Service.RegisterCompany(w.Global, invite.CompanyInput{
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

// Input returns a valid invitation of a fresh e-mail address into c.
func (w *World) Input(c *invite.Company) invite.InvitationInput {
	w.n++
	return invite.InvitationInput{
		CompanyID:      c.ID,
		Email:          fmt.Sprintf("Person%d@Example.com", w.n),
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

// invite makes a pending invitation into c as the Global Administrator.
func (f *fixture) invite(t testing.TB, c *invite.Company) (*invite.Invitation, string) {
	t.Helper()
	inv, token, err := f.Service.Invite(f.Global, f.Input(c))
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	return inv, token
}

func acceptInput(token string) invite.AcceptInput {
	return invite.AcceptInput{Token: token, Password: Password, FirstName: "Grace", LastName: "Hopper", AcceptTerms: true}
}

// Member invites a user into c with the given admin level, as the Global
// Administrator, and accepts with Password. A Company Administrator holds
// every subscription's top role, so that they may grant any role (nobody
// grants above their own).
func (w *World) Member(t testing.TB, c *invite.Company, level invite.AdminLevel) *invite.User {
	t.Helper()
	in := w.Input(c)
	in.AdminLevel = level
	if level == invite.AdminCompany {
		for i := range in.Grants {
			in.Grants[i].Role = invite.RoleAdministrator
		}
	}
	_, token, err := w.Service.Invite(w.Global, in)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	u, err := w.Service.Accept(context.Background(), acceptInput(token))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	return u
}

// wantErr fails the test unless err is want (by code and reason).
func wantErr(t testing.TB, err error, want *invite.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v (code %q), want %s (%s)", err, invite.ErrorCode(err), want.Reason, want.Code)
	}
}

// wantField fails the test unless err names field with reason.
func wantField(t testing.TB, err error, field, reason string) {
	t.Helper()
	e, ok := errors.AsType[*invite.Error](err)
	if !ok {
		t.Fatalf("got error %v, want one at field %s", err, field)
	}
	fe, ok := e.Field(field)
	if !ok {
		t.Fatalf("got field errors %+v, want one at %s", e.Fields, field)
	}
	if fe.Reason != reason {
		t.Fatalf("field %s: got reason %q, want %q", field, fe.Reason, reason)
	}
}

// latestMail returns the newest message in the outbox as the store keeps
// it, links and all: the test reads it as its recipient would. The service
// never shows a reset link, nor an invitation link to anyone but its
// sender (see invite.Service.Message).
func (f *fixture) latestMail(t testing.TB) *invite.Message {
	t.Helper()
	msgs, err := f.Store.Messages(context.Background(), invite.MessageQuery{Limit: 1})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no message in the outbox: %v", err)
	}
	return msgs[0]
}

// all is a limit past every row a test makes.
const all = 1 << 20

// messages returns the messages of the outbox that match keep (nil for
// all).
func (f *fixture) messages(t testing.TB, keep func(*invite.Message) bool) int {
	t.Helper()
	msgs, err := f.Store.Messages(context.Background(), invite.MessageQuery{Limit: all})
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	return count(msgs, keep)
}

// invitations returns how many invitations, with their status as stored,
// match keep (nil for all).
func (f *fixture) invitations(t testing.TB, keep func(*invite.Invitation) bool) int {
	t.Helper()
	invs, err := f.Store.Invitations(context.Background(), invite.InvitationQuery{Now: f.Clock.Now(), Limit: all})
	if err != nil {
		t.Fatalf("Invitations: %v", err)
	}
	return count(invs, keep)
}

// users returns how many users match keep (nil for all).
func (f *fixture) users(t testing.TB, keep func(*invite.User) bool) int {
	t.Helper()
	users, err := f.Store.Users(context.Background(), invite.UserQuery{Limit: all})
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	return count(users, keep)
}

// pendingJoinRequests returns how many requests to join wait for a
// decision, in every company.
func (f *fixture) pendingJoinRequests(t testing.TB, keep func(*invite.JoinRequest) bool) int {
	t.Helper()
	reqs, err := f.Store.JoinRequests(context.Background(), 0, all)
	if err != nil {
		t.Fatalf("JoinRequests: %v", err)
	}
	return count(reqs, keep)
}

// companies returns how many companies there are.
func (f *fixture) companies(t testing.TB) int {
	t.Helper()
	cs, err := f.Store.Companies(context.Background())
	if err != nil {
		t.Fatalf("Companies: %v", err)
	}
	return len(cs)
}

// endSessions ends every session, and returns how many there were.
func (f *fixture) endSessions(t testing.TB) int {
	t.Helper()
	n, err := f.Store.PruneSessions(context.Background(), f.Clock.Now().Add(100*365*24*time.Hour))
	if err != nil {
		t.Fatalf("PruneSessions: %v", err)
	}
	return n
}

func count[T any](items []T, keep func(T) bool) int {
	n := 0
	for _, it := range items {
		if keep == nil || keep(it) {
			n++
		}
	}
	return n
}

func byEmail(email string) func(*invite.User) bool {
	return func(u *invite.User) bool { return u.Email == email }
}

func invitationTo(email string) func(*invite.Invitation) bool {
	return func(inv *invite.Invitation) bool { return inv.Email == email }
}

func invitationIn(id int64, status invite.Status) func(*invite.Invitation) bool {
	return func(inv *invite.Invitation) bool { return inv.ID == id && inv.Status == status }
}

func invitationsIn(status invite.Status) func(*invite.Invitation) bool {
	return func(inv *invite.Invitation) bool { return inv.Status == status }
}

func adminsOf(companyID int64) func(*invite.User) bool {
	return func(u *invite.User) bool { return u.CompanyID == companyID && u.AdminLevel == invite.AdminCompany }
}
