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

// member makes a user of c without administration and returns them.
func (a *app) member(c *invite.Company, email string) *invite.User {
	a.t.Helper()
	_, token := a.invite(c, email)
	u, err := a.svc.Accept(context.Background(), invite.AcceptInput{Token: token, Password: adminPassword, FirstName: "Mem", LastName: "Ber", AcceptTerms: true})
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

func TestUsersPage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		a.companyAdmin(a.acme, "boss@acme.example")
		member := a.member(a.acme, "member@acme.example")
		other := a.member(a.bolt, "member@bolt.example")
		mb := a.browser()
		mb.login(member.Email, adminPassword)

		b := a.browser()
		b.login("root@example.com", adminPassword)
		list := b.get("/admin/users")
		list.want(t, http.StatusOK, "boss@acme.example", "Plant Operator", "Company Administrator", "Invite User", "App Designer (Contributor)", "Never", "member@bolt.example")
		b.get(fmt.Sprintf("/admin/users?company=%d&q=MEMBER", a.bolt.ID)).want(t, http.StatusOK, "member@bolt.example")
		if strings.Contains(b.get(fmt.Sprintf("/admin/users?company=%d", a.bolt.ID)).body, "member@acme.example") {
			t.Errorf("the company filter lets another company through")
		}

		row := fmt.Sprintf("/admin/users/%d", member.ID)
		// Without JavaScript each action is a page of its own.
		b.get(row+"/edit").want(t, http.StatusOK, "Edit User: Mem Ber", fmt.Sprintf(`id="user-u%d-form"`, member.ID))
		b.get(row+"/disable").want(t, http.StatusOK, "Disable Mem Ber (member@acme.example)?")
		b.get(row+"/delete").want(t, http.StatusOK, "Delete the user Mem Ber (member@acme.example)?")

		b.htmx = true
		b.get(row+"/edit").want(t, http.StatusOK, fmt.Sprintf(`<tr id="user-%d" class="editing">`, member.ID), "Company Administrator")
		p := b.post("/admin/users", row, url.Values{
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
			"grant":         {fmt.Sprint(a.acme.Subscriptions[1].ID)},
			fmt.Sprintf("role_%d", a.acme.Subscriptions[1].ID): {"administrator"},
		})
		p.want(t, http.StatusOK, "Data Stream Designer (Administrator)", "Mem Ber has been changed.")

		p = b.post("/admin/users", row+"/disable", nil)
		p.want(t, http.StatusOK, "Disabled", "has been disabled and logged out")
		mb.get("/home").want(t, http.StatusSeeOther) // logged out at their next click
		mb.login(member.Email, adminPassword).want(t, http.StatusUnprocessableEntity, "This account is disabled.")
		b.post("/admin/users", row+"/enable", nil).want(t, http.StatusOK, "Active", "can log in again")

		p = b.post("/admin/users", row+"/delete", nil)
		p.want(t, http.StatusOK, "Mem Ber has been deleted.")
		if !strings.Contains(p.header.Get("HX-Retarget"), fmt.Sprintf("user-%d", member.ID)) || strings.Contains(p.body, "<tr") {
			t.Errorf("the deleted row is not removed in place")
		}
		_ = other
	})
}

func TestUsersPageCompanyAdministrator(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		boss := a.companyAdmin(a.acme, "boss@acme.example")
		member := a.member(a.acme, "member@acme.example")
		other := a.member(a.bolt, "member@bolt.example")
		b := a.browser()
		b.login(boss, adminPassword)
		list := b.get("/admin/users")
		list.want(t, http.StatusOK, "member@acme.example", "Disable")
		if strings.Contains(list.body, "member@bolt.example") || strings.Contains(list.body, "/delete") {
			t.Errorf("a Company Administrator sees another company's user or a Delete button")
		}
		b.post("/admin/users", fmt.Sprintf("/admin/users/%d/delete", member.ID), nil).want(t, http.StatusForbidden)
		b.get(fmt.Sprintf("/admin/users/%d/edit", other.ID)).want(t, http.StatusNotFound)
		// The last administrator cannot demote themselves.
		me, _ := a.svc.Authenticate(context.Background(), boss, adminPassword)
		b.htmx = true
		p := b.post("/admin/users", fmt.Sprintf("/admin/users/%d", me.ID), url.Values{
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)},
			fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"administrator"},
		})
		p.want(t, http.StatusConflict, "The last administrator of a company cannot be demoted")
	})
}

