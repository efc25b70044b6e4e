package httpui_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// The invite form takes the access window as dates in the invitee's time
// zone: from the start of the first day to the end of the last; bad dates
// and a window that ends before it starts are marked fields, and nothing
// is stored.
func TestAccessWindowInviteForm(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		b.get("/admin/invitations/new").want(t, http.StatusOK, `name="access_from" type="date"`, `name="access_until" type="date"`, "Access Period", "Europe/Berlin")
		form := func(email, from, until string) url.Values {
			return url.Values{
				"company": {fmt.Sprint(a.acme.ID)}, "email": {email}, "first_name": {"Con"}, "last_name": {"Tractor"},
				"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "language": {"en"}, "time_zone": {"America/New_York"},
				"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
				"access_from": {from}, "access_until": {until}, "action": {"send"},
			}
		}
		for _, tt := range []struct {
			name, from, until, field, text string
		}{
			{"ErrNoDate", "soon", "2026-04-30", "access_from", "Enter a date as YYYY-MM-DD."},
			{"ErrNoDay", "2026-02-30", "", "access_from", "Enter a date as YYYY-MM-DD."},
			{"ErrUntilBeforeFrom", "2026-04-10", "2026-04-09", "access_until", "The end of access must be after its start."},
			{"ErrUntilInPast", "", "2026-02-27", "access_until", "This must be a date in the future."},
		} {
			t.Run(tt.name, func(t *testing.T) {
				email := strings.ToLower(tt.name) + "@example.com"
				p := b.post("/admin/invitations/new", "/admin/invitations", form(email, tt.from, tt.until))
				p.want(t, http.StatusUnprocessableEntity, "Please correct the marked fields.", tt.text,
					fmt.Sprintf(`aria-invalid="true" aria-describedby="e-%s h-access_window"`, tt.field), fmt.Sprintf(`value="%s"`, tt.from))
				if n, _ := a.db.Bun().NewSelect().Table("invitations").Where("email = ?", email).Count(context.Background()); n != 0 {
					t.Errorf("an invalid invitation was stored")
				}
			})
		}
		b.post("/admin/invitations/new", "/admin/invitations", form("con@example.com", "2026-04-01", "2026-04-30")).want(t, http.StatusSeeOther)
		page, err := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "con@example.com"})
		if err != nil || len(page.Invitations) != 1 {
			t.Fatalf("Invitations: %v, %v", page, err)
		}
		inv := page.Invitations[0]
		ny, _ := time.LoadLocation("America/New_York")
		if want := time.Date(2026, 4, 1, 0, 0, 0, 0, ny); !inv.AccessFrom.Equal(want) {
			t.Errorf("AccessFrom %v, want %v", inv.AccessFrom, want)
		}
		if want := time.Date(2026, 5, 1, 0, 0, 0, 0, ny); !inv.AccessUntil.Equal(want) {
			t.Errorf("AccessUntil %v, want %v (the end of the last day)", inv.AccessUntil, want)
		}
		// The list shows it compactly, in the invitee's days.
		b.get("/admin/invitations").want(t, http.StatusOK, `<span class="window">Access Apr 1, 2026 – Apr 30, 2026</span>`)
		// Resend shows the same days, and takes new ones.
		resend := fmt.Sprintf("/admin/invitations/%d/resend", inv.ID)
		b.get(resend).want(t, http.StatusOK, `value="2026-04-01"`, `value="2026-04-30"`)
		f := form("con@example.com", "2026-04-01", "2026-06-30")
		f.Del("company")
		a.advance(2 * time.Minute) // one mail to an address a minute
		b.post(resend, resend, f).want(t, http.StatusSeeOther)
		if got, _ := a.svc.Invitation(a.global, inv.ID); !got.AccessUntil.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, ny)) {
			t.Errorf("resent: AccessUntil %v", got.AccessUntil)
		}
	})
}

