package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/invitehq/invite/invite"
)

// Invite presets as a person meets them (issue 13): made on the Presets
// page with the keyboard, chosen on the invite form (which fills itself,
// keeping what was typed), deleted after a confirmation; the same without
// JavaScript, with the Apply preset button; and every page at 375 px.

// TestBrowserPresetsKeyboard makes a preset with the keyboard alone, as a
// Company Administrator, chooses it on the invite form with an arrow key
// and deletes it.
func TestBrowserPresetsKeyboard(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	sub0 := c.Subscriptions[0].ID
	in := inviteInput(c)
	in.Email, in.AdminLevel = "boss@acme.example", invite.AdminCompany
	in.Grants = []invite.Grant{{SubscriptionID: sub0, Role: invite.RoleAdministrator}, {SubscriptionID: c.Subscriptions[1].ID, Role: invite.RoleAdministrator}}
	_, token, err := m.svc.Invite(asAdmin(t, m), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Accept(t.Context(), invite.AcceptInput{Token: token, Password: adminPassword, FirstName: "Bo", LastName: "Ss", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	login(t, b, base, "boss@acme.example", adminPassword)

	act(t, b, "open Presets from the navigation",
		chromedp.Navigate(base+"/home"),
		through(chromedp.Click(css(`nav a[href="/admin/presets"]`))),
		waitText("main", "This company has no presets yet."),
		through(chromedp.Click(css(`main a[href^="/admin/presets/new"]`))),
		chromedp.WaitVisible(css("#preset-form")),
		waitHTMX("#preset-form"),
		htmxSettled(),
		chromedp.Focus(css("#f-name")),
	)
	press(t, b, "Plant Operator")
	tabTo(t, b, "f-business_role", false)
	press(t, b, kb.ArrowDown)
	tabTo(t, b, "f-department", false)
	press(t, b, "Production")
	tabTo(t, b, "f-language", false)
	press(t, b, "F") // Français
	tabTo(t, b, fmt.Sprintf("g-%d", sub0), false)
	press(t, b, " ")
	tabTo(t, b, fmt.Sprintf("r-%d", sub0), false)
	press(t, b, "C") // Contributor
	tabTo(t, b, "f-department", true)
	act(t, b, "press Enter to save",
		through(chromedp.KeyEvent(kb.Enter)),
		waitPath("/admin/presets?company="),
		waitText("#messages", "The preset has been created."),
		waitText("#presets-table", "Plant Operator"),
	)
	p, err := m.svc.PresetByName(asAdmin(t, m), c.ID, "Plant Operator")
	if err != nil {
		t.Fatal(err)
	}
	if p.BusinessRoleID != c.BusinessRoles[0].ID || p.Department != "Production" || p.Language != "fr" ||
		len(p.Grants) != 1 || p.Grants[0] != (invite.Grant{SubscriptionID: sub0, Role: invite.RoleContributor}) {
		t.Fatalf("the preset made with the keyboard is %+v", p)
	}

	act(t, b, "open the invite form",
		chromedp.Navigate(base+"/admin/invitations/new"),
		waitHTMX("#invite-form"),
		htmxSettled(),
		chromedp.Focus(css("#f-first_name")),
	)
	press(t, b, "Grace", kb.Tab, "Hopper")
	tabTo(t, b, "f-preset", true)
	act(t, b, "choose the preset with ArrowDown",
		markOld("#invite-form"),
		chromedp.KeyEvent(kb.ArrowDown),
		replaced("#invite-form"),
	)
	if id, desc := active(t, b); id != "f-preset" {
		t.Errorf("after the preset filled the form the focus is on %s, want #f-preset", desc)
	}
	for id, want := range map[string]string{
		"f-first_name": "Grace", "f-last_name": "Hopper", "f-department": "Production", "f-language": "fr",
		"f-business_role": fmt.Sprint(c.BusinessRoles[0].ID), fmt.Sprintf("r-%d", sub0): "contributor", "f-preset": fmt.Sprint(p.ID),
	} {
		if got := value(t, b, id); got != want {
			t.Errorf("after choosing the preset #%s is %q, want %q", id, got, want)
		}
	}
	if !checked(t, b, fmt.Sprintf("g-%d", sub0)) {
		t.Errorf("the preset's subscription is not ticked")
	}
	// Still editable: the department typed over is what is sent.
	act(t, b, "change the department and send",
		chromedp.Clear(css("#f-department")),
		chromedp.SendKeys(css("#f-department"), "Night shift"),
		chromedp.Focus(css("#f-email")),
		through(chromedp.KeyEvent("grace@example.com"+kb.Enter)),
		waitText("#messages", "The invitation has been sent."),
	)
	inv := invitationTo(t, asAdmin(t, m), m, "grace@example.com")
	if inv.Department != "Night shift" || inv.Language != "fr" || len(inv.Grants) != 1 || inv.Grants[0].Role != invite.RoleContributor {
		t.Errorf("the invitation is %+v", inv)
	}

	act(t, b, "delete the preset (the confirmation answered yes)",
		chromedp.Navigate(base+"/admin/presets"),
		waitHTMX(fmt.Sprintf("#preset-%d button.danger", p.ID)),
		chromedp.Click(css(fmt.Sprintf("#preset-%d button.danger", p.ID))),
		waitText("#messages", "The preset has been deleted."),
	)
	if n := get(t, b, "count the rows", chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll("#preset-%d").length`, p.ID))); n != 0 {
		t.Errorf("the deleted preset's row is still shown")
	}
	if _, err := m.svc.Preset(asAdmin(t, m), p.ID); err == nil {
		t.Errorf("the preset was not deleted")
	}
}

// TestBrowserPresetsWithoutJavaScript does the same with scripts off.
func TestBrowserPresetsWithoutJavaScript(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	sub0 := c.Subscriptions[0].ID
	b := noJSBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)

	openFromNav(t, b, base, "/admin/presets")
	loadPage(t, b, "click New preset", chromedp.Click(css(`main a[href^="/admin/presets/new"]`)))
	_, text := loadPage(t, b, "save without a name", chromedp.Click(css(`#preset-form button.primary`)))
	wantText(t, "saved without a name", text, "Please correct the marked fields.", "This field is required.")
	act(t, b, "fill the preset",
		chromedp.SendKeys(css("#f-name"), "Maintenance"),
		chromedp.SetValue(css("#f-business_role"), fmt.Sprint(c.BusinessRoles[1].ID)),
		chromedp.SendKeys(css("#f-department"), "Workshop"),
		chromedp.SetValue(css("#f-time_zone"), "Europe/Lisbon"),
		chromedp.Click(css(fmt.Sprintf("#g-%d", sub0))),
		chromedp.SetValue(css(fmt.Sprintf("#r-%d", sub0)), "viewer"),
	)
	_, text = loadPage(t, b, "save", chromedp.Click(css(`#preset-form button.primary`)))
	wantText(t, "saved", text, "The preset has been created.", "Maintenance", "Workshop", "Europe/Lisbon", "App Designer (Viewer)")
	wantOnce(t, "saved", text, "The preset has been created.")

	loadPage(t, b, "open the invite form", chromedp.Navigate(base+"/admin/invitations/new"))
	if !get(t, b, "see the Apply preset button", chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("#f-preset ~ button.no-js[value=apply-preset]")).display !== "none"`)) {
		t.Fatal("the no-JS Apply preset button is hidden")
	}
	act(t, b, "type names and choose the preset",
		chromedp.SendKeys(css("#f-first_name"), "Marie"),
		chromedp.SendKeys(css("#f-email"), "marie@example.com"),
		chromedp.SetValue(css("#f-preset"), fmt.Sprint(presetID(t, m, c, "Maintenance"))),
	)
	loadPage(t, b, "press Apply preset", chromedp.Click(css(`#f-preset ~ button.no-js[value=apply-preset]`)))
	for sel, want := range map[string]string{
		"#f-first_name": "Marie", "#f-email": "marie@example.com", "#f-department": "Workshop", "#f-time_zone": "Europe/Lisbon",
		"#f-business_role": fmt.Sprint(c.BusinessRoles[1].ID), fmt.Sprintf("#r-%d", sub0): "viewer",
	} {
		if got := fieldValue(t, b, sel); got != want {
			t.Errorf("after Apply preset, %s is %q, want %q", sel, got, want)
		}
	}
	if !isChecked(t, b, fmt.Sprintf("#g-%d", sub0)) {
		t.Errorf("after Apply preset the subscription is not ticked")
	}
	act(t, b, "type the last name", chromedp.SendKeys(css("#f-last_name"), "Curie"))
	_, text = loadPage(t, b, "press Send Invitation", chromedp.Click(css(sendButton)))
	wantText(t, "sent", text, "The invitation has been sent.")
	inv := invitationTo(t, asAdmin(t, m), m, "marie@example.com")
	if inv.Department != "Workshop" || inv.TimeZone != "Europe/Lisbon" || inv.BusinessRoleID != c.BusinessRoles[1].ID {
		t.Errorf("the invitation is %+v", inv)
	}

	loadPage(t, b, "open the presets", chromedp.Navigate(base+"/admin/presets"))
	_, text = loadPage(t, b, "press Delete", chromedp.Click(css(`#presets-table button.danger`)))
	wantText(t, "the confirmation", text, "Delete the preset Maintenance?")
	_, text = loadPage(t, b, "confirm", chromedp.Click(css(`main form[method=post] button.danger`)))
	wantText(t, "deleted", text, "The preset has been deleted.", "This company has no presets yet.")
}

// presetID returns the ID of c's preset with the given name.
func presetID(t *testing.T, m *Main, c *invite.Company, name string) int64 {
	t.Helper()
	p, err := m.svc.PresetByName(asAdmin(t, m), c.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestBrowserPresetsAccessible checks the presets' pages and the invite
// form with a preset applied against axe-core, on a desktop and a 375 px
// phone, where nothing may need scrolling sideways.
func TestBrowserPresetsAccessible(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	ctx := asAdmin(t, m)
	long := &invite.Preset{CompanyID: c.ID, Name: "Senior Maintenance Engineer for Continuous Casting Lines (Night Shift)",
		BusinessRoleID: c.BusinessRoles[1].ID, Department: "Instandhaltungsplanungsabteilung", Language: "pt-BR", TimeZone: "America/Argentina/Buenos_Aires",
		AdminLevel: invite.AdminCompany,
		Grants:     []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleAdministrator}, {SubscriptionID: c.Subscriptions[1].ID, Role: invite.RoleContributor}}}
	if err := m.svc.CreatePreset(ctx, long); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			for _, pg := range []struct {
				what  string
				steps []chromedp.Action[chromedp.Void]
			}{
				{"presets", openPage(base+"/admin/presets", "#presets-table")},
				{"new preset", openPage(fmt.Sprintf("%s/admin/presets/new?company=%d", base, c.ID), "#preset-form")},
				{"new preset sent empty", append(openPage(fmt.Sprintf("%s/admin/presets/new?company=%d", base, c.ID), "#preset-form"),
					waitHTMX("#preset-form"),
					chromedp.Click(css(`#preset-form button.primary`)),
					chromedp.WaitVisible(css(`#preset-form [aria-invalid="true"]`)),
					htmxSettled(),
				)},
				{"edit preset", openPage(fmt.Sprintf("%s/admin/presets/%d/edit", base, long.ID), "#preset-form")},
				{"delete preset", openPage(fmt.Sprintf("%s/admin/presets/%d/delete", base, long.ID), "main form")},
				{"invite form, preset applied", append(openPage(base+"/admin/invitations/new", "#invite-form"),
					waitHTMX("#f-preset"),
					markOld("#invite-form"),
					chromedp.SetValue(css("#f-preset"), fmt.Sprint(long.ID)),
					chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-preset").dispatchEvent(new Event("change", {bubbles: true}))`),
					replaced("#invite-form"),
				)},
			} {
				vp.use(t, b, base+"/home")
				act(t, b, pg.what, pg.steps...)
				what := pg.what + " at " + vp.name
				checkA11y(t, b, what)
				checkNoOverflow(t, b, what)
				if pg.what == "invite form, preset applied" {
					if got := value(t, b, "f-department"); !strings.Contains(got, "Instandhaltung") {
						t.Errorf("%s: the department is %q", what, got)
					}
				}
			}
		})
	}
}
