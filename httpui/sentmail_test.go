package httpui_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// failingMailer is a mail server that refuses every message for good.
type failingMailer struct{}

func (failingMailer) Deliver(_ context.Context, msgs []*invite.Message) []error {
	errs := make([]error, len(msgs))
	for i := range errs {
		errs[i] = invite.Permanent(errors.New("550 no such mailbox"))
	}
	return errs
}

// readAllMail walks Sent Mail as b and returns every page it can reach
// there: the list and each message.
func readAllMail(t *testing.T, b *browser) string {
	t.Helper()
	list := b.get("/admin/mail")
	list.want(t, http.StatusOK)
	all := list.body
	for _, m := range regexp.MustCompile(`href="(/admin/mail/\d+)"`).FindAllStringSubmatch(list.body, -1) {
		p := b.get(m[1])
		p.want(t, http.StatusOK)
		all += p.body
	}
	return all
}

// The account takeover found from outside: a Company Administrator who is
// only a Viewer opened Sent Mail, read another user's password reset link
// and an invitation the Global Administrator had sent with Administrator
// roles, and became them. Whether the mail is queued, was written to the
// log (no mail server) or failed for good, a reset link is shown to no one
// and an invitation link only to its sender or a Global Administrator, while
// it is pending.
func TestSentMailShowsNoOneElsesLink(t *testing.T) {
	for _, delivery := range []struct {
		name    string
		deliver func(*app)
	}{
		{"Queued", func(*app) {}},
		{"LoggedWithoutSMTP", func(a *app) {
			if _, err := a.svc.DeliverOutbox(context.Background(), invite.LogMailer{Logger: discard()}); err != nil {
				a.t.Fatal(err)
			}
		}},
		{"FailedForGood", func(a *app) {
			if _, err := a.svc.DeliverOutbox(context.Background(), failingMailer{}); err != nil {
				a.t.Fatal(err)
			}
		}},
	} {
		t.Run(delivery.name, func(t *testing.T) {
			eachApp(t, func(t *testing.T, a *app) {
				ctx := context.Background()
				viewer := a.companyAdminAs(a.acme, "viewer@acme.example", invite.RoleViewer)
				member := a.member(a.acme, "member@acme.example")
				vip := invite.InvitationInput{
					CompanyID: a.acme.ID, Email: "vip@acme.example", FirstName: "Very", LastName: "Important",
					BusinessRoleID: a.acme.BusinessRoles[0].ID, AdminLevel: invite.AdminCompany,
					Grants: []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleAdministrator}},
				}
				_, vipToken, err := a.svc.Invite(a.global, vip)
				if err != nil {
					t.Fatal(err)
				}
				own := invite.InvitationInput{
					CompanyID: a.acme.ID, Email: "own@acme.example", FirstName: "Own", LastName: "Guest",
					BusinessRoleID: a.acme.BusinessRoles[0].ID,
					Grants:         []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
				}
				ownInv, ownToken, err := a.svc.Invite(invite.NewContext(ctx, viewer), own)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.svc.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
					t.Fatal(err)
				}
				if _, err := a.svc.IssuePasswordResets(ctx); err != nil {
					t.Fatal(err)
				}
				// The reset token, as only the outbox (and the member's
				// mailbox) holds it.
				raw, err := a.db.Messages(ctx, invite.MessageQuery{Limit: 1})
				if err != nil || len(raw) != 1 || raw[0].Kind != invite.KindPasswordReset {
					t.Fatalf("no reset message: %v", err)
				}
				resetToken := regexp.MustCompile(invite.ResetPath + `([A-Za-z0-9_-]{43})`).FindStringSubmatch(raw[0].Text)[1]
				delivery.deliver(a)

				attacker := a.browser()
				attacker.login(viewer.Email, adminPassword).want(t, http.StatusSeeOther)
				seen := readAllMail(t, attacker)
				for name, token := range map[string]string{"the member's reset link": resetToken, "the Global Administrator's invitation": vipToken} {
					if strings.Contains(seen, token) {
						t.Errorf("a Viewer Company Administrator reads %s on Sent Mail", name)
					}
				}
				if !strings.Contains(seen, `value="http://invite.test/join/`+ownToken+`"`) {
					t.Errorf("the sender does not find the link of their own pending invitation to copy")
				}

				root := a.browser()
				root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
				seen = readAllMail(t, root)
				if strings.Contains(seen, resetToken) {
					t.Errorf("a Global Administrator reads a password reset link on Sent Mail")
				}
				for name, token := range map[string]string{"their own invitation": vipToken, "a Company Administrator's invitation": ownToken} {
					if !strings.Contains(seen, token) {
						t.Errorf("a Global Administrator does not find the link of %s", name)
					}
				}

				// A link is shown only while it is the invitation's live one.
				if _, err := a.svc.Cancel(invite.NewContext(ctx, viewer), ownInv.ID); err != nil {
					t.Fatal(err)
				}
				if seen := readAllMail(t, attacker); strings.Contains(seen, ownToken) {
					t.Errorf("the link of a canceled invitation is still shown")
				}

				// Another company's administrator finds none of Acme's mail.
				a.companyAdmin(a.bolt, "boss@bolt.example")
				outsider := a.browser()
				outsider.login("boss@bolt.example", adminPassword).want(t, http.StatusSeeOther)
				for _, m := range raw {
					outsider.get(fmt.Sprintf("/admin/mail/%d", m.ID)).want(t, http.StatusNotFound)
				}
			})
		})
	}
}

// After a resend only the newest message of an invitation shows a link: the
// earlier ones are dead.
func TestSentMailShowsOnlyTheLiveLink(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		inv, first := a.invite(a.acme, "twice@example.com")
		_, second, err := a.svc.Resend(a.global, inv.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		root := a.browser()
		root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
		seen := readAllMail(t, root)
		if strings.Contains(seen, first) || !strings.Contains(seen, second) {
			t.Errorf("got the old link %v, the new one %v; want only the new one", strings.Contains(seen, first), strings.Contains(seen, second))
		}
	})
}
