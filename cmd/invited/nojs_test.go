package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/invitehq/invite/invite"
)

// noJSBrowser is newBrowser with the page's scripts disabled, as in a
// browser with JavaScript turned off: htmx and app.js never run.
func noJSBrowser(t *testing.T) context.Context {
	t.Helper()
	b := newBrowser(t)
	if _, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	return b
}

// pageState is what checkPage reads of a page. (The DevTools protocol
// still evaluates while the page's own scripts are disabled.)
type pageState struct {
	Text     string   `json:"text"`
	Scripts  bool     `json:"scripts"`
	Messages []string `json:"messages"`
}

const readPageState = `(() => ({
	text: document.body ? document.body.innerText : "",
	scripts: document.documentElement.classList.contains("js") || "htmx" in window,
	messages: [...document.querySelectorAll(".flash, .problem")].map(e => e.innerText.trim()).filter(Boolean),
}))()`

// checkPage fails the test if page scripts ran, and reports the page if it
// shows "<no value>" or a message (confirmation or problem) twice. It
// returns the text a person reads.
func checkPage(t *testing.T, b context.Context, what string) string {
	t.Helper()
	s := get(t, b, what+": read the page", chromedp.Evaluate[pageState](readPageState))
	if s.Scripts {
		t.Fatalf("%s: the page's scripts ran (html.js or htmx present): JavaScript is not disabled", what)
	}
	if strings.Contains(s.Text, "<no value>") {
		t.Errorf("%s: the page shows <no value>:\n%s", what, s.Text)
	}
	for _, msg := range slices.Compact(slices.Sorted(slices.Values(s.Messages))) {
		if n := strings.Count(s.Text, msg); n > 1 {
			t.Errorf("%s: the message %q appears %d times:\n%s", what, msg, n, s.Text)
		}
	}
	return s.Text
}

// loadPage runs steps that lead to another page (a link, a form and its
// redirect), checks that page and returns its HTTP status and text.
func loadPage(t *testing.T, b context.Context, what string, steps ...chromedp.Action[chromedp.Void]) (int64, string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(b, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, steps...)
	if err != nil {
		body, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("%s: %v\npage text:\n%s", what, err, body)
	}
	text := checkPage(t, b, what)
	var status int64
	if resp != nil {
		status = resp.Status
	}
	if status >= 500 {
		t.Fatalf("%s: HTTP %d:\n%s", what, status, text)
	}
	return status, text
}

// wantText reports each of want that text lacks.
func wantText(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: the page lacks %q:\n%s", what, w, text)
		}
	}
}

// wantOnce reports msg unless text holds it exactly once.
func wantOnce(t *testing.T, what, text, msg string) {
	t.Helper()
	if n := strings.Count(text, msg); n != 1 {
		t.Errorf("%s: %q appears %d times, want once:\n%s", what, msg, n, text)
	}
}

// pagePath returns the path and query of the page shown.
func pagePath(t *testing.T, b context.Context) string {
	t.Helper()
	u, err := url.Parse(get(t, b, "read the location", chromedp.Location()))
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// fieldValue reads a form field's current value.
func fieldValue(t *testing.T, b context.Context, sel string) string {
	t.Helper()
	return get(t, b, "read "+sel, chromedp.Value(css(sel)))
}

// isChecked reads whether a checkbox is ticked.
func isChecked(t *testing.T, b context.Context, sel string) bool {
	t.Helper()
	return get(t, b, "read "+sel, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checked`, sel)))
}

// openFromNav goes home, as from a bookmark, and clicks the navigation's
// link to href.
func openFromNav(t *testing.T, b context.Context, base, href string) string {
	t.Helper()
	loadPage(t, b, "open the home page", chromedp.Navigate(base+"/home"))
	_, text := loadPage(t, b, "click "+href, chromedp.Click(css(fmt.Sprintf(`nav a[href=%q]`, href))))
	return text
}

// fillInvitee types an invitee into the invite form on the page: names,
// address, business role and one subscription with its role.
func fillInvitee(first, last, email string, businessRole, subscription int64, role invite.Role) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SendKeys(css(`#f-first_name`), first),
		chromedp.SendKeys(css(`#f-last_name`), last),
		chromedp.SendKeys(css(`#f-email`), email),
		chromedp.SetValue(css(`#f-business_role`), fmt.Sprint(businessRole)),
		chromedp.Click(css(fmt.Sprintf(`#g-%d`, subscription))),
		chromedp.SetValue(css(fmt.Sprintf(`#r-%d`, subscription)), string(role)),
	)
}

// The buttons of the invite form.
const (
	sendButton     = `.invite-form .actions button.primary[name=action][value=send]`
	languageButton = `#f-language ~ button.no-js[name=action][value=refresh]`
	companyButton  = `#f-company ~ button.no-js[name=action][value=refresh]`
	customizeEmail = `.invite-form details.customize summary`
)

// invitationTo returns the only invitation to email, as the service has it.
func invitationTo(t *testing.T, ctx context.Context, m *Main, email string) *invite.Invitation {
	t.Helper()
	page, err := m.svc.Invitations(ctx, invite.InvitationFilter{Email: email})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Invitations) != 1 {
		t.Fatalf("%d invitations to %s in the service, want 1", len(page.Invitations), email)
	}
	return page.Invitations[0]
}

