package httpui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
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

// A batch checked by one administrator is shown to the company's others
// without a Send button, which would answer 404 to them, saying who may
// send it (found from outside).
func TestBulkBatchOfAnother(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	up := b.upload(url.Values{"company": {fmt.Sprint(a.acme.ID)}, "action": {"check"}, "business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
		"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
		"list": {"Grace Hopper <grace@example.com>\n"}}, "", nil)
	up.want(t, http.StatusSeeOther)
	batch := up.header.Get("Location")
	b.get(batch).want(t, http.StatusOK, `id="bulk-send"`)
	// A page number far past the last shows the last (found from
	// outside: it was a 500).
	b.get(batch+"?page=92233720368547758").want(t, http.StatusOK, "grace@example.com")
	b.get(batch+"?page=92233720368547758&show=refused").want(t, http.StatusOK)
	other := a.browser()
	other.login(a.companyAdmin(a.acme, "boss@acme.example"), adminPassword)
	p := other.get(batch)
	p.want(t, http.StatusOK, "Only the administrator who checked this list can send it.")
	if strings.Contains(p.body, `id="bulk-send"`) {
		t.Error("another administrator is offered to send the batch")
	}
}

// A list past the administrator's bound on rows sent in bulk is refused
// saying how many rows are left (found from outside: it said only "too
// many").
func TestBulkRowsBoundSaysWhatIsLeft(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := newAppOn(t, db, func(c *invite.Config) { c.Limits.BatchRows = invite.Rate{Count: 2, Per: 24 * time.Hour} })
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	up := b.upload(url.Values{"company": {fmt.Sprint(a.acme.ID)}, "action": {"check"}, "business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
		"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
		"list": {"Ada Lovelace <ada@example.com>\nAlan Turing <alan@example.com>\nGrace Hopper <grace@example.com>\n"}}, "", nil)
	up.want(t, http.StatusSeeOther)
	batch := up.header.Get("Location")
	b.post(batch, batch+"/confirm", url.Values{"mode": {"valid"}}).want(t, http.StatusTooManyRequests,
		"3 rows, but only 2 more can be sent in bulk for now.")
}
