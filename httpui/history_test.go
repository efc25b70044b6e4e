package httpui_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
)

// These tests append the events they read through the store: until the
// service records them itself (invitation.*, mail.*, user.*), the pages
// would show none. Once it does, they see those as well, and look only
// for their own.

// appendEvents stores evs, filling what each leaves out.
func (a *app) appendEvents(evs ...*invite.Event) {
	a.t.Helper()
	for _, e := range evs {
		if e.At.IsZero() {
			e.At = a.clock()
		}
		if e.Actor == "" {
			e.Actor = invite.ActorSystem
		}
	}
	if err := a.db.AppendEvents(context.Background(), evs); err != nil {
		a.t.Fatal(err)
	}
}

func TestInvitationPage(t *testing.T) {
	a := newApp(t)
	inv, _ := a.invite(a.acme, "guest@example.com")
	about := func(kind invite.EventKind, detail string) *invite.Event {
		e := &invite.Event{Kind: kind, CompanyID: a.acme.ID, Subject: invite.SubjectInvitation, SubjectID: inv.ID, Email: inv.Email}
		if detail != "" {
			e.Detail = json.RawMessage(detail)
		}
		return e
	}
	created := about(invite.EventInvitationCreated, "")
	created.Actor, created.ActorID, created.ActorEmail = invite.ActorUser, a.root.ID, a.root.Email
	a.appendEvents(created,
		about(invite.EventMailFailed, `{"message": 1, "attempt": 1, "final": false, "error": "451 4.7.1 <greylisted> try later"}`),
		about(invite.EventInvitationCanceled, `{"reason": "sent to the wrong address"}`))
	b := a.browser()
	b.login("root@example.com", adminPassword)

	list := b.get("/admin/invitations")
	list.want(t, http.StatusOK, fmt.Sprintf(`<a href="/admin/invitations/%d">guest@example.com</a>`, inv.ID), "Invited By", "root@example.com")

	p := b.get(fmt.Sprintf("/admin/invitations/%d", inv.ID))
	p.want(t, http.StatusOK, "Invitation: guest@example.com", "History", "Invitation sent", "by root@example.com",
		"E-mail delivery failed", "451 4.7.1 &lt;greylisted&gt; try later", "yes, it will be tried again", `href="/admin/mail/1"`,
		"Invitation canceled", "sent to the wrong address", "by System")
	if i, j := strings.Index(p.body, "Invitation sent"), strings.Index(p.body, "Invitation canceled"); i > j {
		t.Errorf("timeline: got the canceling before the sending, want oldest first")
	}
	// The timeline a page at a time: the next page under htmx is the
	// timeline alone.
	many := make([]*invite.Event, invite.DefaultPageSize+1)
	for i := range many {
		many[i] = about(invite.EventReminderSent, "")
	}
	a.appendEvents(many...)
	p = b.get(fmt.Sprintf("/admin/invitations/%d", inv.ID))
	p.want(t, http.StatusOK, "Later events")
	next := regexpFind(t, p.body, `href="(/admin/invitations/\d+\?after=\d+)"`)
	b.htmx = true
	part := b.get(strings.ReplaceAll(next, "&amp;", "&"))
	b.htmx = false
	part.want(t, http.StatusOK, `<div id="timeline">`, "Reminder sent")
	if strings.Contains(part.body, "<html") {
		t.Errorf("the next page under htmx: got a whole page, want the timeline")
	}

	// Another company's administrator finds no such invitation.
	other := a.browser()
	other.login(a.companyAdmin(a.bolt, "boss@bolt.example"), adminPassword)
	other.get(fmt.Sprintf("/admin/invitations/%d", inv.ID)).want(t, http.StatusNotFound)
}

