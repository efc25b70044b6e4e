package invite

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Retry is how delivery of a message is retried after a temporary failure:
// the n-th retry waits a random time between half and all of
// min(Base * 2^(n-1), Max), and a message that failed Attempts times is
// failed for good. A permanent failure (an SMTP 5xx reply) is not retried.
type Retry struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
	// Lease is how long a worker may take to deliver a claimed message
	// before another worker may claim it again: how late a message
	// claimed by a process that was killed goes out. The mailer has half
	// of it for each group of ten.
	Lease time.Duration
}

// DefaultRetry returns the retry policy unless configured: ten attempts
// over about five hours, with claims of a minute.
func DefaultRetry() Retry {
	return Retry{Attempts: 10, Base: 30 * time.Second, Max: time.Hour, Lease: time.Minute}
}

func (r Retry) withDefaults() Retry {
	d := DefaultRetry()
	if r.Attempts <= 0 {
		r.Attempts = d.Attempts
	}
	if r.Base <= 0 {
		r.Base = d.Base
	}
	if r.Max <= 0 {
		r.Max = d.Max
	}
	if r.Lease <= 0 {
		r.Lease = d.Lease
	}
	return r
}

// backoff returns the wait before the retry that follows attempt n.
func (r Retry) backoff(n int) time.Duration {
	d := r.Max
	if n < 40 && r.Base<<(n-1) < r.Max {
		d = r.Base << (n - 1)
	}
	return d/2 + rand.N(d/2+1)
}

// The limits of one run of a job.
const (
	deliverBatch   = 10   // messages claimed at once, handed to the mailer and recorded before the next
	deliverBatches = 100  // claims per DeliverOutbox call
	remindBatch    = 200  // reminders looked up at once
	maxErrorLen    = 1000 // characters of a delivery error kept
)

// How long recording a delivery is tried again when the store fails, and
// the first wait between tries (doubled up to a second): a message that
// was sent and not recorded is sent again once its claim runs out.
const (
	recordFor   = 30 * time.Second
	recordRetry = 50 * time.Millisecond
)

// RedactedToken replaces the token of a link that is not to be shown.
const RedactedToken = "••••••••"

// redact replaces the tokens of m's secret links as l.redact does; a
// subject never keeps one.
func (m *Message) redact(l *secretLinks, keepInvitations bool) {
	m.Text, m.HTML = l.redact(m.Text, keepInvitations), l.redact(m.HTML, keepInvitations)
	m.Subject = l.redact(m.Subject, false)
}

// DeliverOutbox delivers the messages that are due through mailer, in
// batches, and returns how many were sent. A message whose delivery fails
// temporarily is queued again with backoff; one that fails permanently, or
// too often, is marked failed with the reason. Any number of workers may run
// it at once: each message is claimed by one of them. It is the scheduled
// job's work and does no authorization.
//
// Each batch is claimed, handed to the mailer and recorded before the next:
// the mailer has half the claim's lease (Retry.Lease) to deliver it, and
// its outcome is recorded with the other half to spare, so that no other
// worker claims a message that is still being sent. An EachMailer's
// messages (smtp's) are recorded one by one as the server answers each, so
// that a process killed in the middle of a batch leaves at most one
// message sent and not recorded, to be sent again once its claim lapses.
// Recording is tried again when the store fails, also once ctx is
// canceled (a shutdown): what was sent is recorded before the call
// returns, or would be sent again once its claim lapsed. A canceled ctx
// claims nothing more, lets an EachMailer finish the message it is
// sending, and gives back what was not sent, to be claimed at once by
// another worker.
func (s *Service) DeliverOutbox(ctx context.Context, mailer Mailer) (int, error) {
	keep := false
	if k, ok := mailer.(LinkKeeper); ok {
		keep = k.KeepsLinks()
	}
	sent := 0
	var unrecorded error // the first delivery that could not be recorded
	for range deliverBatches {
		if err := ctx.Err(); err != nil {
			return sent, cmp.Or(unrecorded, err)
		}
		now := s.clock()
		msgs, err := s.st().ClaimMessages(ctx, now, now.Add(s.retry.Lease), deliverBatch)
		if err != nil || len(msgs) == 0 {
			return sent, cmp.Or(err, unrecorded)
		}
		s.hand(ctx, mailer, msgs, func(m *Message, err error) {
			if s.finish(ctx, m, err, keep) {
				sent++
			}
			if err := s.record(ctx, m, s.ownedBy(ctx, deliveryEvent(m, ctx.Err() != nil), m)); err != nil && unrecorded == nil {
				unrecorded = fmt.Errorf("record the delivery of message %d: %w", m.ID, err)
			}
		})
		if len(msgs) < deliverBatch {
			break
		}
	}
	return sent, unrecorded
}

// hand gives msgs to mailer for half their lease and calls done with each
// message and the mailer's answer for it: as each is answered when mailer
// is an EachMailer, else once all are.
//
// An EachMailer is not cut off by the end of ctx (a shutdown): the message
// it is sending gets its answer, and it stops before the next. Found from
// outside: cut off, a message whose data the server had taken was counted
// as not sent and sent again by another worker.
func (s *Service) hand(ctx context.Context, mailer Mailer, msgs []*Message, done func(*Message, error)) {
	if each, ok := mailer.(EachMailer); ok {
		lease, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.retry.Lease/2)
		defer cancel()
		told := make([]bool, len(msgs))
		each.DeliverEach(lease, copyMessages(msgs), func(i int, err error) bool {
			if i >= 0 && i < len(msgs) && !told[i] {
				told[i] = true
				done(msgs[i], err)
			}
			return ctx.Err() == nil
		})
		for i, m := range msgs {
			if !told[i] { // not sent (a shutdown), or unknown: tried again
				done(m, errors.New("the mailer did not tell the outcome of this message"))
			}
		}
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.retry.Lease/2)
	defer cancel()
	errs := mailer.Deliver(ctx, copyMessages(msgs))
	if len(errs) != len(msgs) {
		// Which were sent is unknown: none counts as sent, and each is
		// tried again, as after a mail server that went away.
		miscount := fmt.Errorf("the mailer answered %d results for %d messages", len(errs), len(msgs))
		errs = slices.Repeat([]error{miscount}, len(msgs))
	}
	for i, m := range msgs {
		done(m, errs[i])
	}
}

