package httpui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store/storetest"
)

// apiClient calls the app's API with one token.
type apiClient struct {
	t     *testing.T
	a     *app
	token string
}

// apiAs returns a client with a new token of a new Company Administrator
// of c (of the Global Administrator when c is nil), and that user.
func (a *app) apiAs(c *invite.Company, email string) (*apiClient, *invite.User) {
	a.t.Helper()
	u := a.root
	if c != nil {
		u = a.companyAdminAs(c, email, invite.RoleAdministrator)
	}
	secret, _, err := a.svc.CreateAPIToken(invite.NewContext(context.Background(), u), "test")
	if err != nil {
		a.t.Fatal(err)
	}
	return &apiClient{t: a.t, a: a, token: secret}, u
}

type apiAnswer struct {
	status int
	header http.Header
	body   string
}

func (c *apiClient) do(method, path, body string, header http.Header) apiAnswer {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.a.srv.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return apiAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// problemOf decodes a problem, failing unless the answer is one with the
// status.
func (r apiAnswer) problem(t *testing.T, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %d, want %d\n%s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	if p["status"] != float64(status) || p["title"] != http.StatusText(status) || p["type"] != "urn:invite:problem:"+fmt.Sprint(p["reason"]) {
		t.Errorf("problem %v", p)
	}
	return p
}

// fieldReasons returns a problem's field errors as field: reason.
func fieldReasons(p map[string]any) map[string]string {
	out := map[string]string{}
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out[fmt.Sprint(m["field"])] = fmt.Sprint(m["reason"])
	}
	return out
}

func invitationBody(c *invite.Company, email string) string {
	return fmt.Sprintf(`{"company_id":%d,"email":%q,"first_name":"Grace","last_name":"Hopper","business_role_id":%d,"grants":[{"subscription_id":%d,"role":"contributor"}]}`,
		c.ID, email, c.BusinessRoles[0].ID, c.Subscriptions[0].ID)
}

// The OpenAPI document names every route of /api/v1 with its method, and
// no other: it is the router's, not a description of what once was.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(httpui.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q, servers %v", doc.OpenAPI, doc.Servers)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	var routes []string
	for _, r := range apiRoutes(t) {
		method, path, _ := strings.Cut(r, " ")
		routes = append(routes, method+" "+param.ReplaceAllString(strings.TrimPrefix(path, "/api/v1"), "{$1}"))
	}
	var documented []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "post", "put", "patch", "delete", "head", "options", "trace":
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not in the OpenAPI document", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("the OpenAPI document names %s, which is not served", d)
		}
	}
	if len(routes) < 15 {
		t.Errorf("found only %d routes: %v", len(routes), routes)
	}
	// Served as it is embedded, without a token.
	a := newApp(t)
	resp, err := http.Get(a.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != string(httpui.OpenAPI()) {
		t.Errorf("GET /api/v1/openapi.json: %d", resp.StatusCode)
	}
}

