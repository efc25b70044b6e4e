package invitetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// timeline returns the kinds of the events about invitation id, oldest
// first, as the Global Administrator reads them.
func (f *fixture) timeline(t testing.TB, id int64) []*invite.Event {
	t.Helper()
	page, err := f.Service.Events(f.Global, invite.EventFilter{InvitationID: id, Limit: invite.MaxPageSize})
	if err != nil {
		t.Fatalf("Events of invitation %d: %v", id, err)
	}
	return page.Events
}

// kinds returns the kinds of evs, in order.
func kinds(evs []*invite.Event) []invite.EventKind {
	out := make([]invite.EventKind, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

// detailOf decodes e's detail.
func detailOf(t testing.TB, e *invite.Event) map[string]any {
	t.Helper()
	var d map[string]any
	if len(e.Detail) > 0 {
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatalf("event %d (%s): detail %s: %v", e.ID, e.Kind, e.Detail, err)
		}
	}
	return d
}

// allEvents returns every event of kind k (any kind if ""), as the
// Global Administrator reads them.
func (f *fixture) allEvents(t testing.TB, k invite.EventKind) []*invite.Event {
	t.Helper()
	var out []*invite.Event
	flt := invite.EventFilter{}
	if k != "" {
		flt.Kinds = []invite.EventKind{k}
	}
	err := f.Service.EachEvent(f.Global, flt, func(e *invite.Event) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatalf("EachEvent: %v", err)
	}
	return out
}

// An invitation's life is told by its timeline, in order, each event
// with who did it and what changed.
func testHistoryTimeline(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	inv, _, err := f.Service.Invite(f.AdminA, f.Input(f.A))
	if err != nil {
		t.Fatal(err)
	}
	adminA, _ := invite.FromContext(f.AdminA)

	// The first attempt fails and is retried; the second delivers.
	if _, err := f.Service.DeliverOutbox(t.Context(), answeringMailer{inv.Email: errors.New("451 4.3.0 mailbox busy")}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(time.Hour)
	f.drain(t)

	in := inv.Input()
	in.Department = "Assembly"
	in.FirstName = "Ada"
	if _, _, err := f.Service.Resend(f.AdminA, inv.ID, &in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.CancelBecause(f.AdminA, inv.ID, "Hired elsewhere? It's ?0 \\'fine\\' ?TableName"); err != nil {
		t.Fatal(err)
	}

	evs := f.timeline(t, inv.ID)
	want := []invite.EventKind{
		invite.EventInvitationCreated, invite.EventMailQueued, invite.EventMailFailed,
		invite.EventMailDelivered, invite.EventInvitationResent, invite.EventMailQueued,
		invite.EventInvitationCanceled,
	}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Fatalf("timeline: got %v, want %v", got, want)
	}
	for i, e := range evs {
		if e.CompanyID != f.A.ID || e.Subject != invite.SubjectInvitation || e.SubjectID != inv.ID || e.At.IsZero() || e.ID == 0 {
			t.Errorf("event %d: got %+v, want one of invitation %d of company %d, with an ID and a time", i, e, inv.ID, f.A.ID)
		}
		if i > 0 && e.At.Before(evs[i-1].At) {
			t.Errorf("event %d at %v is before the one before it (%v)", i, e.At, evs[i-1].At)
		}
	}
	for _, i := range []int{0, 4, 6} {
		if e := evs[i]; e.Actor != invite.ActorUser || e.ActorID != adminA.ID || e.ActorEmail != adminA.Email {
			t.Errorf("%s: actor %s %d %q, want the Company Administrator %d", e.Kind, e.Actor, e.ActorID, e.ActorEmail, adminA.ID)
		}
	}
	if e := evs[2]; e.Actor != invite.ActorSystem {
		t.Errorf("mail.failed: actor %s, want system", e.Actor)
	}
	failed := detailOf(t, evs[2])
	if failed["final"] != false || !strings.Contains(fmt.Sprint(failed["error"]), "mailbox busy") {
		t.Errorf("mail.failed detail: got %v, want final false and the server's answer", failed)
	}
	changed, _ := detailOf(t, evs[4])["changed"].(map[string]any)
	if len(changed) != 2 || changed["department"] == nil || changed["first_name"] == nil {
		t.Errorf("resent: changed %v, want first_name and department", changed)
	}
	if d := detailOf(t, evs[4])["changed"].(map[string]any)["department"].(map[string]any); d["from"] != inv.Department || d["to"] != "Assembly" {
		t.Errorf("resent: department %v, want from %q to %q", d, inv.Department, "Assembly")
	}
	if r := detailOf(t, evs[6])["reason"]; r != "Hired elsewhere? It's ?0 \\'fine\\' ?TableName" {
		t.Errorf("canceled: reason %v, want the administrator's", r)
	}
}

// Accepting, expiring and the user's life afterwards are recorded, each
// once, with the right actor.
func testHistoryUserLife(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	inv, token := f.invite(t, f.A)
	u, err := f.Service.Accept(context.Background(), acceptInput(token))
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(f.timeline(t, inv.ID)); !slices.Contains(got, invite.EventInvitationAccepted) {
		t.Fatalf("timeline %v has no accepted", got)
	}
	var accepted []*invite.Event
	for _, e := range f.timeline(t, inv.ID) {
		if e.Kind == invite.EventInvitationAccepted {
			accepted = append(accepted, e)
		}
	}
	if len(accepted) != 1 || accepted[0].Actor != invite.ActorInvitee || detailOf(t, accepted[0])["user"] != float64(u.ID) {
		t.Fatalf("accepted: got %+v, want one, by the invitee, naming user %d", accepted, u.ID)
	}

	if _, err := f.Service.Authenticate(context.Background(), u.Email, "not the password at all"); !errors.Is(err, invite.ErrBadCredentials) {
		t.Fatalf("Authenticate with a wrong password: %v", err)
	}
	if _, _, err := f.Service.Login(invite.WithClient(context.Background(), "203.0.113.9"), u.Email, Password); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Authenticate(context.Background(), "nobody@example.com", Password); !errors.Is(err, invite.ErrBadCredentials) {
		t.Fatalf("Authenticate of nobody: %v", err)
	}
	if _, err := f.Service.ChangeUser(f.AdminA, u.ID, invite.UserChange{BusinessRoleID: f.A.BusinessRoles[1].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.SetDisabled(f.AdminA, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.SetDisabled(f.AdminA, u.ID, true); err != nil { // again: no change, no event
		t.Fatal(err)
	}
	if _, err := f.Service.SetDisabled(f.AdminA, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := f.Service.DeleteUser(f.Global, u.ID); err != nil {
		t.Fatal(err)
	}

	var evs []*invite.Event
	if err := f.Service.EachEvent(f.Global, invite.EventFilter{CompanyID: f.A.ID}, func(e *invite.Event) error {
		if e.Subject == invite.SubjectUser && e.SubjectID == u.ID {
			evs = append(evs, e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []invite.EventKind{
		invite.EventLoginFailed, invite.EventLoginSucceeded, invite.EventUserChanged,
		invite.EventUserDisabled, invite.EventUserEnabled, invite.EventUserDeleted,
	}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Fatalf("the user's events: got %v, want %v", got, want)
	}
	if d := detailOf(t, evs[1]); d["client"] != "203.0.113.9" {
		t.Errorf("login.succeeded detail %v, want the client", d)
	}
	if evs[0].Actor != invite.ActorAnonymous || evs[1].Actor != invite.ActorUser || evs[1].ActorID != u.ID {
		t.Errorf("log-in actors: %s, %s %d; want anonymous, then the user", evs[0].Actor, evs[1].Actor, evs[1].ActorID)
	}
	changed, _ := detailOf(t, evs[2])["changed"].(map[string]any)
	if len(changed) != 1 || changed["business_role_id"] == nil {
		t.Errorf("user.changed: %v, want the business role only", changed)
	}
	// A failed log-in at an address nobody has belongs to no company:
	// the Global Administrator reads it.
	var nobody int
	for _, e := range f.allEvents(t, invite.EventLoginFailed) {
		if e.Email == "nobody@example.com" && e.CompanyID == 0 && e.SubjectID == 0 {
			nobody++
		}
	}
	if nobody != 1 {
		t.Errorf("got %d failed log-ins of nobody@example.com, want 1", nobody)
	}
}

// What fails changes nothing, and records nothing: a refused invitation,
// a refused cancel, a rolled-back transaction.
func testHistoryOnlyWhatCommitted(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	inv, token := f.invite(t, f.A)
	before := len(f.allEvents(t, ""))
	in := inv.Input()
	if _, _, err := f.Service.Invite(f.AdminA, in); !errors.Is(err, invite.ErrInvitationPending) {
		t.Fatalf("a second invitation: %v, want pending", err)
	}
	if _, err := f.Service.Accept(context.Background(), acceptInput(token)); err != nil {
		t.Fatal(err)
	}
	after := len(f.allEvents(t, ""))
	if _, err := f.Service.Cancel(f.AdminA, inv.ID); !errors.Is(err, invite.ErrInvitationAccepted) {
		t.Fatalf("Cancel of an accepted invitation: %v", err)
	}
	if _, err := f.Service.CancelBecause(f.AdminA, inv.ID, "line\nbreak"); invite.ErrorCode(err) != invite.CodeInvalid {
		t.Fatalf("CancelBecause with a line break: %v, want invalid", err)
	}
	if got := len(f.allEvents(t, "")); got != after || after != before+1 {
		t.Errorf("events: %d before, %d after accepting, %d after the refusals; want one more for the accept and none for the refusals", before, after, got)
	}
	// A transaction that rolls back takes its events with it.
	boom := errors.New("boom")
	err := f.Store.InTx(context.Background(), func(tx invite.Store) error {
		if err := tx.AppendEvents(context.Background(), []*invite.Event{{Kind: invite.EventCompanyChanged, At: start, Actor: invite.ActorSystem, CompanyID: f.A.ID, Subject: invite.SubjectCompany, SubjectID: f.A.ID}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v", err)
	}
	if got := len(f.allEvents(t, "")); got != after {
		t.Errorf("events after a rolled-back append: %d, want %d", got, after)
	}
}

// Many goroutines racing for one change record it once: one accept of
// 30, one cancel of 30, each expiry once however many jobs run.
func testHistoryConcurrentOnce(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	inv, token := f.invite(t, f.A)
	Parallel(30, func(int) error {
		_, err := f.Service.Accept(context.Background(), acceptInput(token))
		return err
	})
	if got := kinds(f.timeline(t, inv.ID)); !slices.Equal(got, []invite.EventKind{invite.EventInvitationCreated, invite.EventMailQueued, invite.EventInvitationAccepted}) {
		t.Errorf("after 30 accepts: %v, want one accepted", got)
	}
	other, _ := f.invite(t, f.A)
	Parallel(30, func(int) error {
		_, err := f.Service.Cancel(f.AdminA, other.ID)
		return err
	})
	if got := kinds(f.timeline(t, other.ID)); !slices.Equal(got, []invite.EventKind{invite.EventInvitationCreated, invite.EventMailQueued, invite.EventInvitationCanceled}) {
		t.Errorf("after 30 cancels: %v, want one canceled", got)
	}
	var due []int64
	for range 12 {
		inv, _ := f.invite(t, f.B)
		due = append(due, inv.ID)
	}
	f.Clock.Add(f.Service.TTL() + time.Minute)
	Parallel(8, func(int) error {
		_, err := f.Service.ExpireDue(context.Background())
		return err
	})
	seen := map[int64]int{}
	for _, e := range f.allEvents(t, invite.EventInvitationExpired) {
		seen[e.SubjectID]++
	}
	for _, id := range due {
		if seen[id] != 1 {
			t.Errorf("invitation %d: %d expired events, want 1", id, seen[id])
		}
	}
}

// Company Administrators read their company's history only; a failed
// delivery reads to them as its reply code, as on the Sent Mail page.
func testHistoryIsolation(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	a, _ := f.invite(t, f.A)
	b, _ := f.invite(t, f.B)
	if _, err := f.Service.DeliverOutbox(t.Context(), answeringMailer{
		a.Email: invite.Permanent(errors.New("smtp relay.internal.example:25: 550 5.1.1 no such user")),
	}); err != nil {
		t.Fatal(err)
	}
	page, err := f.Service.Events(f.AdminA, invite.EventFilter{Limit: invite.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var failed *invite.Event
	for _, e := range page.Events {
		if e.CompanyID != f.A.ID {
			t.Errorf("Company Administrator of A read an event of company %d: %+v", e.CompanyID, e)
		}
		if e.Kind == invite.EventMailFailed {
			failed = e
		}
	}
	if failed == nil {
		t.Fatal("no mail.failed event")
	}
	if got := detailOf(t, failed)["error"]; got != "550" {
		t.Errorf("mail.failed error as a Company Administrator reads it: %v, want the reply code alone", got)
	}
	for _, tc := range []struct {
		name string
		f    invite.EventFilter
		want error
	}{
		{"OtherCompany", invite.EventFilter{CompanyID: f.B.ID}, invite.ErrCompanyNotFound},
		{"OtherInvitation", invite.EventFilter{InvitationID: b.ID}, invite.ErrInvitationNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.Service.Events(f.AdminA, tc.f); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if err := f.Service.EachEvent(f.AdminA, tc.f, func(*invite.Event) error { return nil }); !errors.Is(err, tc.want) {
				t.Errorf("EachEvent: got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := f.Service.Events(context.Background(), invite.EventFilter{}); !errors.Is(err, invite.ErrUnauthorized) {
		t.Errorf("nobody: got %v, want unauthorized", err)
	}
	member := invite.NewContext(context.Background(), f.Member(t, f.A, invite.AdminNone))
	if _, err := f.Service.Events(member, invite.EventFilter{}); !errors.Is(err, invite.ErrForbidden) {
		t.Errorf("a user who administers nothing: got %v, want forbidden", err)
	}
	for _, bad := range []invite.EventFilter{
		{Kinds: []invite.EventKind{"invitation.exploded"}},
		{From: start, Until: start},
		{InvitationID: a.ID, UserID: 1},
	} {
		if _, err := f.Service.Events(f.Global, bad); invite.ErrorCode(err) != invite.CodeInvalid {
			t.Errorf("Events(%+v): got %v, want invalid", bad, err)
		}
	}
}

// EachEvent reads past a chunk, in order, once each; Events pages by
// Next; the time range and kinds narrow both.
func testHistoryPaging(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	const n = 2503
	evs := make([]*invite.Event, n)
	for i := range evs {
		evs[i] = &invite.Event{Kind: invite.EventCompanyChanged, At: start.Add(time.Duration(i) * time.Second), Actor: invite.ActorSystem, CompanyID: f.B.ID, Subject: invite.SubjectCompany, SubjectID: f.B.ID}
	}
	if err := f.Store.AppendEvents(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		if evs[i].ID <= evs[i-1].ID {
			t.Fatalf("AppendEvents: ID %d after %d, want growing IDs", evs[i].ID, evs[i-1].ID)
		}
	}
	var got []int64
	flt := invite.EventFilter{CompanyID: f.B.ID, Kinds: []invite.EventKind{invite.EventCompanyChanged}}
	if err := f.Service.EachEvent(f.Global, flt, func(e *invite.Event) error {
		got = append(got, e.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != n || !slices.IsSorted(got) || got[0] != evs[0].ID || got[n-1] != evs[n-1].ID {
		t.Fatalf("EachEvent: %d events, sorted %v; want %d in order", len(got), slices.IsSorted(got), n)
	}
	stop := errors.New("stop")
	calls := 0
	if err := f.Service.EachEvent(f.Global, flt, func(*invite.Event) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachEvent stopped: %v after %d calls, want stop after 1", err, calls)
	}
	pages, total := 0, 0
	for after := int64(0); ; pages++ {
		flt.After, flt.Limit = after, invite.MaxPageSize
		page, err := f.Service.Events(f.Global, flt)
		if err != nil {
			t.Fatal(err)
		}
		total += len(page.Events)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	if total != n || pages != n/invite.MaxPageSize {
		t.Errorf("Events by pages: %d events in %d pages, want %d in %d", total, pages+1, n, n/invite.MaxPageSize+1)
	}
	ranged, err := f.Service.Events(f.Global, invite.EventFilter{CompanyID: f.B.ID, Kinds: flt.Kinds, From: start.Add(10 * time.Second), Until: start.Add(20 * time.Second)})
	if err != nil || len(ranged.Events) != 10 || ranged.Events[0].ID != evs[10].ID {
		t.Errorf("a range of 10 seconds: %d events, %v; want the 10 from the 10th", len(ranged.Events), err)
	}
	cut := start.Add(100 * time.Second)
	older, err := f.Service.Events(f.Global, invite.EventFilter{Until: cut, Limit: invite.MaxPageSize})
	if err != nil || older.Next != 0 {
		t.Fatalf("Events until %v: %v, next %d", cut, err, older.Next)
	}
	pruned, err := f.Store.PruneEvents(context.Background(), cut, 60)
	if err != nil || pruned != 60 {
		t.Fatalf("PruneEvents: %d, %v; want 60 (its limit)", pruned, err)
	}
	pruned, err = f.Store.PruneEvents(context.Background(), cut, 0)
	if want := len(older.Events) - 60; err != nil || pruned != want {
		t.Fatalf("PruneEvents again: %d, %v; want the %d left before the time", pruned, err, want)
	}
	if left, err := f.Service.Events(f.Global, invite.EventFilter{Until: cut}); err != nil || len(left.Events) != 0 {
		t.Fatalf("events before %v after pruning: %d, %v; want none", cut, len(left.Events), err)
	}
	first, err := f.Service.Events(f.Global, invite.EventFilter{CompanyID: f.B.ID, Kinds: flt.Kinds, Limit: 1})
	if err != nil || len(first.Events) != 1 || first.Events[0].ID != evs[100].ID {
		t.Errorf("the oldest left: %+v, %v; want event %d", first, err, evs[100].ID)
	}
}

// An invitation found past its expiry by its invitee's asking for a new
// one is recorded expired first, then asked for: the history's order is
// what happened (found from outside: the job's mark came after).
func testHistoryRenewalAfterExpiry(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	inv, token := f.invite(t, f.A)
	f.Clock.Add(f.Service.TTL() + time.Minute)
	if err := f.Service.RequestNewInvitation(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	got := kinds(f.timeline(t, inv.ID))
	if len(got) < 4 || !slices.Equal(got[:4], []invite.EventKind{invite.EventInvitationCreated, invite.EventMailQueued, invite.EventInvitationExpired, invite.EventRenewalRequested}) {
		t.Fatalf("timeline %v, want created, queued, expired, renewal requested", got)
	}
	if n, err := f.Service.ExpireDue(context.Background()); err != nil || n != 0 {
		t.Errorf("ExpireDue after: %d, %v; want none left to mark", n, err)
	}
}

// A password reset's mail, queued and delivered, is on its user's
// timeline (found from outside: only its queueing was).
func testHistoryResetMail(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	u := f.Member(t, f.A, invite.AdminNone)
	if err := f.Service.RequestPasswordReset(context.Background(), u.Email, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.IssuePasswordResets(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	page, err := f.Service.Events(f.Global, invite.EventFilter{UserID: u.ID, Kinds: []invite.EventKind{invite.EventMailQueued, invite.EventMailDelivered}})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(page.Events); !slices.Equal(got, []invite.EventKind{invite.EventMailQueued, invite.EventMailDelivered}) {
		t.Errorf("the user's mail events: %v, want queued then delivered", got)
	}
}

// A webhook sends the company's events to whoever registered it: it goes
// when they may no longer administer the company (deleted, disabled,
// demoted), recorded as the company's change (found from outside: a
// deleted administrator's endpoint kept receiving them). Another
// administrator's webhook stays.
func testWebhooksOfRemovedAdmins(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	hookOf := func(u *invite.User, name string) *invite.Webhook {
		t.Helper()
		w, err := f.Service.CreateWebhook(invite.NewContext(context.Background(), u), invite.WebhookInput{
			CompanyID: f.A.ID, URL: "https://hooks.example.com/" + name, Kinds: []invite.EventKind{invite.EventInvitationCreated},
		})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	deleted, disabled, demoted, stays := f.Member(t, f.A, invite.AdminCompany), f.Member(t, f.A, invite.AdminCompany), f.Member(t, f.A, invite.AdminCompany), f.Member(t, f.A, invite.AdminCompany)
	for _, u := range []*invite.User{deleted, disabled, demoted, stays} {
		hookOf(u, fmt.Sprint(u.ID))
	}
	if err := f.Service.DeleteUser(f.Global, deleted.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.SetDisabled(f.Global, disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.ChangeUser(f.Global, demoted.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
		t.Fatal(err)
	}
	ws, err := f.Service.Webhooks(f.Global, f.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].CreatedBy != stays.ID {
		t.Fatalf("webhooks left: %d, want only the one of the administrator who stays", len(ws))
	}
	var dropped int
	for _, e := range f.allEvents(t, invite.EventCompanyChanged) {
		if d := detailOf(t, e); d["setting"] == "webhooks" && d["cause"] == invite.CancelSenderChanged && d["deleted"] != nil {
			dropped++
		}
	}
	if dropped != 3 {
		t.Errorf("got %d webhooks recorded as dropped, want 3", dropped)
	}
}

// A setting saved again as it is changes nothing, and records nothing
// (found from outside: each such save was a company.changed); a change
// records what changed.
func testHistoryNoOpSaves(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := f.AdminA
	domain, _ := invite.ParseAllowedDomain("example.com")
	p := &invite.Preset{CompanyID: f.A.ID, Name: "Operators", BusinessRoleID: f.A.BusinessRoles[0].ID, Language: "en", TimeZone: "UTC",
		Grants: []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}}}
	if err := f.Service.CreatePreset(ctx, p); err != nil {
		t.Fatal(err)
	}
	save := func() {
		t.Helper()
		for _, err := range []error{
			f.Service.SetAllowedDomains(f.Global, f.A.ID, []invite.AllowedDomain{domain}),
			f.Service.SetTerms(ctx, f.A.ID, "Be kind."),
			f.Service.SetMailTemplate(ctx, f.A.ID, "en", invite.Template{Subject: "Welcome to {CompanyName}", Body: "Hello {FirstName}: {InvitationLink}"}),
			f.Service.CloseJoinPage(ctx, f.A.ID),
			f.Service.UpdatePreset(ctx, &invite.Preset{ID: p.ID, Name: p.Name, BusinessRoleID: p.BusinessRoleID, Language: "en", TimeZone: "UTC", Grants: p.Grants}),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	save()
	after := len(f.allEvents(t, ""))
	save()
	if got := len(f.allEvents(t, "")); got != after {
		t.Errorf("saving the same settings again: %d events, want %d (none more)", got, after)
	}
	p.Department = "Assembly"
	if err := f.Service.UpdatePreset(ctx, p); err != nil {
		t.Fatal(err)
	}
	evs := f.allEvents(t, invite.EventCompanyChanged)
	changed, _ := detailOf(t, evs[len(evs)-1])["changed"].(map[string]any)
	if len(changed) != 1 || changed["department"] == nil {
		t.Errorf("a preset's change: changed %v, want the department alone", changed)
	}
}
