package httpui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// presetCount returns how many presets the company has.
func presetCount(t *testing.T, a *app, c *invite.Company) int {
	t.Helper()
	ps, err := a.svc.Presets(a.global, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(ps)
}

// selected reports whether the page's select named name has value chosen.
func selected(body, value string) bool {
	return regexp.MustCompile(`<option value="` + regexp.QuoteMeta(value) + `" selected>`).MatchString(body)
}

func TestPresetPages(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		admin := a.companyAdmin(a.acme, "boss@acme.example")
		b := a.browser()
		b.login(admin, adminPassword)
		sub0 := a.acme.Subscriptions[0].ID
		valid := func() url.Values {
			return url.Values{
				"company": {fmt.Sprint(a.acme.ID)}, "name": {"Plant Operator"}, "business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
				"department": {"Production"}, "language": {"fr"}, "time_zone": {"Europe/Paris"},
				"grant": {fmt.Sprint(sub0)}, fmt.Sprintf("role_%d", sub0): {"contributor"},
			}
		}
		b.get("/admin/users").want(t, http.StatusOK, `<a href="/admin/presets">Presets</a>`)
		b.get("/admin/presets").want(t, http.StatusOK, "Invite presets: Acme", "This company has no presets yet.", `href="/admin/presets/new?company=`)

		t.Run("ErrInvalidInput", func(t *testing.T) {
			form := valid()
			form.Set("name", " ")
			form.Set("time_zone", "Mars/Olympus")
			form.Set("department", "Typed dept")
			p := b.post("/admin/presets/new", "/admin/presets", form)
			p.want(t, http.StatusUnprocessableEntity, "Please correct the marked fields.", `aria-describedby="e-name"`,
				"This field is required.", "Choose a time zone from the list", `value="Typed dept"`)
			if n := presetCount(t, a, a.acme); n != 0 {
				t.Fatalf("a refused preset was stored: %d", n)
			}
		})
		t.Run("Create", func(t *testing.T) {
			p := b.post("/admin/presets/new", "/admin/presets", valid())
			p.want(t, http.StatusSeeOther)
			loc := p.header.Get("Location")
			if loc != fmt.Sprintf("/admin/presets?company=%d&done=preset_created", a.acme.ID) {
				t.Fatalf("redirected to %q", loc)
			}
			b.get(loc).want(t, http.StatusOK, "The preset has been created.", "Plant Operator", "Production", "App Designer (Contributor)", "Français", "Europe/Paris")
		})
		ps, _ := a.svc.Presets(a.global, a.acme.ID)
		if len(ps) != 1 {
			t.Fatalf("got %d presets", len(ps))
		}
		p := ps[0]
		edit := fmt.Sprintf("/admin/presets/%d/edit", p.ID)

		t.Run("ErrPresetExists", func(t *testing.T) {
			form := valid()
			form.Set("name", "PLANT operator")
			b.post("/admin/presets/new", "/admin/presets", form).want(t, http.StatusConflict,
				"A preset with this name already exists in the company.", `aria-describedby="e-name"`)
		})
		t.Run("AboveOwnRole", func(t *testing.T) {
			low := a.companyAdminAs(a.acme, "low@acme.example", invite.RoleViewer)
			lb := a.browser()
			lb.login(low.Email, adminPassword)
			form := valid()
			form.Set("name", "Engineer")
			lb.post("/admin/presets/new", "/admin/presets", form).want(t, http.StatusUnprocessableEntity,
				"You cannot grant a role above your own in this subscription.")
			// The list offers them no editing of a preset above them, and
			// its editor refuses them.
			list := lb.get("/admin/presets")
			list.want(t, http.StatusOK, "Plant Operator")
			if strings.Contains(list.body, edit) {
				t.Errorf("the list offers a preset above them for editing")
			}
			lb.get(edit).want(t, http.StatusForbidden)
		})
		t.Run("Edit", func(t *testing.T) {
			page := b.get(edit)
			page.want(t, http.StatusOK, "Edit preset: Acme", `value="Plant Operator"`, `value="Production"`)
			if !selected(page.body, "fr") || !selected(page.body, "contributor") {
				t.Errorf("the editor does not show the preset's language and role")
			}
			form := valid()
			form.Set("name", "Plant operator (night)")
			form.Set("language", "")
			form.Set(fmt.Sprintf("role_%d", sub0), "administrator")
			form.Set("admin", "on")
			got := b.post(edit, fmt.Sprintf("/admin/presets/%d", p.ID), form)
			got.want(t, http.StatusSeeOther)
			saved, _ := a.svc.Preset(a.global, p.ID)
			if saved.Name != "Plant operator (night)" || saved.Language != "" || len(saved.Grants) != 1 || saved.Grants[0].Role != invite.RoleAdministrator || saved.AdminLevel != invite.AdminCompany {
				t.Errorf("saved %+v", saved)
			}
			b.get(got.header.Get("Location")).want(t, http.StatusOK, "The preset has been saved.", "Company Administrator")
		})
		t.Run("OtherCompany", func(t *testing.T) {
			other := a.browser()
			other.login(a.companyAdmin(a.bolt, "boss@bolt.example"), adminPassword)
			other.get(edit).want(t, http.StatusNotFound)
			other.get(fmt.Sprintf("/admin/presets?company=%d", a.acme.ID)).want(t, http.StatusNotFound)
			other.post("/admin/presets", fmt.Sprintf("/admin/presets/%d/delete", p.ID), url.Values{}).want(t, http.StatusNotFound)
			if n := presetCount(t, a, a.acme); n != 1 {
				t.Errorf("another company's administrator deleted a preset")
			}
		})
		t.Run("DeleteWithoutJavaScript", func(t *testing.T) {
			q := fmt.Sprintf("/admin/presets/%d/delete", p.ID)
			b.get(q).want(t, http.StatusOK, "Delete the preset Plant operator (night)?", `action="`+q+`"`)
			got := b.post(q, q, url.Values{})
			got.want(t, http.StatusSeeOther)
			b.get(got.header.Get("Location")).want(t, http.StatusOK, "The preset has been deleted.", "This company has no presets yet.")
		})
		t.Run("DeleteUnderHTMX", func(t *testing.T) {
			q := &invite.Preset{CompanyID: a.acme.ID, Name: "Shift Lead"}
			if err := a.svc.CreatePreset(a.global, q); err != nil {
				t.Fatal(err)
			}
			b.htmx = true
			defer func() { b.htmx = false }()
			got := b.post("/admin/presets", fmt.Sprintf("/admin/presets/%d/delete", q.ID), url.Values{})
			got.want(t, http.StatusOK, `hx-swap-oob="innerHTML"`, "The preset has been deleted.")
			if rt := got.header.Get("HX-Retarget"); rt != fmt.Sprintf("#preset-%d", q.ID) {
				t.Errorf("HX-Retarget %q", rt)
			}
			if n := presetCount(t, a, a.acme); n != 0 {
				t.Errorf("%d presets left", n)
			}
		})
	})
}