// The invitation lifecycle over the API: create, get, list with filters
// and cursors, resend with changed details, cancel; nothing secret in
// any answer.
func TestAPIInvitations(t *testing.T) {
	a := newApp(t)
	api, _ := a.apiAs(a.acme, "boss@acme.example")
	r := api.do(http.MethodPost, "/api/v1/invitations", invitationBody(a.acme, "Grace@Example.com"), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var inv map[string]any
	if err := json.Unmarshal([]byte(r.body), &inv); err != nil {
		t.Fatal(err)
	}
	id := int64(inv["id"].(float64))
	if inv["email"] != "grace@example.com" || inv["status"] != "pending" || r.header.Get("Location") != fmt.Sprintf("/api/v1/invitations/%d", id) {
		t.Errorf("created %v, Location %q", inv, r.header.Get("Location"))
	}
	if created, _ := inv["created_at"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`).MatchString(created) {
		t.Errorf("created_at %q is not RFC 3339 in UTC", created)
	}
	for _, secret := range []string{"token", "hash", "password"} {
		if strings.Contains(strings.ToLower(r.body), secret) {
			t.Errorf("the answer names %q: %s", secret, r.body)
		}
	}
	get := api.do(http.MethodGet, fmt.Sprintf("/api/v1/invitations/%d", id), "", nil)
	if get.status != 200 || !strings.Contains(get.body, `"first_name":"Grace"`) {
		t.Fatalf("get: %d %s", get.status, get.body)
	}
	for i := range 3 {
		api.do(http.MethodPost, "/api/v1/invitations", invitationBody(a.acme, fmt.Sprintf("p%d@example.com", i)), nil)
	}
	var seen []float64
	cursor := ""
	for range 10 {
		l := api.do(http.MethodGet, "/api/v1/invitations?status=pending&limit=2&cursor="+cursor, "", nil)
		var p struct {
			Items      []map[string]any `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		if l.status != 200 || json.Unmarshal([]byte(l.body), &p) != nil {
			t.Fatalf("list: %d %s", l.status, l.body)
		}
		for _, it := range p.Items {
			seen = append(seen, it["id"].(float64))
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	if len(seen) != 4 {
		t.Errorf("paged through %v, want 4 invitations", seen)
	}
	if l := api.do(http.MethodGet, "/api/v1/invitations?email=GRACE", "", nil); !strings.Contains(l.body, "grace@example.com") || strings.Contains(l.body, "p1@") {
		t.Errorf("filtered by email: %s", l.body)
	}
	if l := api.do(http.MethodGet, fmt.Sprintf("/api/v1/invitations?company_id=%d", a.bolt.ID), "", nil); l.status != 404 {
		t.Errorf("another company's list: %d", l.status)
	}
	p := api.do(http.MethodGet, "/api/v1/invitations?cursor=nonsense&status=maybe&limit=1000", "", nil).problem(t, 422)
	if got := fieldReasons(p); got["limit"] != invite.ReasonOutOfRange {
		t.Errorf("field errors %v", got)
	}

	// Resend with a changed last name: the rest stays.
	a.advance(10 * 60 * 1e9)
	rs := api.do(http.MethodPost, fmt.Sprintf("/api/v1/invitations/%d/resend", id), `{"last_name":"Hopper-Murray"}`, nil)
	if rs.status != 200 || !strings.Contains(rs.body, `"last_name":"Hopper-Murray"`) || !strings.Contains(rs.body, `"first_name":"Grace"`) || !strings.Contains(rs.body, `"times_sent":2`) {
		t.Fatalf("resend: %d %s", rs.status, rs.body)
	}
	a.advance(10 * 60 * 1e9)
	if rs := api.do(http.MethodPost, fmt.Sprintf("/api/v1/invitations/%d/resend", id), "", nil); rs.status != 200 || !strings.Contains(rs.body, `"times_sent":3`) {
		t.Fatalf("resend as it is: %d %s", rs.status, rs.body)
	}
	c := api.do(http.MethodPost, fmt.Sprintf("/api/v1/invitations/%d/cancel", id), `{"reason":"Hired elsewhere"}`, nil)
	if c.status != 200 || !strings.Contains(c.body, `"status":"canceled"`) {
		t.Fatalf("cancel: %d %s", c.status, c.body)
	}
	// The reason is in the invitation's history, which the API reads.
	evs := api.do(http.MethodGet, fmt.Sprintf("/api/v1/events?invitation_id=%d&kind=invitation.canceled", id), "", nil)
	if evs.status != 200 || !strings.Contains(evs.body, `"reason":"Hired elsewhere"`) {
		t.Errorf("the cancel's event: %d %s", evs.status, evs.body)
	}
	if p := api.do(http.MethodPost, fmt.Sprintf("/api/v1/invitations/%d/cancel", id), "", nil).problem(t, 409); p["reason"] != "invitation_canceled" {
		t.Errorf("cancel twice: %v", p)
	}
}

// Bad input is a 4xx problem that names what was wrong, and changes
// nothing.
func TestAPIBadInput(t *testing.T) {
	a := newApp(t)
	api, _ := a.apiAs(a.acme, "boss@acme.example")
	before := storetest.Snapshot(t, a.db, "limits", "api_tokens")
	good := invitationBody(a.acme, "ok@example.com")
	for name, tc := range map[string]struct {
		method, path, body string
		header             http.Header
		status             int
		reason             string
		fields             map[string]string
	}{
		"MissingFields": {http.MethodPost, "/api/v1/invitations", `{}`, nil, 422, "invalid_input",
			map[string]string{"email": "required", "first_name": "required", "business_role_id": "required", "grants": "required"}},
		"UnknownField":   {http.MethodPost, "/api/v1/invitations", `{"email":"x@example.com","is_admin":true}`, nil, 422, "invalid_json", map[string]string{"is_admin": "unknown_field"}},
		"WrongType":      {http.MethodPost, "/api/v1/invitations", `{"business_role_id":"one"}`, nil, 422, "invalid_json", map[string]string{"business_role_id": "invalid_type"}},
		"NotJSON":        {http.MethodPost, "/api/v1/invitations", `{"email":`, nil, 422, "invalid_json", nil},
		"TwoObjects":     {http.MethodPost, "/api/v1/invitations", good + good, nil, 422, "invalid_json", nil},
		"NoBody":         {http.MethodPost, "/api/v1/invitations", "", nil, 422, "invalid_json", nil},
		"WrongType415":   {http.MethodPost, "/api/v1/invitations", good, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, 415, "unsupported_media_type", nil},
		"TooLarge":       {http.MethodPost, "/api/v1/invitations", `{"email":"` + strings.Repeat("x", 2<<20) + `"}`, nil, 413, "too_large", nil},
		"BadTime":        {http.MethodPost, "/api/v1/invitations", strings.Replace(good, `{`, `{"access_until":"tomorrow",`, 1), nil, 422, "invalid_input", map[string]string{"access_until": "invalid_time"}},
		"ControlChars":   {http.MethodPost, "/api/v1/invitations", strings.Replace(good, `"Grace"`, `"Gr\u001bace"`, 1), nil, 422, "invalid_input", map[string]string{"first_name": invite.ReasonInvalidCharacters}},
		"OtherGrant":     {http.MethodPost, "/api/v1/invitations", strings.Replace(good, fmt.Sprintf(`"subscription_id":%d`, a.acme.Subscriptions[0].ID), `"subscription_id":999999`, 1), nil, 422, "invalid_input", map[string]string{"grants[0].subscription_id": invite.ReasonUnknownSubscription}},
		"BadID":          {http.MethodGet, "/api/v1/invitations/abc", "", nil, 404, "invitation_not_found", nil},
		"NegativeID":     {http.MethodPost, "/api/v1/users/-1/disable", "", nil, 404, "user_not_found", nil},
		"NoSuchRoute":    {http.MethodGet, "/api/v1/nothing", "", nil, 404, "not_found", nil},
		"WrongMethod":    {http.MethodPut, "/api/v1/invitations", good, nil, 404, "not_found", nil}, // echo answers a method a path lacks as an unknown path
		"BadKind":        {http.MethodGet, "/api/v1/events?kind=nonsense", "", nil, 422, "invalid_input", map[string]string{"kinds": invite.ReasonUnknownEventKind}},
		"BadFrom":        {http.MethodGet, "/api/v1/events?from=yesterday", "", nil, 422, "invalid_input", map[string]string{"from": "invalid_time"}},
		"BadUserCursor":  {http.MethodGet, "/api/v1/users?cursor=x", "", nil, 422, "invalid_input", map[string]string{"cursor": "invalid_cursor"}},
		"BadInvitCursor": {http.MethodGet, "/api/v1/invitations?cursor=%21", "", nil, 422, "invalid_cursor", nil},
		"LongKey":        {http.MethodPost, "/api/v1/invitations", good, http.Header{"Idempotency-Key": {strings.Repeat("k", 256)}}, 422, "invalid_input", map[string]string{"idempotency_key": invite.ReasonInvalidIdempotencyKey}},
		"ResendUnknown":  {http.MethodPost, fmt.Sprintf("/api/v1/invitations/%d/resend", 999999), `{"last_name":"X"}`, nil, 404, "invitation_not_found", nil},
		"ChangeNoBody":   {http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", a.root.ID), "", nil, 422, "invalid_json", nil},
		// Found from outside: bytes that are no text became U+FFFD,
		// stored and mailed.
		"InvalidUTF8":   {http.MethodPost, "/api/v1/invitations", strings.Replace(good, `"Grace"`, "\"Gr\xffce\"", 1), nil, 422, invite.ReasonInvalidUTF8, nil},
		"LoneSurrogate": {http.MethodPost, "/api/v1/invitations", strings.Replace(good, `"Grace"`, `"Grace\ud800"`, 1), nil, 422, invite.ReasonInvalidUTF8, nil},
		"LineSeparator": {http.MethodPost, "/api/v1/invitations", strings.Replace(good, `"Grace"`, `"Gr\u2028ace"`, 1), nil, 422, "invalid_input", map[string]string{"first_name": invite.ReasonInvalidCharacters}},
		"ListNotObject": {http.MethodPost, "/api/v1/invitations", `[]`, nil, 422, "invalid_json", nil},
		"CancelBadBody": {http.MethodPost, "/api/v1/invitations/1/cancel", `{"bogus":1, not json`, nil, 422, "invalid_json", nil},
		"CancelLong":    {http.MethodPost, "/api/v1/invitations/1/cancel", `{"reason":"` + strings.Repeat("r", 501) + `"}`, nil, 422, "invalid_input", map[string]string{"reason": invite.ReasonTooLong}},
		"EnableBody":    {http.MethodPost, fmt.Sprintf("/api/v1/users/%d/enable", a.root.ID), `{"bogus":1}`, nil, 422, "invalid_json", map[string]string{"bogus": "unknown_field"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := api.do(tc.method, tc.path, tc.body, tc.header).problem(t, tc.status)
			if p["reason"] != tc.reason {
				t.Errorf("reason %v, want %s: %v", p["reason"], tc.reason, p)
			}
			if strings.Contains(fmt.Sprint(p), "httpui.") {
				t.Errorf("the problem names a Go type: %v", p)
			}
			got := fieldReasons(p)
			for f, r := range tc.fields {
				if got[f] != r {
					t.Errorf("field %s: reason %q, want %q (all: %v)", f, got[f], r, got)
				}
			}
		})
	}
	if storetest.Snapshot(t, a.db, "limits", "api_tokens") != before {
		t.Errorf("bad input changed the database")
	}
}

// The same Idempotency-Key with the same body answers the first answer
// again and makes nothing; with another body it is refused; at once from
// many goroutines it makes one invitation and one mail.
func TestAPIIdempotency(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		api, _ := a.apiAs(a.acme, "boss@acme.example")
		key := http.Header{"Idempotency-Key": {"create-grace-1"}}
		body := invitationBody(a.acme, "grace@example.com")
		first := api.do(http.MethodPost, "/api/v1/invitations", body, key)
		if first.status != 201 || first.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: %d %s", first.status, first.body)
		}
		again := api.do(http.MethodPost, "/api/v1/invitations", body, key)
		if again.status != 201 || again.body != first.body || again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("Location") != first.header.Get("Location") {
			t.Fatalf("again: %d %s\nfirst: %s", again.status, again.body, first.body)
		}
		// The same request spaced and ordered otherwise, as a client that
		// encodes it again to retry sends it, is the same request.
		var respaced map[string]any
		if err := json.Unmarshal([]byte(body), &respaced); err != nil {
			t.Fatal(err)
		}
		pretty, _ := json.MarshalIndent(respaced, "", "    ")
		if r := api.do(http.MethodPost, "/api/v1/invitations", string(pretty), key); r.status != 201 || r.body != first.body || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the same body, reformatted: %d %s", r.status, r.body)
		}
		p := api.do(http.MethodPost, "/api/v1/invitations", invitationBody(a.acme, "other@example.com"), key).problem(t, 422)
		if p["reason"] != "idempotency_key_reused" {
			t.Errorf("another body: %v", p)
		}
		// Another token's user has keys of their own.
		other, _ := a.apiAs(nil, "")
		if r := other.do(http.MethodPost, "/api/v1/invitations", invitationBody(a.acme, "third@example.com"), key); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("another user's key: %d %s", r.status, r.body)
		}

		const n = 16
		body = invitationBody(a.acme, "many@example.com")
		answers := make([]apiAnswer, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				answers[i] = api.do(http.MethodPost, "/api/v1/invitations", body, http.Header{"Idempotency-Key": {"many"}})
			})
		}
		close(start)
		wg.Wait()
		replayed := 0
		for _, r := range answers {
			if r.status != 201 || r.body != answers[0].body {
				t.Fatalf("got %d %s, want 201 %s", r.status, r.body, answers[0].body)
			}
			if r.header.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
		}
		if replayed != n-1 {
			t.Errorf("%d answers replayed, want %d", replayed, n-1)
		}
		invs, err := a.db.Invitations(context.Background(), invite.InvitationQuery{Email: "many@example.com", Limit: 100})
		if err != nil || len(invs) != 1 {
			t.Fatalf("invitations: %d, %v", len(invs), err)
		}
		msgs, err := a.db.Messages(context.Background(), invite.MessageQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		mails := 0
		for _, m := range msgs {
			if m.To == "many@example.com" {
				mails++
			}
		}
		if mails != 1 {
			t.Errorf("%d mails, want 1", mails)
		}
	})
}