// invitationMail returns the invitation e-mail queued for inv.
func invitationMail(t *testing.T, ctx context.Context, m *Main, inv *invite.Invitation) *invite.Message {
	t.Helper()
	page, err := m.svc.Messages(ctx, invite.MessageFilter{Limit: invite.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range page.Messages {
		if msg.InvitationID == inv.ID && msg.Kind == invite.KindInvitation {
			return msg
		}
	}
	t.Fatalf("no invitation e-mail in the outbox for %s", inv.Email)
	return nil
}

// englishMail are phrases of the built-in English invitation (subject,
// body, button, footer, role names), which a mail in another language
// must not contain.
var englishMail = []string{
	"invited you", "Hello", "with these subscriptions", "Your username is", "To accept",
	"open the link below", "create your password", "The invitation expires", "Accept the invitation",
	"If you did not expect", "Viewer", "Contributor",
}

// wantLanguage reports the parts of msg that lack want or hold English.
func wantLanguage(t *testing.T, msg *invite.Message, lang string, want ...string) {
	t.Helper()
	if msg.Language != lang {
		t.Errorf("the mail to %s is in %q, want %q", msg.To, msg.Language, lang)
	}
	all := msg.Subject + "\n" + msg.Text + "\n" + msg.HTML
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("the mail to %s lacks %q:\nSubject: %s\n%s", msg.To, w, msg.Subject, msg.Text)
		}
	}
	for _, part := range []struct{ name, text string }{{"subject", msg.Subject}, {"text", msg.Text}, {"HTML", msg.HTML}} {
		for _, en := range englishMail {
			if strings.Contains(part.text, en) {
				t.Errorf("the %s of the %s mail to %s holds English %q:\n%s", part.name, lang, msg.To, en, part.text)
			}
		}
	}
}

