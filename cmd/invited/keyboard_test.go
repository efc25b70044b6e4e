package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/invitehq/invite/invite"
)

// The invite form as a person meets it with the keyboard, with several
// forms open, after each htmx swap, and in every language.

// activeJS describes the focused element for a failure message.
const activeJS = `(() => {
	const e = document.activeElement;
	if (!e) return "nothing";
	if (e === document.body) return "<body>";
	const h = e.outerHTML;
	return h.slice(0, Math.min(h.indexOf(">") + 1, 200));
})()`

// active returns the focused element's id and a description of it.
func active(t *testing.T, ctx context.Context) (id, desc string) {
	t.Helper()
	id = get(t, ctx, "read the focused element's id", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	return id, get(t, ctx, "describe the focused element", chromedp.Evaluate[string](activeJS))
}

// focusMatches reports whether the focused element matches the CSS
// selector sel, and describes it.
func focusMatches(t *testing.T, ctx context.Context, sel string) (bool, string) {
	t.Helper()
	ok := get(t, ctx, "match the focused element", chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.activeElement; return !!e && e !== document.body && e.matches(%q); })()`, sel)))
	return ok, get(t, ctx, "describe the focused element", chromedp.Evaluate[string](activeJS))
}

// value returns the value of the form control with the given id.
func value(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	return get(t, ctx, "read #"+id, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.getElementById(%q); return e ? e.value : "<no #%s>"; })()`, id, id)))
}

// checked reports whether the checkbox with the given id is ticked.
func checked(t *testing.T, ctx context.Context, id string) bool {
	t.Helper()
	return get(t, ctx, "read #"+id, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.getElementById(%q); return !!e && e.checked; })()`, id)))
}

// press types keys as key presses, to whatever has the focus.
func press(t *testing.T, ctx context.Context, keys ...string) {
	t.Helper()
	for _, k := range keys {
		act(t, ctx, fmt.Sprintf("press %q", k), chromedp.KeyEvent(k))
	}
}

// tabTo presses Tab (Shift+Tab when back) until the element with the given
// id has the focus, failing if it is not reached within 30 presses.
func tabTo(t *testing.T, ctx context.Context, id string, back bool) {
	t.Helper()
	var opts []chromedp.KeyOption
	if back {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	var path []string
	for range 30 {
		act(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab, opts...))
		got, desc := active(t, ctx)
		if got == id {
			return
		}
		path = append(path, desc)
	}
	t.Fatalf("Tab (back: %v) does not reach #%s; it went through:\n    %s", back, id, strings.Join(path, "\n    "))
}

// markOld marks the element matched by sel, so that replaced can tell
// when htmx has put another in its place.
func markOld(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).dataset.old = "1"`, sel))
}

