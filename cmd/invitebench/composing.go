package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/invitehq/invite/invite"
)

// composing is P4: composing an invitation mail, its subject, text and
// HTML, in the big company's own template, on every core.
//
// invite.RenderInvitation is the cheapest exported way to the product's
// composition: what Invite and PreviewMail render, given the invitation,
// company, inviter and template, with no store and no acting user. The
// database is read once, here, not while measuring.
type composing struct {
	b        *bench
	template invite.Template
	inv      *invite.Invitation
	company  *invite.Company
	inviter  string
	link     string
}

func (b *bench) newComposing(ctx context.Context) (*composing, error) {
	admin, err := b.svc.Authenticate(ctx, adminEmail(bigCompany), b.password)
	if err != nil {
		return nil, err
	}
	actx := invite.NewContext(ctx, admin)
	p := &composing{b: b, inviter: admin.Name(), link: b.base + b.svc.Paths().AcceptInvitation + "0123456789abcdef0123456789abcdef0123456789a"}
	if p.inviter == "" {
		p.inviter = admin.Email
	}
	if p.company, err = b.svc.Company(actx, bigCompany); err != nil {
		return nil, err
	}
	var id int64
	// A pending invitation in the company's language, which its template
	// is in.
	err = b.raw.QueryRowContext(ctx, `SELECT id FROM invitations WHERE company_id = ? AND language = ? AND status = 'pending'
		ORDER BY id LIMIT 1`, bigCompany, p.company.DefaultLanguage).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("an invitation to compose: %w", err)
	}
	if p.inv, err = b.svc.Invitation(actx, id); err != nil {
		return nil, err
	}
	var own bool
	if p.template, own, err = b.svc.MailTemplate(actx, bigCompany, p.inv.Language); err != nil {
		return nil, err
	}
	if !own {
		return nil, fmt.Errorf("company %d has no template of its own in %s", bigCompany, p.inv.Language)
	}
	_, err = p.compose()
	return p, err
}

func (p *composing) compose() (*invite.Message, error) {
	return invite.RenderInvitation(p.template, p.inv, p.company, p.inviter, p.link)
}

// round composes on every core for the round's time and records messages
// per second per core.
func (p *composing) round(ctx context.Context, m *measurements) error {
	procs := runtime.GOMAXPROCS(0)
	r := p.b.check("P4 compose", drive(ctx, procs, stopAt{d: p.b.cfg.p4}, func(context.Context, int) error {
		_, err := p.compose()
		return err
	}))
	m.p4 = append(m.p4, r.rate()/float64(procs))
	return ctx.Err()
}
