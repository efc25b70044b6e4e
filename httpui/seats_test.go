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

var joinLink = regexp.MustCompile(regexp.QuoteMeta(invite.DefaultPaths().AcceptInvitation) + `([A-Za-z0-9_-]{43})`)

// Seats as administrators meet them: set by a Global Administrator on the
// company's Seats page, shown beside each subscription on the invite form
// and on the Users page, an invitation past them refused at its
// subscription with the numbers, and an invitee who finds no free seat
// told so, their invitation kept.
func TestSeatsPages(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		app := a.acme.Subscriptions[0].ID
		seats := fmt.Sprintf("/admin/companies/%d/seats", a.acme.ID)
		field := fmt.Sprintf("seats_%d", app)
		boss := a.companyAdmin(a.acme, "boss@acme.example") // holds App Designer

		g := a.browser()
		g.login("root@example.com", adminPassword)
		g.get("/admin/companies").want(t, http.StatusOK, `href="`+seats+`"`)
		g.get(seats).want(t, http.StatusOK, "Seats: Acme", `id="f-`+field+`"`, "No limit")

		// Every number is checked before any is saved.
		other := fmt.Sprintf("seats_%d", a.acme.Subscriptions[1].ID)
		p := g.post(seats, seats, url.Values{field: {"2"}, other: {"-3"}})
		p.want(t, http.StatusUnprocessableEntity, "Enter a number from 1 to 10000000.", `aria-invalid="true"`, `value="-3"`)
		// 0 is refused, not taken for no limit (found from outside).
		g.post(seats, seats, url.Values{field: {"0"}}).want(t, http.StatusUnprocessableEntity, "Enter a number from 1 to 10000000.", `value="0"`)
		if uses, _ := a.svc.Seats(a.global, a.acme.ID); uses[0].Subscription.Seats != 0 {
			t.Fatalf("a refused form saved seats: %+v", uses[0])
		}
		g.post(seats, seats, url.Values{field: {"2"}, other: {""}}).want(t, http.StatusOK, "The seats have been saved.", `value="2"`)

		// A Company Administrator reads them and cannot set them.
		b := a.browser()
		b.login(boss, adminPassword)
		p = b.get(seats)
		p.want(t, http.StatusOK, "Seats: Acme", "App Designer")
		if strings.Contains(p.body, `id="f-`+field+`"`) {
			t.Error("a Company Administrator is offered to set seats")
		}
		b.post(seats, seats, url.Values{field: {"100"}}).want(t, http.StatusForbidden)
		b.get(fmt.Sprintf("/admin/companies/%d/seats", a.bolt.ID)).want(t, http.StatusNotFound)

		b.get("/admin/invitations/new").want(t, http.StatusOK, "1 of 2 seats used, 0 pending, 1 free")
		b.get("/admin/users").want(t, http.StatusOK, "App Designer</strong>: 1 of 2 seats used, 0 pending, 1 free", "Data Stream Designer</strong>: 0 users, 0 pending, no limit")

		send := func(email string) page {
			return b.post("/admin/invitations/new", "/admin/invitations", url.Values{
				"email": {email}, "first_name": {"Ann"}, "last_name": {"Lee"},
				"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
				"grant":         {fmt.Sprint(app)}, fmt.Sprintf("role_%d", app): {"viewer"}, "action": {"send"},
			})
		}
		send("ann@example.com").want(t, http.StatusSeeOther)
		p = send("bob@example.com")
		p.want(t, http.StatusConflict, "App Designer: 1 of 2 seats used, 1 pending.", fmt.Sprintf(`aria-describedby="e-grant_%d"`, app))
		if n, _ := a.db.Bun().NewSelect().Table("invitations").Where("email = ?", "bob@example.com").Count(ctx); n != 0 {
			t.Fatal("an invitation past the seats was stored")
		}

		// Seats lowered under what is sent: the invitee is told, and their
		// link still works once a seat is free.
		g.post(seats, seats, url.Values{field: {"1"}}).want(t, http.StatusOK)
		m := joinLink.FindStringSubmatch(a.mailTo("ann@example.com", invite.KindInvitation))
		if m == nil {
			t.Fatal("no link in the invitation")
		}
		join := a.svc.Paths().AcceptInvitation + m[1]
		visitor := a.browser()
		p = visitor.post(join, join, url.Values{
			"first_name": {"Ann"}, "last_name": {"Lee"}, "password": {adminPassword}, "password_confirm": {adminPassword}, "accept_terms": {"on"},
		})
		p.want(t, http.StatusConflict, "No free seat yet", "Acme has no free seat in App Designer at the moment")
		g.post(seats, seats, url.Values{field: {"2"}}).want(t, http.StatusOK)
		p = visitor.post(join, join, url.Values{
			"first_name": {"Ann"}, "last_name": {"Lee"}, "password": {adminPassword}, "password_confirm": {adminPassword}, "accept_terms": {"on"},
		})
		p.want(t, http.StatusSeeOther)

		// Enabling a user past the seats says which subscription is full,
		// with its numbers, where no form marks it.
		u, err := a.db.UserByEmail(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.SetDisabled(a.global, u.ID, true); err != nil {
			t.Fatal(err)
		}
		g.post(seats, seats, url.Values{field: {"1"}}).want(t, http.StatusOK)
		g.post("/admin/users", fmt.Sprintf("/admin/users/%d/enable", u.ID), nil).want(t, http.StatusConflict,
			"A subscription has no free seat. App Designer: 1 of 1 seats used, 0 pending.")
	})
}
