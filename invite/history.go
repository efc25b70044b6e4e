package invite

import (
	"context"
	"time"
)

// logEvents appends evs to the history through the service's store: within
// inTx, in the transaction of the change they record. Events without a
// time get the clock's; without an actor, the system's.
func (s *Service) logEvents(ctx context.Context, evs ...*Event) error {
	if len(evs) == 0 {
		return nil
	}
	now := s.clock()
	for _, e := range evs {
		if e.At.IsZero() {
			e.At = now
		}
		if e.Actor == "" {
			e.Actor = ActorSystem
		}
	}
	if err := s.st().AppendEvents(ctx, evs); err != nil {
		return err
	}
	s.recorded(evs)
	return nil
}

// by sets u as the actor of e, or the system if u is nil, and returns e.
func (e *Event) by(u *User) *Event {
	if u == nil {
		e.Actor, e.ActorID, e.ActorEmail = ActorSystem, 0, ""
		return e
	}
	e.Actor, e.ActorID, e.ActorEmail = ActorUser, u.ID, u.Email
	return e
}

// byInvitee sets the holder of a link as the actor of e, and returns e.
func (e *Event) byInvitee() *Event {
	e.Actor, e.ActorID, e.ActorEmail = ActorInvitee, 0, ""
	return e
}

// with sets v, encoded, as e's detail, and returns e.
func (e *Event) with(v any) *Event {
	e.Detail = detail(v)
	return e
}

// invitationEvent returns an event of the given kind about inv.
func invitationEvent(kind EventKind, inv *Invitation) *Event {
	return &Event{Kind: kind, CompanyID: inv.CompanyID, Subject: SubjectInvitation, SubjectID: inv.ID, Email: inv.Email}
}

// userEvent returns an event of the given kind about u.
func userEvent(kind EventKind, u *User) *Event {
	return &Event{Kind: kind, CompanyID: u.CompanyID, Subject: SubjectUser, SubjectID: u.ID, Email: u.Email}
}

// companyEvent returns an event of the given kind about a company.
func companyEvent(kind EventKind, companyID int64) *Event {
	return &Event{Kind: kind, CompanyID: companyID, Subject: SubjectCompany, SubjectID: companyID}
}

// EventFilter selects events for Events and EachEvent. A Company
// Administrator reads their company's only; a Global Administrator
// every company's, and the events of none (CompanyID 0 reads all).
type EventFilter struct {
	CompanyID    int64
	InvitationID int64 // only this invitation's timeline
	UserID       int64 // only this user's timeline
	Kinds        []EventKind
	From, Until  time.Time // [From, Until); zero for no bound
	After        int64     // only events with a larger ID: Next of the page before
	Limit        int       // page size; DefaultPageSize when 0, at most MaxPageSize
}

// EventPage is a page of events, oldest first.
type EventPage struct {
	Events []*Event
	// Next is the After of the next page, 0 if this is the last.
	Next int64
}

// eventQuery checks that the acting administrator may read what f
// selects and returns them and the store's query for it.
func (s *Service) eventQuery(ctx context.Context, f EventFilter) (*User, EventQuery, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, EventQuery{}, err
	}
	companyID, err := scope(u, f.CompanyID)
	if err != nil {
		return nil, EventQuery{}, err
	}
	var v validator
	for _, k := range f.Kinds {
		if !k.Valid() {
			v.add("kinds", ReasonUnknownEventKind, "%q is not a kind of event", k)
			break
		}
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		v.add("until", ReasonUntilNotAfterFrom, "must be after from")
	}
	if f.InvitationID != 0 && f.UserID != 0 {
		v.add("user", ReasonOutOfRange, "cannot be given with an invitation")
	}
	if err := v.err(); err != nil {
		return nil, EventQuery{}, err
	}
	q := EventQuery{CompanyID: companyID, Kinds: f.Kinds, From: f.From, Until: f.Until, After: max(f.After, 0)}
	switch {
	case f.InvitationID != 0:
		if _, _, err := s.visibleInvitation(ctx, f.InvitationID); err != nil {
			return nil, EventQuery{}, err
		}
		q.Subject, q.SubjectID = SubjectInvitation, f.InvitationID
	case f.UserID != 0:
		if _, _, err := s.visibleUser(ctx, f.UserID); err != nil {
			return nil, EventQuery{}, err
		}
		q.Subject, q.SubjectID = SubjectUser, f.UserID
	}
	return u, q, nil
}

// Events returns a page of the history that the acting administrator
// may read, oldest first.
func (s *Service) Events(ctx context.Context, f EventFilter) (*EventPage, error) {
	u, q, err := s.eventQuery(ctx, f)
	if err != nil {
		return nil, err
	}
	q.Limit = pageSize(f.Limit) + 1
	evs, err := s.st().Events(ctx, q)
	if err != nil {
		return nil, err
	}
	for i, e := range evs {
		evs[i] = e.forReader(u)
	}
	page := &EventPage{Events: evs}
	if len(evs) == q.Limit {
		page.Events = evs[:len(evs)-1]
		page.Next = page.Events[len(page.Events)-1].ID
	}
	return page, nil
}

// ReasonUnknownEventKind is the reason of a filter's kind that is none
// of EventKinds.
const ReasonUnknownEventKind = "unknown_event_kind"

// exportChunk is how many events EachEvent reads at a time.
const exportChunk = 1000

// EachEvent calls fn with every event f selects (f.Limit is ignored),
// oldest first, reading them a thousand at a time, so that an export of
// millions never holds more than that; it stops at fn's first error and
// returns it. Events appended while it runs may or may not be seen.
func (s *Service) EachEvent(ctx context.Context, f EventFilter, fn func(*Event) error) error {
	u, q, err := s.eventQuery(ctx, f)
	if err != nil {
		return err
	}
	q.Limit = exportChunk
	for {
		evs, err := s.st().Events(ctx, q)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := fn(e.forReader(u)); err != nil {
				return err
			}
		}
		if len(evs) < q.Limit {
			return nil
		}
		q.After = evs[len(evs)-1].ID
	}
}
