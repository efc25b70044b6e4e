package invite

import (
	"context"
	"errors"
	"time"
)

// MessageKind says why a message was sent.
type MessageKind string

// The kinds of message.
const (
	KindInvitation MessageKind = "invitation" // sent by Invite and Resend
	KindReminder   MessageKind = "reminder"   // sent before an invitation expires
	// KindRenewalRequest tells a Company Administrator that an invitee
	// whose invitation expired asks for a new one.
	KindRenewalRequest MessageKind = "renewal_request"
	// KindPasswordReset carries a link to set a new password.
	KindPasswordReset MessageKind = "password_reset"
	// KindJoinRequest tells a Company Administrator that someone asks to
	// join the company.
	KindJoinRequest MessageKind = "join_request"
)

// messageKinds are the kinds of message, each of which has built-in texts.
var messageKinds = [...]MessageKind{KindInvitation, KindReminder, KindRenewalRequest, KindPasswordReset, KindJoinRequest}

// DeliveryState is where a message is on its way out.
type DeliveryState string

// The delivery states. A message is queued when written; a worker that
// claims it marks it sending until it is sent, failed, or queued again for
// a retry.
const (
	DeliveryQueued  DeliveryState = "queued"
	DeliverySending DeliveryState = "sending"
	DeliverySent    DeliveryState = "sent"
	DeliveryFailed  DeliveryState = "failed"
)

// Message is an e-mail in the outbox. It is written in the same transaction
// as the invitation change that makes it, and delivered later by
// DeliverOutbox, so a mail server that is down loses nothing.
type Message struct {
	ID           int64
	CompanyID    int64
	InvitationID int64
	Kind         MessageKind
	// MessageID is the RFC 5322 Message-ID, with angle brackets. It is
	// fixed when the message is written, so every attempt sends the same.
	MessageID     string
	To            string // e-mail address
	ToName        string
	Language      string
	Subject       string // one line
	Text          string // the plain-text part
	HTML          string // the HTML part
	State         DeliveryState
	Attempts      int       // delivery attempts so far, the current one included
	NextAttemptAt time.Time // when a queued message is due, or a claim lapses
	LastError     string    // why the last attempt failed
	CreatedAt     time.Time
	SentAt        time.Time // zero unless sent
	// Bulk marks a message of a batch of invitations (InviteMany): the
	// outbox sends every other due message first, so that a password
	// reset or one invitation does not wait behind thousands.
	Bulk bool
}

// Delivery is the state of the latest message of an invitation.
type Delivery struct {
	MessageID int64
	Kind      MessageKind
	State     DeliveryState
	Attempts  int
	Error     string
	SentAt    time.Time
}

// Mailer delivers messages: package smtp's over SMTP, LogMailer to a log.
type Mailer interface {
	// Deliver tries to send each message and returns one error per message,
	// nil for each one the mail server accepted. An error marked with
	// Permanent is not retried; a result of another length than msgs
	// counts as a failure of each, to be retried. The messages are the
	// mailer's own copies: it may keep them, to send later, and nothing
	// changes them after Deliver returns. It returns soon after ctx ends,
	// failing what was not sent by then: the outbox gives it half the
	// lease of its claim on the messages, after which another worker may
	// send them.
	Deliver(ctx context.Context, msgs []*Message) []error
}

// EachMailer is a Mailer that tells each message's outcome as soon as the
// mail server has answered it, before it sends the next: the outbox then
// records each message at once, so that a process killed in the middle of
// a group sends again at most the message it was sending, not the group.
// smtp.Mailer is one.
type EachMailer interface {
	Mailer
	// DeliverEach tries to send each message in turn and calls done once
	// for each, with its index in msgs and its outcome as Deliver would
	// return it, before it sends the next, from one goroutine at a time;
	// done may block (the outbox records the outcome in it). When done
	// returns false (a shutdown), it sends no more and returns at once,
	// telling nothing of the rest. It returns soon after ctx ends, telling
	// what was not sent by then as failed.
	DeliverEach(ctx context.Context, msgs []*Message, done func(i int, err error) (more bool))
}

// LinkKeeper is implemented by a Mailer whose delivered messages are only
// readable where they are kept, such as LogMailer: the outbox then keeps
// their invitation links. Other mailers' messages have the link replaced
// once delivered, so a copy of the token lives only in the invitee's mailbox.
type LinkKeeper interface {
	KeepsLinks() bool
}

// permanentError marks a delivery error that a retry cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as a delivery failure that retrying cannot fix, such
// as an SMTP 5xx reply.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	_, ok := errors.AsType[*permanentError](err)
	return ok
}
