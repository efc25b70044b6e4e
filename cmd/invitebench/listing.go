package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math"
	"time"

	"github.com/invitehq/invite/invite"
)

// listing is P2, the Invitations tab of the big company's Company
// Administrator, filtered to pending invitations: its first page, and a
// deep page whose cursor is the deepRow-th row of the list. The baseline
// is the database's own limit: the keyset SELECT of one page of
// invitations through database/sql, without the grants and the latest
// message that the product's one statement also gathers for each row.
type listing struct {
	b           *bench
	browsers    []*browser
	first, deep string // the pages' paths
	after       cursor
	rawFirst    *sql.Stmt // the baseline's prepared statements
	rawDeep     *sql.Stmt
}

// pageSize is the product's page, and the one more row it reads to know
// whether a next page exists.
const pageSize = invite.DefaultPageSize

// invitationColumns are the columns the product's store selects.
const invitationColumns = `id, company_id, email, pending_email, first_name, last_name, business_role_id, department, phone,
	language, time_zone, admin_level, invited_by, last_sent_by, token_hash, status, created_at, expires_at, times_sent,
	last_sent_at, accepted_at, accepted_by, canceled_at, canceled_by, mail_subject, mail_body, remind_at, reminded_at,
	renewal_requested_at`

// pendingPage is the product's query of a page of pending invitations,
// newest first, after a cursor if after holds its condition. It names the
// index of its order as the product's store does: MariaDB otherwise may
// take the company prefix of the index as a ref and read every row above
// the cursor, and SQLite filter by the status index and sort every pending
// invitation.
func (d dialect) pendingPage(columns, after string) string {
	from := "invitations INDEXED BY invitations_company_created_idx"
	if d.mysql {
		from = "invitations FORCE INDEX (invitations_company_created_idx)"
	}
	return "SELECT " + columns + " FROM " + from + " WHERE company_id = ? AND status = 'pending' AND expires_at > ?" +
		after + " ORDER BY created_at DESC, id DESC LIMIT ?"
}

// The keyset conditions of a later page: the product's, and the same with
// a bound on created_at alone, which a planner might take as a range of the
// index where it would not take the OR; the note compares the two.
const (
	afterCursor        = " AND (created_at < ? OR (created_at = ? AND id < ?))"
	afterCursorBounded = " AND created_at <= ?" + afterCursor
)

// cursor is a position in the list, as the product's page links carry it.
type cursor struct {
	createdAt time.Time
	id        int64
}

// String encodes c as invite does (its encodeCursor is not exported):
// base64url of "microseconds.id".
func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", c.createdAt.UnixMicro(), c.id))
}

func (b *bench) newListing(ctx context.Context, base string) (*listing, error) {
	p := &listing{b: b, first: "/admin/invitations?status=pending"}
	var err error
	if p.browsers, err = logIns(ctx, b.web, base, adminEmail(bigCompany), b.password, b.cfg.clients); err != nil {
		return nil, err
	}
	var at dbTime
	err = b.raw.QueryRowContext(ctx, b.dialect.pendingPage("created_at, id", "")+" OFFSET ?",
		bigCompany, b.dialect.arg(time.Now()), 1, b.cfg.deepRow-1).Scan(&at, &p.after.id)
	if err != nil {
		return nil, fmt.Errorf("the %d-th pending invitation: %w", b.cfg.deepRow, err)
	}
	p.after.createdAt = at.t
	p.deep = p.first + "&after=" + p.after.String()
	if p.rawFirst, err = b.raw.PrepareContext(ctx, b.dialect.pendingPage(invitationColumns, "")); err != nil {
		return nil, err
	}
	// The baseline's deep page is the fastest SELECT of it found: with the
	// bound on created_at, which SQLite needs to seek with prepared
	// arguments (26.8 ms against 0.33 ms at the 100,000th row without it).
	if p.rawDeep, err = b.raw.PrepareContext(ctx, b.dialect.pendingPage(invitationColumns, afterCursorBounded)); err != nil {
		return nil, err
	}
	if err := p.compareBounded(ctx); err != nil {
		return nil, err
	}
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	return p, b.countStatements(ctx, "P2", p.ops())
}

// compareBounded times the deep page's SELECT alone, as the product's store
// words it and with a bound on created_at added (the baseline's), and
// notes both: the difference is what the database reads above the cursor
// when its arguments are prepared, not written into the SQL as bun writes
// them.
func (p *listing) compareBounded(ctx context.Context) error {
	worded, err := p.b.raw.PrepareContext(ctx, p.b.dialect.pendingPage(invitationColumns, afterCursor))
	if err != nil {
		return err
	}
	defer worded.Close()
	d := p.b.dialect
	at := d.arg(p.after.createdAt)
	took := func(read func() ([]rawInvitation, error)) (time.Duration, error) {
		best := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			if _, err := read(); err != nil {
				return 0, err
			}
			best = min(best, time.Since(start))
		}
		return best, nil
	}
	asIs, err := took(func() ([]rawInvitation, error) {
		return scanPage(worded.QueryContext(ctx, bigCompany, d.arg(time.Now()), at, at, p.after.id, pageSize+1))
	})
	if err != nil {
		return err
	}
	withBound, err := took(func() ([]rawInvitation, error) { return p.rawDeepPage(ctx) })
	if err != nil {
		return err
	}
	p.b.note("P2 deep page SELECT alone (best of 3, one client): %s ms as the product's store words it, %s ms with `created_at <= cursor` added",
		num(ms(asIs)), num(ms(withBound)))
	return nil
}

