package invite

import (
	"context"
	"encoding/json"
	"time"
)

// EventKind names what an Event records. The names are stable: exports,
// the API and webhooks carry them, and a program may keep them.
type EventKind string

// The kinds of event. Invitation events have the invitation as subject;
// mail events the invitation (or user) the message was about, with the
// message's ID in the detail; user and log-in events the user (a failed
// log-in of an address nobody has, none); company events the company.
const (
	EventInvitationCreated  EventKind = "invitation.created"
	EventInvitationResent   EventKind = "invitation.resent"
	EventInvitationCanceled EventKind = "invitation.canceled"
	EventInvitationExpired  EventKind = "invitation.expired"
	EventInvitationAccepted EventKind = "invitation.accepted"
	EventRenewalRequested   EventKind = "invitation.renewal_requested"
	EventReminderSent       EventKind = "invitation.reminder_sent"
	EventMailQueued         EventKind = "mail.queued"
	EventMailDelivered      EventKind = "mail.delivered"
	EventMailFailed         EventKind = "mail.failed"
	EventUserChanged        EventKind = "user.changed"
	EventUserDisabled       EventKind = "user.disabled"
	EventUserEnabled        EventKind = "user.enabled"
	EventUserDeleted        EventKind = "user.deleted"
	EventPasswordChanged    EventKind = "user.password_changed"
	EventPasswordReset      EventKind = "user.password_reset"
	EventAPITokenCreated    EventKind = "user.api_token_created"
	EventAPITokenRevoked    EventKind = "user.api_token_revoked"
	EventLoginSucceeded     EventKind = "login.succeeded"
	EventLoginFailed        EventKind = "login.failed"
	EventCompanyCreated     EventKind = "company.created"
	EventCompanyChanged     EventKind = "company.changed"
	EventTemplateChanged    EventKind = "company.template_changed"
)

// EventKinds returns every kind of event, in the order above.
func EventKinds() []EventKind {
	return []EventKind{
		EventInvitationCreated, EventInvitationResent, EventInvitationCanceled,
		EventInvitationExpired, EventInvitationAccepted, EventRenewalRequested,
		EventReminderSent, EventMailQueued, EventMailDelivered, EventMailFailed,
		EventUserChanged, EventUserDisabled, EventUserEnabled, EventUserDeleted,
		EventPasswordChanged, EventPasswordReset, EventAPITokenCreated,
		EventAPITokenRevoked, EventLoginSucceeded,
		EventLoginFailed, EventCompanyCreated, EventCompanyChanged,
		EventTemplateChanged,
	}
}

// Valid reports whether k is one of the kinds of EventKinds.
func (k EventKind) Valid() bool {
	for _, o := range EventKinds() {
		if k == o {
			return true
		}
	}
	return false
}

// ActorKind says who did what an event records.
type ActorKind string

// The kinds of actor.
const (
	ActorUser    ActorKind = "user"    // a user, logged in or by an API token: ActorID
	ActorInvitee ActorKind = "invitee" // the holder of an invitation's or a reset's link
	ActorSystem  ActorKind = "system"  // a job: expiry, reminders, delivery
	// ActorAnonymous is somebody not logged in: a failed log-in's.
	ActorAnonymous ActorKind = "anonymous"
)

// SubjectKind says what an event is about.
type SubjectKind string

// The kinds of subject.
const (
	SubjectInvitation SubjectKind = "invitation"
	SubjectUser       SubjectKind = "user"
	SubjectCompany    SubjectKind = "company"
	// SubjectMessage is a message of the outbox that is of no
	// invitation: a password reset, a notice to administrators.
	SubjectMessage SubjectKind = "message"
)

// Event is one entry of the history: what happened, when, by whom, to
// what. Events are only ever appended (and pruned when old), each in the
// transaction of the change it records, so the history has what was
// committed and nothing else.
type Event struct {
	ID   int64
	At   time.Time
	Kind EventKind
	// CompanyID is the company the subject belongs to; 0 for none (a
	// Global Administrator without a company, an unknown address).
	CompanyID int64
	Actor     ActorKind
	// ActorID is the acting user's ID (ActorUser), and ActorEmail their
	// address when it happened, kept should the user be deleted.
	ActorID    int64
	ActorEmail string
	Subject    SubjectKind
	SubjectID  int64 // 0 when the subject is not stored (an unknown address)
	// Email is the address of the subject (the invitee's, the user's), as
	// it was when it happened.
	Email string
	// Detail is a small JSON object with what else the kind records (for
	// example the fields a change changed, or the mail server's answer);
	// nil for none.
	Detail json.RawMessage
}

// EventQuery selects events for EventStore.Events.
type EventQuery struct {
	CompanyID int64       // 0 for every company
	Subject   SubjectKind // with SubjectID: only events about this subject
	SubjectID int64
	Kinds     []EventKind // any kind when empty
	From      time.Time   // only events at or after From; zero for no bound
	Until     time.Time   // only events before Until; zero for no bound
	After     int64       // only events with a larger ID: the next page
	Limit     int
}

// EventStore keeps the history.
type EventStore interface {
	// AppendEvents stores evs and sets their IDs; within InTx, in the
	// transaction, so that they are committed with the change they record
	// or not at all. IDs grow in the order events are appended on one
	// database.
	AppendEvents(ctx context.Context, evs []*Event) error
	// Events returns at most q.Limit events matching q, ordered by ID.
	Events(ctx context.Context, q EventQuery) ([]*Event, error)
	// PruneEvents deletes at most limit events from before the given time,
	// the oldest first, and returns how many it deleted.
	PruneEvents(ctx context.Context, before time.Time, limit int) (int, error)
}

// detail encodes v, a small struct or map, as an event's detail.
func detail(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("invite: an event's detail does not encode: " + err.Error()) // our own types
	}
	return b
}
