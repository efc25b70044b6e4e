package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/invitehq/invite/invite"
)

// inviting is P1, sending an invitation: over HTTP, as htmx posts the
// invite form of a logged-in Company Administrator; through
// Service.Invite; and, as the baseline, the rows an invitation is (the
// invitation, its grants, its message in the outbox) inserted in one
// transaction with prepared statements.
type inviting struct {
	b        *bench
	browsers []*browser
	forms    []*form // each browser's invite form, with its token
	role     string  // the business role chosen in the form
	grants   [2]string
	admin    *invite.User
	timeZone string // the company's, which the invitation takes
	in       invite.InvitationInput
	msg      *invite.Message // what the product writes to the outbox, for the baseline to write as much
	rawSQL   rawInsert
}

// rawInsert are the baseline's prepared statements and transaction
// options, those of the product's store.
type rawInsert struct {
	invitation, grants, message *sql.Stmt
	tx                          *sql.TxOptions
}

func (b *bench) newInviting(ctx context.Context) (*inviting, error) {
	email := adminEmail(inviteCompany)
	admin, err := b.svc.Authenticate(ctx, email, b.password)
	if err != nil {
		return nil, fmt.Errorf("authenticate %s: %w", email, err)
	}
	p := &inviting{b: b, admin: admin}
	company, err := b.svc.Company(invite.NewContext(ctx, admin), inviteCompany)
	if err != nil {
		return nil, err
	}
	p.timeZone = company.TimeZone
	if p.browsers, err = logIns(ctx, b.web, b.base, email, b.password, b.cfg.clients); err != nil {
		return nil, err
	}
	for _, br := range p.browsers {
		page, err := br.page(ctx, "/admin/invitations/new")
		if err != nil {
			return nil, err
		}
		f, err := parseForm(page, "/admin/invitations")
		if err != nil {
			return nil, err
		}
		br.csrf = f.values.Get("_csrf")
		p.forms = append(p.forms, f)
	}
	f := p.forms[0]
	if p.role, err = f.choice("business_role", 0); err != nil {
		return nil, err
	}
	for i := range p.grants {
		if p.grants[i], err = f.choice("grant", i); err != nil {
			return nil, err
		}
	}
	if err := p.input(); err != nil {
		return nil, err
	}
	in := p.in
	in.Email = b.email("preview")
	if p.msg, err = b.svc.PreviewMail(invite.NewContext(ctx, admin), in); err != nil {
		return nil, fmt.Errorf("preview the invitation mail: %w", err)
	}
	if p.rawSQL, err = b.prepareInsert(ctx); err != nil {
		return nil, err
	}
	return p, b.countStatements(ctx, "P1", p.ops())
}

// ops are the operations P1 measures, in the order it measures them.
func (p *inviting) ops() []namedOp {
	b := p.b
	return []namedOp{
		{"P1 raw", func(ctx context.Context, _ int) error { return p.rawInvite(ctx, b.email("raw")) }},
		{"P1 HTTP", func(ctx context.Context, c int) error { return p.httpInvite(ctx, c, b.email("http")) }},
		{"P1 service", func(ctx context.Context, _ int) error { return p.serviceInvite(ctx, b.email("svc")) }},
	}
}

// input is the service's input for what the form sends: the same person,
// business role and grants.
func (p *inviting) input() error {
	role, err := strconv.ParseInt(p.role, 10, 64)
	if err != nil {
		return err
	}
	p.in = invite.InvitationInput{FirstName: "Grace", LastName: "Hopper", BusinessRoleID: role}
	for i, g := range p.grants {
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return err
		}
		p.in.Grants = append(p.in.Grants, invite.Grant{SubscriptionID: id, Role: grantRole(i)})
	}
	return nil
}

// grantRole is the role the i-th grant gives.
func grantRole(i int) invite.Role { return []invite.Role{invite.RoleContributor, invite.RoleViewer}[i] }