// A token never does more than its creator may now: demoted, the token is
// refused at once what they lost; revoked, it fails at once.
func TestAPITokenFollowsCreator(t *testing.T) {
	a := newApp(t)
	api, boss := a.apiAs(a.acme, "boss@acme.example")
	a.companyAdmin(a.acme, "second@acme.example") // so that the boss is not the last
	if r := api.do(http.MethodGet, "/api/v1/invitations", "", nil); r.status != 200 {
		t.Fatalf("as a Company Administrator: %d", r.status)
	}
	// Never past them: another company's things are not found.
	if r := api.do(http.MethodPost, "/api/v1/invitations", invitationBody(a.bolt, "x@example.com"), nil); r.status != 404 {
		t.Errorf("into another company: %d %s", r.status, r.body)
	}
	if _, err := a.svc.ChangeUser(a.global, boss.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
		t.Fatal(err)
	}
	if p := api.do(http.MethodGet, "/api/v1/invitations", "", nil).problem(t, 403); p["reason"] != "forbidden" {
		t.Errorf("demoted: %v", p)
	}
	if r := api.do(http.MethodPost, "/api/v1/invitations", invitationBody(a.acme, "y@example.com"), nil); r.status != 403 {
		t.Errorf("demoted, invite: %d", r.status)
	}
	if _, err := a.svc.ChangeUser(a.global, boss.ID, invite.UserChange{AdminLevel: invite.AdminCompany}); err != nil {
		t.Fatal(err)
	}
	if r := api.do(http.MethodGet, "/api/v1/invitations", "", nil); r.status != 200 {
		t.Fatalf("promoted again: %d", r.status)
	}
	if _, err := a.svc.SetDisabled(a.global, boss.ID, true); err != nil {
		t.Fatal(err)
	}
	api.do(http.MethodGet, "/api/v1/invitations", "", nil).problem(t, 401)
	if _, err := a.svc.SetDisabled(a.global, boss.ID, false); err != nil {
		t.Fatal(err)
	}
	ts, err := a.svc.APITokens(invite.NewContext(context.Background(), boss))
	if err != nil || len(ts) != 1 {
		t.Fatalf("tokens: %v, %v", ts, err)
	}
	if ts[0].LastUsedAt.IsZero() {
		t.Errorf("the token's last use is not recorded")
	}
	if err := a.svc.RevokeAPIToken(invite.NewContext(context.Background(), boss), ts[0].ID); err != nil {
		t.Fatal(err)
	}
	api.do(http.MethodGet, "/api/v1/invitations", "", nil).problem(t, 401)
}

