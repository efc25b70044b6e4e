package httpui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/invitehq/invite/invite"
)

// Invite Users offers the company's presets as the default of every row,
// and the seats beside each subscription; a pasted list with a preset and
// nothing else is checked with the preset's details, and the rows past a
// subscription's seats are told so in the dry run.
func TestBulkPresetsAndSeats(t *testing.T) {
	a := newApp(t)
	app := a.acme.Subscriptions[0].ID
	p := &invite.Preset{CompanyID: a.acme.ID, Name: "Plant Operator", BusinessRoleID: a.acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: app, Role: invite.RoleViewer}}}
	if err := a.svc.CreatePreset(a.global, p); err != nil {
		t.Fatal(err)
	}
	if err := a.svc.SetSeats(a.global, a.acme.ID, app, 2); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	b.get(fmt.Sprintf("/admin/invitations/bulk?company=%d", a.acme.ID)).want(t, http.StatusOK,
		`<select id="f-preset" name="preset">`, `<option value="Plant Operator">Plant Operator</option>`, "0 of 2 seats used, 0 pending, 2 free")
	up := b.upload(url.Values{"company": {fmt.Sprint(a.acme.ID)}, "action": {"check"}, "preset": {"Plant Operator"},
		"list": {"Grace Hopper <grace@example.com>\nAda Lovelace <ada@example.com>\nAlan Turing <alan@example.com>\n"}}, "", nil)
	up.want(t, http.StatusSeeOther)
	b.get(up.header.Get("Location")).want(t, http.StatusOK, "3 rows checked: 2 valid, 1 with problems", "App Designer: 0 of 2 seats used, 2 pending.")
}