func TestInviteFormPreset(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		sub0, sub1 := a.acme.Subscriptions[0].ID, a.acme.Subscriptions[1].ID
		p := &invite.Preset{
			CompanyID: a.acme.ID, Name: "Plant Operator", BusinessRoleID: a.acme.BusinessRoles[0].ID, Department: "Production",
			Language: "fr", TimeZone: "Europe/Paris",
			Grants: []invite.Grant{{SubscriptionID: sub0, Role: invite.RoleAdministrator}, {SubscriptionID: sub1, Role: invite.RoleViewer}},
		}
		if err := a.svc.CreatePreset(a.global, p); err != nil {
			t.Fatal(err)
		}
		b := a.browser()
		b.login("root@example.com", adminPassword)
		typed := func(action string) url.Values {
			return url.Values{
				"company": {fmt.Sprint(a.acme.ID)}, "email": {"typed@example.com"}, "first_name": {"Typed"}, "last_name": {"Name"},
				"phone": {"+1 202 555 0143"}, "language": {"en"}, "time_zone": {"Europe/Berlin"}, "preset": {fmt.Sprint(p.ID)}, "action": {action},
			}
		}
		form := b.get("/admin/invitations/new")
		form.want(t, http.StatusOK, `name="preset"`, `<option value="`+fmt.Sprint(p.ID)+`">Plant Operator</option>`,
			`name="action" value="apply-preset"`, "Apply preset", `hx-vals='{"action": "apply-preset"}'`)

		for _, htmx := range []bool{false, true} {
			t.Run(fmt.Sprintf("Apply/htmx=%v", htmx), func(t *testing.T) {
				b.htmx = htmx
				defer func() { b.htmx = false }()
				got := b.post("/admin/invitations/new", "/admin/invitations", typed("apply-preset"))
				got.want(t, http.StatusOK, `value="Typed"`, `value="Name"`, `value="typed@example.com"`, `202 555 0143"`,
					`value="Production"`, `value="Europe/Paris"`, `name="preset_applied" value="`+fmt.Sprint(p.ID)+`"`,
					`data-focus-next="f-preset"`, "The preset Plant Operator has filled the form.")
				for _, v := range []string{fmt.Sprint(p.BusinessRoleID), "fr", fmt.Sprint(p.ID)} {
					if !selected(got.body, v) {
						t.Errorf("option %s not selected", v)
					}
				}
				for _, id := range []int64{sub0, sub1} {
					if !strings.Contains(got.body, fmt.Sprintf(`name="grant" value="%d" checked`, id)) {
						t.Errorf("subscription %d not checked", id)
					}
				}
				if strings.Contains(got.body, "<html") == htmx {
					t.Errorf("htmx %v: whole page %v", htmx, !htmx)
				}
				if n, _ := a.db.Bun().NewSelect().Table("invitations").Where("email = ?", "typed@example.com").Count(context.Background()); n != 0 {
					t.Errorf("applying a preset sent an invitation")
				}
			})
		}
		// Without JavaScript, sent with a preset chosen but not applied:
		// the preset fills what was left empty, the rest is as typed.
		t.Run("SendWithoutApplying", func(t *testing.T) {
			form := typed("send")
			form.Set("department", "Own department")
			got := b.post("/admin/invitations/new", "/admin/invitations", form)
			got.want(t, http.StatusSeeOther)
			page, _ := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "typed@example.com"})
			inv := page.Invitations[0]
			if inv.BusinessRoleID != p.BusinessRoleID || inv.Department != "Own department" || inv.Language != "en" || len(inv.Grants) != 2 {
				t.Errorf("invitation %+v", inv)
			}
		})
		// A Company Administrator holding Viewer uses the preset that
		// grants Administrator: the normal field error, nothing sent.
		t.Run("AboveOwnRole", func(t *testing.T) {
			low := a.companyAdminAs(a.acme, "low@acme.example", invite.RoleViewer)
			lb := a.browser()
			lb.login(low.Email, adminPassword)
			form := typed("apply-preset")
			form.Del("company")
			form.Set("email", "operator@example.com")
			// A Company Administrator's form names no company: the preset
			// is their company's, and fills it.
			// The preset's Administrator role is marked, not lowered unsaid
			// (found from outside).
			lb.post("/admin/invitations/new", "/admin/invitations", form).want(t, http.StatusOK, `value="Production"`,
				"The preset Plant Operator has filled the form.", "The preset Plant Operator grants roles above your own",
				"You cannot grant a role above your own in this subscription.")
			form.Set("action", "send")
			form.Set("business_role", fmt.Sprint(p.BusinessRoleID))
			form.Set("grant", fmt.Sprint(sub0))
			form.Set(fmt.Sprintf("role_%d", sub0), "administrator")
			form.Set("preset_applied", fmt.Sprint(p.ID))
			lb.post("/admin/invitations/new", "/admin/invitations", form).want(t, http.StatusUnprocessableEntity,
				"You cannot grant a role above your own in this subscription.")
			if n, _ := a.db.Bun().NewSelect().Table("invitations").Where("email = ?", "operator@example.com").Count(context.Background()); n != 0 {
				t.Errorf("the refused invitation was stored")
			}
			// Sent without applying it (no JavaScript), nothing ticked:
			// the error is at the subscription the preset gave (found from
			// outside: no field was marked).
			form = typed("send")
			form.Del("company")
			form.Set("email", "operator2@example.com")
			got := lb.post("/admin/invitations/new", "/admin/invitations", form)
			got.want(t, http.StatusUnprocessableEntity, "You cannot grant a role above your own in this subscription.",
				fmt.Sprintf(`aria-describedby="e-role_%d"`, sub0))
		})
		t.Run("OtherCompanysPresetIgnored", func(t *testing.T) {
			q := &invite.Preset{CompanyID: a.bolt.ID, Name: "Bolt's", Department: "Bolt dept"}
			if err := a.svc.CreatePreset(a.global, q); err != nil {
				t.Fatal(err)
			}
			form := typed("apply-preset")
			form.Set("preset", fmt.Sprint(q.ID))
			got := b.post("/admin/invitations/new", "/admin/invitations", form)
			got.want(t, http.StatusOK)
			if strings.Contains(got.body, "Bolt dept") {
				t.Errorf("another company's preset filled the form")
			}
		})
	})
}

// The texts the presets' code names exist in every language.
func TestPresetTexts(t *testing.T) {
	a := newApp(t)
	for _, lang := range invite.Languages() {
		b := a.browser()
		b.lang = lang
		b.login("root@example.com", adminPassword)
		for _, path := range []string{"/admin/presets", fmt.Sprintf("/admin/presets/new?company=%d", a.acme.ID)} {
			p := b.get(path)
			p.want(t, http.StatusOK)
			if m := regexp.MustCompile(`>[a-z]+(_[a-z]+)+<`).FindString(p.body); m != "" {
				t.Errorf("%s %s: untranslated %s", lang, path, m)
			}
		}
	}
}