// check compares each page of the product with the baseline's once: the
// same rows, so that both measure the same page. A difference is an
// error of the run, not of the setup.
func (p *listing) check(ctx context.Context) error {
	for _, c := range []struct {
		path string
		rows func(context.Context) ([]rawInvitation, error)
	}{{p.first, p.rawFirstPage}, {p.deep, p.rawDeepPage}} {
		rows, err := c.rows(ctx)
		if err != nil {
			return err
		}
		page, err := p.browsers[0].page(ctx, c.path)
		if err != nil {
			return err
		}
		if err := samePage(page, rows); err != nil {
			p.b.fail("P2 check of "+c.path, 1, err)
		}
	}
	return nil
}

// samePage checks that page lists the baseline's rows.
func samePage(page []byte, rows []rawInvitation) error {
	if len(rows) != pageSize+1 {
		return fmt.Errorf("the baseline read %d rows, want %d", len(rows), pageSize+1)
	}
	if n := bytes.Count(page, []byte(`<tr id="inv-`)); n != pageSize {
		return fmt.Errorf("the page lists %d invitations, want %d", n, pageSize)
	}
	for _, r := range []rawInvitation{rows[0], rows[pageSize-1]} {
		if !bytes.Contains(page, fmt.Appendf(nil, `<tr id="inv-%d"`, r.id)) {
			return fmt.Errorf("the page does not list invitation %d, which the baseline does", r.id)
		}
	}
	return nil
}

// rawInvitation is a row as the baseline reads it.
type rawInvitation struct {
	id, companyID, businessRoleID, invitedBy       int64
	email, firstName, lastName, department, phone  string
	language, timeZone, adminLevel, status         string
	pendingEmail, mailSubject, mailBody            sql.NullString
	lastSentBy, acceptedBy, canceledBy             sql.NullInt64
	tokenHash                                      []byte
	timesSent                                      int
	createdAt, expiresAt, lastSentAt, acceptedAt   dbTime
	canceledAt, remindAt, remindedAt, renewalAsked dbTime
}

func (p *listing) rawFirstPage(ctx context.Context) ([]rawInvitation, error) {
	return scanPage(p.rawFirst.QueryContext(ctx, bigCompany, p.b.dialect.arg(time.Now()), pageSize+1))
}

func (p *listing) rawDeepPage(ctx context.Context) ([]rawInvitation, error) {
	d := p.b.dialect
	at := d.arg(p.after.createdAt)
	return scanPage(p.rawDeep.QueryContext(ctx, bigCompany, d.arg(time.Now()), at, at, at, p.after.id, pageSize+1))
}

// scanPage reads the rows of a page's query, as the caller passes the
// query's results, and closes them.
func scanPage(rows *sql.Rows, err error) ([]rawInvitation, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]rawInvitation, 0, pageSize+1)
	for rows.Next() {
		var r rawInvitation
		err := rows.Scan(&r.id, &r.companyID, &r.email, &r.pendingEmail, &r.firstName, &r.lastName, &r.businessRoleID,
			&r.department, &r.phone, &r.language, &r.timeZone, &r.adminLevel, &r.invitedBy, &r.lastSentBy, &r.tokenHash,
			&r.status, &r.createdAt, &r.expiresAt, &r.timesSent, &r.lastSentAt, &r.acceptedAt, &r.acceptedBy, &r.canceledAt,
			&r.canceledBy, &r.mailSubject, &r.mailBody, &r.remindAt, &r.remindedAt, &r.renewalAsked)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// product returns the measured operation of the product's page at path.
func (p *listing) product(path string) func(context.Context, int) error {
	return func(ctx context.Context, c int) error { return p.browsers[c].visit(ctx, path) }
}

// baseline returns the measured operation of a baseline page.
func baseline(page func(context.Context) ([]rawInvitation, error)) func(context.Context, int) error {
	return func(ctx context.Context, _ int) error {
		_, err := page(ctx)
		return err
	}
}

// ops are the operations P2 measures, in the order it measures them: the
// first page, raw then product, then the deep one.
func (p *listing) ops() []namedOp {
	return []namedOp{
		{"P2 raw first page", baseline(p.rawFirstPage)},
		{"P2 first page", p.product(p.first)},
		{"P2 raw deep page", baseline(p.rawDeepPage)},
		{"P2 deep page", p.product(p.deep)},
	}
}

func (p *listing) round(ctx context.Context, m *measurements) error {
	b := p.b
	into := []*series{&m.p2RawFirst, &m.p2First, &m.p2RawDeep, &m.p2Deep}
	for i, o := range p.ops() {
		into[i].add(b.check(o.name, drive(ctx, b.cfg.clients, stopAt{d: b.cfg.p2}, o.op)))
	}
	return ctx.Err()
}
