package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store/storetest"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// screenshotDir, when INVITE_SCREENSHOTS is set, receives the screenshots
// that README.md shows.
const screenshotDir = "../../docs/screenshots"

// browserServer starts the whole program on a free port with SQLite in a
// temporary file and mail to the log, and returns it with its URL.
func browserServer(t *testing.T) (*Main, string) {
	t.Helper()
	return browserServerWith(t, func(*Config) {})
}

// browserServerWith is browserServer with the configuration changed by set.
func browserServerWith(t *testing.T, set func(*Config)) (*Main, string) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		storetest.Unavailable(t, "chromium", chromiumPath+" is not installed (apt-get install chromium)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := testConfig(t, "")
	cfg.Addr, cfg.BaseURL, cfg.AdminPassword = addr, "http://"+addr, adminPassword
	// People here resend an invitation at once, within a minute of the
	// real clock; the bound on that has tests of its own.
	cfg.MailsPerAddress = 0
	set(&cfg)
	m := NewMain(cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, cfg.BaseURL
}

// newBrowser starts headless Chromium for the test. Dialogs (hx-confirm)
// are answered yes, as a person who meant to click would.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first action starts the browser; it must have no time limit.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		storetest.Unavailable(t, "chromium", fmt.Sprintf("cannot start %s: %v", chromiumPath, err))
	}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return ctx
}

// act runs browser steps with a time limit, failing the test with the
// page's text on error.
func act(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	get(t, ctx, what, chromedp.Steps(steps...))
}

// get runs one browser action with a time limit and returns its value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("%s: %v\npage text:\n%s", what, err, body)
	}
	return v
}

// through runs steps that lead to another page (a link, a form whose answer
// redirects) and waits until that page has loaded.
func through(steps ...chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.RunResponse(ctx, steps...)
		return chromedp.Void{}, err
	}
}

// waitHTMX waits until htmx has taken charge of the element matched by sel,
// as it does a moment after swapping it in; a person could not click sooner.
func waitHTMX(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && !!e["htmx-internal-data"]; })()`, sel),
		chromedp.WithPollingTimeout(15*time.Second))
}

// css selects the first element matching a CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// waitText waits until the element matched by sel contains text.
func waitText(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.innerText.includes(%q); })()`, sel, text),
		chromedp.WithPollingTimeout(15*time.Second))
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("INVITE_SCREENSHOTS") == "" {
		return
	}
	png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func login(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	act(t, ctx, "log in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css("#f-email"), email),
		chromedp.SendKeys(css("#f-password"), password),
		through(chromedp.Click(css(`#login-form button[type=submit]`))),
		chromedp.WaitVisible(css(`nav[aria-label]`)),
	)
}

