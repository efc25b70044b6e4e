package httpui_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// This file is the access model as tests: every route of the router, tried
// by everyone who may knock, on a company's things; a route without its
// row fails. See README, "Security".

// The people who knock.
const (
	anonymous = "anonymous"
	plainUser = "user of A"
	adminA    = "Company Administrator of A"
	adminB    = "Company Administrator of B"
	global    = "Global Administrator"
)

var roles = []string{anonymous, plainUser, adminA, adminB, global}

// world is a database with two companies, A (Acme) and B (Bolt), and one
// of each thing of A, saved to a file that each request is tried on a copy
// of, with everyone's sessions in it.
type world struct {
	file      string
	sessions  map[string]string // role -> session token
	ids       map[string]string // path parameter -> value
	companyA  *invite.Company
	member    *invite.User
	invitee   string // the address A's invitation is for
	inviteTok string
	// apiTokens are the API tokens' secrets by role (api_access_test.go).
	apiTokens map[string]string
}

// worldNow is the time of every try; the world is made ten minutes before,
// so that what it sent has left the bounds on sending again.
var worldNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func worldConfig(now time.Time) invite.Config {
	return invite.Config{Now: func() time.Time { return now }, BaseURL: "http://invite.test"}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{file: filepath.Join(t.TempDir(), "world.db"), sessions: map[string]string{}, ids: map[string]string{}}
	db, err := store.Open(ctx, "sqlite:"+w.file)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := invite.NewService(db, worldConfig(worldNow.Add(-10*time.Minute)))
	root, _, err := svc.Bootstrap(ctx, "root@example.com", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	asRoot := invite.NewContext(ctx, root)
	company := func(name string) *invite.Company {
		c, err := svc.RegisterCompany(asRoot, invite.CompanyInput{Name: name, Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	acme, bolt := company("Acme"), company("Bolt")
	w.companyA = acme
	person := func(c *invite.Company, email string, level invite.AdminLevel) *invite.User {
		_, token, err := svc.Invite(asRoot, invite.InvitationInput{
			CompanyID: c.ID, Email: email, FirstName: "Some", LastName: "One", BusinessRoleID: c.BusinessRoles[0].ID, AdminLevel: level,
			Grants: []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleAdministrator}},
		})
		if err != nil {
			t.Fatal(err)
		}
		u, err := svc.Accept(ctx, invite.AcceptInput{Token: token, Password: adminPassword, FirstName: "Some", LastName: "One", AcceptTerms: true})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	users := map[string]*invite.User{
		plainUser: person(acme, "member@acme.example", invite.AdminNone),
		adminA:    person(acme, "boss@acme.example", invite.AdminCompany),
		adminB:    person(bolt, "boss@bolt.example", invite.AdminCompany),
		global:    root,
	}
	w.member = users[plainUser]
	for role, u := range users {
		_, token, err := svc.Login(ctx, u.Email, adminPassword)
		if err != nil {
			t.Fatal(err)
		}
		w.sessions[role] = token
	}
	// A's things: a pending invitation with its mail, a request to join, a
	// reset link, an open join page.
	w.invitee = "guest@example.com"
	inv, token, err := svc.Invite(asRoot, invite.InvitationInput{
		CompanyID: acme.ID, Email: w.invitee, FirstName: "Grace", LastName: "Hopper", BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.inviteTok = token
	address, err := svc.OpenJoinPage(asRoot, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimPrefix(address, "http://invite.test"+invite.DefaultPaths().RequestToJoin)
	if err := svc.RequestToJoin(ctx, key, invite.JoinRequestInput{Email: "asker@example.com", FirstName: "Ask", LastName: "Er"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ProcessJoinRequests(ctx); err != nil {
		t.Fatal(err)
	}
	reqs, err := svc.JoinRequests(asRoot, acme.ID)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("join requests: %v, %v", reqs, err)
	}
	if err := svc.RequestPasswordReset(ctx, w.member.Email, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.IssuePasswordResets(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.Messages(ctx, invite.MessageQuery{CompanyID: acme.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var resetToken, messageID string
	for _, m := range msgs {
		switch {
		case m.Kind == invite.KindPasswordReset:
			resetToken = regexp.MustCompile(invite.DefaultPaths().ResetPassword + `([A-Za-z0-9_-]{43})`).FindStringSubmatch(m.Text)[1]
		case m.InvitationID == inv.ID:
			messageID = fmt.Sprint(m.ID)
		}
	}
	preset := &invite.Preset{CompanyID: acme.ID, Name: "Operator preset", BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}}}
	if err := svc.CreatePreset(asRoot, preset); err != nil {
		t.Fatal(err)
	}
	// A batch of invitations to A, checked (the dry run), not sent.
	batch, err := svc.PrepareBatch(asRoot, []invite.InvitationInput{{
		CompanyID: acme.ID, Email: "bulk@example.com", FirstName: "Bulk", LastName: "Row", BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := svc.CreateWebhook(asRoot, invite.WebhookInput{CompanyID: acme.ID, URL: "https://hooks.example.com/acme", Kinds: []invite.EventKind{invite.EventInvitationCreated}})
	if err != nil {
		t.Fatal(err)
	}
	tokenID := w.makeAPITokens(t, svc, db, users)
	w.ids = map[string]string{
		"/admin/webhooks/:id":         fmt.Sprint(hook.ID),
		"/profile/tokens/:id":         fmt.Sprint(tokenID),
		"/admin/presets/:id":          fmt.Sprint(preset.ID),
		"/admin/invitations/bulk/:id": fmt.Sprint(batch.ID),
		"/admin/users/:id":            fmt.Sprint(w.member.ID), "/admin/invitations/:id": fmt.Sprint(inv.ID),
		"/admin/join-requests/:id": fmt.Sprint(reqs[0].ID), "/admin/companies/:id": fmt.Sprint(acme.ID),
		"/admin/mail/:id": messageID, ":lang": "en", "/join/:token": token, "/reset/:token": resetToken, "/request/:key": key,
	}
	if err := db.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	return w
}

// path fills a route's parameters with A's things.
func (w *world) path(route string) string {
	out := route
	// The longest prefix first: /admin/invitations/bulk/:id is a batch's,
	// not an invitation's.
	prefixes := slices.Collect(maps.Keys(w.ids))
	slices.SortFunc(prefixes, func(a, b string) int { return len(b) - len(a) })
	for _, prefix := range prefixes {
		v := w.ids[prefix]
		if strings.HasPrefix(prefix, "/") && strings.Contains(out, prefix[strings.LastIndex(prefix, "/")+1:]) {
			param := prefix[strings.LastIndex(prefix, "/")+1:]
			if strings.HasPrefix(route, strings.TrimSuffix(prefix, param)) {
				out = strings.Replace(out, param, v, 1)
			}
		}
	}
	return strings.Replace(strings.Replace(out, ":lang", w.ids[":lang"], 1), "/static*", "/static/app.css", 1)
}

// trial is one try on a fresh copy of the world: its server, and a browser
// logged in as role.
type trial struct {
	t      *testing.T
	db     *store.DB
	srv    *httptest.Server
	client *http.Client
	csrf   string
}

func (w *world) try(t *testing.T, role string) *trial {
	t.Helper()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "copy.db")
	b, err := os.ReadFile(w.file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, "sqlite:"+file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := invite.NewService(db, worldConfig(worldNow))
	c := &trial{t: t, db: db}
	c.srv = httptest.NewServer(httpui.New(httpui.Config{Service: svc, Health: db.Ping, BaseURL: "http://invite.test", Logger: discard(),
		Metrics: http.NotFoundHandler(), MetricsToken: "the scraper's token"}))
	t.Cleanup(c.srv.Close)
	jar, _ := cookiejar.New(nil)
	c.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if token, ok := w.sessions[role]; ok {
		u, _ := url.Parse(c.srv.URL)
		jar.SetCookies(u, []*http.Cookie{{Name: "invite_session", Value: token, Path: "/"}})
	}
	// The form token, as a page of the site gives it to this browser.
	status, body := c.do(http.MethodGet, "/forgot", nil, nil)
	m := csrfField.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("no form token for %s: %d", role, status)
	}
	c.csrf = html.UnescapeString(m[1])
	return c
}

// do sends a request with form (adding the form token) and header.
func (c *trial) do(method, path string, form url.Values, header http.Header) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		f := url.Values{"_csrf": {c.csrf}}
		for k, v := range form {
			f[k] = v
		}
		body = strings.NewReader(f.Encode())
	}
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// snapshot returns every row of every table: what a refused request must
// leave as it was. The counts of rate limits are left out: counting a try
// at a guessing form is what the limit is for.
func (c *trial) snapshot() string {
	c.t.Helper()
	// A failed log-in is counted (limits) and recorded (the history's
	// login.failed): neither is a change that bad input may not make.
	lines := strings.SplitAfter(storetest.Snapshot(c.t, c.db, "limits"), "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool {
		// (SQLite's counter of the events' IDs moves with them; any other
		// event is a line of its own here.)
		return strings.HasPrefix(l, "events ") && strings.Contains(l, string(invite.EventLoginFailed)) ||
			strings.HasPrefix(l, "sqlite_sequence ") && strings.Contains(l, "events")
	})
	return strings.Join(lines, "")
}

// access is one route's row of the matrix: the form it is sent (for a
// POST) and the status each role gets. A refusal (303 to the log-in, 403,
// 404, 409) must change nothing.
type access struct {
	form   url.Values
	status map[string]int
}

// Shorthands for the common rows.
func adminRoute(a, b, g int) map[string]int {
	return map[string]int{anonymous: http.StatusSeeOther, plainUser: http.StatusForbidden, adminA: a, adminB: b, global: g}
}

func everyone(status int) map[string]int {
	return map[string]int{anonymous: status, plainUser: status, adminA: status, adminB: status, global: status}
}

func loggedIn(anon, others int) map[string]int {
	return map[string]int{anonymous: anon, plainUser: others, adminA: others, adminB: others, global: others}
}

// matrix is the access model of every route, on A's things.
func (w *world) matrix() map[string]access {
	const ok, see, forbidden, missing, conflict, invalid = 200, 303, 403, 404, 409, 422
	a := w.companyA
	grant := url.Values{"business_role": {fmt.Sprint(a.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(a.Subscriptions[0].ID)},
		fmt.Sprintf("role_%d", a.Subscriptions[0].ID): {"viewer"}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	invitation := with(grant, "company", fmt.Sprint(a.ID), "email", "new@example.com", "first_name", "New", "last_name", "Person", "action", "send")
	resend := with(grant, "email", w.invitee, "first_name", "Grace", "last_name", "Hopper", "action", "send")
	password := url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}
	return map[string]access{
		"GET /healthz":          {nil, everyone(ok)},
		"GET /readyz":           {nil, everyone(ok)},
		"GET /metrics":          {nil, everyone(http.StatusUnauthorized)}, // the token's bearer only; a session is no token
		"GET /static*":          {nil, everyone(ok)},
		"GET /favicon.ico":      {nil, everyone(http.StatusMovedPermanently)},
		"GET /":                 {nil, everyone(see)},
		"GET /login":            {nil, loggedIn(ok, see)},
		"POST /login":           {url.Values{"email": {"root@example.com"}, "password": {"wrong password!"}}, everyone(invalid)},
		"POST /logout":          {url.Values{}, everyone(see)},
		"GET /login/not-yet":    {nil, everyone(see)}, // without a time, it leads to /login
		"GET /home":             {nil, loggedIn(see, ok)},
		"GET /profile":          {nil, loggedIn(see, ok)},
		"POST /profile":         {url.Values{"first_name": {"New"}, "last_name": {"Name"}}, loggedIn(see, see)},
		"GET /profile/password": {nil, loggedIn(see, ok)},
		// A token is its creator's alone: the world's is the Global
		// Administrator's.
		"POST /profile/tokens":                      {url.Values{"name": {"New token"}}, map[string]int{anonymous: see, plainUser: forbidden, adminA: ok, adminB: ok, global: ok}},
		"GET /profile/tokens/:id/revoke":            {nil, map[string]int{anonymous: see, plainUser: missing, adminA: missing, adminB: missing, global: ok}},
		"POST /profile/tokens/:id/revoke":           {url.Values{}, map[string]int{anonymous: see, plainUser: missing, adminA: missing, adminB: missing, global: see}},
		"POST /profile/password":                    {with(password, "current_password", adminPassword), loggedIn(see, see)},
		"GET /forgot":                               {nil, everyone(ok)},
		"POST /forgot":                              {url.Values{"email": {"member@acme.example"}}, everyone(ok)},
		"GET /request/:key":                         {nil, everyone(ok)},
		"POST /request/:key":                        {url.Values{"email": {"another@example.com"}, "first_name": {"An"}, "last_name": {"Other"}}, everyone(ok)},
		"GET /reset/:token":                         {nil, everyone(ok)},
		"POST /reset/:token":                        {password, everyone(see)},
		"GET /join/:token":                          {nil, loggedIn(ok, conflict)},
		"POST /join/:token":                         {with(password, "first_name", "Grace", "last_name", "Hopper", "accept_terms", "on"), loggedIn(see, conflict)},
		"POST /join/:token/renew":                   {url.Values{}, everyone(see)},
		"GET /admin/users":                          {nil, adminRoute(ok, ok, ok)},
		"GET /admin/users/:id/edit":                 {nil, adminRoute(ok, missing, ok)},
		"POST /admin/users/:id":                     {grant, adminRoute(see, missing, see)},
		"GET /admin/users/:id/disable":              {nil, adminRoute(ok, missing, ok)},
		"POST /admin/users/:id/disable":             {url.Values{}, adminRoute(see, missing, see)},
		"POST /admin/users/:id/enable":              {url.Values{}, adminRoute(see, missing, see)},
		"GET /admin/users/:id/delete":               {nil, adminRoute(forbidden, forbidden, ok)},
		"POST /admin/users/:id/delete":              {url.Values{}, adminRoute(forbidden, forbidden, see)},
		"POST /admin/join-requests/:id/approve":     {grant, adminRoute(see, missing, see)},
		"POST /admin/join-requests/:id/decline":     {url.Values{}, adminRoute(see, missing, see)},
		"POST /admin/companies/:id/join/open":       {url.Values{}, adminRoute(see, missing, see)},
		"GET /admin/companies/:id/join":             {nil, adminRoute(ok, missing, ok)},
		"POST /admin/companies/:id/join/close":      {url.Values{}, adminRoute(see, missing, see)},
		"GET /admin/invitations":                    {nil, adminRoute(ok, ok, ok)},
		"GET /admin/invitations/new":                {nil, adminRoute(ok, ok, ok)},
		"POST /admin/invitations":                   {invitation, adminRoute(see, missing, see)},
		"POST /admin/invitations/preview":           {invitation, adminRoute(ok, missing, ok)},
		"GET /admin/invitations/:id/resend":         {nil, adminRoute(ok, missing, ok)},
		"POST /admin/invitations/:id/resend":        {resend, adminRoute(see, missing, see)},
		"GET /admin/invitations/:id/cancel":         {nil, adminRoute(ok, missing, ok)},
		"POST /admin/invitations/:id/cancel":        {url.Values{"reason": {"Hired elsewhere"}}, adminRoute(see, missing, see)},
		"GET /admin/companies":                      {nil, adminRoute(forbidden, forbidden, ok)},
		"POST /admin/companies":                     {url.Values{"name": {"Cobalt"}, "subscriptions": {"One"}, "business_roles": {"Two"}}, adminRoute(forbidden, forbidden, see)},
		"GET /admin/companies/:id/seats":            {nil, adminRoute(ok, missing, ok)},
		"POST /admin/companies/:id/seats":           {url.Values{fmt.Sprintf("seats_%d", a.Subscriptions[0].ID): {"500"}}, adminRoute(forbidden, forbidden, ok)},
		"GET /admin/companies/:id/terms":            {nil, adminRoute(ok, missing, ok)},
		"POST /admin/companies/:id/terms":           {url.Values{"terms": {"Be kind."}}, adminRoute(ok, missing, ok)},
		"GET /admin/companies/:id/domains":          {nil, adminRoute(forbidden, forbidden, ok)},
		"POST /admin/companies/:id/domains":         {url.Values{"allowed_domains": {"example.com\n*.acme.example"}}, adminRoute(forbidden, forbidden, see)},
		"GET /admin/companies/:id/templates/:lang":  {nil, adminRoute(ok, missing, ok)},
		"POST /admin/companies/:id/templates/:lang": {url.Values{"mail_subject": {"Hello {FirstName}"}, "mail_body": {"Welcome"}, "action": {"save"}}, adminRoute(ok, missing, ok)},
		"GET /admin/mail":                           {nil, adminRoute(ok, ok, ok)},
		"GET /admin/mail/:id":                       {nil, adminRoute(ok, missing, ok)},
		"GET /admin/presets":                        {nil, adminRoute(ok, ok, ok)},
		"GET /admin/presets/new":                    {nil, adminRoute(ok, ok, ok)},
		"POST /admin/presets":                       {with(grant, "company", fmt.Sprint(a.ID), "name", "New preset"), adminRoute(see, missing, see)},
		"GET /admin/presets/:id/edit":               {nil, adminRoute(ok, missing, ok)},
		"POST /admin/presets/:id":                   {with(grant, "name", "Renamed preset"), adminRoute(see, missing, see)},
		"GET /admin/presets/:id/delete":             {nil, adminRoute(ok, missing, ok)},
		"POST /admin/presets/:id/delete":            {url.Values{}, adminRoute(see, missing, see)},
		// Webhooks: A's administrators and the Global Administrator.
		"GET /admin/companies/:id/webhooks":  {nil, adminRoute(ok, missing, ok)},
		"POST /admin/companies/:id/webhooks": {url.Values{"url": {"https://hooks.example.com/new"}, "kinds": {"invitation.created"}}, adminRoute(see, missing, see)},
		"GET /admin/webhooks/:id/delete":     {nil, adminRoute(ok, missing, ok)},
		"POST /admin/webhooks/:id/delete":    {url.Values{}, adminRoute(see, missing, see)},
		// Invite Users: a batch is confirmed by who checked it (here the
		// Global Administrator) alone; it is seen by A's administrators.
		"GET /admin/invitations/bulk":                  {nil, adminRoute(ok, ok, ok)},
		"POST /admin/invitations/bulk":                 {with(grant, "company", fmt.Sprint(a.ID), "action", "check", "list", "Bulk Person <bulk2@example.com>"), adminRoute(see, missing, see)},
		"GET /admin/invitations/bulk/invite-users.csv": {nil, adminRoute(ok, ok, ok)},
		"GET /admin/invitations/bulk/:id":              {nil, adminRoute(ok, missing, ok)},
		"GET /admin/invitations/bulk/:id/results.csv":  {nil, adminRoute(ok, missing, ok)},
		"POST /admin/invitations/bulk/:id/confirm":     {url.Values{"mode": {"valid"}}, adminRoute(missing, missing, see)},
		// The history: an invitation's and a user's timeline are seen by
		// who sees them; the Events page by every administrator, each of
		// their own companies (TestEventsExport); an export without a
		// format is refused with the form.
		"GET /admin/invitations/:id":   {nil, adminRoute(ok, missing, ok)},
		"GET /admin/users/:id/history": {nil, adminRoute(ok, missing, ok)},
		"GET /admin/events":            {nil, adminRoute(ok, ok, ok)},
		"GET /admin/events/export":     {nil, adminRoute(invalid, invalid, invalid)},
	}
}

// routes returns the router's own routes, as "METHOD /path".
func routes(t *testing.T) []string {
	t.Helper()
	e := httpui.New(httpui.Config{Service: invite.NewService(storetest.SQLite(t), invite.Config{}), Health: func(context.Context) error { return nil }, Logger: discard()})
	var out []string
	for _, r := range e.Routes() {
		// The API's routes have a matrix of their own (api_access_test.go).
		if (r.Method == http.MethodGet || r.Method == http.MethodPost) && !strings.HasPrefix(r.Path, "/api/") {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// refused reports whether status means the request was turned away.
func refused(status int) bool {
	switch status {
	case http.StatusForbidden, http.StatusNotFound, http.StatusConflict:
		return true
	}
	return false
}

// Every route × everyone on A's things gets the status of its row, and
// where it is refused, nothing changes. A new route without a row fails.
func TestAccessMatrix(t *testing.T) {
	w := newWorld(t)
	m := w.matrix()
	all := routes(t)
	for _, route := range all {
		row, ok := m[route]
		if !ok {
			t.Errorf("%s has no row in the access matrix", route)
			continue
		}
		method, pattern, _ := strings.Cut(route, " ")
		for _, role := range roles {
			t.Run(route+"/"+role, func(t *testing.T) {
				want := row.status[role]
				c := w.try(t, role)
				before := c.snapshot()
				got, body := c.do(method, w.path(pattern), row.form, nil)
				if got != want {
					t.Fatalf("got %d, want %d\n%s", got, want, body)
				}
				loginRedirect := got == http.StatusSeeOther && role == anonymous && strings.HasPrefix(pattern, "/admin")
				if (refused(got) || loginRedirect) && c.snapshot() != before {
					t.Errorf("refused with %d, yet the database changed", got)
				}
			})
		}
	}
	for route := range m {
		if !slices.Contains(all, route) {
			t.Errorf("the matrix has a row for %s, which the router does not have", route)
		}
	}
}

// allowedRole returns someone whom the route lets through, preferring a
// Global Administrator.
func allowedRole(row access) string {
	for _, role := range []string{global, adminA, plainUser, anonymous} {
		if s := row.status[role]; !refused(s) && !(role == anonymous && row.status[plainUser] == http.StatusForbidden) {
			return role
		}
	}
	return anonymous
}

// Every request that changes something refuses to be sent from another
// site, whatever else is right about it (the session, the form token),
// and changes nothing: a browser's Sec-Fetch-Site, or failing that its
// Origin, gives it away.
func TestCrossSitePostsRefused(t *testing.T) {
	w := newWorld(t)
	m := w.matrix()
	for _, route := range routes(t) {
		method, pattern, _ := strings.Cut(route, " ")
		if method != http.MethodPost {
			continue
		}
		row := m[route]
		role := allowedRole(row)
		for name, header := range map[string]http.Header{
			"SecFetchSiteCrossSite": {"Sec-Fetch-Site": {"cross-site"}},
			"SecFetchSiteSameSite":  {"Sec-Fetch-Site": {"same-site"}, "Origin": {"http://evil.invite.test"}},
			"ForeignOrigin":         {"Origin": {"http://evil.test"}},
		} {
			t.Run(route+"/"+name, func(t *testing.T) {
				c := w.try(t, role)
				before := c.snapshot()
				if got, body := c.do(method, w.path(pattern), row.form, header); got != http.StatusForbidden {
					t.Fatalf("as %s: got %d, want 403\n%s", role, got, body)
				}
				if c.snapshot() != before {
					t.Errorf("a refused cross-site request changed the database")
				}
			})
		}
	}
}

// Every form, sent bad values in each of its fields as someone it lets
// through, is answered with a clear 4xx (a preview and the forgotten
// password form answer alike whatever they get) and stores nothing; no
// answer is a 5xx.
func TestBadInputOnEveryForm(t *testing.T) {
	w := newWorld(t)
	m := w.matrix()
	sameAnswer := map[string]bool{"POST /forgot": true, "POST /admin/invitations/preview": true}
	bad := map[string]string{
		"Long":        strings.Repeat("x", 20_000),
		"Huge":        strings.Repeat("x", 1<<20),
		"InvalidUTF8": "ab\xff\xfecd",
		"NUL":         "a\x00b",
		"LineBreak":   "first\r\nBcc: someone@evil.test",
		"Control":     "a\x1b[31mb",
	}
	numbers := []string{"business_role", "grant", "company"}
	// Terms of use are paragraphs: line breaks are their text.
	fine := map[string]string{"POST /admin/companies/:id/terms": "LineBreak"}
	for _, route := range routes(t) {
		method, pattern, _ := strings.Cut(route, " ")
		row := m[route]
		if method != http.MethodPost || len(row.form) == 0 {
			continue
		}
		role := allowedRole(row)
		for name, value := range bad {
			if fine[route] == name {
				continue
			}
			t.Run(route+"/"+name, func(t *testing.T) {
				c := w.try(t, role)
				before := c.snapshot()
				form := url.Values{}
				for k := range row.form {
					form.Set(k, value)
				}
				got, body := c.do(method, w.path(pattern), form, nil)
				switch {
				case got >= 500:
					t.Fatalf("as %s: got %d\n%s", role, got, body)
				case got < 400 && !sameAnswer[route]:
					t.Fatalf("as %s: got %d, want a 4xx", role, got)
				}
				if c.snapshot() != before {
					t.Errorf("bad input (answered %d) changed the database", got)
				}
			})
		}
		for _, number := range []string{"-1", "0", "99999999999999999999", "1e3", "0x10"} {
			if !slices.ContainsFunc(numbers, row.form.Has) {
				break
			}
			numeric := url.Values{}
			for k, v := range row.form {
				numeric[k] = v
				if slices.Contains(numbers, k) {
					numeric[k] = []string{number}
				}
			}
			t.Run(route+"/Number"+number, func(t *testing.T) {
				c := w.try(t, role)
				before := c.snapshot()
				got, body := c.do(method, w.path(pattern), numeric, nil)
				if got < 400 || got >= 500 {
					t.Fatalf("as %s: got %d, want a 4xx\n%s", role, got, body)
				}
				if c.snapshot() != before {
					t.Errorf("the database changed")
				}
			})
		}
		t.Run(route+"/WrongContentType", func(t *testing.T) {
			c := w.try(t, role)
			before := c.snapshot()
			header := http.Header{"Content-Type": {"application/json"}}
			if got, _ := c.do(method, w.path(pattern), row.form, header); got != http.StatusUnsupportedMediaType {
				t.Errorf("got %d, want 415", got)
			}
			if c.snapshot() != before {
				t.Errorf("the database changed")
			}
		})
		t.Run(route+"/UnknownFields", func(t *testing.T) {
			c := w.try(t, role)
			form := url.Values{"admin_level": {"global"}, "company_id": {"999999"}, "id": {"1"}, "status": {"accepted"}, "role": {"administrator"}}
			for k, v := range row.form {
				form[k] = v
			}
			if got, body := c.do(method, w.path(pattern), form, nil); got != row.status[role] {
				t.Errorf("with fields no form has: got %d, want %d as without\n%s", got, row.status[role], body)
			}
			var globals int
			if err := c.db.Bun().NewSelect().Table("users").ColumnExpr("COUNT(*)").Where("admin_level = 'global'").Scan(context.Background(), &globals); err != nil || globals != 1 {
				t.Errorf("Global Administrators after the request: %d, %v", globals, err)
			}
		})
	}
}
