package httpui_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// This file is the API's access model as tests, as access_test.go is the
// pages': every route of /api/v1, tried with every kind of token on A's
// things; a route without its row fails.

// Who knocks at the API, beyond the pages' roles: no token, a token
// that never was, and a token its creator revoked.
const (
	noToken      = "no token"
	badToken     = "bad token"
	revokedToken = "revoked token"
)

var apiRoles = []string{noToken, badToken, revokedToken, plainUser, adminA, adminB, global}

// makeAPITokens gives each role of the world an API token and returns
// the ID of the Global Administrator's. The plain user's is written to
// the store as if an administrator had made it before being demoted:
// nobody else makes one.
func (w *world) makeAPITokens(t *testing.T, svc *invite.Service, db *store.DB, users map[string]*invite.User) int64 {
	t.Helper()
	ctx := context.Background()
	w.apiTokens = map[string]string{}
	var id int64
	for _, role := range []string{adminA, adminB, global} {
		secret, tok, err := svc.CreateAPIToken(invite.NewContext(ctx, users[role]), role)
		if err != nil {
			t.Fatal(err)
		}
		w.apiTokens[role] = secret
		id = tok.ID
	}
	raw := []byte(strings.Repeat("p", 32))
	sum := sha256.Sum256(raw)
	secret := invite.APITokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	member := users[plainUser]
	if err := db.CreateAPIToken(ctx, &invite.APIToken{UserID: member.ID, CompanyID: member.CompanyID, Name: "old", Prefix: secret[:11], Hash: sum[:], CreatedAt: worldNow.Add(-10 * time.Minute)}, invite.MaxAPITokens); err != nil {
		t.Fatal(err)
	}
	w.apiTokens[plainUser] = secret
	asRoot := invite.NewContext(ctx, users[global])
	revoked, tok, err := svc.CreateAPIToken(asRoot, "revoked")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeAPIToken(asRoot, tok.ID); err != nil {
		t.Fatal(err)
	}
	w.apiTokens[revokedToken] = revoked
	w.apiTokens[badToken] = invite.APITokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("b", 32)))
	return id
}

