package httpui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// A Company Administrator may not lift or extend the access window a
// Global Administrator set on them (found from outside: clearing the
// end on their own row was saved); sending it back as it is, with their
// other details, is no change of it.
func TestOwnAccessWindow(t *testing.T) {
	a := newApp(t)
	boss := a.companyAdminAs(a.acme, "boss@acme.example", invite.RoleAdministrator)
	a.companyAdmin(a.acme, "other@acme.example") // boss is not the last
	end := a.clock().Add(30 * 24 * time.Hour)
	if _, err := a.svc.ChangeUser(a.global, boss.ID, invite.UserChange{Access: &invite.AccessWindow{Until: end}}); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	b.login(boss.Email, adminPassword).want(t, http.StatusSeeOther)
	row := fmt.Sprintf("/admin/users/%d", boss.ID)
	form := func(until string) url.Values {
		return url.Values{
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "admin": {"on"},
			"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"administrator"},
			"access_from": {""}, "access_until": {until},
		}
	}
	b.post(row+"/edit", row, form("")).want(t, http.StatusForbidden)
	b.post(row+"/edit", row, form(end.AddDate(1, 0, 0).In(time.UTC).Format("2006-01-02"))).want(t, http.StatusForbidden)
	got, err := a.db.User(context.Background(), boss.ID)
	if err != nil || !got.AccessUntil.Equal(end) {
		t.Fatalf("the window is %v, %v; want it to end at %v", got.AccessUntil, err, end)
	}
	// Their window as their editor shows it is kept, to the instant,
	// though it ends within a day.
	m := regexp.MustCompile(`name="access_until"[^>]*value="([^"]*)"`).FindStringSubmatch(b.get(row + "/edit").body)
	if m == nil {
		t.Fatal("no access_until field on the editor")
	}
	b.post(row+"/edit", row, form(m[1])).want(t, http.StatusSeeOther)
	if got, err := a.db.User(context.Background(), boss.ID); err != nil || !got.AccessUntil.Equal(end) {
		t.Fatalf("after saving their row, the window ends at %v, %v; want %v", got.AccessUntil, err, end)
	}
}
