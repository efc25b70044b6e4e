package invite

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"regexp"
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
	// before another worker may claim it again.
	Lease time.Duration
}

// DefaultRetry returns the retry policy unless configured: ten attempts
// over about five hours.
func DefaultRetry() Retry {
	return Retry{Attempts: 10, Base: 30 * time.Second, Max: time.Hour, Lease: 5 * time.Minute}
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
	deliverBatch   = 50   // messages claimed at once
	deliverBatches = 20   // claims per DeliverOutbox call
	remindBatch    = 200  // reminders looked up at once
	maxErrorLen    = 1000 // characters of a delivery error kept
)

// link returns the invitation link of token.
func (s *Service) link(token string) string { return s.baseURL + AcceptPath + token }

// The links whose tokens are secrets: an invitation link accepts the
// invitation, a password reset link sets the password.
var (
	invitationLink = regexp.MustCompile(regexp.QuoteMeta(AcceptPath) + `([A-Za-z0-9_-]{43})`)
	resetLink      = regexp.MustCompile(regexp.QuoteMeta(ResetPath) + `[A-Za-z0-9_-]{43}`)
)

// RedactedToken replaces the token of a link that is not to be shown.
const RedactedToken = "••••••••"

// redactLinks returns s with the tokens of its password reset links
// replaced and, unless keepInvitations, those of its invitation links.
func redactLinks(s string, keepInvitations bool) string {
	s = resetLink.ReplaceAllLiteralString(s, ResetPath+RedactedToken)
	if !keepInvitations {
		s = invitationLink.ReplaceAllLiteralString(s, AcceptPath+RedactedToken)
	}
	return s
}

// redact replaces the tokens of m's links as redactLinks does; a subject
// never keeps one.
func (m *Message) redact(keepInvitations bool) {
	m.Text, m.HTML = redactLinks(m.Text, keepInvitations), redactLinks(m.HTML, keepInvitations)
	m.Subject = redactLinks(m.Subject, false)
}

// messageID returns a new RFC 5322 Message-ID in the domain of BaseURL.
func (s *Service) messageID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("message id: %w", err)
	}
	host := "invite.localhost"
	if u, err := url.Parse(s.baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "<" + hex.EncodeToString(b) + "@" + host + ">", nil
}

// remindAt returns when the reminder of an invitation sent at sentAt that
// expires at expiresAt is due, or zero if it gets none.
func (s *Service) remindAt(sentAt, expiresAt time.Time) time.Time {
	if s.remindBefore < 0 {
		return time.Time{}
	}
	at := expiresAt.Add(-s.remindBefore)
	if !at.After(sentAt) {
		return time.Time{}
	}
	return at
}

// mailContext is what composing an invitation's messages needs from the
// store, loaded before the transaction that writes them.
type mailContext struct {
	company   *Company
	inviter   string
	templates map[string]Template // the company's, by language
}

// loadMailContext loads the company, inviter name and templates for inv.
// inviter is the inviting user if known, else it is loaded; a deleted
// inviter is named by the company.
func (s *Service) loadMailContext(ctx context.Context, inv *Invitation, c *Company, inviter *User) (*mailContext, error) {
	mc := &mailContext{company: c}
	if mc.company == nil {
		var err error
		if mc.company, err = s.st().Company(ctx, inv.CompanyID); err != nil {
			return nil, err
		}
	}
	switch {
	case inviter != nil:
		mc.inviter = inviter.Name()
	default:
		u, err := s.st().User(ctx, inv.InvitedBy)
		switch {
		case err == nil:
			mc.inviter = u.Name()
		case errors.Is(err, ErrUserNotFound):
			mc.inviter = mc.company.Name
		default:
			return nil, err
		}
	}
	var err error
	mc.templates, err = s.st().MailTemplates(ctx, inv.CompanyID)
	return mc, err
}

// compose makes the message of kind for inv with the link of token.
func (s *Service) compose(kind MessageKind, inv *Invitation, mc *mailContext, token string, now time.Time) (*Message, error) {
	tmpl := Template{}
	if kind == KindInvitation {
		tmpl = inv.Mail
		if tmpl.IsZero() {
			tmpl = mc.templates[inv.Language]
		}
	}
	m, err := s.texts.compose(mailInput{kind: kind, inv: inv, company: mc.company, inviter: mc.inviter, link: s.link(token), template: tmpl})
	if err != nil {
		return nil, err
	}
	if m.MessageID, err = s.messageID(); err != nil {
		return nil, err
	}
	m.CreatedAt, m.NextAttemptAt = now, now
	return m, nil
}

