package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/invitehq/invite/invite"
)

// dataset is how many of what the loader makes.
type dataset struct {
	invitations int
	users       int
	due         int // pending invitations past their expiry, for P3
	deepRow     int // where P2's deep page starts, in the big company's pending list
	bigTenths   int // tenths of the invitations that are the big company's
}

// The shape of the data set. IDs are given, not generated, so that the
// statements that make rows can name the rows they refer to by arithmetic:
// company k has subscriptions and business roles 3(k-1)+1 to 3(k-1)+3;
// loaded user m has ID userBase+m and is of company (m-1)%100+1, the first
// hundred being their companies' administrators; invitation n has ID n.
const (
	companies     = 100
	bigCompany    = 1 // the company whose Invitations tab P2 reads
	inviteCompany = 2 // the company P1 and P7 invite into
	perCompany    = 3 // subscriptions, and business roles, of each company
	// Invitation n is due for expiry when n % dueEvery == dueRemainder: the
	// rows P3 expires and sets back before each round.
	dueRemainder = 7

	day = 24 * time.Hour
	ttl = 7 * day // the product's default, which the loaded rows follow
)

// adminEmail is the address of company k's Company Administrator.
func adminEmail(k int) string { return fmt.Sprintf("admin@company%d.example", k) }

// dueEvery is the period of the due invitations among all of them. It
// divides 100, so that due rows are never of the classes of rows that are
// not pending (see status below).
func (s dataset) dueEvery() int {
	for _, e := range []int{20, 25, 50, 100} {
		if s.invitations/e <= s.due {
			return e
		}
	}
	return 100
}

// loader fills a migrated database with the data set through database/sql,
// with statements that make many rows each: INSERT ... SELECT from a
// generated series, so that a million invitations take minutes, not
// hours, on two cores.
type loader struct {
	db       *sql.DB
	d        dialect
	set      dataset
	now      time.Time // whole seconds: the loaded times are
	userBase int64
	hash     string          // every loaded user's password hash
	sample   *invite.Message // the bodies of the loaded outbox rows
	progress io.Writer
}

// chunk is how many rows one statement makes: large enough that
// statements are few, small enough that progress shows and MySQL's undo
// stays small.
const chunk = 50_000

func (l *loader) load(ctx context.Context) error {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"companies", l.companies},
		{"users", l.users},
		{"invitations", l.invitations},
		{"outbox", l.outbox},
		{"statistics", l.analyze},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("load %s: %w", s.name, err)
		}
		fmt.Fprintf(l.progress, "load: %s in %v\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// stmt is one statement of the loader, with its arguments.
type stmt struct {
	q    string
	args []any
}

// exec runs statements in order.
func (l *loader) exec(ctx context.Context, stmts []stmt) error {
	for _, s := range stmts {
		if _, err := l.db.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("%s: %w", oneLine(s.q, 160), err)
		}
	}
	return nil
}

// oneLine returns the statement q on one line, cut to at most n bytes,
// for an error message.
func oneLine(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > n {
		q = q[:n] + "…"
	}
	return q
}

// inChunks runs the statements that make rows from to to, for 1 to total
// in chunks, and shows progress.
func (l *loader) inChunks(ctx context.Context, what string, total int, stmts func(from, to int) []stmt) error {
	start := time.Now()
	for from := 1; from <= total; from += chunk {
		to := min(from+chunk-1, total)
		if err := l.exec(ctx, stmts(from, to)); err != nil {
			return err
		}
		fmt.Fprintf(l.progress, "load: %s %d/%d (%v)\n", what, to, total, time.Since(start).Round(time.Second))
	}
	return nil
}

// Names and places the rows take turns with.
func languages() []string { return invite.Languages() }
func timeZones() []string {
	return []string{"UTC", "Europe/Berlin", "America/New_York", "America/Sao_Paulo"}
}
func firstNames() []string { return []string{"Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances"} }
func lastNames() []string {
	return []string{"Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Müller"}
}
func departments() []string { return []string{"", "Operations", "Engineering"} }

