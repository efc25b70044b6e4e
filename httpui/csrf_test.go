package httpui_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/invitehq/invite/httpui"
)

// A form's token works only for whom it was given to: not in another
// session, and not across a log-in.
func TestCSRFTokenIsBound(t *testing.T) {
	a := newApp(t)
	member := a.member(a.acme, "member@acme.example")
	tokenOf := func(b *browser) string {
		return html.UnescapeString(csrfField.FindStringSubmatch(b.get("/profile").body)[1])
	}
	anonymous := a.browser()
	before := html.UnescapeString(csrfField.FindStringSubmatch(anonymous.get("/login").body)[1])
	anonymous.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	root := anonymous
	other := a.browser()
	other.login(member.Email, adminPassword).want(t, http.StatusSeeOther)

	profile := url.Values{"first_name": {"Changed"}, "last_name": {"Name"}}
	for name, token := range map[string]string{"another session's": tokenOf(other), "the one from before the log-in": before, "none": ""} {
		form := url.Values{"_csrf": {token}}
		for k, v := range profile {
			form[k] = v
		}
		if p := root.do(http.MethodPost, "/profile", form); p.status != http.StatusForbidden {
			t.Errorf("a form with %s token: got %d, want 403", name, p.status)
		}
	}
	form := url.Values{"_csrf": {tokenOf(root)}}
	for k, v := range profile {
		form[k] = v
	}
	root.do(http.MethodPost, "/profile", form).want(t, http.StatusSeeOther)
}

// Under https the cookies cannot be set by another host: __Host- names,
// Secure, Path=/ and no Domain.
func TestHostCookies(t *testing.T) {
	a := newApp(t)
	srv := httptest.NewTLSServer(httpui.New(httpui.Config{Service: a.svc, Health: a.db.Ping, BaseURL: "https://invite.test", Logger: discard()}))
	defer srv.Close()
	c := srv.Client()
	c.Jar, _ = cookiejar.New(nil)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cookies := resp.Header.Values("Set-Cookie")
	form := url.Values{"_csrf": {html.UnescapeString(csrfField.FindStringSubmatch(string(page))[1])}, "email": {"root@example.com"}, "password": {adminPassword}}
	resp, err = c.PostForm(srv.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in over https: got %d", resp.StatusCode)
	}
	cookies = append(cookies, resp.Header.Values("Set-Cookie")...)
	names := map[string]bool{}
	for _, ck := range cookies {
		name, _, _ := strings.Cut(ck, "=")
		names[name] = true
		if !strings.HasPrefix(name, "__Host-") || !strings.Contains(ck, "; Secure") || !strings.Contains(ck, "Path=/") ||
			strings.Contains(strings.ToLower(ck), "domain=") || !strings.Contains(ck, "HttpOnly") {
			t.Errorf("cookie %q", ck)
		}
	}
	if !names["__Host-invite_session"] || !names["__Host-invite_csrf"] {
		t.Errorf("cookies set: %v", names)
	}
}