// notice composes a message of kind to user to about inv (whose fields fill
// the placeholders), with link, written at now.
func (s *Service) notice(kind MessageKind, to *User, c *Company, inv *Invitation, inviter, link string, now time.Time) (*Message, error) {
	m, err := s.texts.compose(mailInput{kind: kind, inv: inv, to: to, company: c, inviter: inviter, link: link})
	if err != nil {
		return nil, err
	}
	if m.MessageID, err = s.messageID(); err != nil {
		return nil, err
	}
	m.InvitationID, m.CreatedAt, m.NextAttemptAt = 0, now, now
	return m, nil
}

// DeliverOutbox delivers the messages that are due through mailer, in
// batches, and returns how many were sent. A message whose delivery fails
// temporarily is queued again with backoff; one that fails permanently, or
// too often, is marked failed with the reason. Any number of workers may run
// it at once: each message is claimed by one of them. It is the scheduled
// job's work and does no authorization.
func (s *Service) DeliverOutbox(ctx context.Context, mailer Mailer) (int, error) {
	keep := false
	if k, ok := mailer.(LinkKeeper); ok {
		keep = k.KeepsLinks()
	}
	sent := 0
	for range deliverBatches {
		now := s.clock()
		msgs, err := s.st().ClaimMessages(ctx, now, now.Add(s.retry.Lease), deliverBatch)
		if err != nil || len(msgs) == 0 {
			return sent, err
		}
		errs := mailer.Deliver(ctx, copyMessages(msgs))
		now = s.clock()
		for i, m := range msgs {
			var err error
			if i < len(errs) {
				err = errs[i]
			}
			s.settle(m, err, now, keep)
			if m.State == DeliverySent {
				sent++
			}
			if err := s.st().SaveDelivery(ctx, m); err != nil {
				return sent, err
			}
		}
		if len(msgs) < deliverBatch {
			break
		}
	}
	return sent, nil
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
		m.redact(keepLinks)
	case IsPermanent(err) || m.Attempts >= s.retry.Attempts:
		// Never sent, never shown: the link of a failed message is dead
		// to everyone, and a resend makes a new one.
		m.State, m.LastError = DeliveryFailed, truncate(err.Error(), maxErrorLen)
		m.redact(false)
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

// SendReminders writes one reminder for each pending invitation whose
// reminder is due, with a new link, and returns how many it wrote. An
// invitation is reminded once per sending: never twice, whatever number of
// instances run it at once. It is the scheduled job's work and does no
// authorization.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	if s.remindBefore < 0 {
		return 0, nil
	}
	now := s.clock()
	due, err := s.st().DueReminders(ctx, now, remindBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, inv := range due {
		mc, err := s.loadMailContext(ctx, inv, nil, nil)
		if err != nil {
			return sent, err
		}
		token, hash, err := newToken(s.rand)
		if err != nil {
			return sent, err
		}
		var msg *Message
		_, err = s.st().UpdateInvitation(ctx, inv.ID, now, func(inv *Invitation) (*Message, error) {
			if err := inv.remind(hash, now); err != nil {
				return nil, err
			}
			msg, err = s.compose(KindReminder, inv, mc, token, now)
			return msg, err
		})
		switch {
		case errors.Is(err, errNotDue):
		case err != nil:
			return sent, err
		default:
			sent++
		}
	}
	if sent > 0 {
		s.queued()
	}
	return sent, nil
}

// MessageFilter selects messages for Messages.
type MessageFilter struct {
	CompanyID int64 // 0: every company the acting administrator administers
	After     int64 // the Next of the previous page; 0 for the first page
	Limit     int   // page size; DefaultPageSize when 0, at most MaxPageSize
}

// MessagePage is one page of messages, newest first.
type MessagePage struct {
	Messages []*Message
	Next     int64 // 0 on the last page
}

