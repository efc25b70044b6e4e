package httpui_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// Nobody grants above their own: wherever a role is granted (inviting,
// resending, changing a user, approving a request to join), a Company
// Administrator who is a Viewer in a subscription grants at most Viewer
// there, and nothing in a subscription they do not hold; the field is
// marked and nothing changes. A Global Administrator grants anything.
func TestRoleCeilings(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		viewer := a.companyAdminAs(a.acme, "viewer@acme.example", invite.RoleViewer)
		// A user the Viewer may manage: a Viewer too.
		_, token, err := a.svc.Invite(a.global, invite.InvitationInput{CompanyID: a.acme.ID, Email: "member@acme.example", FirstName: "Mem", LastName: "Ber",
			BusinessRoleID: a.acme.BusinessRoles[0].ID, Grants: []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}}})
		if err != nil {
			t.Fatal(err)
		}
		member, err := a.svc.Accept(t.Context(), invite.AcceptInput{Token: token, Password: adminPassword, FirstName: "Mem", LastName: "Ber", AcceptTerms: true})
		if err != nil {
			t.Fatal(err)
		}
		higher, _ := a.invite(a.acme, "guest@example.com") // Contributor, by the Global Administrator
		inv, _, err := a.svc.Invite(a.global, invite.InvitationInput{CompanyID: a.acme.ID, Email: "viewer.guest@example.com", FirstName: "View", LastName: "Er",
			BusinessRoleID: a.acme.BusinessRoles[0].ID, Grants: []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}}})
		if err != nil {
			t.Fatal(err)
		}
		a.advance(time.Minute) // past the bound on mail to its address
		if err := a.svc.RequestToJoin(t.Context(), a.acmeKey, invite.JoinRequestInput{Email: "asker@example.com", FirstName: "Ask", LastName: "Er"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.ProcessJoinRequests(t.Context()); err != nil {
			t.Fatal(err)
		}
		reqs, _ := a.svc.JoinRequests(a.global, a.acme.ID)
		designer, stream := a.acme.Subscriptions[0].ID, a.acme.Subscriptions[1].ID
		grant := func(sub int64, role invite.Role) url.Values {
			return url.Values{"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "grant": {fmt.Sprint(sub)}, fmt.Sprintf("role_%d", sub): {string(role)},
				"email": {"someone@example.com"}, "first_name": {"Some"}, "last_name": {"One"}, "company": {fmt.Sprint(a.acme.ID)}, "action": {"send"}}
		}
		places := []struct{ name, from, path string }{
			{"Invite", "/admin/invitations/new", "/admin/invitations"},
			{"Resend", "/admin/invitations", fmt.Sprintf("/admin/invitations/%d/resend", inv.ID)},
			{"ChangeUser", "/admin/users", fmt.Sprintf("/admin/users/%d", member.ID)},
			{"ApproveJoinRequest", "/admin/users", fmt.Sprintf("/admin/join-requests/%d/approve", reqs[0].ID)},
		}
		b := a.browser()
		b.login(viewer.Email, adminPassword).want(t, http.StatusSeeOther)
		for _, place := range places {
			for _, tc := range []struct {
				sub  int64
				role invite.Role
			}{{designer, invite.RoleContributor}, {designer, invite.RoleAdministrator}, {stream, invite.RoleViewer}} {
				t.Run(fmt.Sprintf("%s/%d/%s", place.name, tc.sub, tc.role), func(t *testing.T) {
					before := dump(t, a)
					p := b.post(place.from, place.path, grant(tc.sub, tc.role))
					p.want(t, http.StatusUnprocessableEntity, "above your own")
					if after := dump(t, a); after != before {
						t.Errorf("a refused grant changed something")
					}
				})
			}
		}
		// Nobody acts on someone above their own: the Viewer cannot change
		// or disable a Company Administrator who holds Administrator.
		boss := a.companyAdminAs(a.acme, "boss@acme.example", invite.RoleAdministrator)
		list := b.get("/admin/users")
		if strings.Contains(list.body, fmt.Sprintf("/admin/users/%d/edit", boss.ID)) || strings.Contains(list.body, fmt.Sprintf("/admin/users/%d/disable", boss.ID)) {
			t.Errorf("the Users list offers to change or disable an administrator above the viewer")
		}
		before := dump(t, a)
		b.get(fmt.Sprintf("/admin/users/%d/edit", boss.ID)).want(t, http.StatusForbidden, "holds a role above your own")
		b.post("/admin/users", fmt.Sprintf("/admin/users/%d", boss.ID), grant(designer, invite.RoleViewer)).want(t, http.StatusForbidden, "holds a role above your own")
		b.post("/admin/users", fmt.Sprintf("/admin/users/%d/disable", boss.ID), url.Values{}).want(t, http.StatusForbidden, "holds a role above your own")
		if dump(t, a) != before {
			t.Errorf("a refused change of a higher administrator changed something")
		}

		// Nor on an invitation above their own: sending it again grants it
		// again, changing or canceling it acts on what it grants. The list
		// offers neither.
		before = dump(t, a)
		if strings.Contains(b.get("/admin/invitations").body, fmt.Sprintf("/admin/invitations/%d/", higher.ID)) {
			t.Errorf("the Invitations list offers to resend or cancel an invitation above the viewer")
		}
		b.get(fmt.Sprintf("/admin/invitations/%d/resend", higher.ID)).want(t, http.StatusForbidden, "grants a role above your own")
		b.post("/admin/invitations", fmt.Sprintf("/admin/invitations/%d/resend", higher.ID), grant(designer, invite.RoleViewer)).
			want(t, http.StatusForbidden, "grants a role above your own")
		b.post("/admin/invitations", fmt.Sprintf("/admin/invitations/%d/cancel", higher.ID), url.Values{}).want(t, http.StatusForbidden, "grants a role above your own")
		if _, _, err := a.svc.Resend(invite.NewContext(t.Context(), viewer), higher.ID, nil); !errors.Is(err, invite.ErrInvitationAboveYou) {
			t.Errorf("a Viewer resending a Contributor invitation as it is: got %v", err)
		}
		if dump(t, a) != before {
			t.Errorf("a refused act on a higher invitation changed something")
		}
		// At their own role it goes through; a Global Administrator grants any.
		b.post("/admin/invitations/new", "/admin/invitations", grant(designer, invite.RoleViewer)).want(t, http.StatusSeeOther)
		root := a.browser()
		root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
		root.post(places[2].from, places[2].path, grant(stream, invite.RoleAdministrator)).want(t, http.StatusSeeOther)
	})
}

// dump is every invitation, user and grant, to tell whether a request
// changed any.
func dump(t *testing.T, a *app) string {
	t.Helper()
	invs, err := a.svc.Invitations(a.global, invite.InvitationFilter{Limit: invite.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	users, err := a.svc.Users(a.global, invite.UserFilter{Limit: invite.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := a.svc.JoinRequests(a.global, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for _, inv := range invs.Invitations {
		s += fmt.Sprintf("%d %s %v %s %d\n", inv.ID, inv.Email, inv.Grants, inv.Status, inv.TimesSent)
	}
	for _, u := range users.Users {
		s += fmt.Sprintf("%d %s %v %s\n", u.ID, u.Email, u.Grants, u.AdminLevel)
	}
	return s + fmt.Sprint(len(reqs))
}
