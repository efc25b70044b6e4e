package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A Global Administrator sets a company's allowed e-mail domains by
// keyboard alone, and without JavaScript: a wrong entry is named at the
// field, which takes the focus, and a right list leads to the companies,
// which show it. The page passes axe-core and fits a phone, with and
// without its errors. A Company Administrator then reads the domains on
// the invite form, and a request to join from elsewhere, made before, is
// refused on approval with the reason.
func TestBrowserAllowedDomains(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	page := fmt.Sprintf("%s/admin/companies/%d/domains", base, d.acme)
	const form = `main form#domains-form`

	t.Run("Keyboard", func(t *testing.T) {
		b := newBrowser(t)
		login(t, b, base, "admin@example.com", adminPassword)
		act(t, b, "open the companies", openPage(base+"/admin/companies", `main form[action="/admin/companies"]`)...)
		act(t, b, "follow Change",
			through(chromedp.Click(css(fmt.Sprintf(`a[href="/admin/companies/%d/domains"]`, d.acme)))),
			chromedp.WaitVisible(css(form)), waitHTMX(form), htmxSettled())
		tabTo(t, b, "f-allowed_domains", false)
		act(t, b, "type a list with a wrong entry", chromedp.KeyEvent("acme.example\nnot a domain"))
		press(t, b, kb.Tab)
		if ok, desc := focusMatches(t, b, form+` button.primary`); !ok {
			t.Fatalf("Tab from the list goes to %s, want Save", desc)
		}
		act(t, b, "save by Enter", markOld(form), chromedp.KeyEvent(kb.Enter), replaced(form))
		text := get(t, b, "read the form", chromedp.Text(css(form)))
		wantText(t, "the refused list", text, "“not a domain” is not a domain name")
		if ok, desc := focusMatches(t, b, `#f-allowed_domains[aria-invalid="true"]`); !ok {
			t.Errorf("after the refused list the focus is on %s, want the list", desc)
		}
		if got := value(t, b, "f-allowed_domains"); !strings.Contains(got, "not a domain") {
			t.Errorf("the refused list lost what was typed: %q", got)
		}
		if c, _ := m.svc.Company(asAdmin(t, m), d.acme); len(c.AllowedDomains) != 0 {
			t.Fatalf("a refused list saved %v", c.AllowedDomains)
		}
		act(t, b, "focus the list", chromedp.Focus(css("#f-allowed_domains")))
		act(t, b, "select all", chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		act(t, b, "type a right list", chromedp.KeyEvent("acme.example\n*.bücher.example"))
		press(t, b, kb.Tab)
		act(t, b, "save by Enter", through(chromedp.KeyEvent(kb.Enter)), waitPath("/admin/companies?done=domains_saved"), htmxSettled())
		text = get(t, b, "read the companies", chromedp.Text(css("main")))
		wantText(t, "the companies", text, "The allowed email domains have been saved.", "acme.example, *.bücher.example")
	})

	t.Run("WithoutJavaScript", func(t *testing.T) {
		b := noJSBrowser(t)
		login(t, b, base, "admin@example.com", adminPassword)
		_, text := loadPage(t, b, "open the domains", chromedp.Navigate(page))
		wantText(t, "the domains page", text, "Only these domains are allowed now: acme.example, *.bücher.example.", "*.example.com allows addresses at example.com and at any of its subdomains")
		act(t, b, "write a wrong list", chromedp.SetValue(css("#f-allowed_domains"), "acme.example\nlocalhost"))
		status, text := loadPage(t, b, "save it", chromedp.Click(css(form+` button.primary`)))
		if status != 422 {
			t.Errorf("a wrong list answered %d, want 422", status)
		}
		wantText(t, "the refused list", text, "“localhost” is not a domain name")
		wantOnce(t, "the refused list", text, "Please correct the marked fields.")
		act(t, b, "write a right list", chromedp.SetValue(css("#f-allowed_domains"), "acme.example\n*.bücher.example\nbolt.example"))
		_, text = loadPage(t, b, "save it", chromedp.Click(css(form+` button.primary`)))
		if got := pagePath(t, b); got != "/admin/companies?done=domains_saved" {
			t.Errorf("saved, the page is %s", got)
		}
		wantText(t, "the companies", text, "The allowed email domains have been saved.", "acme.example, bolt.example, *.bücher.example")
	})

	t.Run("Viewports", func(t *testing.T) {
		for _, vp := range viewports {
			b := newBrowser(t)
			login(t, b, base, "admin@example.com", adminPassword)
			vp.use(t, b, page)
			act(t, b, "wait for the page", chromedp.WaitVisible(css(form)), waitHTMX(form), htmxSettled())
			checkNoOverflow(t, b, vp.name+" domains page")
			checkA11y(t, b, vp.name+" domains page")
			act(t, b, "save a wrong list", chromedp.SetValue(css("#f-allowed_domains"), strings.Repeat("a-very-long-label-of-a-domain-", 2)+"\nx"),
				markOld(form), chromedp.Click(css(form+` button.primary`)), replaced(form))
			checkNoOverflow(t, b, vp.name+" domains page with errors")
			checkA11y(t, b, vp.name+" domains page with errors")
			act(t, b, "open the companies", openPage(base+"/admin/companies", `main form[action="/admin/companies"]`)...)
			if vp.phone { // as TestBrowserAccessibility: on a desktop its long words are wider already
				checkNoOverflow(t, b, vp.name+" companies")
			}
		}
	})

	t.Run("CompanyAdministrator", func(t *testing.T) {
		b := newBrowser(t)
		login(t, b, base, "boss@acme.example", bossPassword)
		act(t, b, "open the invite form", openPage(base+"/admin/invitations/new", `main form[action="/admin/invitations"]`)...)
		text := get(t, b, "read the address's hint", chromedp.Text(css("#h-email")))
		wantText(t, "the invite form", text, "Only addresses at these domains can be invited: acme.example, bolt.example, *.bücher.example.")
		act(t, b, "open the domains", chromedp.Navigate(page), chromedp.WaitVisible(css("main h1")))
		if got := get(t, b, "read the page", chromedp.Text(css("main"))); strings.Contains(got, "Allowed domains") {
			t.Errorf("a Company Administrator sees the form:\n%s", got)
		}
		// Hedy asked to join before the rule, from example.com.
		reqs, err := m.svc.JoinRequests(asAdmin(t, m), d.acme)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("requests to join: %v, %v", reqs, err)
		}
		row := fmt.Sprintf("#request-%d", reqs[0].ID)
		act(t, b, "open the users", openPage(base+"/admin/users", row)...)
		act(t, b, "open Approve", chromedp.Click(css(row+" details summary")), chromedp.WaitVisible(css(row+" form button.primary")))
		act(t, b, "choose a subscription", chromedp.Click(css(row+` input[name=grant]`)))
		act(t, b, "approve", through(chromedp.Click(css(row+" form button.primary"))))
		text = get(t, b, "read the page", chromedp.Text(css("body")))
		wantOnce(t, "the refused approval", text, "This request cannot be approved: Invitations to Acme Plant go only to addresses at these domains")
		if got, _ := m.svc.JoinRequests(asAdmin(t, m), d.acme); len(got) != 1 {
			t.Errorf("a refused approval decided the request")
		}
	})
}
