package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// benchClients is how many clients invite at once, as in DESIGN.md's raw figures.
const benchClients = 16

// BenchmarkInvite measures Service.Invite with 16 concurrent clients against
// a raw baseline run in the same process on the same database: the same
// statements (lookups, then the invitation, its grants and its message in
// one transaction) through database/sql, with no ORM, validation,
// authorization or rendering of the e-mail.
// It reports both rates and x_raw, the service's time per invitation over
// the baseline's; ns/op is the service's.
//
//	go test -run '^$' -bench Invite -benchtime 2000x ./store
func BenchmarkInvite(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchInvite(b, storetest.SQLite(b)) })
	b.Run("mysql", func(b *testing.B) { benchInvite(b, storetest.MySQL(b)) })
}

func benchInvite(b *testing.B, db *store.DB) {
	w := invitetest.NewWorld(b, db)
	ctx := context.Background()
	var seq atomic.Int64
	email := func() string { return fmt.Sprintf("bench%d@example.com", seq.Add(1)) }
	in := w.Input(w.A)

	b.StopTimer()
	raw := concurrently(b, b.N, func() error { return rawInvite(ctx, db.Bun().DB, w.A, email()) })
	b.StartTimer()
	svc := concurrently(b, b.N, func() error {
		in := in
		in.Email = email()
		_, _, err := w.Service.Invite(w.AdminA, in)
		return err
	})
	b.ReportMetric(float64(b.N)/raw.Seconds(), "raw_invites/s")
	b.ReportMetric(float64(b.N)/svc.Seconds(), "invites/s")
	b.ReportMetric(float64(svc)/float64(raw), "x_raw")
}

// concurrently runs op n times over benchClients goroutines and returns the
// wall time it took.
func concurrently(b *testing.B, n int, op func() error) time.Duration {
	b.Helper()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		fail atomic.Pointer[error]
	)
	start := time.Now()
	for range benchClients {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := op(); err != nil {
					fail.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := fail.Load(); err != nil {
		b.Fatal(*err)
	}
	return time.Since(start)
}

// The bodies of a typical message, for the baseline's outbox row.
var (
	benchText = strings.Repeat("Hallo Grace, Sie wurden eingeladen. ", 15)
	benchHTML = strings.Repeat("<p>Hallo Grace, Sie wurden eingeladen.</p>\n", 30)
)

func randomHash() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

// rawInvite does what Service.Invite does to the database, by hand: look up
// the user and the company, then insert the invitation and its grants in
// one transaction.
func rawInvite(ctx context.Context, db *sql.DB, c *invite.Company, email string) error {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE email = ?", email).Scan(&n); err != nil {
		return err
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT name FROM companies WHERE id = ?", c.ID).Scan(&name); err != nil {
		return err
	}
	for _, table := range []string{"subscriptions", "business_roles", "mail_templates"} {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+table+" WHERE company_id = ?", c.ID)
		if err != nil {
			return err
		}
		rows.Close()
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO invitations (company_id, email, pending_email, first_name, last_name,
		business_role_id, department, phone, language, time_zone, admin_level, invited_by, token_hash, status,
		created_at, expires_at, times_sent, last_sent_at) VALUES (?, ?, ?, 'Grace', 'Hopper', ?, '', '', 'de',
		'Europe/Berlin', 'none', 1, ?, 'pending', ?, ?, 1, ?)`,
		c.ID, email, email, c.BusinessRoles[0].ID, randomHash(), now, now.Add(time.Hour), now)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO invitation_subscriptions (invitation_id, company_id, subscription_id, role)
		VALUES (?, ?, ?, 'contributor'), (?, ?, ?, 'viewer')`,
		id, c.ID, c.Subscriptions[0].ID, id, c.ID, c.Subscriptions[1].ID)
	if err != nil {
		return err
	}
	// The message, of the size the service writes.
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (company_id, invitation_id, kind, message_id, recipient, recipient_name, language,
		subject, text_body, html_body, state, attempts, next_attempt_at, last_error, created_at)
		VALUES (?, ?, 'invitation', ?, ?, 'Grace Hopper', 'de', 'Grace Hopper hat Sie zu Acme eingeladen', ?, ?, 'queued', 0, ?, '', ?)`,
		c.ID, id, fmt.Sprintf("<%x@invite.example.com>", randomHash()), email, benchText, benchHTML, now, now)
	if err != nil {
		return err
	}
	return tx.Commit()
}
