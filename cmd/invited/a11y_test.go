package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/invitehq/invite/invite"
)

const bossPassword = "the company is mine"

// a11yData is what TestBrowserAccessibility shows, made through the
// service: two companies, invitations in several states, a member, a
// Company Administrator and a request to join.
type a11yData struct {
	acme      int64
	bolt      int64    // a second company, whose join address the test makes
	pending   [2]int64 // pending invitations to Acme, to resend
	member    int64    // grace@example.com, a user of Acme
	joinToken string   // a pending invitation's token
	joinPage  string   // Acme's join page, open
	long      int64    // a pending invitation to a company of long words
	longToken string
	batch     int64 // a checked batch of invitations to Acme, one row refused
	webhook   int64 // a webhook of Acme, with a long URL
}

// a11ySetup makes a11yData.
func a11ySetup(t *testing.T, m *Main) a11yData {
	t.Helper()
	ctx := asAdmin(t, m)
	var companies []*invite.Company
	for _, name := range []string{"Acme Plant", "Bolt Works"} {
		c, err := m.svc.RegisterCompany(ctx, invite.CompanyInput{Name: name,
			Subscriptions: []string{"App Designer", "Data Stream Designer"},
			BusinessRoles: []string{"Plant Operator", "Maintenance Engineer"}})
		if err != nil {
			t.Fatal(err)
		}
		companies = append(companies, c)
	}
	acme, bolt := companies[0], companies[1]
	// Words as long as German ones get (found from outside: they widened
	// pages on a phone).
	long, err := m.svc.RegisterCompany(ctx, invite.CompanyInput{Name: "Versicherungsvermittlungsgesellschaft",
		Subscriptions: []string{"Kundenbeziehungsmanagement"}, BusinessRoles: []string{"Schadensregulierungssachbearbeiterin"}})
	if err != nil {
		t.Fatal(err)
	}
	inv := func(c *invite.Company, first, last, email string, level invite.AdminLevel) (*invite.Invitation, string) {
		t.Helper()
		in := inviteInput(c)
		in.FirstName, in.LastName, in.Email, in.AdminLevel = first, last, email, level
		in.Grants = append(in.Grants, invite.Grant{SubscriptionID: c.Subscriptions[1].ID, Role: invite.RoleAdministrator})
		i, token, err := m.svc.Invite(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return i, token
	}
	accept := func(token, first, last, password string) *invite.User {
		t.Helper()
		u, err := m.svc.Accept(t.Context(), invite.AcceptInput{Token: token, Password: password, FirstName: first, LastName: last, AcceptTerms: true})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	var d a11yData
	d.acme = acme.ID
	ada, token := inv(acme, "Ada", "Lovelace", "ada@example.com", "")
	// A long address, as some people have.
	margaret, _ := inv(acme, "Margaret", "Hamilton", "margaret.hamilton@apollo-guidance-computer.example", "")
	d.pending, d.joinToken = [2]int64{ada.ID, margaret.ID}, token
	inv(bolt, "Alan", "Turing", "alan@example.com", "")
	longInv, longToken, err := m.svc.Invite(ctx, invite.InvitationInput{CompanyID: long.ID, Email: "hildegard.von.bingen-klosterverwaltung@versicherungsvermittlungsgesellschaft.example",
		FirstName: "Hildegard", LastName: "Bingen", BusinessRoleID: long.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: long.Subscriptions[0].ID, Role: invite.RoleContributor}}})
	if err != nil {
		t.Fatal(err)
	}
	d.long, d.longToken = longInv.ID, longToken
	edsger, _ := inv(bolt, "Edsger", "Dijkstra", "edsger@example.com", "")
	if _, err := m.svc.Cancel(ctx, edsger.ID); err != nil {
		t.Fatal(err)
	}
	_, token = inv(acme, "Grace", "Hopper", "grace@example.com", "")
	d.member = accept(token, "Grace", "Hopper", memberPassword).ID
	_, token = inv(acme, "Bo", "Ss", "boss@acme.example", invite.AdminCompany)
	accept(token, "Bo", "Ss", bossPassword)
	// App Designer has seats: the forms and the Users page tell their use.
	if err := m.svc.SetSeats(ctx, acme.ID, acme.Subscriptions[0].ID, 50); err != nil {
		t.Fatal(err)
	}

	link, err := m.svc.OpenJoinPage(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.joinPage, d.bolt = link, bolt.ID
	if err := m.svc.RequestToJoin(t.Context(), link[strings.LastIndex(link, "/")+1:], invite.JoinRequestInput{Email: "hedy@example.com", FirstName: "Hedy", LastName: "Lamarr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.ProcessJoinRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	rows := []invite.InvitationInput{inviteInput(acme), inviteInput(acme), inviteInput(acme)}
	rows[0].Email, rows[1].Email, rows[2].Email = "katherine.johnson@example.com", "dorothy@example.com", "not an address"
	b, err := m.svc.PrepareBatch(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	d.batch = b.ID
	hook, err := m.svc.CreateWebhook(ctx, invite.WebhookInput{CompanyID: acme.ID,
		URL:   "https://integration-gateway.versicherungsvermittlungsgesellschaft.example/webhooks/invite/events?tenant=acme-plant&signature-version=v1",
		Kinds: []invite.EventKind{invite.EventInvitationCreated, invite.EventInvitationAccepted, invite.EventUserDeleted}})
	if err != nil {
		t.Fatal(err)
	}
	d.webhook = hook.ID
	return d
}

// a11yPage is one page, or one state of a page, and the steps that show it.
type a11yPage struct {
	name  string
	steps []chromedp.Action[chromedp.Void]
}

// openPage opens url and waits for sel and for htmx to be done.
func openPage(url, sel string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{chromedp.Navigate(url), chromedp.WaitVisible(css(sel)), htmxSettled()}
}

// openInPlace clicks the link matched by link, once htmx has it, and waits
// for what it opens.
func openInPlace(link, opened string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{waitHTMX(link), chromedp.Click(css(link)), chromedp.WaitVisible(css(opened)), htmxSettled()}
}

// forgetSession leaves the page and drops the browser's cookies: whoever
// was logged in is no longer.
var forgetSession = chromedp.Steps(
	chromedp.Navigate("about:blank"),
	chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}),
)

// Every page, in the states a person meets, passes axe-core without a
// serious or critical violation and has no duplicate id, on a desktop and
// on a phone, where nothing may be wider than the screen either.
func TestBrowserAccessibility(t *testing.T) {
	m, base := browserServerWith(t, func(cfg *Config) {
		// Many log-ins from one address; the bound has tests of its own.
		cfg.AttemptsPerMinute = 0
	})
	d := a11ySetup(t, m)
	paths := invite.DefaultPaths()
	badToken := strings.Repeat("A", 43)
	row := func(id int64) string { return fmt.Sprintf("#inv-%d", id) }
	user := fmt.Sprintf("#user-%d", d.member)
	// Forms are found by where they post, which their ids may not tell.
	const (
		inviteForm = `main form[method=post][action="/admin/invitations"]`
		loginForm  = `main form[action="/login"]`
		forgotForm = `main form[action="/forgot"]`
	)
	joinForm := fmt.Sprintf(`main form[action^=%q]`, paths.AcceptInvitation)

	roles := []struct {
		name, email, password string // no email: logged out
		pages                 []a11yPage
	}{
		{"Global Administrator", "admin@example.com", adminPassword, []a11yPage{
			{"invitations", openPage(base+"/admin/invitations", row(d.pending[0]))},
			{"invitations, Resend open in place", openInPlace(row(d.pending[0])+` a[href$="/resend"]`, row(d.pending[0])+`.editing form`)},
			{"invitations, two Resend open in place", openInPlace(row(d.pending[1])+` a[href$="/resend"]`, row(d.pending[1])+`.editing form`)},
			{"resend page", openPage(fmt.Sprintf("%s/admin/invitations/%d/resend", base, d.pending[0]), `main form[action$="/resend"]`)},
			{"resend page, long words", openPage(fmt.Sprintf("%s/admin/invitations/%d/resend", base, d.long), `main form[action$="/resend"]`)},
			{"cancel page, long words", openPage(fmt.Sprintf("%s/admin/invitations/%d/cancel", base, d.long), "main form")},
			{"cancel page", openPage(fmt.Sprintf("%s/admin/invitations/%d/cancel", base, d.pending[0]), "main form")},
			{"invite form", openPage(base+"/admin/invitations/new", inviteForm)},
			{"invite form, Customize Email open", []chromedp.Action[chromedp.Void]{
				chromedp.Click(css(inviteForm + ` details summary`)),
				chromedp.WaitVisible(css(inviteForm + ` details[open] textarea`)),
				htmxSettled(),
			}},
			{"invite form sent empty", append(openPage(base+"/admin/invitations/new", inviteForm),
				waitHTMX(inviteForm),
				chromedp.Click(css(inviteForm+` button.primary[value="send"]`)),
				chromedp.WaitVisible(css(inviteForm+` [aria-invalid="true"]`)),
				htmxSettled(),
			)},
			{"Invite Users form", openPage(base+"/admin/invitations/bulk", "#bulk-form")},
			{"Invite Users form sent empty", append(openPage(base+"/admin/invitations/bulk", "#bulk-form"),
				waitHTMX("#bulk-form"),
				chromedp.Click(css("#bulk-check")),
				chromedp.WaitVisible(css(`#bulk-form [aria-invalid="true"]`)),
				htmxSettled(),
			)},
			{"Invite Users, the dry run", openPage(fmt.Sprintf("%s/admin/invitations/bulk/%d", base, d.batch), "#bulk-send")},
			{"users", openPage(base+"/admin/users", user)},
			{"users, edit open in place", openInPlace(user+` a[href$="/edit"]`, user+`.editing form`)},
			{"user edit page", openPage(fmt.Sprintf("%s/admin/users/%d/edit", base, d.member), "main form")},
			{"user disable page", openPage(fmt.Sprintf("%s/admin/users/%d/disable", base, d.member), "main form")},
			{"companies", openPage(base+"/admin/companies", `main form[action="/admin/companies"]`)},
			{"company e-mail template", openPage(fmt.Sprintf("%s/admin/companies/%d/templates/en", base, d.acme), "main form")},
			{"company seats", openPage(fmt.Sprintf("%s/admin/companies/%d/seats", base, d.acme), `main form input[type=number]`)},
			{"join address, made", append(openPage(base+"/admin/companies", `main form[action="/admin/companies"]`),
				through(chromedp.Click(css(fmt.Sprintf(`form[action="/admin/companies/%d/join/open"] button`, d.bolt)))),
				chromedp.WaitVisible(css("#join-address")),
				htmxSettled(),
			)},
			// A reload shows it no more, and makes no other.
			{"join address, shown once", []chromedp.Action[chromedp.Void]{
				through(chromedp.Reload()),
				chromedp.WaitVisible(css(fmt.Sprintf(`main form[action="/admin/companies/%d/join/open"]`, d.bolt))),
				htmxSettled(),
			}},
			{"webhooks", openPage(fmt.Sprintf("%s/admin/companies/%d/webhooks", base, d.acme), "#webhook-form")},
			{"webhooks sent empty", append(openPage(fmt.Sprintf("%s/admin/companies/%d/webhooks", base, d.acme), "#webhook-form"),
				through(chromedp.Click(css("#webhook-form button.primary"))),
				chromedp.WaitVisible(css(`#webhook-form [aria-invalid="true"]`)),
				htmxSettled(),
			)},
			{"webhooks, one added with its secret", append(openPage(fmt.Sprintf("%s/admin/companies/%d/webhooks", base, d.acme), "#webhook-form"),
				chromedp.SendKeys(css("#f-url"), "https://hooks.example.com/a-rather-long-path/that/goes/on/and/on?with=query&and=more"),
				chromedp.Click(css(`#webhook-form input[value="mail.failed"]`)),
				through(chromedp.Click(css("#webhook-form button.primary"))),
				chromedp.WaitVisible(css("#webhook-secret")),
				htmxSettled(),
			)},
			{"webhook delete page", openPage(fmt.Sprintf("%s/admin/webhooks/%d/delete", base, d.webhook), "main form")},
			{"sent mail", openPage(base+"/admin/mail", `a[href^="/admin/mail/"]`)},
			{"a sent mail", []chromedp.Action[chromedp.Void]{through(chromedp.Click(css(`a[href^="/admin/mail/"]`))), htmxSettled()}},
			{"an invitation's page", openPage(fmt.Sprintf("%s/admin/invitations/%d", base, d.pending[0]), "#timeline")},
			{"an invitation's page, long words", openPage(fmt.Sprintf("%s/admin/invitations/%d", base, d.long), "#timeline")},
			{"a user's history", openPage(fmt.Sprintf("%s/admin/users/%d/history", base, d.member), "#timeline")},
			{"history", openPage(base+"/admin/events", `main form[action="/admin/events"]`)},
			{"history, listed", openPage(base+"/admin/events?show=1", `main form[action="/admin/events"]`)},
			{"history, a date that is none", openPage(base+"/admin/events?show=1&from=yesterday&kind=nope", `main [aria-invalid="true"]`)},
			{"profile", openPage(base+"/profile", `main form[action="/profile"]`)},
			{"change password", openPage(base+"/profile/password", `main form[action="/profile/password"]`)},
			// An API token made: its secret, shown once, and the list.
			{"profile, an API token made", append(openPage(base+"/profile", "#token-form"),
				chromedp.SendKeys(css(`#token-form input[name=name]`), "Personalabteilung, Lohnbuchhaltung und Zeiterfassung"),
				through(chromedp.Click(css(`#token-form button[type=submit]`))),
				chromedp.WaitVisible(css("#api-token-secret")),
				htmxSettled(),
			)},
			{"profile, API token name missing", append(openPage(base+"/profile", "#token-form"),
				through(chromedp.Click(css(`#token-form button[type=submit]`))),
				chromedp.WaitVisible(css(`#token-form [aria-invalid="true"]`)),
				htmxSettled(),
			)},
			{"API token revoke page", append(openPage(base+"/profile", "#api-tokens-table"),
				through(chromedp.Click(css(`#api-tokens-table a[href$="/revoke"]`))),
				chromedp.WaitVisible(css(`main form[action$="/revoke"]`)),
				htmxSettled(),
			)},
			{"home", openPage(base+"/home", "main h1")},
			// Found from outside: the skip link, shown when focused, had
			// 4.06:1 (axe leaves out what is off the screen).
			{"home, skip link focused", []chromedp.Action[chromedp.Void]{chromedp.Focus(css("a.skip")), htmxSettled()}},
		}},
		{"Company Administrator", "boss@acme.example", bossPassword, []a11yPage{
			{"invitations", openPage(base+"/admin/invitations", row(d.pending[0]))},
			{"invitations, Resend open in place", openInPlace(row(d.pending[0])+` a[href$="/resend"]`, row(d.pending[0])+`.editing form`)},
			{"invite form", openPage(base+"/admin/invitations/new", inviteForm)},
			{"Invite Users form", openPage(base+"/admin/invitations/bulk", "#bulk-form")},
			{"users with a request to join", openPage(base+"/admin/users", user)},
			{"seats", openPage(fmt.Sprintf("%s/admin/companies/%d/seats", base, d.acme), "main table.seats")},
			{"webhooks", openPage(fmt.Sprintf("%s/admin/companies/%d/webhooks", base, d.acme), "#webhook-form")},
			{"sent mail", openPage(base+"/admin/mail", "main h1")},
			{"an invitation's page", openPage(fmt.Sprintf("%s/admin/invitations/%d", base, d.pending[0]), "#timeline")},
			{"history, listed", openPage(base+"/admin/events?show=1", `main form[action="/admin/events"]`)},
			{"home", openPage(base+"/home", "main h1")},
		}},
		{"member", "grace@example.com", memberPassword, []a11yPage{
			{"home", openPage(base+"/home", "main h1")},
			{"profile", openPage(base+"/profile", `main form[action="/profile"]`)},
		}},
		{"logged out", "", "", []a11yPage{
			{"log-in page", openPage(base+"/login", loginForm)},
			{"log-in page after a wrong password", append(openPage(base+"/login", loginForm),
				chromedp.SendKeys(css(loginForm+` input[name=email]`), "nobody@example.com"),
				chromedp.SendKeys(css(loginForm+` input[name=password]`), "not the password"),
				waitHTMX(loginForm),
				chromedp.Click(css(loginForm+` button[type=submit]`)),
				chromedp.WaitVisible(css(`main .problem`)),
				htmxSettled(),
			)},
			{"forgotten password", openPage(base+"/forgot", forgotForm)},
			{"forgotten password, sent", append(openPage(base+"/forgot", forgotForm),
				chromedp.SendKeys(css(forgotForm+` input[name=email]`), "nobody@example.com"),
				waitHTMX(forgotForm),
				chromedp.Click(css(forgotForm+` button[type=submit]`)),
				chromedp.WaitVisible(css(`main .flash`)),
				htmxSettled(),
			)},
			{"invitation", openPage(base+paths.AcceptInvitation+d.joinToken, joinForm)},
			{"invitation, long words", openPage(base+paths.AcceptInvitation+d.longToken, joinForm)},
			{"invitation sent empty", append(openPage(base+paths.AcceptInvitation+d.joinToken, joinForm),
				waitHTMX(joinForm),
				chromedp.Click(css(joinForm+` button[type=submit]`)),
				chromedp.WaitVisible(css(joinForm+` [aria-invalid="true"]`)),
				htmxSettled(),
			)},
			{"invitation link not valid", openPage(base+paths.AcceptInvitation+badToken, "main h1")},
			{"request to join", openPage(d.joinPage, "main form")},
			{"password reset link not valid", openPage(base+paths.ResetPassword+badToken, "main h1")},
			{"access not started yet, just registered", openPage(fmt.Sprintf("%s/login/not-yet?at=%d&zone=Europe/Berlin&welcome=1", base, time.Now().AddDate(0, 1, 0).Unix()), "main h1")},
		}},
	}

	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			b := newBrowser(t)
			vp.use(t, b, base+"/login")
			for _, role := range roles {
				act(t, b, "forget the session", forgetSession)
				if role.email != "" {
					login(t, b, base, role.email, role.password)
				}
				for _, p := range role.pages {
					what := role.name + ", " + p.name
					act(t, b, what, p.steps...)
					checkA11y(t, b, what)
					if vp.phone {
						checkNoOverflow(t, b, what)
					}
				}
			}
		})
	}
}
