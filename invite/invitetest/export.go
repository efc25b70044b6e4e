package invitetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/invitehq/invite/invite"
)

// testEventsExport checks what EachEvent and Events give whom: a Company
// Administrator their company's events only, whatever they ask, and the
// mail server's answer of a failed delivery as its reply code; a Global
// Administrator everything, the answer whole.
func testEventsExport(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	failed := func(companyID int64, email string) *invite.Event {
		return &invite.Event{At: f.Clock.Now(), Kind: invite.EventMailFailed, CompanyID: companyID, Actor: invite.ActorSystem,
			Subject: invite.SubjectInvitation, SubjectID: 1, Email: email,
			Detail: json.RawMessage(`{"message":1,"attempt":1,"final":false,"error":"mx.example.net: 451 4.7.1 greylisted by relay.internal"}`)}
	}
	if err := f.Store.AppendEvents(ctx, []*invite.Event{failed(f.A.ID, "a@example.com"), failed(f.B.ID, "b@example.com")}); err != nil {
		t.Fatal(err)
	}
	read := func(as context.Context, filter invite.EventFilter) ([]*invite.Event, error) {
		var evs []*invite.Event
		err := f.Service.EachEvent(as, filter, func(e *invite.Event) error {
			if e.Kind == invite.EventMailFailed {
				evs = append(evs, e)
			}
			return nil
		})
		return evs, err
	}
	evs, err := read(f.AdminA, invite.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].CompanyID != f.A.ID {
		t.Fatalf("EachEvent as A's administrator: got %d events (%v), want A's one", len(evs), evs)
	}
	var d struct{ Error string }
	if err := json.Unmarshal(evs[0].Detail, &d); err != nil || d.Error != "451" {
		t.Errorf("the answer as A's administrator reads it: got %q (%v), want the reply code 451", d.Error, err)
	}
	_, err = read(f.AdminA, invite.EventFilter{CompanyID: f.B.ID})
	wantErr(t, err, invite.ErrCompanyNotFound)
	page, err := f.Service.Events(f.AdminA, invite.EventFilter{Kinds: []invite.EventKind{invite.EventMailFailed}})
	if err != nil || len(page.Events) != 1 || !json.Valid(page.Events[0].Detail) || string(page.Events[0].Detail) == string(failed(0, "").Detail) {
		t.Errorf("Events as A's administrator: got %v, %v, want A's one with the reply code only", page, err)
	}
	evs, err = read(f.Global, invite.EventFilter{})
	if err != nil || len(evs) != 2 {
		t.Fatalf("EachEvent as the Global Administrator: got %d, %v, want both", len(evs), err)
	}
	if err := json.Unmarshal(evs[0].Detail, &d); err != nil || d.Error != "mx.example.net: 451 4.7.1 greylisted by relay.internal" {
		t.Errorf("the answer as the Global Administrator reads it: got %q, want it whole", d.Error)
	}
	// What the store keeps is whole.
	kept, err := f.Store.Events(ctx, invite.EventQuery{CompanyID: f.A.ID, Kinds: []invite.EventKind{invite.EventMailFailed}})
	if err != nil || len(kept) != 1 || string(kept[0].Detail) != string(failed(0, "").Detail) {
		t.Errorf("the stored event: got %v, %v, want its detail as appended", kept, err)
	}
}