// choose returns an SQL CASE that picks one of values by n modulo their
// number.
func choose(n string, values []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CASE %s %% %d", n, len(values))
	for i, v := range values[:len(values)-1] {
		fmt.Fprintf(&b, " WHEN %d THEN '%s'", i, v)
	}
	fmt.Fprintf(&b, " ELSE '%s' END", values[len(values)-1])
	return b.String()
}

// companyTemplate is the invitation e-mail of the companies that have one
// of their own, in their default language.
func companyTemplate() invite.Template {
	return invite.Template{
		Subject: "{InviterName} invites you to {CompanyName}",
		Body: "Hello {FirstName} {LastName},\n\n{InviterName} invites you to join {CompanyName} as {UserName}.\n\n" +
			"You get:\n{Subscriptions}\n\nAccept the invitation here:\n{InvitationLink}\n\nThe link works until {ExpirationDate}.\n",
	}
}

// hasTemplate reports whether company k has an e-mail template of its own:
// half of them do, the two the phases use among them.
func hasTemplate(k int) bool { return k <= inviteCompany || k%2 == 0 }

// companies makes the companies with their subscriptions, business roles
// and templates. They are few: multi-row VALUES.
func (l *loader) companies(ctx context.Context) error {
	var (
		cs, subs, tmpls            []string
		cargs, sargs, rargs, targs []any
	)
	created := l.d.arg(l.now.Add(-90 * day))
	tmpl := companyTemplate()
	for k := 1; k <= companies; k++ {
		name := fmt.Sprintf("Company %03d", k)
		lang := languages()[k%len(languages())]
		cs = append(cs, "(?, ?, ?, ?, ?, ?, ?)")
		cargs = append(cargs, k, name, strings.ToLower(name), lang, timeZones()[k%len(timeZones())], created, false)
		for j := 1; j <= perCompany; j++ {
			id := perCompany*(k-1) + j
			subs = append(subs, "(?, ?, ?)")
			sargs = append(sargs, id, k, fmt.Sprintf("Product %d", j))
			rargs = append(rargs, id, k, fmt.Sprintf("Role %d", j))
		}
		if hasTemplate(k) {
			tmpls = append(tmpls, "(?, ?, ?, ?, ?)")
			targs = append(targs, k, lang, tmpl.Subject, tmpl.Body, created)
		}
	}
	return l.exec(ctx, []stmt{
		{"INSERT INTO companies (id, name, name_key, default_language, time_zone, created_at, join_requests) VALUES " + strings.Join(cs, ", "), cargs},
		{"INSERT INTO subscriptions (id, company_id, name) VALUES " + strings.Join(subs, ", "), sargs},
		{"INSERT INTO business_roles (id, company_id, name) VALUES " + strings.Join(subs, ", "), rargs},
		{"INSERT INTO mail_templates (company_id, language, subject, body, updated_at) VALUES " + strings.Join(tmpls, ", "), targs},
	})
}