// finish settles m with the outcome err of its delivery attempt, logs a
// failure, and reports whether m was sent. A temporary failure once ctx
// has ended (a shutdown) is no failure: m is given back, for another
// worker to claim at once, rather than when the claim would have run out,
// and before what was queued after it.
func (s *Service) finish(ctx context.Context, m *Message, err error, keepLinks bool) bool {
	s.settle(m, err, s.clock(), keepLinks)
	switch {
	case m.State == DeliveryQueued && ctx.Err() != nil:
		// Ahead of what was queued after it: found from outside, given
		// back at "now" it waited behind the whole backlog.
		m.NextAttemptAt = m.CreatedAt
	case m.State == DeliverySent:
		return true
	case m.State == DeliveryFailed:
		s.logger.Error("mail not delivered, for good", "message", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", m.LastError)
	default:
		s.logger.Warn("mail not delivered, to be tried again", "message", m.ID, "kind", m.Kind, "attempts", m.Attempts, "next_attempt", m.NextAttemptAt, "err", m.LastError)
	}
	return false
}

// record saves the outcome of m's delivery, with e (if not nil) in the
// history, trying again for recordFor while the store fails, whether or
// not ctx is canceled.
func (s *Service) record(ctx context.Context, m *Message, e *Event) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordFor)
	defer cancel()
	wait := recordRetry
	for {
		err := s.inTx(ctx, func(tx *Service) error {
			if err := tx.st().SaveDelivery(ctx, m); err != nil || e == nil {
				return err
			}
			e.ID, e.At = 0, time.Time{}
			return tx.logEvents(ctx, e)
		})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// copyMessages returns copies of msgs for a Mailer to keep: what the
// service then records in its own (a redacted link) is not in them.
func copyMessages(msgs []*Message) []*Message {
	out := make([]*Message, len(msgs))
	for i, m := range msgs {
		c := *m
		out[i] = &c
	}
	return out
}

// settle records the outcome of one delivery attempt in m.
func (s *Service) settle(m *Message, err error, now time.Time, keepLinks bool) {
	switch {
	case err == nil:
		// The token now lives in the recipient's mailbox (or, for a
		// LinkKeeper, in the outbox for the administrators who may copy
		// an invitation link). A reset link only ever goes to its owner.
		m.State, m.SentAt, m.LastError = DeliverySent, now, ""
		m.redact(s.links, keepLinks)
	case IsPermanent(err) || m.Attempts >= s.retry.Attempts:
		// Never sent, never shown: the link of a failed message is dead
		// to everyone, and a resend makes a new one.
		m.State, m.LastError = DeliveryFailed, truncate(err.Error(), maxErrorLen)
		m.redact(s.links, false)
	default:
		m.State, m.LastError = DeliveryQueued, truncate(err.Error(), maxErrorLen)
		m.NextAttemptAt = now.Add(s.retry.backoff(m.Attempts))
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// messageEvent returns an event of the given kind about m: its
// invitation's, or, for a message of no invitation (a password reset, a
// notice), the message's own.
func messageEvent(kind EventKind, m *Message) *Event {
	if m.InvitationID != 0 {
		return &Event{Kind: kind, CompanyID: m.CompanyID, Subject: SubjectInvitation, SubjectID: m.InvitationID, Email: m.To}
	}
	return &Event{Kind: kind, CompanyID: m.CompanyID, Subject: SubjectMessage, SubjectID: m.ID, Email: m.To}
}

// deliveryEvent returns the event of m's settled delivery attempt: sent,
// failed for good, or failed to be tried again; nil for a message given
// back unsent at a shutdown, which is no attempt.
func deliveryEvent(m *Message, shutdown bool) *Event {
	d := map[string]any{"message": m.ID, "kind": string(m.Kind), "attempt": m.Attempts}
	switch m.State {
	case DeliverySent:
		return messageEvent(EventMailDelivered, m).with(d)
	case DeliveryFailed:
		d["final"], d["error"] = true, m.LastError
		return messageEvent(EventMailFailed, m).with(d)
	case DeliveryQueued:
		if shutdown {
			return nil
		}
		d["final"], d["error"], d["next_attempt_at"] = false, m.LastError, dateText(m.NextAttemptAt)
		return messageEvent(EventMailFailed, m).with(d)
	}
	return nil
}

// ownedBy returns e, the event of m's delivery, about m's recipient when
// m is their password reset, as the event of its queueing is: the user's
// timeline shows what became of it (found from outside: only that it was
// queued). A recipient not found leaves e about the message.
func (s *Service) ownedBy(ctx context.Context, e *Event, m *Message) *Event {
	if e == nil || m.Kind != KindPasswordReset || m.InvitationID != 0 {
		return e
	}
	u, err := s.st().UserByEmail(ctx, m.To)
	if err != nil {
		return e
	}
	owned := userEvent(e.Kind, u)
	owned.Detail = e.Detail
	return owned
}
