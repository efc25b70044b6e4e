package invite

import (
	"context"
)

// MailTemplate returns the company's invitation template for lang, or the
// built-in one if the company has none, and whether it is the company's.
func (s *Service) MailTemplate(ctx context.Context, companyID int64, lang string) (Template, bool, error) {
	if _, err := s.adminOf(ctx, companyID); err != nil {
		return Template{}, false, err
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
	u, err := s.adminOf(ctx, companyID)
	if err != nil {
		return err
	}
	var v validator
	lang = v.language("language", lang, "en")
	if !t.IsZero() {
		v.template(t)
	}
	if err := v.err(); err != nil {
		return err
	}
	if ts, err := s.st().MailTemplates(ctx, companyID); err != nil {
		return err
	} else if ts[lang] == t {
		return nil // saved again as it is: no change, none recorded
	}
	return s.inTx(ctx, func(tx *Service) error {
		if err := tx.st().SetMailTemplate(ctx, companyID, lang, t, s.clock()); err != nil {
			return err
		}
		d := map[string]any{"language": lang, "built_in": t.IsZero()}
		return tx.logEvents(ctx, companyEvent(EventTemplateChanged, companyID).by(u).with(d))
	})
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
	in.Phone = "" // not in the mail: a preview neither shows nor checks it
	// Nor does it check the address's domain, which sends nothing: Invite
	// and Resend do, on sending.
	anyDomain := *c
	anyDomain.AllowedDomains = nil
	inv, err := in.details(&anyDomain, s.checkPhone)
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
