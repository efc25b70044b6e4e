package invite_test

import (
	"context"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store/storetest"
)

// BenchmarkWebhookFanOut measures what webhooks add to recording an
// event: a transaction that appends one event (the raw baseline, measured
// in the same run) against the same through the service, which also reads
// the company's webhooks and writes a delivery for each that takes the
// kind; for a company without webhooks and for one with three (two of
// which take the kind). x_raw is the ratio to the baseline.
func BenchmarkWebhookFanOut(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) invite.Store
	}{
		{"sqlite", func(tb testing.TB) invite.Store { return storetest.SQLite(tb) }},
		{"mysql", func(tb testing.TB) invite.Store { return storetest.MySQL(tb) }},
	} {
		b.Run(db.name, func(b *testing.B) {
			st := db.open(b)
			w := invitetest.NewWorld(b, st)
			svc := invite.NewService(st, invite.Config{Now: w.Clock.Now})
			for _, url := range []string{"https://a.example.com/", "https://b.example.com/"} {
				if _, err := svc.CreateWebhook(w.AdminB, invite.WebhookInput{CompanyID: w.B.ID, URL: url, Kinds: []invite.EventKind{invite.EventCompanyChanged}}); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := svc.CreateWebhook(w.AdminB, invite.WebhookInput{CompanyID: w.B.ID, URL: "https://c.example.com/", Kinds: []invite.EventKind{invite.EventUserDeleted}}); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for _, tc := range []struct {
				name string
				c    *invite.Company
			}{{"NoWebhooks", w.A}, {"ThreeWebhooks", w.B}} {
				b.Run(tc.name, func(b *testing.B) {
					var raw, rec time.Duration
					for b.Loop() {
						start := time.Now()
						err := st.InTx(ctx, func(tx invite.Store) error {
							return tx.AppendEvents(ctx, companyEvents(tc.c, invite.EventCompanyChanged, 1))
						})
						raw += time.Since(start)
						if err != nil {
							b.Fatal(err)
						}
						start = time.Now()
						err = invite.RecordForTest(ctx, svc, nil, companyEvents(tc.c, invite.EventCompanyChanged, 1)...)
						rec += time.Since(start)
						if err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(raw.Microseconds())/float64(b.N), "raw_µs/event")
					b.ReportMetric(float64(rec.Microseconds())/float64(b.N), "µs/event")
					b.ReportMetric(float64(rec)/float64(raw), "x_raw")
				})
			}
		})
	}
}