// replaced waits until the element matched by sel is a new one, and htmx
// is done with it.
func replaced(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && !e.dataset.old; })()`, sel),
			chromedp.WithPollingTimeout(15*time.Second)),
		htmxSettled(),
	)
}

// registerAcme registers a company with two subscriptions and two business
// roles.
func registerAcme(t *testing.T, m *Main) *invite.Company {
	t.Helper()
	c, err := m.svc.RegisterCompany(asAdmin(t, m), invite.CompanyInput{Name: "Acme Plant",
		Subscriptions: []string{"App Designer", "Data Stream Designer"},
		BusinessRoles: []string{"Plant Operator", "Maintenance Engineer"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setLanguage makes lang the Global Administrator's profile language: the
// language of every page they open next.
func setLanguage(t *testing.T, m *Main, lang string) {
	t.Helper()
	in := invite.ProfileInput{FirstName: "Root", LastName: "Admin", Language: lang, TimeZone: "UTC"}
	if _, err := m.svc.UpdateProfile(asAdmin(t, m), in); err != nil {
		t.Fatal(err)
	}
}

// Two Resend forms open at once are two forms: a language chosen in one
// refreshes that one only, its labels lead to its own fields, and Enter in
// it resends its own invitation.
func TestBrowserTwoResendForms(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	ada, margaret := d.pending[0], d.pending[1]
	row := func(id int64) string { return fmt.Sprintf("#inv-%d", id) }
	f := func(id int64, name string) string { return fmt.Sprintf("f-r%d-%s", id, name) }
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open the invitations", openPage(base+"/admin/invitations", row(ada))...)
	act(t, b, "open Resend for Ada", openInPlace(row(ada)+` a[href$="/resend"]`, row(ada)+`.editing form`)...)
	act(t, b, "open Resend for Margaret", openInPlace(row(margaret)+` a[href$="/resend"]`, row(margaret)+`.editing form`)...)

	act(t, b, "choose Deutsch in Margaret's form",
		chromedp.Focus(css("#"+f(margaret, "language"))),
		chromedp.KeyEvent(kb.ArrowDown), // English, then Deutsch
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value !== "en"`, f(margaret, "language")),
			chromedp.WithPollingTimeout(15*time.Second)),
		htmxSettled(),
	)
	if lang := value(t, b, f(margaret, "language")); lang != "de" {
		t.Fatalf("the language of Margaret's form is %q after ArrowDown, want de", lang)
	}
	if body := value(t, b, f(margaret, "mail_body")); !strings.Contains(body, "Hallo {FirstName}") || !strings.Contains(body, "eingeladen") {
		t.Errorf("Margaret's form, in Deutsch, has the message:\n%s", body)
	}
	adaForm := map[string]string{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "language": "en"}
	for name, want := range adaForm {
		if got := value(t, b, f(ada, name)); got != want {
			t.Errorf("after Margaret's form changed language, Ada's %s is %q, want %q", name, got, want)
		}
	}
	if body := value(t, b, f(ada, "mail_body")); !strings.Contains(body, "Hello {FirstName}") {
		t.Errorf("Ada's form, in English, has the message:\n%s", body)
	}

	act(t, b, "click the label of Margaret's last name",
		chromedp.Click(css(fmt.Sprintf(`label[for=%q]`, f(margaret, "last_name")))))
	if id, desc := active(t, b); id != f(margaret, "last_name") {
		t.Fatalf("clicking Margaret's Last Name label focuses %s, want #%s", desc, f(margaret, "last_name"))
	}
	act(t, b, "change the last name and press Enter",
		chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`),
		chromedp.KeyEvent("Hamilton-Byrne"+kb.Enter),
		waitText("#messages", "margaret.hamilton@apollo-guidance-computer.example has been sent again"),
		htmxSettled(),
	)
	ctx := asAdmin(t, m)
	for _, want := range []struct {
		id        int64
		last      string
		timesSent int
	}{{ada, "Lovelace", 1}, {margaret, "Hamilton-Byrne", 2}} {
		inv, err := m.svc.Invitation(ctx, want.id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.LastName != want.last || inv.TimesSent != want.timesSent {
			t.Errorf("invitation to %s: last name %q, sent %d times; want %q, %d", inv.Email, inv.LastName, inv.TimesSent, want.last, want.timesSent)
		}
	}
	if !get(t, b, "look for Ada's form", chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector("%s.editing #invite-r%d-form")`, row(ada), ada))) {
		t.Errorf("Ada's Resend form closed when Margaret's was sent")
	}
	for name, want := range adaForm {
		if got := value(t, b, f(ada, name)); got != want {
			t.Errorf("after Margaret's invitation was resent, Ada's %s is %q, want %q", name, got, want)
		}
	}
}

