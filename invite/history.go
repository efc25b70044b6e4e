package invite

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
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
	if err := s.appendEvents(ctx, evs); err != nil { // with their webhooks' deliveries (webhook.go)
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
// selects and returns the store's query for it.
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
		// A deleted user's history stays, for a Global Administrator to
		// read (found from outside: it could not be reached).
		_, _, err := s.visibleUser(ctx, f.UserID)
		if err != nil && !(errors.Is(err, ErrUserNotFound) && u.AdminLevel == AdminGlobal) {
			return nil, EventQuery{}, err
		}
		q.Subject, q.SubjectID = SubjectUser, f.UserID
	}
	return u, q, nil
}

// eventForReader returns e, or a copy, as reader may read it: a failed delivery's
// error as deliveryError says (the mail servers' words for a Global
// Administrator only).
func eventForReader(reader *User, e *Event) *Event {
	if e.Kind != EventMailFailed || reader.AdminLevel == AdminGlobal || len(e.Detail) == 0 {
		return e
	}
	c := *e
	var d map[string]any
	if json.Unmarshal(e.Detail, &d) != nil {
		c.Detail = nil // not ours: nothing is shown rather than too much
		return &c
	}
	if msg, ok := d["error"].(string); ok {
		d["error"] = deliveryError(reader, msg)
	}
	c.Detail = detail(d)
	return &c
}

// companyReader returns a reader who reads as a company's administrators
// do: what webhooks, which are theirs, are sent.
func companyReader() *User { return &User{AdminLevel: AdminCompany} }

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
		evs[i] = eventForReader(u, e)
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
			if err := fn(eventForReader(u, e)); err != nil {
				return err
			}
		}
		if len(evs) < q.Limit {
			return nil
		}
		q.After = evs[len(evs)-1].ID
	}
}

// change is one field's value before and after a change, in an event's
// detail.
type change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// changes returns the fields whose values differ between before and
// after, which name the same fields; nil if none does.
func changes(before, after map[string]any) map[string]change {
	var out map[string]change
	for k, b := range before {
		if a := after[k]; a != b {
			if out == nil {
				out = map[string]change{}
			}
			out[k] = change{From: b, To: a}
		}
	}
	return out
}

// grantsText writes grants as "subscription:role" pairs joined by
// commas, ordered by subscription: comparable, and short in a detail.
func grantsText(gs []Grant) string {
	gs = slices.Clone(gs)
	slices.SortFunc(gs, func(a, b Grant) int { return cmp.Compare(a.SubscriptionID, b.SubscriptionID) })
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = strconv.FormatInt(g.SubscriptionID, 10) + ":" + string(g.Role)
	}
	return strings.Join(parts, ",")
}

// dateText writes t for a detail: RFC 3339 in UTC, "" for the zero time.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// invitationFields returns what an administrator may change about inv,
// for changes.
func invitationFields(inv *Invitation) map[string]any {
	return map[string]any{
		"email":            inv.Email,
		"first_name":       inv.FirstName,
		"last_name":        inv.LastName,
		"business_role_id": inv.BusinessRoleID,
		"department":       inv.Department,
		"phone":            inv.Phone,
		"language":         inv.Language,
		"time_zone":        inv.TimeZone,
		"admin_level":      string(inv.AdminLevel),
		"subscriptions":    grantsText(inv.Grants),
		"access_from":      dateText(inv.AccessFrom),
		"access_until":     dateText(inv.AccessUntil),
		"custom_mail":      !inv.Mail.IsZero(),
	}
}

// userFields returns what an administrator may change about u, for
// changes.
func userFields(u *User) map[string]any {
	return map[string]any{
		"email":            u.Email,
		"first_name":       u.FirstName,
		"last_name":        u.LastName,
		"business_role_id": u.BusinessRoleID,
		"department":       u.Department,
		"phone":            u.Phone,
		"language":         u.Language,
		"time_zone":        u.TimeZone,
		"admin_level":      string(u.AdminLevel),
		"subscriptions":    grantsText(u.Grants),
		"access_from":      dateText(u.AccessFrom),
		"access_until":     dateText(u.AccessUntil),
	}
}

// sentEvents returns the events of sending inv by u (kind created or
// resent, with detail d) and of queueing its message msg.
func sentEvents(kind EventKind, inv *Invitation, u *User, msg *Message, d map[string]any) []*Event {
	if d == nil {
		d = map[string]any{}
	}
	d["expires_at"] = dateText(inv.ExpiresAt)
	d["times_sent"] = inv.TimesSent
	evs := []*Event{invitationEvent(kind, inv).by(u).with(d)}
	if msg != nil {
		evs = append(evs, mailQueued(invitationEvent(EventMailQueued, inv).by(u), msg))
	}
	return evs
}

// mailQueued completes e, an event about msg's subject (nil: about msg
// as messageEvent says), as msg's being queued, and returns it.
func mailQueued(e *Event, msg *Message) *Event {
	if e == nil {
		e = messageEvent(EventMailQueued, msg)
	}
	e.Kind = EventMailQueued
	return e.with(map[string]any{"message": msg.ID, "kind": string(msg.Kind)})
}

// CancelSenderChanged is the cause, in the detail of an
// invitation.canceled event, of an invitation the service canceled
// because the administrator who sent it lost the rights to (disabled,
// deleted, demoted, or their access ended).
const CancelSenderChanged = "sender_changed"

// changeCompany runs write and records, in its transaction, that u
// changed setting of the company with the given ID, with what else d
// says.
func (s *Service) changeCompany(ctx context.Context, u *User, companyID int64, setting string, d map[string]any, write func(tx *Service) error) error {
	if d == nil {
		d = map[string]any{}
	}
	d["setting"] = setting
	return s.inTx(ctx, func(tx *Service) error {
		if err := write(tx); err != nil {
			return err
		}
		return tx.logEvents(ctx, companyEvent(EventCompanyChanged, companyID).by(u).with(d))
	})
}