// users makes the users: per company an administrator who may grant every
// role, and people with one or two subscriptions.
func (l *loader) users(ctx context.Context) error {
	d := l.d
	k := "((n - 1) % 100 + 1)"
	sub := func(j int) string { return fmt.Sprintf("%d * (k - 1) + %d", perCompany, j) }
	people := func(from, to int) []stmt {
		with, src := d.series(from, to)
		email := fmt.Sprintf("CASE WHEN n <= %d THEN %s ELSE %s END", companies,
			d.concat("'admin@company'", "k", "'.example'"), d.concat("'user'", "n", "'@company'", "k", "'.example'"))
		rows := fmt.Sprintf("(SELECT n, %s AS k FROM %s) a", k, src)
		stmts := []stmt{{q: with + fmt.Sprintf(`INSERT INTO users (id, company_id, email, first_name, last_name, business_role_id,
			department, phone, language, time_zone, admin_level, password_hash, created_at)
			SELECT %d + n, k, %s, %s, %s, %d * (k - 1) + 1 + n %% 3, %s, '', %s, %s,
			CASE WHEN n <= %d THEN 'company' ELSE 'none' END, ?, %s FROM %s`,
			l.userBase, email, choose("n", firstNames()), choose("n", lastNames()), perCompany,
			choose("n", departments()), choose("n", languages()), choose("n", timeZones()),
			companies, d.plusSeconds(d.timeLit(l.now.Add(-60*day)), "n"), rows), args: []any{l.hash}}}
		grant := func(j int, role, where string) stmt {
			return stmt{q: with + fmt.Sprintf(`INSERT INTO user_subscriptions (user_id, company_id, subscription_id, role)
				SELECT %d + n, k, %s, '%s' FROM %s WHERE %s`, l.userBase, sub(j), role, rows, where)}
		}
		admins := fmt.Sprintf("n <= %d", companies)
		others := fmt.Sprintf("n > %d", companies)
		return append(stmts, grant(1, "administrator", admins), grant(2, "administrator", admins), grant(3, "administrator", admins),
			grant(1, "viewer", others), grant(2, "contributor", others+" AND n % 2 = 0"))
	}
	return l.inChunks(ctx, "users", l.set.users, people)
}

// invitations makes the invitations with their grants. Each company's
// rows span the whole time line; most recent ones are pending, and some
// accepted or canceled (so that a list of pending ones skips some), older
// ones are expired, and the due ones are pending past their expiry.
func (l *loader) invitations(ctx context.Context) error {
	return l.inChunks(ctx, "invitations", l.set.invitations, l.invitationStatements)
}

func (l *loader) invitationStatements(from, to int) []stmt {
	d, set := l.d, l.set
	with, src := d.series(from, to)
	big := set.bigTenths
	// The big company has big tenths of the rows; the others share the
	// rest in turn.
	k := fmt.Sprintf("CASE WHEN n %% 10 < %d THEN %d ELSE %d + (%s * %d + n %% 10 - %d) %% %d END",
		big, bigCompany, bigCompany+1, d.div("n", "10"), 10-big, big, companies-1)
	due := fmt.Sprintf("n %% %d = %d", set.dueEvery(), dueRemainder)
	status := fmt.Sprintf(`CASE WHEN %s OR n %% 100 < 85 THEN 'pending' WHEN n %% 100 < 93 THEN 'accepted'
		WHEN n %% 100 < 97 THEN 'canceled' ELSE 'expired' END`, due)
	// Recent rows were sent in the last six days (an hour ago at the
	// latest), so they expire in the future; old ones 10 to 20 days ago.
	recent := d.plusSeconds(d.timeLit(l.now.Add(-6*day-time.Hour)), d.div(fmt.Sprintf("n * %d", int(6*day/time.Second)), fmt.Sprint(set.invitations)))
	old := d.plusSeconds(d.timeLit(l.now.Add(-20*day)), d.div(fmt.Sprintf("n * %d", int(10*day/time.Second)), fmt.Sprint(set.invitations)))
	created := fmt.Sprintf("CASE WHEN %s OR n %% 100 >= 97 THEN %s ELSE %s END", due, old, recent)
	email := d.concat("'invitee'", "n", "'@company'", "k", "'.example'")
	rows := fmt.Sprintf("(SELECT n, k, st, %s AS created, %s AS email FROM (SELECT n, %s AS k, %s AS st FROM %s) a) b",
		created, email, k, status, src)
	admin := fmt.Sprintf("%d + k", l.userBase)
	member := fmt.Sprintf("%d + k + %d * (1 + n %% %d)", l.userBase, companies, max(1, set.users/companies-1))
	after := d.plusSeconds("created", "1800")
	invitations := stmt{q: with + fmt.Sprintf(`INSERT INTO invitations (id, company_id, email, pending_email, first_name, last_name,
		business_role_id, department, phone, language, time_zone, admin_level, invited_by, last_sent_by, token_hash, status,
		created_at, expires_at, times_sent, last_sent_at, accepted_at, accepted_by, canceled_at, canceled_by)
		SELECT n, k, email, CASE WHEN st = 'pending' THEN email END, %s, %s,
		%d * (k - 1) + 1 + n %% %d, %s, CASE WHEN n %% 4 = 0 THEN '+4915123456789' ELSE '' END, %s, %s,
		CASE WHEN n %% 100 = 3 THEN 'company' ELSE 'none' END, %s, %s, %s, st,
		created, %s, CASE WHEN n %% 7 = 0 THEN 2 ELSE 1 END, created,
		CASE WHEN st = 'accepted' THEN %s END, CASE WHEN st = 'accepted' THEN %s END,
		CASE WHEN st = 'canceled' THEN %s END, CASE WHEN st = 'canceled' THEN %s END
		FROM %s`,
		choose("n", firstNames()), choose("n", lastNames()), perCompany, perCompany,
		choose("n", departments()), choose("n", languages()), choose("n", timeZones()),
		admin, admin, d.token("n"), d.plusSeconds("created", fmt.Sprint(int(ttl/time.Second))),
		after, member, after, admin, rows)}
	grants := func(j int, role, where string) stmt {
		return stmt{q: with + fmt.Sprintf(`INSERT INTO invitation_subscriptions (invitation_id, company_id, subscription_id, role)
			SELECT n, k, %d * (k - 1) + %d, '%s' FROM (SELECT n, %s AS k FROM %s) a WHERE %s`, perCompany, j, role, k, src, where)}
	}
	return []stmt{invitations, grants(1, "viewer", "1 = 1"), grants(2, "contributor", "n % 2 = 0")}
}