// A Global Administrator invites with key presses only; Enter with a
// required field empty takes them to it, and Enter again sends.
func TestBrowserKeyboardInvite(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	app := fmt.Sprintf("g-%d", c.Subscriptions[0].ID)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open the invite form",
		chromedp.Navigate(base+"/admin/invitations/new"),
		waitHTMX("#invite-form"),
		htmxSettled(),
		chromedp.Focus(css("#f-first_name")),
	)
	press(t, b, "Grace", kb.Tab, "Hopper")
	tabTo(t, b, "f-email", false) // left empty
	tabTo(t, b, "f-business_role", false)
	press(t, b, kb.ArrowDown)
	if got, want := value(t, b, "f-business_role"), fmt.Sprint(c.BusinessRoles[0].ID); got != want {
		t.Errorf("ArrowDown on the business role chose %q, want %q", got, want)
	}
	tabTo(t, b, "f-department", false)
	press(t, b, "Quality")
	tabTo(t, b, app, false)
	press(t, b, " ")
	if !checked(t, b, app) {
		t.Fatalf("Space did not tick the App Designer checkbox")
	}
	tabTo(t, b, "f-department", true)
	act(t, b, "press Enter with the e-mail empty",
		markOld("#invite-form"),
		chromedp.KeyEvent(kb.Enter),
		replaced("#invite-form"),
	)
	first := get(t, b, "find the first invalid field", chromedp.Evaluate[string](`(() => { const e = document.querySelector("#invite-form [aria-invalid=true]"); return e ? e.id : ""; })()`))
	if first != "f-email" {
		t.Errorf("the first field marked invalid is %q, want f-email", first)
	}
	if id, desc := active(t, b); first == "" || id != first {
		t.Errorf("after sending with errors the focus is on %s, want the first invalid field #%s", desc, first)
	}
	for id, want := range map[string]string{"f-first_name": "Grace", "f-last_name": "Hopper", "f-department": "Quality"} {
		if got := value(t, b, id); got != want {
			t.Errorf("the form came back with #%s %q, want %q", id, got, want)
		}
	}
	if !checked(t, b, app) {
		t.Errorf("the form came back with App Designer unticked")
	}
	if id, _ := active(t, b); id != "f-email" {
		act(t, b, "go to the e-mail", chromedp.Focus(css("#f-email"))) // reported above
	}
	act(t, b, "type the e-mail and press Enter",
		through(chromedp.KeyEvent("grace@example.com"+kb.Enter)),
		waitText("#messages", "The invitation has been sent."),
	)
	page, err := m.svc.Invitations(asAdmin(t, m), invite.InvitationFilter{Email: "grace@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Invitations) != 1 {
		t.Fatalf("%d invitations to grace@example.com, want 1", len(page.Invitations))
	}
	inv := page.Invitations[0]
	wantGrants := []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleViewer}}
	if inv.FirstName != "Grace" || inv.LastName != "Hopper" || inv.Department != "Quality" ||
		inv.BusinessRoleID != c.BusinessRoles[0].ID || !slices.Equal(inv.Grants, wantGrants) {
		t.Errorf("the invitation is %+v", inv)
	}
}

// After each swap the keyboard is where the person works next, never
// dropped to the start of the page.
func TestBrowserFocusAfterSwaps(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	ada, margaret := fmt.Sprintf("#inv-%d", d.pending[0]), fmt.Sprintf("#inv-%d", d.pending[1])
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open the invitations", openPage(base+"/admin/invitations", ada)...)

	// Resend opens an editor in the row: its heading, then its fields.
	act(t, b, "open Resend for Ada", openInPlace(ada+` a[href$="/resend"]`, ada+`.editing form`)...)
	if ok, desc := focusMatches(t, b, ada+`.editing h2[tabindex="-1"]`); !ok {
		t.Errorf("after Resend opened, the focus is on %s, want the editor's heading", desc)
	}
	press(t, b, kb.Tab)
	if ok, desc := focusMatches(t, b, ada+` form :is(input, select, textarea, button)`); !ok {
		t.Errorf("Tab from the editor's heading goes to %s, want a field of Ada's form", desc)
	}

	// Resent, the row comes back with the focus on its Resend.
	if ok, _ := focusMatches(t, b, ada+` form input[type=text]`); !ok {
		act(t, b, "go to a field", chromedp.Focus(css(fmt.Sprintf("#f-r%d-first_name", d.pending[0]))))
	}
	act(t, b, "resend by Enter",
		chromedp.KeyEvent(kb.Enter),
		waitText("#messages", "ada@example.com has been sent again"),
		chromedp.WaitReady(css(ada+`:not(.editing)`)),
		htmxSettled(),
	)
	if ok, desc := focusMatches(t, b, ada+` a[href$="/resend"]`); !ok {
		t.Errorf("after the resend, the focus is on %s, want the Resend link of Ada's row", desc)
	}

	// Canceled, the row keeps the focus.
	act(t, b, "cancel Margaret's invitation",
		waitHTMX(margaret+` form[action$="/cancel"] button`),
		chromedp.Click(css(margaret+` form[action$="/cancel"] button`)),
		waitText(margaret, "Canceled"),
		htmxSettled(),
	)
	if ok, desc := focusMatches(t, b, fmt.Sprintf(`%s, %s *`, margaret, margaret)); !ok {
		t.Errorf("after the cancel, the focus is on %s, want Margaret's row or inside it", desc)
	}

	// Another language refreshes the form; the choice keeps the focus.
	act(t, b, "open the invite form",
		chromedp.Navigate(base+"/admin/invitations/new"),
		waitHTMX("#invite-form"),
		htmxSettled(),
	)
	act(t, b, "choose another language",
		markOld("#invite-form"),
		chromedp.Focus(css("#f-language")),
		chromedp.KeyEvent(kb.ArrowDown),
		replaced("#invite-form"),
	)
	if lang, body := value(t, b, "f-language"), value(t, b, "f-mail_body"); lang != "de" || !strings.Contains(body, "Hallo") {
		t.Errorf("after ArrowDown the form has language %q and the message:\n%s", lang, body)
	}
	if id, desc := active(t, b); id != "f-language" {
		t.Errorf("after the form was refreshed, the focus is on %s, want #f-language", desc)
	}
}

