package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/smtp/smtptest"
)

// memberOf registers a company and a user of it through the service and
// returns the user's e-mail address; the password is memberPassword.
func memberOf(t *testing.T, m *Main) string {
	t.Helper()
	ctx := asAdmin(t, m)
	c, err := m.svc.RegisterCompany(ctx, invite.CompanyInput{Name: "Acme", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := m.svc.Invite(ctx, inviteInput(c))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Accept(t.Context(), invite.AcceptInput{Token: token, Password: memberPassword, FirstName: "Ada", LastName: "Lovelace", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	return "ada@example.com"
}

const memberPassword = "the analytical engine"

// A user changes their language in the profile and the pages change with it.
func TestBrowserLanguage(t *testing.T) {
	m, base := browserServer(t)
	email := memberOf(t, m)
	b := newBrowser(t)
	login(t, b, base, email, memberPassword)
	act(t, b, "change the language",
		through(chromedp.Click(css(`a[href="/profile"]`))),
		chromedp.SetValue(css(`#f-language`), "de"),
		waitHTMX("#profile-form"),
		through(chromedp.Click(css(`#profile-form button[type=submit]`))),
		waitText("#messages", "Ihr Profil wurde gespeichert."),
		waitText("nav", "Startseite"),
	)
	lang := get(t, b, "read the language", chromedp.Evaluate[string](`document.documentElement.lang`))
	if lang != "de" {
		t.Errorf("html lang %q, want de", lang)
	}
}

// A user forgets their password, follows the e-mailed link, sets a new one,
// and the session they had elsewhere is gone.
func TestBrowserForgotPassword(t *testing.T) {
	mailServer := smtptest.Start(t, smtptest.Options{})
	m, base := browserServerWith(t, func(cfg *Config) { cfg.SMTPURL = mailServer.URL() })
	email := memberOf(t, m)
	elsewhere := newBrowser(t)
	login(t, elsewhere, base, email, memberPassword)

	b := newBrowser(t)
	act(t, b, "ask for a link",
		chromedp.Navigate(base+"/login"),
		through(chromedp.Click(css(`a[href="/forgot"]`))),
		chromedp.SendKeys(css(`#f-email`), email),
		chromedp.Click(css(`#forgot-form button[type=submit]`)),
		waitText("#forgot-form", "If an account exists for that address"),
	)
	// The link reaches its owner by e-mail, and only so.
	resetLink := regexp.MustCompile(`http\S+` + regexp.QuoteMeta(invite.DefaultPaths().ResetPassword) + `\S{43}`)
	var link string
	eventually(t, "the reset mail", func() bool {
		for _, r := range mailServer.Received() {
			if mail, err := r.Decode(); err == nil && link == "" {
				link = resetLink.FindString(mail.Parts["text/plain"])
			}
		}
		return link != ""
	})
	if !strings.HasPrefix(link, base+invite.DefaultPaths().ResetPassword) {
		t.Fatalf("no reset link from %s in the mail (got %q)", base, link)
	}
	act(t, b, "set a new password",
		chromedp.Navigate(link),
		chromedp.SendKeys(css(`#f-password`), "a brand new passphrase"),
		chromedp.SendKeys(css(`#f-password_confirm`), "a brand new passphrase"),
		waitHTMX("#reset-form"),
		through(chromedp.Click(css(`#reset-form button[type=submit]`))),
		waitText("#messages", "Your password has been set."),
	)
	act(t, elsewhere, "the old session is gone",
		through(chromedp.Click(css(`a[href="/home"]`))),
		chromedp.WaitVisible(css(`#login-form`)),
	)
	login(t, b, base, email, "a brand new passphrase")
}

// A Global Administrator deletes a user, who is logged out at their next
// click.
func TestBrowserDeleteUser(t *testing.T) {
	m, base := browserServer(t)
	email := memberOf(t, m)
	user := newBrowser(t)
	login(t, user, base, email, memberPassword)

	admin := newBrowser(t)
	login(t, admin, base, "admin@example.com", adminPassword)
	u, _ := m.svc.Authenticate(t.Context(), email, memberPassword)
	row := fmt.Sprintf("#user-%d", u.ID)
	act(t, admin, "delete the user",
		through(chromedp.Click(css(`a[href="/admin/users"]`))),
		waitHTMX(row+` form[action$="/delete"] button`),
		chromedp.Click(css(row+` form[action$="/delete"] button`)),
		waitText("#messages", "Ada Lovelace has been deleted."),
		chromedp.WaitNotPresent(css(row)),
		htmxSettled(),
	)
	// Found from outside: the focus fell to the page's start. It goes on
	// to the next row (here the one before: Ada's was the last), and the
	// confirmation is said once.
	if ok, desc := focusMatches(t, admin, `#users-table tr[id^="user-"] .row-actions *, main h1`); !ok {
		t.Errorf("after the delete the focus is on %s, want a row's first action or the heading", desc)
	}
	if n := get(t, admin, "count the confirmation", chromedp.Evaluate[int](`document.body.innerText.split("Ada Lovelace has been deleted.").length - 1`)); n != 1 {
		t.Errorf("the confirmation is on the page %d times, want once", n)
	}
	act(t, user, "click once more",
		through(chromedp.Click(css(`a[href="/profile"]`))),
		chromedp.WaitVisible(css(`#login-form`)),
	)
}

// Whatever "next" the log-in page keeps, Chromium's own URL parser reads it
// as a place on this site: the browser's normalisation (tabs and line
// breaks dropped, backslashes read as slashes) cannot turn it into another.
func TestBrowserNextStaysOnSite(t *testing.T) {
	_, base := browserServer(t)
	b := newBrowser(t)
	candidates := []string{
		"/admin/users", "/home?done=welcome", "//evil.test", "///evil.test", "/\\evil.test", "\\\\evil.test",
		"/\t/evil.test", "/\n/evil.test", "/\r\n/evil.test", "\t//evil.test", " //evil.test", "/%09/evil.test",
		"/%2F/evil.test", "/%5C/evil.test", "/..//evil.test", "/.%2e//evil.test", "/@evil.test", "/\u2215evil.test",
		"https://evil.test", "http:evil.test", "javascript:alert(1)", "/\x00/evil.test",
	}
	kept := 0
	for _, next := range candidates {
		act(t, b, "open the log-in page with next="+fmt.Sprintf("%q", next),
			chromedp.Navigate(base+"/login?next="+url.QueryEscape(next)),
			chromedp.WaitVisible(css(`#login-form`)),
		)
		value := get(t, b, "read next", chromedp.Evaluate[string](`document.querySelector("input[name=next]").value`))
		if value == "" {
			continue
		}
		kept++
		sameSite := get(t, b, "resolve next", chromedp.Evaluate[bool](fmt.Sprintf(`new URL(%q, location.href).origin === location.origin`, value)))
		if !sameSite {
			t.Errorf("next=%q is kept as %q, which Chromium resolves to another site", next, value)
		}
	}
	if kept < 4 {
		t.Errorf("only %d of the local paths were kept", kept)
	}
}

// The password meter calls Strong no password that the server refuses
// (found from outside: "İLSE-…" for ilse@… was Strong, because JavaScript
// lowers İ to two characters and the server to one "i").
func TestBrowserStrengthFoldsAsTheServer(t *testing.T) {
	m, base := browserServer(t)
	acme := registerAcme(t, m)
	in := inviteInput(acme)
	in.Email = "ilse@acme.example"
	_, token, err := m.svc.Invite(asAdmin(t, m), in)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	for _, pw := range []string{"İLSE-Sunny-Garden-99", "ΙΛΣΕ is not ilse-but-99"} {
		refused := invite.ValidatePassword(pw, in.Email) != nil
		act(t, b, "open the link and type "+pw,
			chromedp.Navigate(base+m.svc.Paths().AcceptInvitation+token),
			waitHTMX("#join-form"),
			chromedp.SendKeys(css(`#f-password`), pw),
			chromedp.Poll[chromedp.Void](`document.getElementById("strength").textContent !== ""`, chromedp.WithPollingTimeout(15*time.Second)),
		)
		meter := get(t, b, "read the meter", chromedp.Text(css("#strength")))
		if refused && meter != "Contains your email name" {
			t.Errorf("the server refuses %q for %s; the meter says %q", pw, in.Email, meter)
		}
		if !refused && meter == "Contains your email name" {
			t.Errorf("the server takes %q for %s; the meter says %q", pw, in.Email, meter)
		}
	}
}