func TestProfile(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		member := a.member(a.acme, "member@acme.example")
		b := a.browser()
		b.login(member.Email, adminPassword)
		b.get("/profile").want(t, http.StatusOK, `value="member@acme.example" readonly`, "Profile")
		bad := b.post("/profile", "/profile", url.Values{"first_name": {""}, "last_name": {"X"}, "language": {"fr"}, "time_zone": {"Europe/Paris"}})
		bad.want(t, http.StatusUnprocessableEntity, "This field is required.")
		ok := b.post("/profile", "/profile", url.Values{"first_name": {"Marie"}, "last_name": {"Curie"}, "language": {"fr"}, "time_zone": {"Europe/Paris"}})
		ok.want(t, http.StatusSeeOther)
		// The very next page is French.
		b.get(ok.header.Get("Location")).want(t, http.StatusOK, `<html lang="fr">`, "Votre profil a été enregistré.", `value="Marie"`)
	})
}

func TestChangePassword(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		member := a.member(a.acme, "member@acme.example")
		elsewhere := a.browser()
		elsewhere.login(member.Email, adminPassword)
		b := a.browser()
		b.login(member.Email, adminPassword)
		b.post("/profile/password", "/profile/password", url.Values{"current_password": {"wrong one!"}, "password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}).
			want(t, http.StatusUnprocessableEntity, "This is not your current password.")
		b.post("/profile/password", "/profile/password", url.Values{"current_password": {adminPassword}, "password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}).
			want(t, http.StatusSeeOther)
		b.get("/profile").want(t, http.StatusOK, "Profile") // this session stays
		elsewhere.get("/home").want(t, http.StatusSeeOther) // every other one ends
	})
}

var resetLink = regexp.MustCompile(`http://invite.test` + regexp.QuoteMeta(invite.DefaultPaths().ResetPassword) + `([A-Za-z0-9_-]{43})`)

func TestForgotPassword(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		member := a.member(a.acme, "member@acme.example")
		old := a.browser()
		old.login(member.Email, adminPassword)

		b := a.browser()
		known := b.post("/forgot", "/forgot", url.Values{"email": {member.Email}})
		unknown := b.post("/forgot", "/forgot", url.Values{"email": {"nobody@example.com"}})
		known.want(t, http.StatusOK, "If an account exists for that address")
		strip := func(s string) string { return regexp.MustCompile(`[A-Za-z0-9]{32}`).ReplaceAllString(s, "") }
		if strip(known.body) != strip(unknown.body) {
			t.Errorf("a known and an unknown address are answered differently")
		}
		if n, err := a.svc.IssuePasswordResets(context.Background()); err != nil || n != 1 {
			t.Fatalf("IssuePasswordResets: %d, %v", n, err)
		}
		mail := a.mailTo(member.Email, invite.KindPasswordReset)
		m := resetLink.FindStringSubmatch(mail)
		if m == nil {
			t.Fatalf("no reset link (from INVITE_BASE_URL) in %q", mail)
		}
		path := invite.DefaultPaths().ResetPassword + m[1]
		b.get(path).want(t, http.StatusOK, "Choose a new password for member@acme.example.")
		b.post(path, path, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"another"}}).want(t, http.StatusUnprocessableEntity, "The two passwords do not match.")
		done := b.post(path, path, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}})
		done.want(t, http.StatusSeeOther)
		b.get(done.header.Get("Location")).want(t, http.StatusOK, "Your password has been set.")
		old.get("/home").want(t, http.StatusSeeOther) // every session ended
		b.login(member.Email, "a brand new passphrase").want(t, http.StatusSeeOther)
		a.browser().get(path).want(t, http.StatusNotFound, "This link is not valid")
	})
}
