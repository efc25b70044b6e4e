package invite_test

import (
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// BenchmarkRenderInvitation measures composing an invitation mail in the
// built-in template and in a company's own, per core with -cpu 1:
//
//	go test -run '^$' -bench RenderInvitation -cpu 1 ./invite
func BenchmarkRenderInvitation(b *testing.B) {
	c := &invite.Company{ID: 1, Name: "Acme", DefaultLanguage: "de", TimeZone: "Europe/Berlin",
		Subscriptions: []invite.Subscription{{ID: 1, Name: "App Designer"}, {ID: 2, Name: "Data Stream Designer"}}}
	inv := &invite.Invitation{CompanyID: 1, Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Language: "de", TimeZone: "Europe/Vienna",
		ExpiresAt: time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC),
		Grants:    []invite.Grant{{SubscriptionID: 1, Role: invite.RoleContributor}, {SubscriptionID: 2, Role: invite.RoleViewer}}}
	own := invite.Template{Subject: "{FirstName}, welcome to {CompanyName}",
		Body: "Hello {FirstName} {LastName},\n\n{InviterName} invited you to {CompanyName} as {UserName}: {Subscriptions}.\n\nAccept by {ExpirationDate}:\n{InvitationLink}\n"}
	for _, tt := range []struct {
		name string
		t    invite.Template
	}{{"builtin", invite.Template{}}, {"company", own}} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := invite.RenderInvitation(tt.t, inv, c, "Ada Admin", "https://invite.example/accept/TOKEN"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
