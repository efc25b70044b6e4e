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
func (s *Service) link(token string) string { return s.baseURL + s.paths.AcceptInvitation + token }

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
	company      *Company
	inviter      string
	inviterNamed bool                // false: inviter is the company's name
	templates    map[string]Template // the company's, by language
}

// loadMailContext loads the company, inviter name and templates for inv.
// inviter is the user who sends it if known, else whoever sent its current
// link (its inviter, or who resent it last) is loaded; a deleted one, or
// one without a name, is named by the company.
func (s *Service) loadMailContext(ctx context.Context, inv *Invitation, c *Company, inviter *User) (*mailContext, error) {
	mc := &mailContext{company: c}
	if mc.company == nil {
		var err error
		if mc.company, err = s.st().Company(ctx, inv.CompanyID); err != nil {
			return nil, err
		}
	}
	if inviter == nil { // whoever sent the current link, or the inviter
		by := inv.LastSentBy
		if by == 0 {
			by = inv.InvitedBy
		}
		u, err := s.st().User(ctx, by)
		switch {
		case err == nil:
			inviter = u
		case !errors.Is(err, ErrUserNotFound):
			return nil, err
		}
	}
	// A deleted inviter, or one with no name yet, is named by the company.
	mc.inviter = mc.company.Name
	if inviter != nil && inviter.Name() != "" {
		mc.inviter, mc.inviterNamed = inviter.Name(), true
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
	return s.write(mailInput{
		kind:         kind,
		to:           recipient{inv.Email, inv.Name(), inv.Language, inv.TimeZone},
		companyID:    inv.CompanyID,
		invitationID: inv.ID,
		values:       invitationValues(inv, mc.company, mc.inviter, s.texts.subscriptions(inv.Language, inv.Grants, mc.company)),
		dates:        map[string]time.Time{"ExpirationDate": inv.ExpiresAt},
		link:         s.link(token),
		template:     tmpl,
	}, now)
}

// RenderInvitation renders the e-mail that template t makes of inv, an
// invitation into company c sent by inviter (a name), with link in place
// of {InvitationLink}: what Invite sends, in inv's language with dates in
// its time zone, as a preview that needs no store and no acting user. A
// zero t renders the built-in template of inv.Language. A t that
// ValidateTemplate refuses is refused with the same error.
func RenderInvitation(t Template, inv *Invitation, c *Company, inviter, link string) (*Message, error) {
	var parsed *parsedTemplate
	if !t.IsZero() {
		var v validator
		if parsed = v.template(t); v.err() != nil {
			return nil, v.err()
		}
	}
	texts, err := builtinTexts()
	if err != nil {
		return nil, err
	}
	return texts.compose(mailInput{
		parsed:       parsed,
		kind:         KindInvitation,
		to:           recipient{inv.Email, inv.Name(), inv.Language, inv.TimeZone},
		companyID:    inv.CompanyID,
		invitationID: inv.ID,
		values:       invitationValues(inv, c, inviter, texts.subscriptions(inv.Language, inv.Grants, c)),
		dates:        map[string]time.Time{"ExpirationDate": inv.ExpiresAt},
		link:         link,
		template:     t,
	})
}

// invitationValues are the placeholders of an invitation that are text.
func invitationValues(inv *Invitation, c *Company, inviter, subscriptions string) map[string]string {
	return map[string]string{
		"UserName":      inv.Email,
		"FirstName":     inv.FirstName,
		"LastName":      inv.LastName,
		"CompanyName":   c.Name,
		"InviterName":   inviter,
		"Subscriptions": subscriptions,
	}
}

// renewalRequest is the message that tells administrator to that the
// invitee of the expired inv asks for a new one, linking to the page where
// it is sent again.
func (s *Service) renewalRequest(to *User, inv *Invitation, c *Company, inviter, link string, now time.Time) (*Message, error) {
	values := invitationValues(inv, c, inviter, "")
	delete(values, "Subscriptions")
	return s.write(mailInput{
		kind:      KindRenewalRequest,
		to:        recipientOf(to),
		companyID: inv.CompanyID,
		values:    values,
		dates:     map[string]time.Time{"ExpirationDate": inv.ExpiresAt},
		link:      link,
	}, now)
}

// passwordReset is the message that carries the link to set u's password,
// which works until expires.
func (s *Service) passwordReset(u *User, c *Company, link string, expires, now time.Time) (*Message, error) {
	return s.write(mailInput{
		kind:      KindPasswordReset,
		to:        recipientOf(u),
		companyID: u.CompanyID,
		values:    map[string]string{"UserName": u.Email, "FirstName": u.FirstName, "LastName": u.LastName, "CompanyName": c.Name},
		dates:     map[string]time.Time{"ExpirationDate": expires},
		link:      link,
	}, now)
}

// joinRequest is the message that tells administrator to of r, linking to
// the page where it is decided.
func (s *Service) joinRequest(to *User, r *JoinRequest, c *Company, link string) (*Message, error) {
	return s.write(mailInput{
		kind:      KindJoinRequest,
		to:        recipientOf(to),
		companyID: c.ID,
		values:    map[string]string{"UserName": r.Email, "FirstName": r.FirstName, "LastName": r.LastName, "CompanyName": c.Name},
		dates:     map[string]time.Time{"RequestedAt": r.CreatedAt},
		link:      link,
	}, r.CreatedAt)
}

func recipientOf(u *User) recipient { return recipient{u.Email, u.Name(), u.Language, u.TimeZone} }

// write composes the message of in, to be written to the outbox at now.
func (s *Service) write(in mailInput, now time.Time) (*Message, error) {
	m, err := s.texts.compose(in)
	if err != nil {
		return nil, err
	}
	if m.MessageID, err = s.messageID(); err != nil {
		return nil, err
	}
	m.CreatedAt, m.NextAttemptAt = now, now
	return m, nil
}