// The whole path a person clicks: a Global Administrator registers a
// company, invites a user with two subscriptions and a customised e-mail;
// the link is taken from the sent mail; the invitee creates a password,
// completes registration and lands logged in with the right subscriptions.
func TestBrowserInviteFlow(t *testing.T) {
	m, base := browserServer(t)
	ctx := newBrowser(t)
	login(t, ctx, base, "admin@example.com", adminPassword)

	act(t, ctx, "register a company",
		through(chromedp.Click(css(`a[href="/admin/companies"]`))),
		chromedp.WaitVisible(css(`#company-form`)),
		chromedp.SendKeys(css(`#f-name`), "Acme Plant"),
		chromedp.SetValue(css(`#f-time_zone`), "Europe/Berlin"),
		chromedp.SendKeys(css(`#f-subscriptions`), "App Designer\nData Stream Designer"),
		chromedp.SendKeys(css(`#f-business_roles`), "Plant Operator\nMaintenance Engineer"),
		through(chromedp.Click(css(`#company-form button[type=submit]`))),
		waitText("#messages", "The company has been registered."),
	)

	act(t, ctx, "fill in the invite form",
		through(chromedp.Click(css(`a[href="/admin/invitations"]`))),
		through(chromedp.Click(css(`a[href="/admin/invitations/new"]`))),
		chromedp.WaitVisible(css(`#invite-form`)),
		chromedp.SendKeys(css(`#f-first_name`), "Grace"),
		chromedp.SendKeys(css(`#f-last_name`), "Hopper"),
		chromedp.SendKeys(css(`#f-email`), "grace@example.com"),
		chromedp.SetValue(css(`#f-business_role`), "1"),
		chromedp.Click(css(`#g-1`)),
		chromedp.SetValue(css(`#r-1`), "contributor"),
		chromedp.Click(css(`#g-2`)),
		chromedp.SetValue(css(`#r-2`), "administrator"),
	)
	screenshot(t, ctx, "invite-form")
	act(t, ctx, "customise the e-mail",
		chromedp.Click(css(`details.customize summary`)),
		chromedp.Clear(css(`#f-mail_subject`)),
		chromedp.SendKeys(css(`#f-mail_subject`), "Welcome aboard, "),
		chromedp.Click(css(`button[data-insert="{FirstName}"]`)),
		waitText("#mail-preview", "Welcome aboard, Grace"),
		chromedp.Click(css(`button[value="save-mail"]`)),
		waitText("#invite-form", "The email is saved for this invitation."),
	)
	act(t, ctx, "send the invitation",
		// The form swapped in by Save loads its preview, which moves the
		// button down; a person clicks once the page has stopped moving.
		waitText("#mail-preview", "Subject: Welcome aboard, Grace"),
		waitHTMX("#invite-form"),
		// Enter in a field sends, as the primary action (found from
		// outside: it reloaded the form for a Global Administrator).
		through(chromedp.SendKeys(css(`#f-department`), "Quality"+kb.Enter)),
		waitText("#messages", "The invitation has been sent."),
		waitText("#invitations-table", "grace@example.com"),
	)
	if os.Getenv("INVITE_SCREENSHOTS") != "" {
		// A list with more to show: an accepted, a canceled and another
		// pending invitation.
		actx := asAdmin(t, m)
		companies, _ := m.svc.Companies(actx)
		for i, who := range []string{"Ada Lovelace", "Alan Turing", "Edsger Dijkstra"} {
			first, last, _ := strings.Cut(who, " ")
			in := inviteInput(companies[0])
			in.FirstName, in.LastName, in.Email = first, last, strings.ToLower(last)+"@example.com"
			inv, token, err := m.svc.Invite(actx, in)
			if err != nil {
				t.Fatal(err)
			}
			switch i {
			case 0:
				m.svc.Accept(t.Context(), invite.AcceptInput{Token: token, Password: "a long and secret phrase", FirstName: first, LastName: last, AcceptTerms: true})
			case 1:
				m.svc.Cancel(actx, inv.ID)
			}
		}
		act(t, ctx, "reload the list", chromedp.Reload(), waitText("#invitations-table", "Dijkstra"))
	}
	screenshot(t, ctx, "invitations")
	if os.Getenv("INVITE_SCREENSHOTS") != "" {
		act(t, ctx, "look at it on a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulatePortrait, chromedp.EmulateMobile),
			chromedp.Reload(), waitText("#invitations-table", "Dijkstra"))
		screenshot(t, ctx, "invitations-phone")
		act(t, ctx, "back to the desktop", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), waitText("#invitations-table", "Dijkstra"))
	}

	act(t, ctx, "open the sent mail",
		through(chromedp.Click(css(`a[href="/admin/mail"]`))),
		chromedp.Poll[chromedp.Void](`(() => { const a = [...document.querySelectorAll("td a")].find(a => a.innerText.includes("Welcome aboard, Grace")); if (a) { a.click(); return true } location.reload(); return false })()`,
			chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(500*time.Millisecond)),
		chromedp.WaitVisible(css(`#mail-link`)),
	)
	link := get(t, ctx, "take the link", chromedp.AttributeValue(css(`#mail-link`), "href")).Value
	act(t, ctx, "log out",
		through(chromedp.Click(css(`form.logout button`))),
		chromedp.WaitVisible(css(`#login-form`)),
	)
	if !strings.HasPrefix(link, base+invite.DefaultPaths().AcceptInvitation) {
		t.Fatalf("link %q does not start with %s", link, base+invite.DefaultPaths().AcceptInvitation)
	}

	act(t, ctx, "accept as the invitee",
		chromedp.Navigate(link),
		waitText("h1", "Join Acme Plant"),
		// The meter follows the server's rules (found from outside: it
		// called passwords Strong that the server refuses).
		chromedp.SendKeys(css(`#f-password`), "Grace-Hopper-1906!"),
		waitText("#strength", "Contains your email name"),
		chromedp.SendKeys(css(`#f-password`), strings.Repeat(kb.Backspace, len("Grace-Hopper-1906!"))),
		chromedp.SendKeys(css(`#f-password`), "correct horse battery staple"),
		waitText("#strength", "Strong"),
		chromedp.SendKeys(css(`#f-password_confirm`), "correct horse battery staple"),
		chromedp.Click(css(`#f-accept_terms`)),
		through(chromedp.Click(css(`#join-form button[type=submit]`))),
		waitText("#messages", "Welcome! Your registration is complete."),
	)
	home := get(t, ctx, "read the home page", chromedp.Text(css("main")))
	for _, want := range []string{"Welcome, Grace", "Acme Plant", "App Designer\tContributor", "Data Stream Designer\tAdministrator"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %q:\n%s", want, home)
		}
	}
}

