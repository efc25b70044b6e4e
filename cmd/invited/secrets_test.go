package main

import (
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/smtp/smtptest"
	"github.com/invitehq/invite/store/storetest"
)

// client is a browser without JavaScript: cookies, and the form token of
// the last page it read.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get reads a page and keeps its form token.
func (c *client) get(path string) string {
	c.t.Helper()
	resp, err := c.c.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(b); m != nil {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return string(b)
}

// post submits a form of the page at from.
func (c *client) post(from, path string, form url.Values, want int) string {
	c.t.Helper()
	c.get(from)
	form.Set("_csrf", c.csrf)
	resp, err := c.c.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("POST %s: got %d, want %d\n%s", path, resp.StatusCode, want, b)
	}
	return string(b)
}

// cookies returns the values of the client's cookies.
func (c *client) cookies() []string {
	u, _ := url.Parse(c.base)
	var out []string
	for _, ck := range c.c.Jar.Cookies(u) {
		out = append(out, ck.Value)
	}
	return out
}

// The whole lifecycle through the pages, with a real mail server; then
// every column of every table is searched for every secret that left the
// server: the links' tokens taken from the mails, the join page's key, the
// cookies. Only digests are kept; none is found, in any encoding.
func TestNoSecretsAtRest(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			db := ""
			if backend == "mysql" {
				db = storetest.MySQLURL(t)
			}
			mail := smtptest.Start(t, smtptest.Options{})
			cfg := testConfig(t, db)
			cfg.SMTPURL, cfg.AdminPassword = mail.URL(), adminPassword
			cfg.MailsPerAddress = 0 // it resends at once, within a minute of the real clock
			m, _ := start(t, cfg)
			base := m.URL()
			var secrets []string
			mailed := func(re *regexp.Regexp, to string) string {
				t.Helper()
				var token string
				eventually(t, "a mail to "+to, func() bool {
					for _, r := range mail.Received() {
						if p, err := r.Decode(); err == nil && strings.Contains(p.Header.Get("To"), to) {
							if m := re.FindStringSubmatch(p.Parts["text/plain"]); m != nil {
								token = m[1]
							}
						}
					}
					return token != ""
				})
				secrets = append(secrets, token)
				return token
			}
			invitationLink := regexp.MustCompile(regexp.QuoteMeta(invite.DefaultPaths().AcceptInvitation) + `([A-Za-z0-9_-]{43})`)
			resetLink := regexp.MustCompile(regexp.QuoteMeta(invite.DefaultPaths().ResetPassword) + `([A-Za-z0-9_-]{43})`)

			root := newClient(t, base)
			root.post("/login", "/login", url.Values{"email": {"admin@example.com"}, "password": {adminPassword}}, http.StatusSeeOther)
			root.post("/admin/companies", "/admin/companies", url.Values{"name": {"Acme"}, "subscriptions": {"App Designer"}, "business_roles": {"Operator"}}, http.StatusSeeOther)
			companies, _ := m.svc.Companies(asAdmin(t, m))
			acme := companies[0]
			root.post("/admin/companies", fmt.Sprintf("/admin/companies/%d/join/open", acme.ID), url.Values{}, http.StatusSeeOther)
			page := root.get(fmt.Sprintf("/admin/companies/%d/join", acme.ID)) // where the address is shown, once
			secrets = append(secrets, regexp.MustCompile(`/request/([A-Za-z0-9_-]{43})`).FindStringSubmatch(page)[1])
			form := url.Values{
				"company": {fmt.Sprint(acme.ID)}, "email": {"grace@example.com"}, "first_name": {"Grace"}, "last_name": {"Hopper"},
				"business_role": {fmt.Sprint(acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(acme.Subscriptions[0].ID)},
				fmt.Sprintf("role_%d", acme.Subscriptions[0].ID): {"viewer"}, "action": {"send"},
			}
			root.post("/admin/invitations/new", "/admin/invitations", form, http.StatusSeeOther)
			first := mailed(invitationLink, "grace@example.com")
			invs, _ := m.svc.Invitations(asAdmin(t, m), invite.InvitationFilter{Limit: 1})
			resend := fmt.Sprintf("/admin/invitations/%d/resend", invs.Invitations[0].ID)
			form.Del("company")
			root.post(resend, resend, form, http.StatusSeeOther)
			var second string
			eventually(t, "the resent mail", func() bool {
				for _, r := range mail.Received() {
					if p, err := r.Decode(); err == nil {
						if m := invitationLink.FindStringSubmatch(p.Parts["text/plain"]); m != nil && m[1] != first {
							second = m[1]
						}
					}
				}
				return second != ""
			})
			secrets = append(secrets, second)

			grace := newClient(t, base)
			join := invite.DefaultPaths().AcceptInvitation + second
			grace.post(join, join, url.Values{"password": {"a fine long passphrase"}, "password_confirm": {"a fine long passphrase"},
				"first_name": {"Grace"}, "last_name": {"Hopper"}, "accept_terms": {"on"}}, http.StatusSeeOther)
			grace.get("/home")
			secrets = append(secrets, grace.cookies()...)

			stranger := newClient(t, base)
			stranger.post("/forgot", "/forgot", url.Values{"email": {"grace@example.com"}}, http.StatusOK)
			reset := mailed(resetLink, "grace@example.com")
			stranger.post(invite.DefaultPaths().ResetPassword+reset, invite.DefaultPaths().ResetPassword+reset, url.Values{"password": {"another long passphrase"}, "password_confirm": {"another long passphrase"}}, http.StatusSeeOther)
			// An API token, made on the profile page and used once.
			made := root.post("/profile", "/profile/tokens", url.Values{"name": {"CI"}}, http.StatusOK)
			apiToken := regexp.MustCompile(`value="(` + invite.APITokenPrefix + `([A-Za-z0-9_-]{43}))"`).FindStringSubmatch(made)
			if apiToken == nil {
				t.Fatalf("no API token shown:\n%s", made)
			}
			req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/invitations", nil)
			req.Header.Set("Authorization", "Bearer "+apiToken[1])
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("the API with the token: %v, %v", resp, err)
			} else {
				resp.Body.Close()
			}
			secrets = append(secrets, apiToken[1], apiToken[2])
			secrets = append(secrets, root.cookies()...)
			secrets = append(secrets, stranger.cookies()...)
			eventually(t, "the outbox to be delivered", func() bool {
				page, err := m.svc.Messages(asAdmin(t, m), invite.MessageFilter{Limit: invite.MaxPageSize})
				if err != nil {
					return false
				}
				for _, msg := range page.Messages {
					if msg.State != "sent" {
						return false
					}
				}
				return true
			})

			// Every secret, as it left the server and as its bytes, in
			// every column of every table.
			var needles []string
			for _, s := range secrets {
				if len(s) < 20 {
					continue
				}
				needles = append(needles, s)
				if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
					needles = append(needles, string(b), fmt.Sprintf("%x", b))
				}
			}
			if len(needles) < 8 {
				t.Fatalf("only %d secrets taken from the flow", len(needles))
			}
			scanned := 0
			for table, rows := range storetest.Tables(t, m.db) {
				for _, row := range rows {
					scanned++
					for _, needle := range needles {
						if strings.Contains(row, needle) {
							t.Errorf("table %s keeps a secret that left the server: %q", table, row)
						}
					}
				}
			}
			t.Logf("%d secrets (%d forms) searched for in %d rows: none found", len(secrets), len(needles), scanned)
		})
	}
}