// A user's editor sent back with an error keeps what was chosen and takes
// the keyboard to the error; nothing is saved.
func TestBrowserUserEditorKeepsInput(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	ctx := asAdmin(t, m)
	before, err := m.svc.User(ctx, d.member)
	if err != nil {
		t.Fatal(err)
	}
	row, form := fmt.Sprintf("#user-%d", d.member), fmt.Sprintf("#user-u%d-form", d.member)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open the users", openPage(base+"/admin/users", row)...)
	act(t, b, "open the editor", openInPlace(row+` a[href$="/edit"]`, row+`.editing form`)...)
	ticked := get(t, b, "find the ticked subscriptions", chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll("%s input[name=grant]:checked")].map(e => e.id)`, form)))
	if len(ticked) != len(before.Grants) || len(ticked) == 0 {
		t.Fatalf("the editor ticks %v; the user has %v", ticked, before.Grants)
	}
	for _, id := range ticked {
		act(t, b, "untick #"+id, chromedp.Click(css("#"+id)))
	}
	// A role chosen for a subscription left unticked comes back as chosen
	// (found from outside: Administrator came back as Viewer).
	roleSelect := fmt.Sprintf("r-u%d-%d", d.member, before.Grants[0].SubscriptionID)
	role := "administrator"
	if value(t, b, roleSelect) == role {
		role = "viewer"
	}
	act(t, b, "choose "+role+" for the first subscription", chromedp.SetValue(css("#"+roleSelect), role))
	act(t, b, "save",
		markOld(form),
		chromedp.Click(css(form+` button.primary`)),
		replaced(form),
	)
	if got := value(t, b, roleSelect); got != role {
		t.Errorf("after the error the role of the unticked subscription is %q, it was sent as %q", got, role)
	}
	// Said once, at the form (found from outside: the page's messages said
	// it too, and it was announced twice).
	if n := get(t, b, "count the problem", chromedp.Evaluate[int](`document.body.innerText.split("Please correct the marked fields.").length - 1`)); n != 1 {
		t.Errorf("\"Please correct the marked fields.\" is on the page %d times, want once", n)
	}
	grantsError := get(t, b, "read the error", chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector("%s fieldset.grants .error"); return e ? e.textContent : ""; })()`, form)))
	if !strings.Contains(grantsError, "required") {
		t.Errorf("the subscriptions' error is %q, want that one is required", grantsError)
	}
	still := get(t, b, "find the ticked subscriptions", chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll("%s input[name=grant]:checked")].map(e => e.id)`, form)))
	if len(still) != 0 {
		t.Errorf("the editor came back with %v ticked again; they were unticked", still)
	}
	if ok, desc := focusMatches(t, b, fmt.Sprintf(`%s [aria-invalid=true], %s fieldset.grants.invalid *`, form, form)); !ok {
		marks := get(t, b, "list what is marked", chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll("%s [aria-invalid], %s .invalid")].map(e => e.outerHTML.slice(0, e.outerHTML.indexOf(">") + 1))`, form, form)))
		t.Errorf("after the error the focus is on %s, want a field marked invalid or the subscriptions; marked:\n    %s", desc, strings.Join(marks, "\n    "))
	}
	after, err := m.svc.User(ctx, d.member)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after.Grants, before.Grants) {
		t.Errorf("the user's grants are %v, were %v", after.Grants, before.Grants)
	}
}

