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

func TestRequestToJoin(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		boss := a.companyAdmin(a.acme, "boss@acme.example")
		page := invite.DefaultPaths().RequestToJoin + a.acmeKey
		visitor := a.browser()
		visitor.lang = "fr"
		visitor.get(page).want(t, http.StatusOK, "Demander à rejoindre Acme")
		visitor.post(page, page, url.Values{"email": {"bad"}, "first_name": {"Jean"}}).want(t, http.StatusUnprocessableEntity, "Saisissez une adresse e-mail")
		form := url.Values{"email": {"jean@example.com"}, "first_name": {"Jean"}, "last_name": {"Valjean"}, "language": {"fr"}, "time_zone": {"Europe/Paris"}}
		sent := visitor.post(page, page, form)
		sent.want(t, http.StatusOK, "Merci.")
		// An address with an account is answered alike.
		same := visitor.post(page, page, url.Values{"email": {boss}, "first_name": {"B"}, "last_name": {"B"}})
		same.want(t, http.StatusOK, "Merci.")
		visitor.get("/request/nokey").want(t, http.StatusNotFound, "Aucune demande possible")
		if n, err := a.svc.ProcessJoinRequests(context.Background()); err != nil || n != 1 {
			t.Fatalf("ProcessJoinRequests: %d, %v; want the one without an account", n, err)
		}

		b := a.browser()
		b.login(boss, adminPassword)
		users := b.get("/admin/users")
		users.want(t, http.StatusOK, "Requests to Join", "jean@example.com", "Jean Valjean", "Make a new join address")
		if strings.Contains(users.body, a.acmeKey) {
			t.Errorf("the Users page shows the join page's key, which is kept only as a hash")
		}
		reqs, _ := a.svc.JoinRequests(a.global, 0)
		if len(reqs) != 1 {
			t.Fatalf("got %d requests", len(reqs))
		}
		approve := fmt.Sprintf("/admin/join-requests/%d/approve", reqs[0].ID)
		p := b.post("/admin/users", approve, url.Values{
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)},
			fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
		})
		p.want(t, http.StatusSeeOther)
		b.get(p.header.Get("Location")).want(t, http.StatusOK, "The request has been approved and an invitation sent.")
		invs, _ := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "jean@"})
		if len(invs.Invitations) != 1 || invs.Invitations[0].Language != "fr" {
			t.Fatalf("approval invited %v", invs.Invitations)
		}
		b.post("/admin/users", approve, nil).want(t, http.StatusConflict, "already been decided")

		// A new address, shown once, on the page the POST leads to; the
		// old one stops working. Found from outside: the POST answered
		// with the address, and a reload posted again, making another
		// and stopping the one just shown.
		made := b.post("/admin/users", fmt.Sprintf("/admin/companies/%d/join/open", a.acme.ID), nil)
		made.want(t, http.StatusSeeOther)
		shown := fmt.Sprintf("/admin/companies/%d/join", a.acme.ID)
		if loc := made.header.Get("Location"); loc != shown {
			t.Fatalf("the new address leads to %q, want %q", loc, shown)
		}
		fresh := b.get(shown)
		fresh.want(t, http.StatusOK, "Copy it now: it is shown only this once")
		address := regexp.MustCompile(`value="(http://invite.test/request/[A-Za-z0-9_-]{43})"`).FindStringSubmatch(fresh.body)
		if address == nil {
			t.Fatalf("no new address on the page:\n%s", fresh.body)
		}
		visitor.get(page).want(t, http.StatusNotFound)
		newPage := strings.TrimPrefix(address[1], "http://invite.test")
		reloaded := b.get(shown) // a reload: shown once, and still the address
		reloaded.want(t, http.StatusOK, "The join address was shown once")
		if strings.Contains(reloaded.body, address[1]) {
			t.Errorf("the address was shown a second time")
		}
		visitor.get(newPage).want(t, http.StatusOK, "Demander à rejoindre Acme")
		// Another session cannot read it, even with the cookie.
		again := b.post("/admin/users", fmt.Sprintf("/admin/companies/%d/join/open", a.acme.ID), nil)
		again.want(t, http.StatusSeeOther)
		var kept *http.Cookie
		for _, c := range (&http.Response{Header: again.header}).Cookies() {
			if c.Name == "invite_join_address" {
				kept = c
			}
		}
		if kept == nil || kept.MaxAge <= 0 || !kept.HttpOnly {
			t.Fatalf("the POST kept the address in %+v, want an HttpOnly cookie for a while", kept)
		}
		other := a.browser()
		other.login("root@example.com", adminPassword)
		u, _ := url.Parse(a.srv.URL)
		other.c.Jar.SetCookies(u, []*http.Cookie{{Name: kept.Name, Value: kept.Value, Path: "/"}})
		stolen := other.get(shown)
		stolen.want(t, http.StatusOK, "The join address was shown once")
		if strings.Contains(stolen.body, "/request/") {
			t.Errorf("another session read the address from the cookie:\n%s", stolen.body)
		}
		fresh = b.get(shown)
		address = regexp.MustCompile(`value="(http://invite.test/request/[A-Za-z0-9_-]{43})"`).FindStringSubmatch(fresh.body)
		if address == nil {
			t.Fatalf("no new address on the page:\n%s", fresh.body)
		}
		visitor.get(newPage).want(t, http.StatusNotFound)
		newPage = strings.TrimPrefix(address[1], "http://invite.test")

		// Turning the page off.
		off := b.post("/admin/users", fmt.Sprintf("/admin/companies/%d/join/close", a.acme.ID), nil)
		off.want(t, http.StatusSeeOther)
		if !strings.Contains(b.get(off.header.Get("Location")).body, "Requests to join are turned off.") {
			t.Errorf("the Users page does not say the join page is off")
		}
		visitor.get(newPage).want(t, http.StatusNotFound)
	})
}