// With JavaScript turned off every page still works: forms post, the
// server answers with pages and redirects, and what the page says was done
// was done, as the service shows.
func TestBrowserWithoutJavaScript(t *testing.T) {
	m, base := browserServerWith(t, func(cfg *Config) {
		// Several log-ins from one address; the bound has tests of its own.
		cfg.AttemptsPerMinute = 0
	})
	d := a11ySetup(t, m)
	ctx := asAdmin(t, m)
	acme, err := m.svc.Company(ctx, d.acme)
	if err != nil {
		t.Fatal(err)
	}
	sub0, sub1 := acme.Subscriptions[0].ID, acme.Subscriptions[1].ID
	operator, engineer := acme.BusinessRoles[0].ID, acme.BusinessRoles[1].ID

	b := noJSBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	checkPage(t, b, "home")
	// The no-JS buttons show only while app.js has not marked the page.
	loadPage(t, b, "open the invite form", chromedp.Navigate(base+"/admin/invitations/new"))
	if !get(t, b, "see the language button", chromedp.Evaluate[bool](
		fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display !== "none"`, languageButton))) {
		t.Fatal("the no-JS \"Use this language\" button is hidden: page scripts seem to run")
	}

	t.Run("InviteInFrenchWithTheLanguageButton", func(t *testing.T) {
		openFromNav(t, b, base, "/admin/invitations")
		loadPage(t, b, "click Invite User", chromedp.Click(css(`main a[href="/admin/invitations/new"]`)))
		act(t, b, "choose Acme Plant", chromedp.SetValue(css(`#f-company`), fmt.Sprint(acme.ID)))
		loadPage(t, b, "press Choose (the company)", chromedp.Click(css(companyButton)))
		act(t, b, "fill in the invitee, in French",
			fillInvitee("Marie", "Curie", "marie@example.com", engineer, sub0, invite.RoleContributor),
			chromedp.SetValue(css(`#f-language`), "fr"),
		)
		status, _ := loadPage(t, b, "press Use this language", chromedp.Click(css(languageButton)))
		if status != 200 {
			t.Errorf("Use this language: HTTP %d, want 200", status)
		}
		// Everything typed is kept.
		for sel, want := range map[string]string{
			`#f-first_name`: "Marie", `#f-last_name`: "Curie", `#f-email`: "marie@example.com",
			`#f-business_role`: fmt.Sprint(engineer), `#f-language`: "fr", fmt.Sprintf(`#r-%d`, sub0): "contributor",
		} {
			if got := fieldValue(t, b, sel); got != want {
				t.Errorf("after Use this language, %s is %q, want %q", sel, got, want)
			}
		}
		if !isChecked(t, b, fmt.Sprintf(`#g-%d`, sub0)) {
			t.Errorf("after Use this language, the subscription is no longer ticked")
		}
		act(t, b, "open Customize Email",
			chromedp.Click(css(customizeEmail)),
			chromedp.WaitVisible(css(`#f-mail_subject`)),
		)
		subject, body := fieldValue(t, b, `#f-mail_subject`), fieldValue(t, b, `#f-mail_body`)
		if subject != "{InviterName} vous invite à rejoindre {CompanyName}" || !strings.HasPrefix(body, "Bonjour {FirstName},") || strings.Contains(body, "Hello") {
			t.Errorf("the e-mail panel does not hold the French template:\nSubject: %s\n%s", subject, body)
		}

		_, text := loadPage(t, b, "press Send Invitation", chromedp.Click(css(sendButton)))
		if p := pagePath(t, b); !strings.HasPrefix(p, "/admin/invitations") {
			t.Errorf("after sending, the page is %s", p)
		}
		wantOnce(t, "after sending", text, "The invitation has been sent.")
		wantText(t, "the invitations", text, "marie@example.com", "Marie Curie")

		inv := invitationTo(t, ctx, m, "marie@example.com")
		if inv.Language != "fr" || inv.FirstName != "Marie" || inv.LastName != "Curie" || inv.BusinessRoleID != engineer ||
			!slices.Equal(inv.Grants, []invite.Grant{{SubscriptionID: sub0, Role: invite.RoleContributor}}) {
			t.Errorf("stored invitation: %+v", inv)
		}
		if !inv.Mail.IsZero() {
			t.Errorf("the untouched French template was stored as a customised e-mail: %+v", inv.Mail)
		}
		wantLanguage(t, invitationMail(t, ctx, m, inv), "fr", "vous invite à rejoindre Acme Plant", "Bonjour Marie,")
	})

	t.Run("InviteInGermanWithoutTheLanguageButton", func(t *testing.T) {
		openFromNav(t, b, base, "/admin/invitations")
		loadPage(t, b, "click Invite User", chromedp.Click(css(`main a[href="/admin/invitations/new"]`)))
		act(t, b, "fill in the invitee, choose Deutsch and nothing more",
			fillInvitee("Grete", "Hermann", "grete@example.com", operator, sub0, invite.RoleContributor),
			chromedp.SetValue(css(`#f-language`), "de"),
		)
		_, text := loadPage(t, b, "press Send Invitation", chromedp.Click(css(sendButton)))
		wantOnce(t, "after sending", text, "The invitation has been sent.")
		wantText(t, "the invitations", text, "grete@example.com")

		inv := invitationTo(t, ctx, m, "grete@example.com")
		if inv.Language != "de" {
			t.Errorf("stored language %q, want de", inv.Language)
		}
		if !inv.Mail.IsZero() {
			t.Errorf("the untouched English panel was stored as a customised e-mail: %+v", inv.Mail)
		}
		msg := invitationMail(t, ctx, m, inv)
		wantLanguage(t, msg, "de", "hat Sie zu Acme Plant eingeladen", "Hallo Grete,", "Einladung annehmen", "Mitwirkender")

		// The sender reads the same mail under Sent Mail.
		openFromNav(t, b, base, "/admin/mail")
		_, text = loadPage(t, b, "open the mail to Grete", chromedp.Click(css(fmt.Sprintf(`main a[href="/admin/mail/%d"]`, msg.ID))))
		wantText(t, "the sent mail", text, "grete@example.com", "Deutsch", "Hallo Grete,")
		mail := get(t, b, "read the mail", chromedp.Text(css(`pre.mail-text`)))
		for _, en := range englishMail {
			if strings.Contains(mail, en) {
				t.Errorf("the sent mail page shows English %q:\n%s", en, mail)
			}
		}
	})

	t.Run("InviteWithErrors", func(t *testing.T) {
		before, err := m.svc.Invitations(ctx, invite.InvitationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		openFromNav(t, b, base, "/admin/invitations")
		loadPage(t, b, "click Invite User", chromedp.Click(css(`main a[href="/admin/invitations/new"]`)))
		status, text := loadPage(t, b, "press Send Invitation on the empty form", chromedp.Click(css(sendButton)))
		if status != 422 {
			t.Errorf("an empty invitation: HTTP %d, want 422", status)
		}
		wantOnce(t, "the empty invitation", text, "Please correct the marked fields.")
		invalid := get(t, b, "find the marked fields", chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('.invite-form [aria-invalid="true"]')].map(e => e.id)`))
		for _, id := range []string{"f-first_name", "f-last_name", "f-email", "f-business_role"} {
			if !slices.Contains(invalid, id) {
				t.Errorf("%s is not marked aria-invalid (marked: %v)", id, invalid)
			}
		}
		after, err := m.svc.Invitations(ctx, invite.InvitationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Invitations) != len(before.Invitations) {
			t.Errorf("an empty form made an invitation: %d before, %d after", len(before.Invitations), len(after.Invitations))
		}
	})

	t.Run("Resend", func(t *testing.T) {
		id := d.pending[1] // Margaret Hamilton
		row := fmt.Sprintf("#inv-%d", id)
		openFromNav(t, b, base, "/admin/invitations")
		_, text := loadPage(t, b, "click Resend", chromedp.Click(css(row+` a[href$="/resend"]`)))
		wantText(t, "the resend page", text, "Resend Invitation", "margaret.hamilton@apollo-guidance-computer.example")
		last := fmt.Sprintf(`#f-r%d-last_name`, id)
		act(t, b, "change the last name",
			chromedp.Clear(css(last)),
			chromedp.SendKeys(css(last), "Heafield"),
		)
		_, text = loadPage(t, b, "press Resend Invitation", chromedp.Click(css(fmt.Sprintf(`#invite-r%d-form .actions button.primary`, id))))
		wantOnce(t, "after resending", text, "The invitation has been sent again.")
		rowText := get(t, b, "read the row", chromedp.Text(css(row)))
		times := get(t, b, "read times sent", chromedp.Text(css(row+" td.num")))
		if !strings.Contains(rowText, "Margaret Heafield") || times != "2" {
			t.Errorf("the row after resending (times sent %q): %s", times, rowText)
		}
		inv, err := m.svc.Invitation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.LastName != "Heafield" || inv.TimesSent != 2 {
			t.Errorf("stored: last name %q, times sent %d; want Heafield, 2", inv.LastName, inv.TimesSent)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		id := d.pending[0] // Ada Lovelace
		row := fmt.Sprintf("#inv-%d", id)
		openFromNav(t, b, base, "/admin/invitations")
		_, text := loadPage(t, b, "click Cancel", chromedp.Click(css(row+` form[action$="/cancel"] button`)))
		wantText(t, "the cancel page", text, "Cancel the invitation of ada@example.com?")
		_, text = loadPage(t, b, "press Cancel Invitation", chromedp.Click(css(`main form[method=post][action$="/cancel"] button[type=submit]`)))
		wantOnce(t, "after canceling", text, "The invitation has been canceled.")
		if rowText := get(t, b, "read the row", chromedp.Text(css(row))); !strings.Contains(rowText, "Canceled") {
			t.Errorf("the row after canceling: %s", rowText)
		}
		inv, err := m.svc.Invitation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status != invite.StatusCanceled {
			t.Errorf("stored status %q, want canceled", inv.Status)
		}
	})

	t.Run("DisableAndEnable", func(t *testing.T) {
		row := fmt.Sprintf("#user-%d", d.member) // Grace Hopper
		disabled := func() bool {
			u, err := m.svc.User(ctx, d.member)
			if err != nil {
				t.Fatal(err)
			}
			return u.Disabled()
		}
		openFromNav(t, b, base, "/admin/users")
		_, text := loadPage(t, b, "click Disable", chromedp.Click(css(row+` form[action$="/disable"] button`)))
		wantOnce(t, "the disable page", text, "Disable Grace Hopper (grace@example.com)?")
		if disabled() {
			t.Errorf("the user is disabled before the confirmation")
		}
		_, text = loadPage(t, b, "press Disable", chromedp.Click(css(`main form[method=post][action$="/disable"] button[type=submit]`)))
		wantOnce(t, "after disabling", text, "The user has been disabled and logged out.")
		if !disabled() {
			t.Errorf("the page says disabled; the service says not")
		}
		if rowText := get(t, b, "read the row", chromedp.Text(css(row))); !strings.Contains(rowText, "Disabled") {
			t.Errorf("the row after disabling: %s", rowText)
		}

		_, text = loadPage(t, b, "press Enable", chromedp.Click(css(row+` form[method=post][action$="/enable"] button`)))
		wantOnce(t, "after enabling", text, "The user can log in again.")
		if disabled() {
			t.Errorf("the page says enabled; the service says disabled")
		}
		if rowText := get(t, b, "read the row", chromedp.Text(css(row))); !strings.Contains(rowText, "Active") {
			t.Errorf("the row after enabling: %s", rowText)
		}
	})

	t.Run("EditUser", func(t *testing.T) {
		id := d.member // Grace Hopper: App Designer and Data Stream Designer
		box := func(sub int64) string { return fmt.Sprintf(`#g-u%d-%d`, id, sub) }
		save := fmt.Sprintf(`#user-u%d-form button.primary[type=submit]`, id)
		openFromNav(t, b, base, "/admin/users")
		loadPage(t, b, "click Edit", chromedp.Click(css(fmt.Sprintf(`#user-%d a[href$="/edit"]`, id))))
		heading := get(t, b, "read the heading", chromedp.Text(css(`main h1`)))
		for _, sub := range []int64{sub0, sub1} {
			if isChecked(t, b, box(sub)) {
				act(t, b, "untick a subscription", chromedp.Click(css(box(sub))))
			}
		}
		status, text := loadPage(t, b, "press Save with no subscription", chromedp.Click(css(save)))
		if status != 422 {
			t.Errorf("no subscription: HTTP %d, want 422", status)
		}
		wantOnce(t, "no subscription", text, "Please correct the marked fields.")
		// The same editor, answered with its errors.
		if h := get(t, b, "read the heading", chromedp.Text(css(`main h1`))); h != heading {
			t.Errorf("the editor's heading was %q, and is %q once it answers with an error", heading, h)
		}
		for _, sub := range []int64{sub0, sub1} {
			if isChecked(t, b, box(sub)) {
				t.Errorf("the editor answered the error with %s ticked again; it was sent unticked", box(sub))
			}
		}
		if u, _ := m.svc.User(ctx, id); len(u.Grants) != 2 {
			t.Errorf("a refused change was stored: %+v", u.Grants)
		}

		act(t, b, "tick App Designer as Contributor",
			chromedp.Click(css(box(sub0))),
			chromedp.SetValue(css(fmt.Sprintf(`#r-u%d-%d`, id, sub0)), "contributor"),
		)
		if isChecked(t, b, box(sub1)) {
			act(t, b, "untick Data Stream Designer", chromedp.Click(css(box(sub1))))
		}
		_, text = loadPage(t, b, "press Save", chromedp.Click(css(save)))
		wantOnce(t, "after saving", text, "The user has been changed.")
		u, err := m.svc.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := []invite.Grant{{SubscriptionID: sub0, Role: invite.RoleContributor}}; !slices.Equal(u.Grants, want) {
			t.Errorf("stored grants %+v, want %+v", u.Grants, want)
		}
	})

	t.Run("CompanyAdministratorInvitesInSpanish", func(t *testing.T) {
		act(t, b, "log out", forgetSession)
		login(t, b, base, "boss@acme.example", bossPassword)
		openFromNav(t, b, base, "/admin/invitations")
		loadPage(t, b, "click Invite User", chromedp.Click(css(`main a[href="/admin/invitations/new"]`)))
		act(t, b, "fill in the invitee, in Spanish",
			fillInvitee("Dorothy", "Vaughan", "dorothy@example.com", operator, sub0, invite.RoleViewer),
			chromedp.SetValue(css(`#f-language`), "es"),
		)
		loadPage(t, b, "press Use this language", chromedp.Click(css(languageButton)))
		act(t, b, "open Customize Email", chromedp.Click(css(customizeEmail)), chromedp.WaitVisible(css(`#f-mail_subject`)))
		if subject := fieldValue(t, b, `#f-mail_subject`); subject != "{InviterName} le ha invitado a {CompanyName}" {
			t.Errorf("the e-mail panel's subject is %q, want the Spanish template", subject)
		}
		_, text := loadPage(t, b, "press Send Invitation", chromedp.Click(css(sendButton)))
		wantOnce(t, "after sending", text, "The invitation has been sent.")
		inv := invitationTo(t, ctx, m, "dorothy@example.com")
		if inv.Language != "es" || inv.CompanyID != acme.ID {
			t.Errorf("stored: language %q, company %d; want es, %d", inv.Language, inv.CompanyID, acme.ID)
		}
		wantLanguage(t, invitationMail(t, ctx, m, inv), "es", "le ha invitado a Acme Plant")
	})

	t.Run("AcceptInvitation", func(t *testing.T) {
		in := inviteInput(acme)
		in.FirstName, in.LastName, in.Email = "Kathrine", "Coleman", "katherine@example.com"
		inv, token, err := m.svc.Invite(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		const password = "orbital mechanics by hand"
		act(t, b, "log out", forgetSession)
		_, text := loadPage(t, b, "open the link", chromedp.Navigate(base+m.svc.Paths().AcceptInvitation+token))
		wantText(t, "the invitation", text, "Join Acme Plant")
		act(t, b, "fill in the registration",
			chromedp.SendKeys(css(`#f-password`), password),
			chromedp.SendKeys(css(`#f-password_confirm`), password),
			chromedp.Clear(css(`#f-first_name`)),
			chromedp.SendKeys(css(`#f-first_name`), "Katherine"),
			chromedp.Clear(css(`#f-last_name`)),
			chromedp.SendKeys(css(`#f-last_name`), "Johnson"),
			chromedp.Click(css(`#f-accept_terms`)),
		)
		_, text = loadPage(t, b, "press Complete Registration", chromedp.Click(css(`#join-form button[type=submit]`)))
		wantOnce(t, "after registering", text, "Welcome! Your registration is complete.")
		wantText(t, "the home page", text, "Katherine")
		u, err := m.svc.Authenticate(t.Context(), "katherine@example.com", password)
		if err != nil {
			t.Fatalf("the new user cannot log in: %v", err)
		}
		if u.FirstName != "Katherine" || u.LastName != "Johnson" || u.CompanyID != acme.ID {
			t.Errorf("stored user: %+v", u)
		}
		if got, err := m.svc.Invitation(ctx, inv.ID); err != nil || got.Status != invite.StatusAccepted {
			t.Errorf("the invitation after registering: %+v, %v", got, err)
		}
	})
}

// A request to join approved without a subscription comes back with the
// error at the subscriptions and the focus there, not at the page's start
// far above it; approved, the browser is sent on to the list (found from
// outside: focus on the page's body, the error far down).
func TestBrowserApproveRefused(t *testing.T) {
	m, base := browserServer(t)
	a11ySetup(t, m)
	ctx := asAdmin(t, m)
	reqs, err := m.svc.JoinRequests(ctx, 0)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests to join: %v, %v", reqs, err)
	}
	rq := reqs[0]
	row := fmt.Sprintf("#request-%d", rq.ID)
	for _, js := range []bool{false, true} {
		b := newBrowser(t)
		if !js {
			b = noJSBrowser(t)
		}
		login(t, b, base, "admin@example.com", adminPassword)
		act(t, b, "open the users", chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible(css(row)))
		act(t, b, "open Approve", chromedp.Click(css(row+" details summary")), chromedp.WaitVisible(css(row+" form button.primary")))
		act(t, b, "approve with no subscription", through(chromedp.Click(css(row+" form button.primary"))))
		text := get(t, b, "read the page", chromedp.Text(css("body")))
		wantOnce(t, "the refused approval", text, "Please correct the marked fields.")
		act(t, b, "wait for the focus", chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement !== document.body`,
			chromedp.WithPollingTimeout(5*time.Second)))
		if ok, desc := focusMatches(t, b, row+` [aria-invalid="true"]`); !ok {
			t.Errorf("(JavaScript %v) after the refused approval the focus is on %s, want the marked field", js, desc)
		}
	}
	if got, err := m.svc.JoinRequests(ctx, 0); err != nil || len(got) != 1 {
		t.Errorf("a refused approval decided the request: %v, %v", got, err)
	}
}