// A Company Administrator is offered only the roles they may grant, and a
// forged one is refused at its subscription, with nothing stored.
func TestBrowserGrantableRoles(t *testing.T) {
	m, base := browserServer(t)
	ctx := asAdmin(t, m)
	c := registerAcme(t, m)
	// a11ySetup's Company Administrator holds Viewer and Administrator;
	// this one holds Contributor, between the two.
	app := c.Subscriptions[0].ID
	in := inviteInput(c)
	in.Email, in.AdminLevel = "lead@acme.example", invite.AdminCompany
	in.Grants = []invite.Grant{{SubscriptionID: app, Role: invite.RoleContributor}}
	_, token, err := m.svc.Invite(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Accept(t.Context(), invite.AcceptInput{Token: token, Password: bossPassword, FirstName: "Lea", LastName: "Lead", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	role, grant := fmt.Sprintf("r-%d", app), fmt.Sprintf("g-%d", app)
	b := newBrowser(t)
	login(t, b, base, "lead@acme.example", bossPassword)
	act(t, b, "open the invite form", chromedp.Navigate(base+"/admin/invitations/new"), waitHTMX("#invite-form"), htmxSettled())
	offered := get(t, b, "read the roles offered", chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll("#%s option")].map(o => o.value)`, role)))
	if want := []string{"viewer", "contributor"}; !slices.Equal(offered, want) {
		t.Errorf("App Designer offers the roles %v, want %v", offered, want)
	}

	act(t, b, "forge Administrator and send",
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			const s = document.getElementById(%q);
			s.add(new Option("Administrator", "administrator"));
			s.value = "administrator";
		})()`, role)),
		chromedp.Click(css("#"+grant)),
		chromedp.SendKeys(css("#f-first_name"), "Mallory"),
		chromedp.SendKeys(css("#f-last_name"), "Forger"),
		chromedp.SendKeys(css("#f-email"), "mallory@example.com"),
		chromedp.SetValue(css("#f-business_role"), fmt.Sprint(c.BusinessRoles[0].ID)),
		markOld("#invite-form"),
		chromedp.Click(css(`#invite-form button.primary[value=send]`)),
		replaced("#invite-form"),
	)
	problem := get(t, b, "read the problem", chromedp.Evaluate[string](`(() => { const e = document.querySelector("#invite-form .problem, #messages .problem"); return e ? e.textContent.trim() : ""; })()`))
	if problem == "" {
		t.Errorf("the page does not say what is wrong")
	}
	// The marked control, and the text it is described by, in its row.
	marked := get(t, b, "read the marked control", chromedp.Evaluate[[]string](fmt.Sprintf(`(() => {
		const c = document.querySelector("#%s[aria-invalid=true], #%s[aria-invalid=true]");
		if (!c) return [];
		const e = document.getElementById(c.getAttribute("aria-describedby") || "");
		const near = !!e && e.closest("tr") === c.closest("tr");
		return [c.id, near ? e.textContent.trim() : ""];
	})()`, role, grant)))
	if len(marked) != 2 || marked[1] == "" {
		body := get(t, b, "read the form", chromedp.Evaluate[string](`document.querySelector("#invite-form").outerHTML`))
		t.Errorf("neither #%s nor #%s is marked invalid with an error text next to it (got %q); the form:\n%s", role, grant, marked, body)
	} else if !strings.Contains(marked[1], "above your own") {
		t.Errorf("#%s is described by %q, want that the role is above the administrator's own", marked[0], marked[1])
	}
	page, err := m.svc.Invitations(ctx, invite.InvitationFilter{Email: "mallory@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Invitations) != 0 {
		t.Errorf("the forged invitation was stored: %+v", page.Invitations[0])
	}
}

// The preview follows the form as it is typed, and lists only the e-mail's
// own errors, named in the reader's language.
func TestBrowserPreviewFollowsForm(t *testing.T) {
	m, base := browserServer(t)
	registerAcme(t, m)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	for _, lang := range invite.Languages() {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, m, lang)
			act(t, b, "open the invite form",
				chromedp.Navigate(base+"/admin/invitations/new"),
				waitHTMX("#invite-form"),
				htmxSettled(),
				chromedp.Click(css(`details.customize summary`)),
				chromedp.WaitVisible(css(`#f-mail_body`)),
			)
			if got := get(t, b, "read the page's language", chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Fatalf("the page is in %q, want %q", got, lang)
			}
			act(t, b, "type a first name",
				chromedp.SendKeys(css("#f-first_name"), "Grace"),
				chromedp.Poll[chromedp.Void](`document.querySelector("#mail-preview").textContent.includes("Grace")`,
					chromedp.WithPollingTimeout(15*time.Second)),
			)
			if text := get(t, b, "read the preview", chromedp.Evaluate[string](`document.querySelector("#mail-preview").textContent`)); strings.Contains(text, "Alex") {
				t.Errorf("the preview still shows the sample name Alex:\n%s", text)
			}
			act(t, b, "break the subject and the e-mail address",
				chromedp.SendKeys(css("#f-mail_subject"), " {Nope}"),
				chromedp.SendKeys(css("#f-email"), "not-an-address"),
				chromedp.Poll[chromedp.Void](`(() => { const p = document.querySelector("#mail-preview .problem"); return !!p && p.textContent.includes("Nope"); })()`,
					chromedp.WithPollingTimeout(15*time.Second)),
				htmxSettled(),
			)
			items := get(t, b, "read the preview's errors", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#mail-preview .problem li")].map(li => li.textContent.trim())`))
			emailLabel := get(t, b, "read the e-mail label", chromedp.Evaluate[string](`document.querySelector("label[for=f-email]").firstChild.textContent.trim()`))
			list := strings.Join(items, "\n")
			if len(items) != 1 || strings.Contains(list, "label_") || strings.Contains(list, emailLabel) {
				t.Errorf("the preview lists, want the subject's error only (not %q):\n%s", emailLabel, list)
			}
		})
	}
}

