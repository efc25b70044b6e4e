package httpui_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// app is the real service on SQLite in memory behind the real handlers,
// served over HTTP.
type app struct {
	t      *testing.T
	db     *store.DB
	svc    *invite.Service
	srv    *httptest.Server
	now    time.Time
	mu     sync.Mutex
	root   *invite.User
	acme   *invite.Company
	bolt   *invite.Company
	global context.Context
	inbox  mailbox
	// acmeKey is the key of Acme's join page, which is open.
	acmeKey string
}

const adminPassword = "a long admin password!"

// newApp runs the app on SQLite in memory.
func newApp(t *testing.T) *app {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return newAppOn(t, db)
}

// eachApp runs fn on the app over SQLite in memory and over MySQL/MariaDB
// when there is one (see storetest).
func eachApp(t *testing.T, fn func(t *testing.T, a *app)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newApp(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, newAppOn(t, storetest.MySQL(t))) })
}

// newAppOn runs the app on db, with the service's Config changed by each of
// configure.
func newAppOn(t *testing.T, db *store.DB, configure ...func(*invite.Config)) *app {
	t.Helper()
	a := newBareApp(t, db, configure...)
	a.acme = a.company("Acme")
	a.bolt = a.company("Bolt")
	address, err := a.svc.OpenJoinPage(a.global, a.acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.acmeKey = strings.TrimPrefix(address, "http://invite.test"+a.svc.Paths().RequestToJoin)
	return a
}

// newBareApp is the app of a new installation: its Global Administrator,
// and no company yet.
func newBareApp(t *testing.T, db *store.DB, configure ...func(*invite.Config)) *app {
	t.Helper()
	ctx := context.Background()
	var err error
	a := &app{t: t, db: db, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	cfg := invite.Config{Now: a.clock, BaseURL: "http://invite.test"}
	for _, c := range configure {
		c(&cfg)
	}
	a.svc = invite.NewService(db, cfg)
	a.srv = httptest.NewServer(httpui.New(httpui.Config{Service: a.svc, Health: db.Ping, BaseURL: "http://invite.test", Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(a.srv.Close)
	if a.root, _, err = a.svc.Bootstrap(ctx, "root@example.com", adminPassword); err != nil {
		t.Fatal(err)
	}
	a.global = invite.NewContext(ctx, a.root)
	return a
}

func (a *app) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

func (a *app) advance(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = a.now.Add(d)
}

func (a *app) company(name string) *invite.Company {
	a.t.Helper()
	c, err := a.svc.RegisterCompany(a.global, invite.CompanyInput{
		Name: name, DefaultLanguage: "en", TimeZone: "Europe/Berlin",
		Subscriptions: []string{"App Designer", "Data Stream Designer"}, BusinessRoles: []string{"Plant Operator"},
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// invite makes an invitation into c by the service and returns its token.
func (a *app) invite(c *invite.Company, email string) (*invite.Invitation, string) {
	a.t.Helper()
	inv, token, err := a.svc.Invite(a.global, invite.InvitationInput{
		CompanyID: c.ID, Email: email, FirstName: "Grace", LastName: "Hopper", BusinessRoleID: c.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleContributor}},
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return inv, token
}

// companyAdmin makes a Company Administrator of c and returns their e-mail.
func (a *app) companyAdmin(c *invite.Company, email string) string {
	a.t.Helper()
	a.companyAdminAs(c, email, invite.RoleAdministrator)
	return email
}

// companyAdminAs makes a Company Administrator of c who holds role in the
// company's first subscription, and returns them.
func (a *app) companyAdminAs(c *invite.Company, email string, role invite.Role) *invite.User {
	a.t.Helper()
	in := invite.InvitationInput{
		CompanyID: c.ID, Email: email, FirstName: "Ada", LastName: "Admin", BusinessRoleID: c.BusinessRoles[0].ID,
		AdminLevel: invite.AdminCompany, Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: role}},
	}
	_, token, err := a.svc.Invite(a.global, in)
	if err != nil {
		a.t.Fatal(err)
	}
	u, err := a.svc.Accept(context.Background(), invite.AcceptInput{Token: token, Password: adminPassword, FirstName: "Ada", LastName: "Admin", AcceptTerms: true})
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// browser is a client with cookies, as a browser without JavaScript is.
type browser struct {
	t    *testing.T
	a    *app
	c    *http.Client
	lang string
	htmx bool
}

func (a *app) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: a.t, a: a, lang: "en", c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.a.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", b.lang)
	if b.htmx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// post submits form to path with the CSRF token of the page at from, as a
// browser submits a form it was given.
func (b *browser) post(from, path string, form url.Values) page {
	b.t.Helper()
	htmx := b.htmx
	b.htmx = false // a whole page has the form
	p := b.get(from)
	b.htmx = htmx
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no CSRF field on %s (status %d)", from, p.status)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", html.UnescapeString(m[1]))
	return b.do(http.MethodPost, path, form)
}

func (b *browser) login(email, password string) page {
	b.t.Helper()
	return b.post("/login", "/login", url.Values{"email": {email}, "password": {password}})
}

// want fails unless the page has the status and contains every text.
func (p page) want(t *testing.T, status int, texts ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("got status %d, want %d; body:\n%s", p.status, status, p.body)
	}
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Fatalf("page lacks %q; body:\n%s", s, p.body)
		}
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// mailbox stands for the recipients' mail servers: a Mailer that keeps
// every message it is given, as an SMTP server does. The outbox copies of
// what it delivers lose their links, as over SMTP.
type mailbox struct {
	mu   sync.Mutex
	msgs []invite.Message
}

func (m *mailbox) Deliver(_ context.Context, msgs []*invite.Message) []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range msgs {
		m.msgs = append(m.msgs, *msg)
	}
	return make([]error, len(msgs))
}

// deliver delivers the outbox into the mailbox.
func (a *app) deliver() {
	a.t.Helper()
	if _, err := a.svc.DeliverOutbox(context.Background(), &a.inbox); err != nil {
		a.t.Fatal(err)
	}
}

// mailTo delivers the outbox and returns the text of the latest message
// of kind that reached to.
func (a *app) mailTo(to string, kind invite.MessageKind) string {
	a.t.Helper()
	a.deliver()
	a.inbox.mu.Lock()
	defer a.inbox.mu.Unlock()
	for i := len(a.inbox.msgs) - 1; i >= 0; i-- {
		if m := a.inbox.msgs[i]; m.To == to && m.Kind == kind {
			return m.Text
		}
	}
	a.t.Fatalf("no %s mail to %s", kind, to)
	return ""
}