// In a company without a Company Administrator, what invitees and
// applicants ask for reaches the Global Administrators, by e-mail and on
// the Invitations tab.
func TestRequestsReachGlobalAdministrators(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		visitor := a.browser()
		page := invite.DefaultPaths().RequestToJoin + a.acmeKey
		form := url.Values{"email": {"jean@example.com"}, "first_name": {"Jean"}, "last_name": {"Valjean"}}
		visitor.post(page, page, form).want(t, http.StatusOK)
		if _, err := a.svc.ProcessJoinRequests(ctx); err != nil {
			t.Fatal(err)
		}
		inv, token := a.invite(a.acme, "late@example.com")
		a.advance(inv.ExpiresAt.Sub(a.clock()))
		if err := a.svc.RequestNewInvitation(ctx, token); err != nil {
			t.Fatal(err)
		}
		a.deliver()
		a.mailTo("root@example.com", invite.KindJoinRequest)
		a.mailTo("root@example.com", invite.KindRenewalRequest)

		b := a.browser()
		b.login("root@example.com", adminPassword)
		b.get("/admin/invitations").want(t, http.StatusOK,
			"Requests to join waiting for an answer: 1", `href="/admin/users#requests-heading"`,
			"Asked for a new invitation on")
	})
}

// An approval refused is shown at its request, open, as it was sent, with
// the refused field marked.
func TestApprovalRefusedAtItsField(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		lead := a.companyAdminAs(a.acme, "lead@acme.example", invite.RoleContributor)
		page := invite.DefaultPaths().RequestToJoin + a.acmeKey
		a.browser().post(page, page, url.Values{"email": {"jean@example.com"}, "first_name": {"Jean"}, "last_name": {"Valjean"}}).want(t, http.StatusOK)
		if _, err := a.svc.ProcessJoinRequests(context.Background()); err != nil {
			t.Fatal(err)
		}
		reqs, _ := a.svc.JoinRequests(a.global, 0)
		if len(reqs) != 1 {
			t.Fatalf("got %d requests", len(reqs))
		}
		b := a.browser()
		b.login(lead.Email, adminPassword)
		sub := a.acme.Subscriptions[0].ID
		p := b.post("/admin/users", fmt.Sprintf("/admin/join-requests/%d/approve", reqs[0].ID), url.Values{
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(sub)}, fmt.Sprintf("role_%d", sub): {"administrator"},
		})
		p.want(t, http.StatusUnprocessableEntity, "<details open>",
			fmt.Sprintf(`aria-invalid="true" aria-describedby="rq-%d-e-r-%d"`, reqs[0].ID, sub),
			fmt.Sprintf(`<option value="%d" selected>`, a.acme.BusinessRoles[0].ID))
		if n, _ := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "jean@"}); len(n.Invitations) != 0 {
			t.Errorf("a refused approval invited %v", n.Invitations)
		}
	})
}