// apiDo sends an API request with the role's token (none for noToken)
// and body as JSON, and returns the status and body.
func (c *trial) apiDo(method, path, token, body string, header http.Header) (int, string, http.Header) {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// apiRoutes returns the router's routes under /api/v1, as "METHOD /path".
func apiRoutes(t *testing.T) []string {
	t.Helper()
	e := httpui.New(httpui.Config{Service: invite.NewService(storetest.SQLite(t), invite.Config{}), Health: func(context.Context) error { return nil }, Logger: discard()})
	var out []string
	for _, r := range e.Routes() {
		if strings.HasPrefix(r.Path, "/api/") && !strings.HasSuffix(r.Path, "*") && r.Method != "echo_route_not_found" {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// apiAccess is one API route's row: the body it is sent and the status
// each role gets.
type apiAccess struct {
	body   string
	status map[string]int
}

// apiAdminRoute is the row of a route for administrators: nobody without
// a live token, no plain user.
func apiAdminRoute(a, b, g int) map[string]int {
	return map[string]int{noToken: 401, badToken: 401, revokedToken: 401, plainUser: 403, adminA: a, adminB: b, global: g}
}

// apiPath fills a route's :id with A's thing of its kind.
func (w *world) apiPath(route string) string {
	for prefix, key := range map[string]string{
		"/api/v1/invitations/": "/admin/invitations/:id", "/api/v1/users/": "/admin/users/:id", "/api/v1/companies/": "/admin/companies/:id",
	} {
		if strings.HasPrefix(route, prefix) {
			return strings.Replace(route, ":id", w.ids[key], 1)
		}
	}
	return route
}

func (w *world) apiMatrix() map[string]apiAccess {
	const ok, created, noContent, forbidden, missing = 200, 201, 204, 403, 404
	a := w.companyA
	invitation := fmt.Sprintf(`{"company_id":%d,"email":"new@example.com","first_name":"New","last_name":"Person","business_role_id":%d,"grants":[{"subscription_id":%d,"role":"viewer"}]}`,
		a.ID, a.BusinessRoles[0].ID, a.Subscriptions[0].ID)
	change := fmt.Sprintf(`{"grants":[{"subscription_id":%d,"role":"viewer"}]}`, a.Subscriptions[0].ID)
	everyone := map[string]int{}
	for _, r := range apiRoles {
		everyone[r] = ok
	}
	return map[string]apiAccess{
		"GET /api/v1/openapi.json":            {"", everyone},
		"GET /api/v1/companies":               {"", apiAdminRoute(ok, ok, ok)},
		"GET /api/v1/companies/:id":           {"", apiAdminRoute(ok, missing, ok)},
		"GET /api/v1/invitations":             {"", apiAdminRoute(ok, ok, ok)},
		"POST /api/v1/invitations":            {invitation, apiAdminRoute(created, missing, created)},
		"GET /api/v1/invitations/:id":         {"", apiAdminRoute(ok, missing, ok)},
		"POST /api/v1/invitations/:id/resend": {"", apiAdminRoute(ok, missing, ok)},
		"POST /api/v1/invitations/:id/cancel": {"", apiAdminRoute(ok, missing, ok)},
		"GET /api/v1/users":                   {"", apiAdminRoute(ok, ok, ok)},
		"GET /api/v1/users/:id":               {"", apiAdminRoute(ok, missing, ok)},
		"PATCH /api/v1/users/:id":             {change, apiAdminRoute(ok, missing, ok)},
		"POST /api/v1/users/:id/disable":      {"", apiAdminRoute(ok, missing, ok)},
		"POST /api/v1/users/:id/enable":       {"", apiAdminRoute(ok, missing, ok)},
		"DELETE /api/v1/users/:id":            {"", apiAdminRoute(forbidden, missing, noContent)},
		"GET /api/v1/events":                  {"", apiAdminRoute(ok, ok, ok)},
	}
}

// apiSnapshot is every row but the bounds' and the tokens' (whose last
// use a request records, let in or not).
func (c *trial) apiSnapshot() string {
	c.t.Helper()
	return storetest.Snapshot(c.t, c.db, "limits", "api_tokens")
}

// Every API route × every kind of token on A's things gets the status of
// its row, as problem details when refused, and a refusal changes
// nothing. A route without a row fails, and so does a row without a
// route.
func TestAPIAccessMatrix(t *testing.T) {
	w := newWorld(t)
	m := w.apiMatrix()
	all := apiRoutes(t)
	for _, route := range all {
		row, ok := m[route]
		if !ok {
			t.Errorf("%s has no row in the API's access matrix", route)
			continue
		}
		method, pattern, _ := strings.Cut(route, " ")
		for _, role := range apiRoles {
			t.Run(route+"/"+role, func(t *testing.T) {
				want := row.status[role]
				c := w.try(t, anonymous)
				before := c.apiSnapshot()
				got, body, header := c.apiDo(method, w.apiPath(pattern), w.apiTokens[role], row.body, nil)
				if got != want {
					t.Fatalf("got %d, want %d\n%s", got, want, body)
				}
				if got >= 400 {
					if ct := header.Get("Content-Type"); ct != "application/problem+json" {
						t.Errorf("a refusal of type %q, want application/problem+json", ct)
					}
					if c.apiSnapshot() != before {
						t.Errorf("refused with %d, yet the database changed", got)
					}
				}
				if got == 401 && !strings.HasPrefix(header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("401 without a Bearer challenge: %q", header.Get("WWW-Authenticate"))
				}
			})
		}
	}
	for route := range m {
		if !slices.Contains(all, route) {
			t.Errorf("the API's matrix has a row for %s, which the router does not have", route)
		}
	}
}

// A browser's session never authenticates the API, nor does a token
// sent any other way than as a bearer.
func TestAPICookiesDoNotAuthenticate(t *testing.T) {
	w := newWorld(t)
	c := w.try(t, global) // logged in: the session cookie is in the jar
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+"/api/v1/invitations", nil)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("with a session cookie: got %d, want 401", resp.StatusCode)
	}
	for name, header := range map[string]http.Header{
		"Basic":     {"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("x:"+w.apiTokens[global]))}},
		"NoScheme":  {"Authorization": {w.apiTokens[global]}},
		"Cookie":    {"Cookie": {"invite_session=" + w.apiTokens[global]}},
		"XAPIToken": {"X-Api-Token": {w.apiTokens[global]}},
	} {
		if got, body, _ := c.apiDo(http.MethodGet, "/api/v1/invitations", "", "", header); got != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401\n%s", name, got, body)
		}
	}
}