func TestInvitedByDeleted(t *testing.T) {
	a := newApp(t)
	admin := a.companyAdminAs(a.acme, "boss@acme.example", invite.RoleAdministrator)
	a.companyAdminAs(a.acme, "other@acme.example", invite.RoleAdministrator) // the company keeps one
	_, _, err := a.svc.Invite(invite.NewContext(context.Background(), admin), invite.InvitationInput{
		CompanyID: a.acme.ID, Email: "guest@example.com", FirstName: "Grace", LastName: "Hopper", BusinessRoleID: a.acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	b.login("root@example.com", adminPassword)
	b.get("/admin/invitations").want(t, http.StatusOK, ">Ada Admin</td>")
	if err := a.svc.DeleteUser(a.global, admin.ID); err != nil {
		t.Fatal(err)
	}
	b.get("/admin/invitations").want(t, http.StatusOK, "(deleted user)")
}

func TestUserHistory(t *testing.T) {
	a := newApp(t)
	admin := a.companyAdminAs(a.acme, "boss@acme.example", invite.RoleAdministrator)
	a.appendEvents(&invite.Event{Kind: invite.EventUserChanged, CompanyID: a.acme.ID, Actor: invite.ActorUser, ActorID: a.root.ID, ActorEmail: a.root.Email,
		Subject: invite.SubjectUser, SubjectID: admin.ID, Email: admin.Email, Detail: json.RawMessage(`{"fields": ["first_name", "grants"]}`)})
	b := a.browser()
	b.login("root@example.com", adminPassword)
	b.get(fmt.Sprintf("/admin/users/%d/edit", admin.ID)).want(t, http.StatusOK, fmt.Sprintf(`href="/admin/users/%d/history"`, admin.ID))
	b.get(fmt.Sprintf("/admin/users/%d/history", admin.ID)).want(t, http.StatusOK, "History: boss@acme.example", "User changed", "first_name, grants", "by root@example.com")
}

// exportFixture appends events of Acme and Bolt, one of each with a cell
// a spreadsheet would take for a formula.
func exportFixture(a *app) {
	a.appendEvents(
		&invite.Event{Kind: invite.EventLoginFailed, CompanyID: a.acme.ID, Subject: invite.SubjectUser, Email: "=HYPERLINK(\"http://evil\")@acme.example"},
		&invite.Event{Kind: invite.EventUserDisabled, CompanyID: a.acme.ID, Subject: invite.SubjectUser, SubjectID: 1, Email: "one@acme.example", Detail: json.RawMessage(`{"reason":"left"}`)},
		&invite.Event{Kind: invite.EventLoginFailed, CompanyID: a.bolt.ID, Subject: invite.SubjectUser, Email: "one@bolt.example"},
	)
}

func TestEventsExport(t *testing.T) {
	a := newApp(t)
	exportFixture(a)
	bossA := a.companyAdmin(a.acme, "boss@acme.example")
	root := a.browser()
	root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	adminA := a.browser()
	adminA.login(bossA, adminPassword).want(t, http.StatusSeeOther)

	t.Run("CSV", func(t *testing.T) {
		p := root.get("/admin/events/export?format=csv")
		p.want(t, http.StatusOK, "id,at,kind,company_id,actor", "'=HYPERLINK", "one@acme.example", "one@bolt.example")
		if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="events-`) || !strings.HasSuffix(cd, `.csv"`) {
			t.Errorf("Content-Disposition: got %q, want an attachment named events-….csv", cd)
		}
		if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type: got %q, want text/csv", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			if r[9] == "one@acme.example" && (r[2] != "user.disabled" || r[10] != `{"reason":"left"}` || r[1] != a.clock().Format(time.RFC3339Nano)) {
				t.Errorf("row: got %q, want user.disabled at %v with its detail", r, a.clock())
			}
		}
	})
	t.Run("CompanyAdministratorReadsTheirs", func(t *testing.T) {
		p := adminA.get("/admin/events/export?format=jsonl")
		p.want(t, http.StatusOK, "one@acme.example")
		if strings.Contains(p.body, "bolt.example") {
			t.Errorf("a Company Administrator's export has Bolt's events:\n%s", p.body)
		}
		lines := 0
		sc := bufio.NewScanner(strings.NewReader(p.body))
		for sc.Scan() {
			var rec struct {
				CompanyID int64 `json:"company_id"`
				Kind      string
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			if rec.CompanyID != a.acme.ID {
				t.Errorf("line of company %d, want only Acme's (%d)", rec.CompanyID, a.acme.ID)
			}
			lines++
		}
		if lines < 2 {
			t.Errorf("got %d lines, want Acme's 2 at least", lines)
		}
		// Asking for Bolt's finds no such company; nothing is sent.
		p = adminA.get(fmt.Sprintf("/admin/events/export?format=csv&company=%d", a.bolt.ID))
		if p.status != http.StatusNotFound || p.header.Get("Content-Disposition") != "" || strings.Contains(p.body, "bolt.example") {
			t.Errorf("Bolt's export for Acme's administrator: got %d %q, want 404 and nothing", p.status, p.header.Get("Content-Disposition"))
		}
		// Through the service too.
		err := a.svc.EachEvent(invite.NewContext(context.Background(), userByEmail(t, a, "boss@acme.example")), invite.EventFilter{CompanyID: a.bolt.ID}, func(*invite.Event) error { return nil })
		if invite.ErrorCode(err) != invite.CodeNotFound {
			t.Errorf("EachEvent of Bolt as Acme's administrator: got %v, want not found", err)
		}
	})
	t.Run("Filtered", func(t *testing.T) {
		day := a.clock().Format("2006-01-02")
		p := root.get(fmt.Sprintf("/admin/events/export?format=csv&company=%d&kind=user.disabled&from=%s&until=%s", a.acme.ID, day, day))
		p.want(t, http.StatusOK, "one@acme.example")
		if strings.Contains(p.body, "HYPERLINK") || strings.Contains(p.body, "bolt") {
			t.Errorf("filtered export has more than Acme's user.disabled:\n%s", p.body)
		}
		next := a.clock().AddDate(0, 0, 2).Format("2006-01-02")
		p = root.get("/admin/events/export?format=csv&from=" + next)
		if strings.Contains(p.body, "acme.example") {
			t.Errorf("export from the day after tomorrow has today's events:\n%s", p.body)
		}
	})
	t.Run("ErrInvalidInput", func(t *testing.T) {
		for _, q := range []string{"format=xml", "format=csv&from=yesterday", "format=csv&from=2026-03-05&until=2026-03-01", "format=csv&kind=user.exploded", "format=csv&company=acme"} {
			p := root.get("/admin/events/export?" + q)
			p.want(t, http.StatusUnprocessableEntity, `<form class="filters"`, `class="error"`)
			if p.header.Get("Content-Disposition") != "" {
				t.Errorf("%s: got an attachment, want the form", q)
			}
		}
		root.get("/admin/events?show=1&kind=user.exploded").want(t, http.StatusUnprocessableEntity, "Choose kinds of event from the list.")
	})
	t.Run("Page", func(t *testing.T) {
		p := root.get("/admin/events?show=1&kind=user.disabled")
		p.want(t, http.StatusOK, "User disabled", "one@acme.example", "Acme", "Reason: left", `formaction="/admin/events/export"`)
		adminA.get("/admin/events").want(t, http.StatusOK, "Export CSV")
		if p := adminA.get("/admin/events"); strings.Contains(p.body, `name="company"`) {
			t.Errorf("a Company Administrator is offered a choice of company")
		}
	})
}

func userByEmail(t *testing.T, a *app, email string) *invite.User {
	t.Helper()
	u, err := a.db.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// countingStore counts the reads of events and the most any asked for.
type countingStore struct {
	invite.Store
	reads, most atomic.Int64
}

func (s *countingStore) Events(ctx context.Context, q invite.EventQuery) ([]*invite.Event, error) {
	s.reads.Add(1)
	for {
		m := s.most.Load()
		if int64(q.Limit) <= m || s.most.CompareAndSwap(m, int64(q.Limit)) {
			break
		}
	}
	return s.Store.Events(ctx, q)
}

// insertEvents inserts n events of company into db in one statement,
// each with a detail of about a hundred bytes.
func insertEvents(tb testing.TB, db *store.DB, companyID int64, n int, at time.Time) {
	tb.Helper()
	_, err := db.Bun().NewRaw(`INSERT INTO events (occurred_at, kind, company_id, actor, actor_id, actor_email, subject, subject_id, email, detail)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
SELECT ?, 'mail.failed', ?, 'system', 0, '', 'invitation', i, 'user' || i || '@example.com', ? FROM seq`,
		n, at, companyID, `{"message":1,"attempt":3,"final":true,"error":"550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table"}`).
		Exec(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
}

// TestEventsExportStreams exports 300,000 events (some 60 MB of CSV) and
// shows that the export holds a chunk, not all of them: the store is
// read a thousand at a time, and the heap grows by much less than the
// export while it is read (300,000 events held would take more than the
// export's 65 MB; a run here saw some 17 MB of growth, most of it garbage
// not yet collected).
func TestEventsExportStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 300,000 events")
	}
	const n = 300_000
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/export.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: db}
	a := &app{t: t, db: db, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	a.svc = invite.NewService(cs, invite.Config{Now: a.clock, BaseURL: "http://invite.test"})
	a.srv = httptest.NewServer(httpui.New(httpui.Config{Service: a.svc, Health: db.Ping, BaseURL: "http://invite.test", Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(a.srv.Close)
	if a.root, _, err = a.svc.Bootstrap(ctx, "root@example.com", adminPassword); err != nil {
		t.Fatal(err)
	}
	a.global = invite.NewContext(ctx, a.root)
	a.acme = a.company("Acme")
	insertEvents(t, db, a.acme.ID, n, a.clock())
	b := a.browser()
	b.login("root@example.com", adminPassword)

	req, err := http.NewRequest(http.MethodGet, a.srv.URL+"/admin/events/export?format=csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", resp.StatusCode)
	}
	var size, lines int64
	buf := make([]byte, 256<<10)
	next := int64(0)
	for {
		k, err := resp.Body.Read(buf)
		size += int64(k)
		lines += int64(bytes.Count(buf[:k], []byte("\n")))
		if size >= next { // every 4 MB
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			next = size + 4<<20
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	growth := int64(peak) - int64(base)
	t.Logf("exported %d lines, %d MB; heap grew by at most %d MB; %d reads of at most %d events", lines, size>>20, growth>>20, cs.reads.Load(), cs.most.Load())
	if lines < n+1 {
		t.Errorf("got %d lines, want %d and the heading", lines, n)
	}
	if reads := cs.reads.Load(); reads < n/1000 || cs.most.Load() > 1000 {
		t.Errorf("store read %d times, at most %d events each; want at least %d reads of at most 1,000", reads, cs.most.Load(), n/1000)
	}
	if growth > size/2 { // all of them would take more than the export's size
		t.Errorf("heap grew by %d MB while %d MB were exported: the export holds the events", growth>>20, size>>20)
	}
}

// regexpFind returns the first group of pattern in s.
func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in:\n%s", pattern, s)
	}
	return m[1]
}

// TestEventsBadInput sends each field of the Events form what a form
// must refuse: the page and the export answer 422 with the form, never
// 500, and the export sends nothing.
func TestEventsBadInput(t *testing.T) {
	a := newApp(t)
	root := a.browser()
	root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	bad := map[string]string{
		"Long": strings.Repeat("x", 20_000), "InvalidUTF8": "ab\xff\xfecd", "NUL": "a\x00b",
		"LineBreak": "first\r\nBcc: someone@evil.test", "Control": "a\x1b[31mb", "Negative": "-1",
	}
	for _, field := range []string{"company", "from", "until", "kind", "format"} {
		for name, value := range bad {
			t.Run(field+"/"+name, func(t *testing.T) {
				q := url.Values{"format": {"csv"}, "show": {"1"}}
				q.Set(field, value)
				p := root.get("/admin/events/export?" + q.Encode())
				p.want(t, http.StatusUnprocessableEntity, `<form class="filters"`)
				if p.header.Get("Content-Disposition") != "" {
					t.Errorf("got an attachment, want the form")
				}
				if field != "format" {
					root.get("/admin/events?"+q.Encode()).want(t, http.StatusUnprocessableEntity, `<form class="filters"`)
				}
			})
		}
	}
	// A kind sent five thousand times is one kind (past 10,000 parameters
	// Go parses none).
	q := url.Values{"format": {"csv"}}
	for range 5_000 {
		q.Add("kind", "user.disabled")
	}
	root.get("/admin/events/export?"+q.Encode()).want(t, http.StatusOK, "id,at,kind")
}

// What the service records reads in words on the invitation's page, in
// the reader's language: each changed field with its old and new value
// (names, not IDs), the reason typed on the cancel page.
func TestTimelineInWords(t *testing.T) {
	a := newApp(t)
	inv, _ := a.invite(a.acme, "guest@example.com")
	in := inv.Input()
	in.Department = "Assembly"
	in.Grants = []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}}
	a.advance(time.Hour) // past the bound on mail to one address
	if _, _, err := a.svc.Resend(a.global, inv.ID, &in); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	b.login("root@example.com", adminPassword)
	path := fmt.Sprintf("/admin/invitations/%d", inv.ID)
	b.post(path+"/cancel", path+"/cancel", url.Values{"reason": {"Hired elsewhere"}})

	sub := a.acme.Subscriptions[0].Name
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{"Invitation resent", "Department", "— → Assembly",
			"Subscriptions", sub + " (Contributor) → " + sub + " (Viewer)", "Status before", "Pending",
			"Invitation canceled", "Reason", "Hired elsewhere", "E-mail queued"}},
		{"de", []string{"Einladung erneut gesendet", "Abteilung", "— → Assembly", sub + " (Betrachter)", "Hired elsewhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			// The pages speak the language of the user's profile.
			if _, err := a.svc.UpdateProfile(a.global, invite.ProfileInput{FirstName: "Root", LastName: "Admin", Language: tt.lang, TimeZone: "UTC"}); err != nil {
				t.Fatal(err)
			}
			p := b.get(path)
			p.want(t, http.StatusOK, tt.want...)
			for _, raw := range []string{"subscriptions:", "department:", `"from"`, ":contributor"} {
				if strings.Contains(p.body, raw) {
					t.Errorf("the page shows %q, the detail's raw form", raw)
				}
			}
		})
	}
}

// A deleted user's history stays: a Global Administrator reads it (found
// from outside: it answered 404); a Company Administrator does not.
func TestDeletedUserHistory(t *testing.T) {
	a := newApp(t)
	a.companyAdmin(a.acme, "boss@acme.example")
	gone := a.companyAdminAs(a.acme, "gone@acme.example", invite.RoleAdministrator)
	if _, err := a.svc.SetDisabled(a.global, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := a.svc.DeleteUser(a.global, gone.ID); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/users/%d/history", gone.ID)
	root := a.browser()
	root.login("root@example.com", adminPassword)
	root.get(path).want(t, http.StatusOK, "gone@acme.example", "(deleted user)", "User disabled", "User deleted")
	boss := a.browser()
	boss.login("boss@acme.example", adminPassword)
	boss.get(path).want(t, http.StatusNotFound)
	root.get("/admin/users/999999/history").want(t, http.StatusNotFound)
}
