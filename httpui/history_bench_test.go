package httpui_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
)

// BenchmarkExportEvents exports 1,000,000 events of SQLite as CSV over
// HTTP, and reports the ratio of its time to a raw SELECT of the same rows
// written out as CSV, measured in the same run (x-raw).
//
//	go test -run '^$' -bench ExportEvents -benchtime 1x ./httpui/
func BenchmarkExportEvents(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := invite.NewService(db, invite.Config{Now: func() time.Time { return now }, BaseURL: "http://invite.test"})
	srv := httptest.NewServer(httpui.New(httpui.Config{Service: svc, Health: db.Ping, BaseURL: "http://invite.test", Logger: slog.New(slog.DiscardHandler)}))
	b.Cleanup(srv.Close)
	if _, _, err := svc.Bootstrap(ctx, "root@example.com", adminPassword); err != nil {
		b.Fatal(err)
	}
	_, token, err := svc.Login(ctx, "root@example.com", adminPassword)
	if err != nil {
		b.Fatal(err)
	}
	insertEvents(b, db, 0, n, now)

	raw := func() int64 {
		rows, err := db.Bun().QueryContext(ctx, `SELECT id, occurred_at, kind, company_id, actor, actor_id, actor_email, subject, subject_id, email, detail FROM events ORDER BY id`)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		cw := csv.NewWriter(io.Discard)
		var (
			id, company, actorID, subjectID  int64
			at                               time.Time
			kind, actor, actorEmail, subject string
			email                            string
			detail                           sql.NullString
			count                            int64
		)
		cells := make([]string, 11)
		for rows.Next() {
			if err := rows.Scan(&id, &at, &kind, &company, &actor, &actorID, &actorEmail, &subject, &subjectID, &email, &detail); err != nil {
				b.Fatal(err)
			}
			cells[0], cells[1], cells[2], cells[3] = strconv.FormatInt(id, 10), at.UTC().Format(time.RFC3339Nano), kind, strconv.FormatInt(company, 10)
			cells[4], cells[5], cells[6], cells[7] = actor, strconv.FormatInt(actorID, 10), actorEmail, subject
			cells[8], cells[9], cells[10] = strconv.FormatInt(subjectID, 10), email, detail.String
			_ = cw.Write(cells)
			count++
		}
		cw.Flush()
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		return count
	}
	export := func() int64 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/admin/events/export?format=csv", nil)
		req.AddCookie(&http.Cookie{Name: "invite_session", Value: token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("export: status %d", resp.StatusCode)
		}
		size, err := io.Copy(io.Discard, resp.Body)
		if err != nil {
			b.Fatal(err)
		}
		return size
	}
	raw() // the file into the cache, for both alike
	var rawTime, exportTime time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if got := raw(); got != n {
			b.Fatalf("raw: got %d rows, want %d", got, n)
		}
		rawTime += time.Since(start)
		start = time.Now()
		size := export()
		exportTime += time.Since(start)
		b.SetBytes(size)
	}
	b.StopTimer()
	b.ReportMetric(float64(rawTime.Milliseconds())/float64(b.N), "raw-ms/op")
	b.ReportMetric(float64(exportTime.Milliseconds())/float64(b.N), "export-ms/op")
	b.ReportMetric(float64(exportTime)/float64(rawTime), "x-raw")
}
