package httpui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A company's administrators add a webhook on the Webhooks page: a wrong
// URL or no kind is named at its field (422) and nothing is added; a right
// one shows its secret this once, and the list then shows the webhook,
// without the secret, until it is deleted after a confirmation (a page of
// its own without JavaScript; the row goes under htmx). Another company's
// administrator finds nothing.
func TestWebhooksPage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		boss := a.browser()
		boss.login(a.companyAdmin(a.acme, "boss@acme.example"), adminPassword)
		page := fmt.Sprintf("/admin/companies/%d/webhooks", a.acme.ID)
		boss.get("/admin/users").want(t, http.StatusOK, `href="`+page+`"`)
		boss.get(page).want(t, http.StatusOK, "Webhooks: Acme", "The company has no webhooks yet.", `<form id="webhook-form"`, `value="invitation.created"`, `value="company.template_changed"`)

		bad := boss.post(page, page, url.Values{"url": {"https://10.0.0.1/hook"}, "kinds": {"invitation.created"}})
		bad.want(t, http.StatusUnprocessableEntity, "Please correct the marked fields.", "The URL must lead to a public address", `value="https://10.0.0.1/hook"`, `value="invitation.created" checked`)
		boss.post(page, page, url.Values{"url": {"http://hooks.example.com/"}, "kinds": {"invitation.created"}}).want(t, http.StatusUnprocessableEntity, "The URL must start with https://.")
		boss.post(page, page, url.Values{"url": {"https://hooks.example.com/"}}).want(t, http.StatusUnprocessableEntity, "Choose at least one kind of event.")
		boss.post(page, page, url.Values{"url": {"https://hooks.example.com/"}, "kinds": {"invitation.eaten"}}).want(t, http.StatusUnprocessableEntity)
		boss.get(page).want(t, http.StatusOK, "The company has no webhooks yet.")

		added := boss.post(page, page, url.Values{"url": {"https://hooks.example.com/acme?x=1&y=2"}, "kinds": {"invitation.accepted", "invitation.created"}})
		if added.status != http.StatusSeeOther || added.header.Get("Location") != page+"?done=webhook_created" {
			t.Fatalf("add: %d to %q, want a redirect to the list", added.status, added.header.Get("Location"))
		}
		if strings.Contains(added.header.Get("Set-Cookie"), "whsec_") {
			t.Fatal("the secret is in a cookie as it is")
		}
		// Another session's browser, sent the sealed cookie, sees no secret.
		thief := a.browser()
		thief.login("boss@acme.example", adminPassword)
		u, _ := url.Parse(a.srv.URL)
		sealed := (&http.Response{Header: added.header}).Cookies()
		if len(sealed) != 1 {
			t.Fatalf("cookies set: %v, want the sealed secret", sealed)
		}
		thief.c.Jar.SetCookies(u, sealed)
		if p := thief.get(page); strings.Contains(p.body, `id="webhook-secret"`) {
			t.Fatal("another session opened the sealed secret")
		}
		created := boss.get(page + "?done=webhook_created")
		created.want(t, http.StatusOK, "The webhook has been added.", "Signing secret", "it is not shown again", "https://hooks.example.com/acme?x=1&amp;y=2", "invitation.created, invitation.accepted", "None yet")
		m := regexp.MustCompile(`id="webhook-secret" type="text" readonly value="(whsec_[A-Za-z0-9_-]+)"`).FindStringSubmatch(created.body)
		if m == nil {
			t.Fatalf("no secret on the page:\n%s", created.body)
		}
		if created.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", created.header.Get("Cache-Control"))
		}
		list := boss.get(page)
		list.want(t, http.StatusOK, "https://hooks.example.com/acme?x=1&amp;y=2", "added by ")
		if strings.Contains(list.body, m[1]) {
			t.Fatal("the secret is shown again")
		}
		ws, err := a.svc.Webhooks(a.global, a.acme.ID)
		if err != nil || len(ws) != 1 {
			t.Fatalf("webhooks: %v, %v", ws, err)
		}
		id := ws[0].ID

		// Another company's administrator, and Acme's through Bolt's page.
		other := a.browser()
		other.login(a.companyAdmin(a.bolt, "boss@bolt.example"), adminPassword)
		other.get(page).want(t, http.StatusNotFound)
		other.get(fmt.Sprintf("/admin/webhooks/%d/delete", id)).want(t, http.StatusNotFound)

		// The Global Administrator finds it from the companies page.
		root := a.browser()
		root.login("root@example.com", adminPassword)
		root.get("/admin/companies").want(t, http.StatusOK, `href="`+page+`"`)
		root.get(page).want(t, http.StatusOK, "https://hooks.example.com/acme?x=1&amp;y=2")

		// Deleting asks first.
		confirm := fmt.Sprintf("/admin/webhooks/%d/delete", id)
		boss.get(confirm).want(t, http.StatusOK, "Delete webhook", "Delete the webhook https://hooks.example.com/acme?x=1&amp;y=2?")
		gone := boss.post(confirm, confirm, url.Values{})
		if gone.status != http.StatusSeeOther || gone.header.Get("Location") != page+"?done=webhook_deleted" {
			t.Fatalf("delete: %d to %q", gone.status, gone.header.Get("Location"))
		}
		boss.get(page+"?done=webhook_deleted").want(t, http.StatusOK, "The webhook has been deleted.", "The company has no webhooks yet.")

		// Under htmx the row goes.
		boss.post(page, page, url.Values{"url": {"https://hooks.example.com/again"}, "kinds": {"user.deleted"}}).want(t, http.StatusSeeOther)
		ws, _ = a.svc.Webhooks(a.global, a.acme.ID)
		boss.htmx = true
		del := fmt.Sprintf("/admin/webhooks/%d/delete", ws[0].ID)
		row := boss.post(page, del, url.Values{})
		row.want(t, http.StatusOK, `hx-swap-oob`, "The webhook has been deleted.")
		if row.header.Get("HX-Retarget") != fmt.Sprintf("#webhook-%d", ws[0].ID) {
			t.Errorf("HX-Retarget %q", row.header.Get("HX-Retarget"))
		}
		boss.htmx = false
		if ws, _ := a.svc.Webhooks(a.global, a.acme.ID); len(ws) != 0 {
			t.Errorf("%d webhooks left", len(ws))
		}
	})
}
