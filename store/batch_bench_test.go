package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// batchRows is the size of the batches of BenchmarkInviteMany: the
// largest the product takes.
const batchRows = invite.MaxBatchRows

// BenchmarkInviteMany measures InviteMany with 10,000 rows, its dry run and
// its send, against a raw baseline run in the same process on the same
// database: the same rows' invitations, grants and messages inserted by
// hand through database/sql, 100 rows to a transaction as the send's
// chunks, with no lookup, validation, rendering or record of outcomes.
// It reports the dry run's and the send's seconds, the baseline's, and
// each over the baseline (x_raw); ns/op is the dry run and the send
// together.
//
//	go test -run '^$' -bench InviteMany -benchtime 1x ./store
func BenchmarkInviteMany(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchInviteMany(b, storetest.SQLite(b)) })
	b.Run("mysql", func(b *testing.B) { benchInviteMany(b, storetest.MySQL(b)) })
}

func benchInviteMany(b *testing.B, db *store.DB) {
	w := invitetest.NewWorld(b, db)
	none := invite.Rate{Count: -1}
	svc := invite.NewService(db, invite.Config{Now: w.Clock.Now, Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none, BatchRows: none}})
	ctx := context.Background()
	var dry, send, raw time.Duration
	seq := 0
	rows := func() []invite.InvitationInput {
		in := make([]invite.InvitationInput, batchRows)
		for i := range in {
			seq++
			in[i] = w.Input(w.A)
			in[i].Email = fmt.Sprintf("many%d@example.com", seq)
		}
		return in
	}
	for b.Loop() {
		b.StopTimer()
		emails := make([]string, batchRows)
		for i := range emails {
			seq++
			emails[i] = fmt.Sprintf("raw%d@example.com", seq)
		}
		start := time.Now()
		if err := rawBatch(ctx, db.Bun().DB, w.A, emails); err != nil {
			b.Fatal(err)
		}
		raw += time.Since(start)
		in := rows()
		b.StartTimer()
		start = time.Now()
		res, err := svc.InviteMany(w.AdminA, in, true)
		if err != nil {
			b.Fatal(err)
		}
		dry += time.Since(start)
		for _, r := range res {
			if r.Err != nil {
				b.Fatalf("dry run, row %d: %v", r.Index, r.Err)
			}
		}
		start = time.Now()
		if res, err = svc.InviteMany(w.AdminA, in, false); err != nil {
			b.Fatal(err)
		}
		send += time.Since(start)
		for _, r := range res {
			if r.Err != nil {
				b.Fatalf("row %d: %v", r.Index, r.Err)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(dry.Seconds()/n, "dryrun_s")
	b.ReportMetric(send.Seconds()/n, "send_s")
	b.ReportMetric(raw.Seconds()/n, "raw_s")
	b.ReportMetric(float64(dry)/float64(raw), "dryrun_x_raw")
	b.ReportMetric(float64(send)/float64(raw), "send_x_raw")
}

// rawBatch inserts an invitation, its grants and its message for each
// address, 100 to a transaction, as rawInvite does one.
func rawBatch(ctx context.Context, db *sql.DB, c *invite.Company, emails []string) error {
	for len(emails) > 0 {
		chunk := emails[:min(100, len(emails))]
		emails = emails[len(chunk):]
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		for _, email := range chunk {
			res, err := tx.ExecContext(ctx, `INSERT INTO invitations (company_id, email, pending_email, first_name, last_name,
				business_role_id, department, phone, language, time_zone, admin_level, invited_by, token_hash, status,
				created_at, expires_at, times_sent, last_sent_at) VALUES (?, ?, ?, 'Grace', 'Hopper', ?, '', '', 'de',
				'Europe/Berlin', 'none', 1, ?, 'pending', ?, ?, 1, ?)`,
				c.ID, email, email, c.BusinessRoles[0].ID, randomHash(), now, now.Add(time.Hour), now)
			if err != nil {
				tx.Rollback()
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				tx.Rollback()
				return err
			}
			if _, err = tx.ExecContext(ctx, `INSERT INTO invitation_subscriptions (invitation_id, company_id, subscription_id, role)
				VALUES (?, ?, ?, 'contributor'), (?, ?, ?, 'viewer')`,
				id, c.ID, c.Subscriptions[0].ID, id, c.ID, c.Subscriptions[1].ID); err != nil {
				tx.Rollback()
				return err
			}
			if _, err = tx.ExecContext(ctx, `INSERT INTO outbox (company_id, invitation_id, kind, message_id, recipient, recipient_name, language,
				subject, text_body, html_body, state, attempts, next_attempt_at, last_error, created_at)
				VALUES (?, ?, 'invitation', ?, ?, 'Grace Hopper', 'de', 'Grace Hopper hat Sie zu Acme eingeladen', ?, ?, 'queued', 0, ?, '', ?)`,
				c.ID, id, fmt.Sprintf("<%x@invite.example.com>", randomHash()), email, benchText, benchHTML, now, now); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
