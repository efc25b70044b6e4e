package httpui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// A Global Administrator edits a company's allowed e-mail domains, one a
// line, on a page of its own: a wrong entry is named at the field, with
// the others, and nothing is saved; a right list leads back to the
// companies, which show it. Company Administrators may not edit it, but
// see it on the invite form, and an address elsewhere is refused there,
// on the join page and when approving a request made before the rule.
func TestAllowedDomainsPages(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		// A request to join from before the rule.
		if err := a.svc.RequestToJoin(ctx, a.acmeKey, invite.JoinRequestInput{Email: "early@elsewhere.example", FirstName: "Early", LastName: "Bird"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.ProcessJoinRequests(ctx); err != nil {
			t.Fatal(err)
		}

		root := a.browser()
		root.login("root@example.com", adminPassword)
		domains := fmt.Sprintf("/admin/companies/%d/domains", a.acme.ID)
		root.get("/admin/companies").want(t, http.StatusOK, "Allowed email domains", "Any domain", `href="`+domains+`"`)
		root.get(domains).want(t, http.StatusOK, "Allowed email domains: Acme", "Any email domain is allowed now.", "*.example.com allows addresses at example.com and at any of its subdomains", "does not touch existing users or invitations already sent")

		bad := root.post(domains, domains, url.Values{"allowed_domains": {"acme.example\r\nnot a domain\r\nlocalhost"}})
		bad.want(t, http.StatusUnprocessableEntity, `aria-invalid="true"`, "“not a domain” is not a domain name such as example.com or *.example.com.", "“localhost” is not a domain name", "localhost</textarea>")
		if c, _ := a.svc.Company(a.global, a.acme.ID); len(c.AllowedDomains) != 0 {
			t.Fatalf("an invalid list saved %v", c.AllowedDomains)
		}
		root.htmx = true
		root.post(domains, domains, url.Values{"allowed_domains": {"localhost"}}).want(t, http.StatusUnprocessableEntity, `<form id="domains-form"`, "Please correct the marked fields.")
		root.htmx = false

		saved := root.post(domains, domains, url.Values{"allowed_domains": {" Acme.Example \r\n\r\n*.Bücher.example\r\nacme.example"}})
		saved.want(t, http.StatusSeeOther)
		if loc := saved.header.Get("Location"); loc != "/admin/companies?done=domains_saved" {
			t.Fatalf("saved: led to %q", loc)
		}
		root.get("/admin/companies?done=domains_saved").want(t, http.StatusOK, "The allowed email domains have been saved.", "acme.example, *.bücher.example")
		root.get(domains).want(t, http.StatusOK, "acme.example\n*.bücher.example</textarea>", "Only these domains are allowed now: acme.example, *.bücher.example.")
		if c, _ := a.svc.Company(a.global, a.acme.ID); len(c.AllowedDomains) != 2 || c.AllowedDomains[1] != (invite.AllowedDomain{Name: "xn--bcher-kva.example", Subdomains: true}) {
			t.Fatalf("saved %v", c.AllowedDomains)
		}

		boss := a.browser()
		boss.login(a.companyAdmin(a.acme, "boss@acme.example"), adminPassword)
		boss.get(domains).want(t, http.StatusForbidden)
		if p := boss.do(http.MethodPost, domains, url.Values{"allowed_domains": {""}}); p.status < 400 {
			t.Fatalf("a Company Administrator's POST: %d", p.status)
		}
		boss.get("/admin/invitations/new").want(t, http.StatusOK, "Only addresses at these domains can be invited: acme.example, *.bücher.example.", "*.example.com stands for example.com and any of its subdomains.")
		form := url.Values{
			"email": {"grace@elsewhere.example"}, "first_name": {"Grace"}, "last_name": {"Hopper"},
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)},
			fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"}, "action": {"send"},
		}
		boss.post("/admin/invitations/new", "/admin/invitations", form).want(t, http.StatusUnprocessableEntity, "Invitations to Acme go only to addresses at these domains: acme.example, *.bücher.example.")
		form.Set("email", "grace@plant.bücher.example")
		boss.post("/admin/invitations/new", "/admin/invitations", form).want(t, http.StatusSeeOther)

		// Bolt allows any domain: its form has no hint.
		if p := root.get(fmt.Sprintf("/admin/invitations/new?company=%d", a.bolt.ID)); strings.Contains(p.body, "Only addresses at these domains") {
			t.Errorf("Bolt's invite form names domains")
		}

		page := invite.DefaultPaths().RequestToJoin + a.acmeKey
		visitor := a.browser()
		visitor.get(page).want(t, http.StatusOK, "Only addresses at these domains can ask to join: acme.example, *.bücher.example.")
		join := url.Values{"email": {"jean@elsewhere.example"}, "first_name": {"Jean"}, "last_name": {"Valjean"}}
		visitor.post(page, page, join).want(t, http.StatusUnprocessableEntity, "Invitations to Acme go only to addresses at these domains")
		join.Set("email", "jean@acme.example")
		visitor.post(page, page, join).want(t, http.StatusOK)

		reqs, _ := a.svc.JoinRequests(a.global, a.acme.ID)
		if len(reqs) != 1 || reqs[0].Email != "early@elsewhere.example" {
			t.Fatalf("requests: %v", reqs)
		}
		boss.get("/admin/users").want(t, http.StatusOK, "early@elsewhere.example<br><span class=\"hint\">Not at an allowed domain of the company: this request can only be declined.</span>")
		approve := fmt.Sprintf("/admin/join-requests/%d/approve", reqs[0].ID)
		boss.post("/admin/users", approve, url.Values{
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)},
			fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
		}).want(t, http.StatusUnprocessableEntity, "This request cannot be approved: Invitations to Acme go only to addresses at these domains: acme.example, *.bücher.example. Decline it")
	})
}