// Resend and Cancel from the Invitations tab update the row in place.
func TestBrowserResendCancel(t *testing.T) {
	m, base := browserServer(t)
	ctx := asAdmin(t, m)
	c, err := m.svc.RegisterCompany(ctx, invite.CompanyInput{Name: "Acme", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := m.svc.Invite(ctx, inviteInput(c))
	if err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf("#inv-%d", inv.ID)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open the invitations", chromedp.Navigate(base+"/admin/invitations"))
	url1 := get(t, b, "where", chromedp.Location())
	// Found from outside: for a Global Administrator the preview of a
	// resend asked for no company, and the page said "The company was not
	// found."; and Enter in a field pressed "Save" of the e-mail.
	act(t, b, "resend with a changed name, pressing Enter",
		waitHTMX(row+` a[href$="/resend"]`),
		chromedp.Click(css(row+` a[href$="/resend"]`)),
		chromedp.WaitVisible(css(fmt.Sprintf(`%s.editing #invite-r%d-form`, row, inv.ID))),
		// (The preview is in the closed "Customize Email": not rendered.)
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector("#mail-r%d-preview").textContent.includes("Your username is ada@example.com")`, inv.ID),
			chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Clear(css(fmt.Sprintf(`#f-r%d-last_name`, inv.ID))),
		chromedp.SendKeys(css(fmt.Sprintf(`#f-r%d-last_name`, inv.ID)), "Byron"+kb.Enter),
		waitText(row, "Ada Byron"),
		waitText("#messages", "has been sent again"),
	)
	if text := get(t, b, "read the page", chromedp.Text(css("body"))); strings.Contains(text, "not found") {
		t.Errorf("the page says something was not found:\n%s", text)
	}
	url2 := get(t, b, "where", chromedp.Location())
	times := get(t, b, "read the row", chromedp.Text(css(row+" td.num")))
	if times != "2" || url1 != url2 {
		t.Errorf("after resend: times sent %q, page %s -> %s (want 2, in place)", times, url1, url2)
	}
	act(t, b, "cancel",
		waitHTMX(row+` form[action$="/cancel"] button`),
		chromedp.Click(css(row+` form[action$="/cancel"] button`)),
		waitText(row, "Canceled"),
		waitText("#messages", "has been canceled"),
	)
}

// A Company Administrator sees only their company's invitations and is not
// offered a choice of company.
func TestBrowserCompanyAdministrator(t *testing.T) {
	m, base := browserServer(t)
	ctx := asAdmin(t, m)
	var companies []*invite.Company
	for _, name := range []string{"Acme", "Bolt"} {
		c, err := m.svc.RegisterCompany(ctx, invite.CompanyInput{Name: name, Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
		if err != nil {
			t.Fatal(err)
		}
		companies = append(companies, c)
		in := inviteInput(c)
		in.Email = strings.ToLower(name) + ".person@example.com"
		if _, _, err := m.svc.Invite(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	in := inviteInput(companies[0])
	in.Email, in.AdminLevel = "boss@acme.example", invite.AdminCompany
	_, token, err := m.svc.Invite(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Accept(t.Context(), invite.AcceptInput{Token: token, Password: "a long and secret phrase", FirstName: "Bo", LastName: "Ss", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	login(t, b, base, "boss@acme.example", "a long and secret phrase")
	act(t, b, "open the invitations", chromedp.Navigate(base+"/admin/invitations"))
	table := get(t, b, "read the invitations", chromedp.Text(css("#invitations-table")))
	act(t, b, "open the invite form", chromedp.Navigate(base+"/admin/invitations/new"), chromedp.WaitVisible(css("#invite-form")))
	companyChoices := get(t, b, "count company choices", chromedp.Evaluate[int](`document.querySelectorAll("#f-company").length`))
	if !strings.Contains(table, "acme.person@example.com") || strings.Contains(table, "bolt.person@example.com") {
		t.Errorf("a Company Administrator of Acme sees:\n%s", table)
	}
	if companyChoices != 0 {
		t.Errorf("a Company Administrator is offered a choice of company")
	}
	// Enter in a field sends (found from outside: it pressed "Save" of
	// the e-mail).
	act(t, b, "invite by Enter",
		waitHTMX("#invite-form"),
		chromedp.SendKeys(css(`#f-first_name`), "Enid"),
		chromedp.SendKeys(css(`#f-last_name`), "Enter"),
		chromedp.SendKeys(css(`#f-email`), "enid@acme.example"),
		chromedp.SetValue(css(`#f-business_role`), fmt.Sprint(companies[0].BusinessRoles[0].ID)),
		chromedp.Click(css(fmt.Sprintf(`#g-%d`, companies[0].Subscriptions[0].ID))),
		through(chromedp.SendKeys(css(`#f-first_name`), kb.Enter)),
		waitText("#messages", "The invitation has been sent."),
		waitText("#invitations-table", "enid@acme.example"),
	)
}

// waitPath waits until the browser shows the page at path (and query,
// when path has one).
func waitPath(path string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(location.pathname + location.search).startsWith(%q) && document.readyState === "complete"`, path),
		chromedp.WithPollingTimeout(15*time.Second))
}

// A form that opens in place on a list is also a page of its own (a link
// opened in a new tab, a bookmark). There, with JavaScript, its answer is
// the list with the confirmation, as without JavaScript (found from
// outside: Resend answered with a row the page does not have, htmx showed
// nothing, and each further click sent the mail again).
func TestBrowserFormPages(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	ctx := asAdmin(t, m)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)

	id := d.pending[1] // Margaret Hamilton
	form := fmt.Sprintf("#invite-r%d-form", id)
	last := fmt.Sprintf("#f-r%d-last_name", id)
	timesSent := func() int {
		inv, err := m.svc.Invitation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return inv.TimesSent
	}
	act(t, b, "open the Resend page", openPage(fmt.Sprintf("%s/admin/invitations/%d/resend", base, id), form)...)
	act(t, b, "change the last name and click Resend Invitation",
		waitHTMX(form),
		chromedp.Clear(css(last)),
		chromedp.SendKeys(css(last), "Heafield"),
		through(chromedp.Click(css(form+` .actions button.primary`))),
		waitPath("/admin/invitations?done=resent"),
		waitText("#messages", "The invitation has been sent again."),
		waitText(fmt.Sprintf("#inv-%d", id), "Margaret Heafield"),
	)
	if n := timesSent(); n != 2 {
		t.Errorf("after one Resend Invitation on its page the invitation was sent %d times, want 2", n)
	}
	act(t, b, "open the Resend page again and press Enter in a field",
		chromedp.Steps(openPage(fmt.Sprintf("%s/admin/invitations/%d/resend", base, id), form)...),
		waitHTMX(form),
		through(chromedp.SendKeys(css(last), kb.Enter)),
		waitPath("/admin/invitations?done=resent"),
		waitText("#messages", "The invitation has been sent again."),
	)
	if n := timesSent(); n != 3 {
		t.Errorf("after Enter on the Resend page the invitation was sent %d times in all, want 3", n)
	}
	// Found from outside: three quick clicks sent it three times (twice
	// more than asked, where the bound on mails per address was off).
	act(t, b, "open the Resend page again and click three times at once",
		chromedp.Steps(openPage(fmt.Sprintf("%s/admin/invitations/%d/resend", base, id), form)...),
		waitHTMX(form),
		through(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const b = document.querySelector(%q); b.click(); b.click(); b.click(); })()`, form+` .actions button.primary`))),
		waitPath("/admin/invitations?done=resent"),
		waitText("#messages", "The invitation has been sent again."),
	)
	if n := timesSent(); n != 4 {
		t.Errorf("after three quick clicks on Resend Invitation the invitation was sent %d times in all, want 4", n)
	}

	// A user's editor on its own page: an error is shown at the form, once;
	// the saved user is confirmed on the list.
	uform := fmt.Sprintf("#user-u%d-form", d.member)
	edit := fmt.Sprintf("%s/admin/users/%d/edit", base, d.member)
	act(t, b, "open the editor's page", openPage(edit, uform)...)
	ticked := get(t, b, "find the ticked subscriptions", chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll("%s input[name=grant]:checked")].map(e => e.id)`, uform)))
	for _, box := range ticked {
		act(t, b, "untick #"+box, chromedp.Click(css("#"+box)))
	}
	act(t, b, "save with no subscription",
		waitHTMX(uform),
		markOld(uform),
		chromedp.Click(css(uform+` button.primary`)),
		replaced(uform),
		waitText(uform, "Please correct the marked fields."),
	)
	if p := pagePath(t, b); p != fmt.Sprintf("/admin/users/%d/edit", d.member) {
		t.Errorf("after the error the page is %s", p)
	}
	if n := get(t, b, "count the messages", chromedp.Evaluate[int](`document.body.innerText.split("Please correct the marked fields.").length - 1`)); n != 1 {
		t.Errorf("the editor's page says \"Please correct the marked fields.\" %d times, want once", n)
	}
	act(t, b, "tick one and save",
		chromedp.Click(css("#"+ticked[0])),
		through(chromedp.Click(css(uform+` button.primary`))),
		waitPath("/admin/users?done=user_saved"),
		waitText("#messages", "The user has been changed."),
	)
	if u, err := m.svc.User(ctx, d.member); err != nil || len(u.Grants) != 1 {
		t.Errorf("the saved user: %+v, %v; want one subscription", u, err)
	}
}

// An e-mail edited in English and a language changed to French: the form
// says at once that the e-mail is written for English, sends nothing in
// two languages, and loads the French e-mail on its button (found from
// outside: the mail went out with an English text and French roles, date
// and footer).
func TestBrowserMailInOneLanguage(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	ctx := asAdmin(t, m)
	acme, err := m.svc.Company(ctx, d.acme)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	const says = "This email is written for English, but the invitation is in Français"
	act(t, b, "open the invite form", openPage(fmt.Sprintf("%s/admin/invitations/new?company=%d", base, acme.ID), "#invite-form")...)
	act(t, b, "fill it in, edit the subject and choose French",
		fillInvitee("Marie", "Curie", "marie@example.com", acme.BusinessRoles[0].ID, acme.Subscriptions[0].ID, invite.RoleViewer),
		chromedp.Click(css(customizeEmail)),
		chromedp.SendKeys(css(`#f-mail_subject`), " (edited)"),
		markOld("#invite-form"),
		chromedp.SetValue(css(`#f-language`), "fr"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-language").dispatchEvent(new Event("change", {bubbles: true}))`),
		replaced("#invite-form"),
		waitText("#invite-form", says),
	)
	act(t, b, "send anyway",
		markOld("#invite-form"),
		chromedp.Click(css(sendButton)),
		replaced("#invite-form"),
		waitText("#invite-form", says),
	)
	if page, _ := m.svc.Invitations(ctx, invite.InvitationFilter{Email: "marie@example.com"}); len(page.Invitations) != 0 {
		t.Fatalf("an e-mail in two languages was sent")
	}
	// Found from outside: the preview showed that mail, in two languages.
	act(t, b, "the preview says why there is none",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-mail_body").dispatchEvent(new Event("input", {bubbles: true}))`),
		waitText("#invite-form .mail-preview", says),
	)
	if text := get(t, b, "read the preview", chromedp.TextContent(css("#invite-form .mail-preview"))); strings.Contains(text, "Lecteur") {
		t.Errorf("the preview shows French roles in an English mail:\n%s", text)
	}
	act(t, b, "load the French e-mail",
		markOld("#invite-form"),
		chromedp.Click(css(`#invite-form button[value="load-mail"]`)),
		replaced("#invite-form"),
		waitText("#messages", "The email for Français is loaded."),
	)
	if subject := value(t, b, "f-mail_subject"); subject != "{InviterName} vous invite à rejoindre {CompanyName}" {
		t.Errorf("after Load the email for Français the subject is %q", subject)
	}
	// Found from outside: the keyboard fell to the form's start and the
	// e-mail's panel closed on what was just loaded.
	if ok, desc := focusMatches(t, b, "details.customize[open] #f-mail_subject"); !ok {
		t.Errorf("after Load the email for Français the focus is on %s, want the subject in the open panel", desc)
	}
	act(t, b, "send",
		through(chromedp.Click(css(sendButton))),
		waitText("#messages", "The invitation has been sent."),
	)
	wantLanguage(t, invitationMail(t, ctx, m, invitationTo(t, ctx, m, "marie@example.com")), "fr", "Bonjour Marie,")
}

// Found from outside: Back, then Forward, brought the page of a join
// address just made out of the browser's back-forward cache, the address
// shown a second time. It is asked for again, and says it was shown.
func TestBrowserJoinAddressNotFromCache(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	open := fmt.Sprintf(`form[action="/admin/companies/%d/join/open"] button`, d.bolt)
	act(t, b, "make a join address",
		chromedp.Steps(openPage(base+"/admin/companies", open)...),
		through(chromedp.Click(css(open))),
		chromedp.WaitVisible(css("#join-address")),
	)
	act(t, b, "go back, then forward",
		through(chromedp.NavigateBack()),
		chromedp.WaitVisible(css(open)),
		through(chromedp.NavigateForward()),
		waitText("main", "The join address was shown once"),
	)
	if n := get(t, b, "count the address fields", chromedp.Evaluate[int](`document.querySelectorAll("#join-address").length`)); n != 0 {
		t.Errorf("the join address was shown again after Back and Forward")
	}
}
