package invite_test

import (
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

func BenchmarkRenderInvitation(b *testing.B) {
	c := &invite.Company{ID: 1, Name: "Acme", DefaultLanguage: "de", TimeZone: "Europe/Berlin",
		Subscriptions: []invite.Subscription{{ID: 1, Name: "App Designer"}, {ID: 2, Name: "Data Stream Designer"}}}
	inv := &invite.Invitation{CompanyID: 1, Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Language: "de", TimeZone: "Europe/Vienna",
		ExpiresAt: time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC),
		Grants:    []invite.Grant{{SubscriptionID: 1, Role: invite.RoleContributor}, {SubscriptionID: 2, Role: invite.RoleViewer}}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := invite.RenderInvitation(invite.Template{}, inv, c, "Ada Admin", "https://invite.example/accept/TOKEN"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