// Users, companies and events over the API.
func TestAPIUsersCompaniesEvents(t *testing.T) {
	a := newApp(t)
	api, boss := a.apiAs(a.acme, "boss@acme.example")
	member := a.companyAdminAs(a.acme, "member@acme.example", invite.RoleViewer)
	if r := api.do(http.MethodGet, "/api/v1/companies", "", nil); r.status != 200 || !strings.Contains(r.body, `"name":"Acme"`) || strings.Contains(r.body, "Bolt") {
		t.Errorf("companies: %d %s", r.status, r.body)
	}
	if r := api.do(http.MethodGet, fmt.Sprintf("/api/v1/companies/%d", a.acme.ID), "", nil); r.status != 200 || !strings.Contains(r.body, `"subscriptions":[{"id"`) {
		t.Errorf("company: %d %s", r.status, r.body)
	}
	l := api.do(http.MethodGet, "/api/v1/users?limit=1", "", nil)
	var p struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	if l.status != 200 || json.Unmarshal([]byte(l.body), &p) != nil || len(p.Items) != 1 || p.NextCursor == nil {
		t.Fatalf("users: %d %s", l.status, l.body)
	}
	if strings.Contains(l.body, "password") || strings.Contains(l.body, "argon") {
		t.Errorf("a password hash in %s", l.body)
	}
	if r := api.do(http.MethodGet, "/api/v1/users?cursor="+*p.NextCursor, "", nil); r.status != 200 || !strings.Contains(r.body, "member@acme.example") {
		t.Errorf("users' second page: %d %s", r.status, r.body)
	}
	path := fmt.Sprintf("/api/v1/users/%d", member.ID)
	change := fmt.Sprintf(`{"admin_level":"none","grants":[{"subscription_id":%d,"role":"contributor"}]}`, a.acme.Subscriptions[0].ID)
	if r := api.do(http.MethodPatch, path, change, nil); r.status != 200 || !strings.Contains(r.body, `"admin_level":"none"`) || !strings.Contains(r.body, `"role":"contributor"`) {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := api.do(http.MethodPost, path+"/disable", "", nil); r.status != 200 || strings.Contains(r.body, `"disabled_at":null`) {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if r := api.do(http.MethodPost, path+"/enable", "", nil); r.status != 200 || !strings.Contains(r.body, `"disabled_at":null`) {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}
	if p := api.do(http.MethodDelete, path, "", nil).problem(t, 403); p["reason"] != "forbidden" {
		t.Errorf("a Company Administrator deletes: %v", p)
	}
	root, _ := a.apiAs(nil, "")
	if r := root.do(http.MethodDelete, path, "", nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if p := root.do(http.MethodGet, path, "", nil).problem(t, 404); p["reason"] != "user_not_found" {
		t.Errorf("deleted: %v", p)
	}
	// The history, through Service.Events: whatever it holds, the filters
	// and the cursor go through.
	e := api.do(http.MethodGet, fmt.Sprintf("/api/v1/events?user_id=%d&kind=invitation.created,user.changed&from=2026-01-01T00:00:00Z&limit=5", boss.ID), "", nil)
	if e.status != 200 || !strings.HasPrefix(e.body, `{"items":[`) {
		t.Fatalf("events: %d %s", e.status, e.body)
	}
	if p := api.do(http.MethodGet, fmt.Sprintf("/api/v1/events?company_id=%d", a.bolt.ID), "", nil).problem(t, 404); p["reason"] != "company_not_found" {
		t.Errorf("another company's events: %v", p)
	}
}