func (b *bench) prepareInsert(ctx context.Context) (rawInsert, error) {
	var r rawInsert
	if b.dialect.mysql {
		r.tx = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	for _, s := range []struct {
		stmt **sql.Stmt
		q    string
	}{
		{&r.invitation, `INSERT INTO invitations (company_id, email, pending_email, first_name, last_name, business_role_id,
			department, phone, language, time_zone, admin_level, invited_by, last_sent_by, token_hash, status, created_at,
			expires_at, times_sent, last_sent_at, remind_at) VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?, 'none', ?, ?, ?, 'pending', ?, ?, 1, ?, ?)`},
		{&r.grants, `INSERT INTO invitation_subscriptions (invitation_id, company_id, subscription_id, role) VALUES (?, ?, ?, ?), (?, ?, ?, ?)`},
		{&r.message, `INSERT INTO outbox (company_id, invitation_id, kind, message_id, recipient, recipient_name, language,
			subject, text_body, html_body, state, attempts, next_attempt_at, last_error, created_at)
			VALUES (?, ?, 'invitation', ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, '', ?)`},
	} {
		var err error
		if *s.stmt, err = b.raw.PrepareContext(ctx, s.q); err != nil {
			return r, err
		}
	}
	return r, nil
}

// rawInvite writes what an invitation is, and nothing else: no lookups,
// no validation, no rendering.
func (p *inviting) rawInvite(ctx context.Context, email string) error {
	d, c, in := p.b.dialect, p.admin.CompanyID, p.in
	now := time.Now().UTC().Truncate(time.Microsecond)
	expires := now.Add(ttl)
	token := make([]byte, 32)
	rand.Read(token)
	tx, err := p.b.raw.BeginTx(ctx, p.rawSQL.tx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.StmtContext(ctx, p.rawSQL.invitation).ExecContext(ctx, c, email, email, in.FirstName, in.LastName, in.BusinessRoleID,
		p.msg.Language, p.timeZone, p.admin.ID, p.admin.ID, token, d.arg(now), d.arg(expires), d.arg(now), d.arg(expires.Add(-invite.DefaultRemindBefore)))
	if err != nil {
		return fmt.Errorf("insert invitation: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	g := in.Grants
	if _, err := tx.StmtContext(ctx, p.rawSQL.grants).ExecContext(ctx, id, c, g[0].SubscriptionID, string(g[0].Role), id, c, g[1].SubscriptionID, string(g[1].Role)); err != nil {
		return fmt.Errorf("insert grants: %w", err)
	}
	messageID := "<" + hex.EncodeToString(token[:16]) + "@127.0.0.1>"
	if _, err := tx.StmtContext(ctx, p.rawSQL.message).ExecContext(ctx, c, id, messageID, email, "Grace Hopper", p.msg.Language,
		p.msg.Subject, p.msg.Text, p.msg.HTML, d.arg(now), d.arg(now)); err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return tx.Commit()
}

// form returns what browser c posts to invite email: the form as its page
// came, filled in as a person fills it, sent with its Send button.
func (p *inviting) form(c int, email string) url.Values {
	v := p.forms[c].clone()
	v.Set("first_name", p.in.FirstName)
	v.Set("last_name", p.in.LastName)
	v.Set("email", email)
	v.Set("business_role", p.role)
	v["grant"] = slices.Clone(p.grants[:])
	for i, g := range p.grants {
		v.Set("role_"+g, string(grantRole(i)))
	}
	v.Set("action", "send")
	return v
}

// httpInvite posts the invite form as htmx does. Sent, the answer is 204
// with HX-Redirect to the list; a form with errors comes back 422.
func (p *inviting) httpInvite(ctx context.Context, c int, email string) error {
	return postInvite(ctx, p.browsers[c], p.form(c, email))
}

func postInvite(ctx context.Context, b *browser, form url.Values) error {
	resp, err := b.post(ctx, "/admin/invitations", form, true)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") == "" {
		return fmt.Errorf("POST /admin/invitations: %s (HX-Redirect %q), want 204 with HX-Redirect", resp.Status, resp.Header.Get("HX-Redirect"))
	}
	return nil
}

func (p *inviting) serviceInvite(ctx context.Context, email string) error {
	in := p.in
	in.Email = email
	_, _, err := p.b.svc.Invite(invite.NewContext(ctx, p.admin), in)
	return err
}

// round measures the baseline, then HTTP, then the service, each for the
// same time.
func (p *inviting) round(ctx context.Context, m *measurements) error {
	b := p.b
	into := []*series{&m.p1Raw, &m.p1HTTP, &m.p1Service}
	for i, o := range p.ops() {
		into[i].add(b.check(o.name, drive(ctx, b.cfg.clients, stopAt{d: b.cfg.p1}, o.op)))
	}
	return ctx.Err()
}
