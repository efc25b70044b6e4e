package invite

import (
	"context"
	"crypto/subtle"
	"errors"
	"regexp"
)

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
		m.redact(s.links, false)
		m.LastError = deliveryError(u, m.LastError)
	}
	return page, nil
}

// smtpReply finds an SMTP reply code in a delivery error: at its start or
// after a colon, followed by a space or a hyphen (not, say, an address's
// octet).
var smtpReply = regexp.MustCompile(`(?:^|: )([245]\d\d)[ -]`)

// DeliveryUnreachable is the delivery error a Company Administrator reads
// when no mail server answered.
const DeliveryUnreachable = "unreachable"

// deliveryError returns why a delivery failed as reader may read it: the
// mail servers' own words for a Global Administrator, who runs them; for
// others only the reply code, such as "550", or DeliveryUnreachable: not
// the names and addresses of the servers in between.
func deliveryError(reader *User, err string) string {
	switch {
	case err == "" || reader.AdminLevel == AdminGlobal:
		return err
	}
	if m := smtpReply.FindStringSubmatch(err); m != nil {
		return m[1]
	}
	return DeliveryUnreachable
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
	m.redact(s.links, link != "")
	m.LastError = deliveryError(u, m.LastError)
	return &MessageView{Message: m, Link: link}, nil
}

// usableLink returns the invitation link of m if reader may see it: see
// Message.
func (s *Service) usableLink(ctx context.Context, reader *User, m *Message) (string, error) {
	if m.InvitationID == 0 || (m.Kind != KindInvitation && m.Kind != KindReminder) || m.State != DeliverySent {
		return "", nil
	}
	token, ok := s.links.invitationToken(m.Text)
	if !ok {
		return "", nil // delivered by a mail server, and redacted
	}
	hash, ok := HashToken(token)
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
	return s.link(token), nil
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
