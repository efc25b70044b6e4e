package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// A deep page of a long list costs what the first page costs: the keyset
// seeks to the cursor in the index instead of reading every newer row
// (found from outside: on MariaDB the 100,000th row read 254,534 index
// entries for 50 rows). Counted by MariaDB's handler counters of the one
// connection the store is given, so that nothing else on the server counts.
func TestDeepPagesSeek(t *testing.T) {
	ctx := context.Background()
	url := storetest.MySQLURL(t)
	open := func() *store.DB {
		t.Helper()
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db := open()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := invitetest.NewWorld(t, db)
	// Many companies, as the outside measurement had (100 of 10,000 rows
	// each), so that the company's part of the index looks selective.
	const companies, rows = 50, 2000
	all := []*invite.Company{w.A, w.B}
	for i := len(all); i < companies; i++ {
		c, err := w.Service.RegisterCompany(w.Global, invite.CompanyInput{Name: fmt.Sprintf("Company %d", i),
			Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Plant Operator"}})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range all { // interleaved in time
		_, err := db.Bun().ExecContext(ctx, `INSERT INTO invitations (company_id, email, pending_email, first_name, last_name, business_role_id, department, phone,
			language, time_zone, admin_level, invited_by, token_hash, status, created_at, expires_at, times_sent, last_sent_at)
			SELECT ?, CONCAT('p', seq, '@example.com'), IF(seq % 4 = 0, NULL, CONCAT('p', seq, '@example.com')), 'Grace', 'Hopper', ?, '', '', 'en', 'UTC', 'none', 1,
				UNHEX(SHA2(CONCAT(?, '/', seq), 256)), IF(seq % 4 = 0, 'accepted', 'pending'), ? + INTERVAL (seq * ? + ?) SECOND, ? + INTERVAL 1 YEAR, 1, ?
			FROM seq_1_to_2000`, c.ID, c.BusinessRoles[0].ID, c.ID, start, companies, i, start, start)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
	}
	for _, c := range all {
		_, err := db.Bun().ExecContext(ctx, `INSERT INTO users (company_id, email, first_name, last_name, business_role_id, department, phone,
			language, time_zone, admin_level, password_hash, created_at)
			SELECT ?, CONCAT('u', seq, '@', ?, '.example'), 'Ada', 'Lovelace', ?, '', '', 'en', 'UTC', 'none', '', ?
			FROM seq_1_to_2000`, c.ID, c.ID, c.BusinessRoles[0].ID, start)
		if err != nil {
			t.Fatalf("load users: %v", err)
		}
	}
	if _, err := db.Bun().ExecContext(ctx, "ANALYZE TABLE invitations, users"); err != nil {
		t.Fatal(err)
	}
	// One connection, whose counters are the store's reads alone.
	one := open()
	one.Bun().SetMaxOpenConns(1)
	// reads lists a page as the service asks for it and returns the index
	// entries and rows the store read.
	reads := func(list func() error) int64 {
		t.Helper()
		if _, err := one.Bun().ExecContext(ctx, "FLUSH STATUS"); err != nil {
			t.Fatal(err)
		}
		if err := list(); err != nil {
			t.Fatal(err)
		}
		res, err := one.Bun().QueryContext(ctx, "SHOW SESSION STATUS LIKE 'Handler_read%'")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Close()
		var total int64
		for res.Next() {
			var name string
			var n sql.NullInt64
			if err := res.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			total += n.Int64
		}
		return total
	}
	cursorAt := func(companyID int64, depth int) *invite.Cursor {
		t.Helper()
		var inv invite.Cursor
		where := ""
		if companyID != 0 {
			where = fmt.Sprintf("WHERE company_id = %d", companyID)
		}
		err := db.Bun().QueryRowContext(ctx, "SELECT id, created_at FROM invitations "+where+" ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?", depth).Scan(&inv.ID, &inv.CreatedAt)
		if err != nil {
			t.Fatal(err)
		}
		return &inv
	}
	for _, tc := range []struct {
		name    string
		company int64
		status  invite.Status
	}{
		{"one company", w.A.ID, ""},
		{"every company", 0, ""},
		{"one company, pending", w.A.ID, invite.StatusPending},
		{"one company, accepted", w.A.ID, invite.StatusAccepted},
		{"every company, pending", 0, invite.StatusPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := invite.InvitationQuery{CompanyID: tc.company, Status: tc.status, Now: start.Add(24 * time.Hour), Limit: 51}
			list := func() error { _, err := one.Invitations(ctx, q); return err }
			first := reads(list)
			q.After = cursorAt(tc.company, rows*3/4)
			deep := reads(list)
			t.Logf("index entries and rows read: first page %d, at row %d %d", first, rows*3/4, deep)
			if first > 10*int64(q.Limit) {
				t.Errorf("the first page of %d rows read %d: not in the index's order", q.Limit, first)
			}
			if deep > 2*first+20 {
				t.Errorf("a page at row %d read %d, the first %d: want them alike", rows*3/4, deep, first)
			}
		})
	}
	// The Users list, by ID, of one company or of all.
	for _, company := range []int64{w.A.ID, 0} {
		t.Run(fmt.Sprintf("users of company %d", company), func(t *testing.T) {
			q := invite.UserQuery{CompanyID: company, Limit: 51}
			list := func() error { _, err := one.Users(ctx, q); return err }
			first := reads(list)
			var after int64
			where := ""
			if company != 0 {
				where = fmt.Sprintf("WHERE company_id = %d", company)
			}
			if err := db.Bun().QueryRowContext(ctx, "SELECT id FROM users "+where+" ORDER BY id LIMIT 1 OFFSET 1500").Scan(&after); err != nil {
				t.Fatal(err)
			}
			q.After = after
			deep := reads(list)
			t.Logf("index entries and rows read: first page %d, at row 1500 %d", first, deep)
			if first > 10*int64(q.Limit) || deep > 2*first+20 {
				t.Errorf("users: the first page read %d, the page at row 1500 %d: want both near %d", first, deep, q.Limit)
			}
		})
	}
}

// firstQuery keeps the first SELECT a database runs once sql is "": the
// list's own, before any that loads more of what it found.
type firstQuery struct{ sql *string }

func (h firstQuery) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (h firstQuery) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if *h.sql == "" && strings.HasPrefix(e.Query, "SELECT") {
		*h.sql = e.Query
	}
}

// On SQLite too a page is read down the index of its order from the
// cursor on (found: SQLite took the index on status for Pending and
// sorted every pending invitation for each page). Its plan says so, and
// that it seeks to the cursor.
func TestListsReadInIndexOrderSQLite(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	w := invitetest.NewWorld(t, db)
	var last string
	//lint:ignore SA1019 the hook must be on the store's own bun.DB; WithQueryHook makes a copy the store does not use
	db.Bun().AddQueryHook(firstQuery{&last})
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	after := &invite.Cursor{ID: 1000, CreatedAt: now}
	type listCase struct {
		name  string
		list  func() error
		index string // the index the list is read down
		seek  string // what the plan seeks by, from the cursor on
	}
	var tests []listCase
	for _, company := range []int64{w.A.ID, 0} {
		index := "invitations_company_created_idx"
		if company == 0 {
			index = "invitations_created_idx"
		}
		for _, status := range []invite.Status{"", invite.StatusPending, invite.StatusExpired, invite.StatusAccepted, invite.StatusCanceled} {
			for _, cursor := range []*invite.Cursor{nil, after} {
				q := invite.InvitationQuery{CompanyID: company, Status: status, Now: now, After: cursor, Limit: 51}
				seek := ""
				if cursor != nil {
					seek = "created_at<"
				}
				tests = append(tests, listCase{fmt.Sprintf("invitations of %d, %q, after %v", company, status, cursor != nil), func() error { _, err := db.Invitations(ctx, q); return err }, index, seek})
			}
		}
		q := invite.UserQuery{CompanyID: company, After: 10, Limit: 51}
		index = "users_company_idx"
		if company == 0 {
			index = "PRIMARY KEY"
		}
		tests = append(tests, listCase{fmt.Sprintf("users of %d", company), func() error { _, err := db.Users(ctx, q); return err }, index, "id>"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last = ""
			if err := tt.list(); err != nil {
				t.Fatal(err)
			}
			rows, err := db.Bun().QueryContext(ctx, "EXPLAIN QUERY PLAN "+last)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			all := strings.Join(plan, "\n")
			if strings.Contains(all, "TEMP B-TREE") || !strings.Contains(all, tt.index) || !strings.Contains(all, tt.seek) {
				t.Errorf("want a read down %s from %q on, no sort; plan:\n%s\nof %s", tt.index, tt.seek, all, last)
			}
		})
	}
}