// Before their access starts, the invitee registers and is told when they
// may log in, not logged in; a log-in then says so too. The Users page
// shows the window, and the editor extends or clears it.
func TestAccessWindowNotYet(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		berlin, _ := time.LoadLocation("Europe/Berlin")
		from := time.Date(2026, 3, 10, 0, 0, 0, 0, berlin)
		inv, token, err := a.svc.Invite(a.global, invite.InvitationInput{
			CompanyID: a.acme.ID, Email: "later@example.com", FirstName: "Lou", LastName: "Later", BusinessRoleID: a.acme.BusinessRoles[0].ID,
			Grants:     []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
			AccessFrom: from, AccessUntil: time.Date(2026, 4, 1, 0, 0, 0, 0, berlin),
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = inv
		join := a.svc.Paths().AcceptInvitation + token
		invitee := a.browser()
		invitee.lang = "de"
		invitee.get(join).want(t, http.StatusOK, "Access Mar 10, 2026 – Mar 31, 2026") // in the invitation's language
		p := invitee.post(join, join, url.Values{"first_name": {"Lou"}, "last_name": {"Later"}, "password": {adminPassword}, "password_confirm": {adminPassword}, "accept_terms": {"on"}})
		p.want(t, http.StatusSeeOther)
		loc := p.header.Get("Location")
		if !strings.HasPrefix(loc, "/login/not-yet?") {
			t.Fatalf("after registering: led to %q, want the not-yet page", loc)
		}
		invitee.get(loc).want(t, http.StatusOK, "Ihre Registrierung ist abgeschlossen.", "Sie können sich ab 10.03.2026 00:00 CET anmelden.")
		invitee.get("/home").want(t, http.StatusSeeOther) // not logged in
		p = invitee.login("later@example.com", adminPassword)
		p.want(t, http.StatusSeeOther)
		if loc := p.header.Get("Location"); !strings.HasPrefix(loc, "/login/not-yet?") || strings.Contains(loc, "welcome") {
			t.Fatalf("log-in before the start: led to %q", loc)
		}
		// A wrong password says nothing of the window.
		invitee.login("later@example.com", "not the password!").want(t, http.StatusUnprocessableEntity)

		u, err := a.svc.Invitation(a.global, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		admin := a.browser()
		admin.login("root@example.com", adminPassword)
		admin.get("/admin/users").want(t, http.StatusOK, `<span class="window">Access Mar 10, 2026 – Mar 31, 2026 · not started</span>`)
		row := fmt.Sprintf("/admin/users/%d", u.AcceptedBy)
		admin.get(row+"/edit").want(t, http.StatusOK, `value="2026-03-10"`, `value="2026-03-31"`)
		grants := url.Values{"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)},
			fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"}}
		bad := url.Values{"access_from": {"2026-03-10"}, "access_until": {"31.03.2026"}}
		for k, v := range grants {
			bad[k] = v
		}
		admin.post(row+"/edit", row, bad).want(t, http.StatusUnprocessableEntity, "Enter a date as YYYY-MM-DD.", `value="31.03.2026"`)
		ok := url.Values{"access_from": {""}, "access_until": {"2026-03-05"}}
		for k, v := range grants {
			ok[k] = v
		}
		admin.post(row+"/edit", row, ok).want(t, http.StatusSeeOther)
		got, _ := a.svc.User(a.global, u.AcceptedBy)
		if !got.AccessFrom.IsZero() || !got.AccessUntil.Equal(time.Date(2026, 3, 6, 0, 0, 0, 0, berlin)) {
			t.Fatalf("edited window %v–%v", got.AccessFrom, got.AccessUntil)
		}
		invitee.login("later@example.com", adminPassword).want(t, http.StatusSeeOther)
		invitee.get("/home").want(t, http.StatusOK, "Your access ends on Mar 6, 2026 12:00 AM CET.") // in the user's language

		// At the end the session ends, and the log-in says when it ended.
		a.advance(5 * 24 * time.Hour)
		invitee.get("/home").want(t, http.StatusSeeOther)
		invitee.lang = "en"
		invitee.login("later@example.com", adminPassword).want(t, http.StatusUnprocessableEntity, "Your access ended on Mar 6, 2026 12:00 AM CET.")
		if n, err := a.svc.DisableEndedAccess(context.Background()); err != nil || n != 1 {
			t.Fatalf("DisableEndedAccess: %d, %v", n, err)
		}
		// Enabling says to extend first, at the editor's dates.
		admin.login("root@example.com", adminPassword) // a new day		admin.post("/admin/users", row+"/enable", nil).want(t, http.StatusUnprocessableEntity, "This user&#39;s access has ended: set a later end date, then save.")
		ok.Set("access_until", "")
		admin.post(row+"/edit", row, ok).want(t, http.StatusSeeOther)
		admin.get("/admin/users").want(t, http.StatusOK, "Active")
		invitee.login("later@example.com", adminPassword).want(t, http.StatusSeeOther)
	})
}

// An invitation whose window ended before it was accepted makes no
// account: its page says why and what to do.
func TestAccessWindowEndedBeforeAccept(t *testing.T) {
	a := newApp(t)
	_, token, err := a.svc.Invite(a.global, invite.InvitationInput{
		CompanyID: a.acme.ID, Email: "late@example.com", FirstName: "Lee", LastName: "Late", BusinessRoleID: a.acme.BusinessRoles[0].ID,
		Grants:      []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
		AccessUntil: a.clock().Add(24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.advance(2 * 24 * time.Hour)
	join := a.svc.Paths().AcceptInvitation + token
	b := a.browser()
	p := b.post(join, join, url.Values{"first_name": {"Lee"}, "last_name": {"Late"}, "password": {adminPassword}, "password_confirm": {adminPassword}, "accept_terms": {"on"}})
	p.want(t, http.StatusForbidden, "This invitation&#39;s access period has ended", "Ask the person who invited you to send it again with new dates.")
	if _, err := a.svc.Authenticate(context.Background(), "late@example.com", adminPassword); !errors.Is(err, invite.ErrBadCredentials) {
		t.Errorf("an account was made: %v", err)
	}
}