// Messages lists the outbox, newest first: what was sent, is queued or
// failed. The tokens of every link in the bodies are replaced: a list shows
// no live link to anyone (see Message).
func (s *Service) Messages(ctx context.Context, f MessageFilter) (*MessagePage, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	companyID, err := scope(u, f.CompanyID)
	if err != nil {
		return nil, err
	}
	if f.After < 0 {
		return nil, ErrInvalidCursor
	}
	limit := pageSize(f.Limit)
	msgs, err := s.st().Messages(ctx, MessageQuery{CompanyID: companyID, Before: f.After, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	page := &MessagePage{Messages: msgs}
	if len(msgs) > limit {
		page.Messages = msgs[:limit]
		page.Next = page.Messages[limit-1].ID
	}
	for _, m := range page.Messages {
		m.redact(false)
	}
	return page, nil
}

// MessageView is one message of the outbox as the acting administrator may
// read it.
type MessageView struct {
	Message *Message
	// Link is the invitation link of the message if the reader may use
	// it, "" otherwise.
	Link string
}

// Message returns a message of the outbox of a company the acting
// administrator administers, with its bodies. A link in it is a way into
// somebody's account, so its token is replaced unless the reader could
// have sent that very link: a password reset link only ever reaches its
// owner, by e-mail, and is never shown. An invitation link is shown only
// where no mail server took it (Deliver of a LinkKeeper, such as the
// LogMailer of the embedded default: the administrator passes the link on
// by hand), only while it is the pending invitation's current link, and
// only to a Global Administrator or to the administrator who sent it, if
// they may still grant all it grants.
func (s *Service) Message(ctx context.Context, id int64) (*MessageView, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.st().Message(ctx, id)
	if err != nil {
		return nil, err
	}
	if !administers(u, m.CompanyID) {
		return nil, ErrMessageNotFound
	}
	link, err := s.usableLink(ctx, u, m)
	if err != nil {
		return nil, err
	}
	m.redact(link != "")
	return &MessageView{Message: m, Link: link}, nil
}

// usableLink returns the invitation link of m if reader may see it: see
// Message.
func (s *Service) usableLink(ctx context.Context, reader *User, m *Message) (string, error) {
	if m.InvitationID == 0 || (m.Kind != KindInvitation && m.Kind != KindReminder) || m.State != DeliverySent {
		return "", nil
	}
	match := invitationLink.FindStringSubmatch(m.Text)
	if match == nil {
		return "", nil // delivered by a mail server, and redacted
	}
	hash, ok := HashToken(match[1])
	if !ok {
		return "", nil
	}
	inv, err := s.st().Invitation(ctx, m.InvitationID)
	switch {
	case errors.Is(err, ErrInvitationNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	live := inv.StatusAt(s.clock()) == StatusPending && subtle.ConstantTimeCompare(inv.TokenHash, hash) == 1 && inv.CompanyID == m.CompanyID
	if !live || !couldSend(reader, inv) {
		return "", nil
	}
	return s.link(match[1]), nil
}

// couldSend reports whether u may hold the current link of inv: a Global
// Administrator, or the administrator who sent it, while they administer
// its company and may grant all it grants.
func couldSend(u *User, inv *Invitation) bool {
	if u.AdminLevel == AdminGlobal {
		return true
	}
	var v validator
	v.grantable("grants", u, inv.Grants)
	return u.ID == inv.LastSentBy && administers(u, inv.CompanyID) && v.err() == nil
}

// MailTemplate returns the company's invitation template for lang, or the
// built-in one if the company has none, and whether it is the company's.
func (s *Service) MailTemplate(ctx context.Context, companyID int64, lang string) (Template, bool, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return Template{}, false, err
	}
	if !administers(u, companyID) {
		return Template{}, false, ErrCompanyNotFound
	}
	var v validator
	if lang = v.language("language", lang, "en"); lang == "" {
		return Template{}, false, v.err()
	}
	ts, err := s.st().MailTemplates(ctx, companyID)
	if err != nil {
		return Template{}, false, err
	}
	if t, ok := ts[lang]; ok {
		return t, true, nil
	}
	return s.texts.defaultTemplate(KindInvitation, lang), false, nil
}

// SetMailTemplate saves the company's invitation template for lang; a zero
// template goes back to the built-in one. A template with an unknown
// placeholder, or a line break in its subject, is refused with the position.
func (s *Service) SetMailTemplate(ctx context.Context, companyID int64, lang string, t Template) error {
	u, err := s.admin(ctx)
	if err != nil {
		return err
	}
	if !administers(u, companyID) {
		return ErrCompanyNotFound
	}
	var v validator
	lang = v.language("language", lang, "en")
	if !t.IsZero() {
		v.template(t)
	}
	if err := v.err(); err != nil {
		return err
	}
	return s.st().SetMailTemplate(ctx, companyID, lang, t, s.clock())
}

// PreviewMail renders the invitation message that in would send, without
// sending or saving anything, for an administrator to check a template.
func (s *Service) PreviewMail(ctx context.Context, in InvitationInput) (*Message, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.companyFor(ctx, u, in.CompanyID)
	if err != nil {
		return nil, err
	}
	inv, err := in.details(c, s.checkPhone)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	inv.ExpiresAt = now.Add(s.ttl)
	mc, err := s.loadMailContext(ctx, inv, c, u)
	if err != nil {
		return nil, err
	}
	return s.compose(KindInvitation, inv, mc, previewToken, now)
}

// previewToken stands in for the token in previews: a real token exists
// only once an invitation is sent.
const previewToken = "PREVIEW-PREVIEW-PREVIEW-PREVIEW-PREVIEW-PRE"