// A placeholder button inserts at the caret the Message was left with, or
// at its end when it was never used.
func TestBrowserPlaceholderAtCaret(t *testing.T) {
	m, base := browserServer(t)
	registerAcme(t, m)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	const name = "{CompanyName}"
	button := fmt.Sprintf(`#invite-form button[data-insert=%q]`, name)
	open := chromedp.Steps(
		chromedp.Navigate(base+"/admin/invitations/new"),
		waitHTMX("#invite-form"),
		htmxSettled(),
		chromedp.Click(css(`details.customize summary`)),
		chromedp.WaitVisible(css(`#f-mail_body`)),
	)

	act(t, b, "open the invite form", open, chromedp.Click(css("#f-mail_body")))
	before := value(t, b, "f-mail_body")
	at := get(t, b, "set the caret after the first line", chromedp.Evaluate[int](`(() => {
		const f = document.getElementById("f-mail_body"), at = f.value.indexOf("\n");
		f.setSelectionRange(at, at);
		return at;
	})()`))
	if at <= 0 {
		t.Fatalf("the message has no second line:\n%s", before)
	}
	press(t, b, kb.Tab)
	if id, desc := active(t, b); id == "f-mail_body" {
		t.Fatalf("Tab left the focus on %s", desc)
	}
	act(t, b, "click "+name, chromedp.Click(css(button)))
	if got, want := value(t, b, "f-mail_body"), insertAt(before, at, name); got != want {
		t.Errorf("%s inserted at the caret after the first line:\ngot:\n%s\nwant:\n%s", name, got, want)
	}

	act(t, b, "open the invite form again", open)
	before = value(t, b, "f-mail_body")
	act(t, b, "click "+name, chromedp.Click(css(button)))
	if got, want := value(t, b, "f-mail_body"), before+name; got != want {
		t.Errorf("%s in a message never used:\ngot:\n%s\nwant it at the end:\n%s", name, got, want)
	}
}

// insertAt inserts s into text at the UTF-16 offset at, as a textarea
// counts.
func insertAt(text string, at int, s string) string {
	u := utf16.Encode([]rune(text))
	return string(utf16.Decode(u[:at])) + s + string(utf16.Decode(u[at:]))
}

// The lists are no wider than the screen in any language, on a desktop and
// on a phone.
func TestBrowserListsFitAllLanguages(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	lists := []struct{ path, sel string }{
		{"/admin/invitations", fmt.Sprintf("#inv-%d", d.pending[0])},
		{"/admin/users", fmt.Sprintf("#user-%d", d.member)},
	}
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			b := newBrowser(t)
			vp.use(t, b, base+"/login")
			login(t, b, base, "admin@example.com", adminPassword)
			for _, lang := range invite.Languages() {
				setLanguage(t, m, lang)
				for _, l := range lists {
					what := fmt.Sprintf("%s in %s", l.path, lang)
					act(t, b, "open "+what, openPage(base+l.path, l.sel)...)
					if got := get(t, b, "read the page's language", chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
						t.Fatalf("%s: the page is in %q", what, got)
					}
					checkNoOverflow(t, b, what)
				}
			}
		})
	}
}