// outbox makes the sent message of each of the big company's invitations,
// so that its list reads deliveries as a real one does. Other companies'
// invitations have none: their bodies would make the database gigabytes
// larger for phases that do not read them.
func (l *loader) outbox(ctx context.Context) error {
	d := l.d
	q := fmt.Sprintf(`INSERT INTO outbox (company_id, invitation_id, kind, message_id, recipient, recipient_name, language,
		subject, text_body, html_body, state, attempts, next_attempt_at, last_error, created_at, sent_at)
		SELECT company_id, id, 'invitation', %s, email, %s, language, ?, ?, ?, 'sent', 1, created_at, '', created_at, last_sent_at
		FROM invitations WHERE company_id = %d AND id BETWEEN ? AND ?`,
		d.concat("'<invitebench-'", "id", "'@bench.example>'"), d.concat("first_name", "' '", "last_name"), bigCompany)
	start := time.Now()
	step := 4 * chunk // about a chunk of the big company's
	for from := 1; from <= l.set.invitations; from += step {
		to := min(from+step-1, l.set.invitations)
		if _, err := l.db.ExecContext(ctx, q, l.sample.Subject, l.sample.Text, l.sample.HTML, from, to); err != nil {
			return err
		}
		fmt.Fprintf(l.progress, "load: outbox of invitations %d/%d (%v)\n", to, l.set.invitations, time.Since(start).Round(time.Second))
	}
	return nil
}

// analyze has MySQL count what was loaded, as InnoDB does by itself in the
// background some time after a tenth of a table changed: counted now, the
// plans of the rounds are those of a database in use, from the first. A
// SQLite database has no statistics unless someone runs ANALYZE, and the
// product does not: neither does the loader.
func (l *loader) analyze(ctx context.Context) error {
	if !l.d.mysql {
		return nil
	}
	rows, err := l.db.QueryContext(ctx, "ANALYZE TABLE companies, users, user_subscriptions, invitations, invitation_subscriptions, outbox")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
