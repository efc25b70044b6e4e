package invite

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"
)

// link returns the invitation link of token.
func (s *Service) link(token string) string { return s.baseURL + AcceptPath + token }

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
