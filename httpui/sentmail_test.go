package httpui_test

import (
	"log/slog"
	"net/http/httptest"
	"sync"
	"time"

	"context"
	"errors"
	"fmt"
	"github.com/invitehq/invite/httpui"
	"net/http"
	"net/url"
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
				resetToken := regexp.MustCompile(invite.DefaultPaths().ResetPassword + `([A-Za-z0-9_-]{43})`).FindStringSubmatch(raw[0].Text)[1]
				delivery.deliver(a)

				attacker := a.browser()
				attacker.login(viewer.Email, adminPassword).want(t, http.StatusSeeOther)
				seen := readAllMail(t, attacker)
				for name, token := range map[string]string{"the member's reset link": resetToken, "the Global Administrator's invitation": vipToken} {
					if strings.Contains(seen, token) {
						t.Errorf("a Viewer Company Administrator reads %s on Sent Mail", name)
					}
				}
				// Without a mail server (only then) the sender passes the
				// link on by hand.
				copyable := strings.Contains(seen, `value="http://invite.test/join/`+ownToken+`"`)
				if want := delivery.name == "LoggedWithoutSMTP"; copyable != want {
					t.Errorf("the sender finds the link of their own pending invitation to copy: %v, want %v", copyable, want)
				}

				root := a.browser()
				root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
				seen = readAllMail(t, root)
				if strings.Contains(seen, resetToken) {
					t.Errorf("a Global Administrator reads a password reset link on Sent Mail")
				}
				for name, token := range map[string]string{"their own invitation": vipToken, "a Company Administrator's invitation": ownToken} {
					if got, want := strings.Contains(seen, token), delivery.name == "LoggedWithoutSMTP"; got != want {
						t.Errorf("a Global Administrator finds the link of %s: %v, want %v", name, got, want)
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

// logMail delivers the outbox as the embedded default does, to the log.
func (a *app) logMail() {
	a.t.Helper()
	if _, err := a.svc.DeliverOutbox(context.Background(), invite.LogMailer{Logger: discard()}); err != nil {
		a.t.Fatal(err)
	}
}

// After a resend only the newest message of an invitation shows a link: the
// earlier ones are dead.
func TestSentMailShowsOnlyTheLiveLink(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		inv, first := a.invite(a.acme, "twice@example.com")
		a.logMail()
		a.advance(time.Minute)
		_, second, err := a.svc.Resend(a.global, inv.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		a.logMail()
		root := a.browser()
		root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
		seen := readAllMail(t, root)
		if strings.Contains(seen, first) || !strings.Contains(seen, second) {
			t.Errorf("got the old link %v, the new one %v; want only the new one", strings.Contains(seen, first), strings.Contains(seen, second))
		}
	})
}

// Someone logged in who opens an invitation link is told to log out
// first, and accepting is refused: it once made the invitee's account while
// the other person's session went on. Logging out from that page leads
// back to the invitation.
func TestAcceptWhileLoggedIn(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		member := a.member(a.acme, "member@acme.example")
		_, token := a.invite(a.acme, "guest@example.com")
		join := invite.DefaultPaths().AcceptInvitation + token
		b := a.browser()
		b.login(member.Email, adminPassword).want(t, http.StatusSeeOther)
		b.get(join).want(t, http.StatusConflict, "You are logged in as Mem Ber (member@acme.example). This invitation is for guest@example.com", "Log out and continue")
		users, _ := a.svc.Users(a.global, invite.UserFilter{})
		form := url.Values{"password": {"a fine new passphrase"}, "password_confirm": {"a fine new passphrase"}, "first_name": {"G"}, "last_name": {"H"}, "accept_terms": {"on"}}
		b.post("/home", join, form).want(t, http.StatusConflict, "Log out to accept this invitation")
		if after, _ := a.svc.Users(a.global, invite.UserFilter{}); len(after.Users) != len(users.Users) {
			t.Fatalf("accepting while logged in made a user")
		}
		b.get("/home").want(t, http.StatusOK) // still the member, untouched
		out := b.post(join, "/logout", url.Values{"next": {join}})
		out.want(t, http.StatusSeeOther)
		if loc := out.header.Get("Location"); loc != join {
			t.Fatalf("logging out from the page went to %q, want the invitation", loc)
		}
		b.get(join).want(t, http.StatusOK, "Create your password")
		b.post(join, join, form).want(t, http.StatusSeeOther)
	})
}

// A Company Administrator inviting the address of another company's user
// is answered as for a fresh address; the invitee learns on the link that
// they have an account, and no second account is made.
func TestInviteAnotherCompanysUser(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		boss := a.companyAdmin(a.acme, "boss@acme.example")
		other := a.member(a.bolt, "member@bolt.example")
		b := a.browser()
		b.login(boss, adminPassword).want(t, http.StatusSeeOther)
		form := func(email string) url.Values {
			return url.Values{
				"email": {email}, "first_name": {"Mem"}, "last_name": {"Ber"}, "business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
				"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"}, "action": {"send"},
			}
		}
		taken := b.post("/admin/invitations/new", "/admin/invitations", form(other.Email))
		fresh := b.post("/admin/invitations/new", "/admin/invitations", form("fresh@example.com"))
		if taken.status != fresh.status || taken.header.Get("Location") != fresh.header.Get("Location") {
			t.Fatalf("an address of another company answers %d %q, a fresh one %d %q", taken.status, taken.header.Get("Location"), fresh.status, fresh.header.Get("Location"))
		}
		link := regexp.MustCompile(invite.DefaultPaths().AcceptInvitation + `[A-Za-z0-9_-]{43}`).FindString(a.mailTo(other.Email, invite.KindInvitation))
		a.browser().get(link).want(t, http.StatusConflict, "You already have an account", "Log in")
	})
}

// No log line carries a link's secret: on a failure at /join/, /reset/ or
// /request/ the log names the path with its last part replaced.
func TestLogsCarryNoTokens(t *testing.T) {
	a := newApp(t)
	_, token := a.invite(a.acme, "guest@example.com")
	var log strings.Builder
	var mu sync.Mutex
	srv := httptest.NewServer(httpui.New(httpui.Config{Service: a.svc, Health: a.db.Ping, BaseURL: "http://invite.test",
		Logger: slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return log.Write(p)
		}), nil))}))
	defer srv.Close()
	a.db.Close() // every page that needs the database fails now
	for _, path := range []string{invite.DefaultPaths().AcceptInvitation + token, invite.DefaultPaths().ResetPassword + token, "/request/" + a.acmeKey} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the database closed: got %d, want 503", path, resp.StatusCode)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	out := log.String()
	for _, secret := range []string{token, a.acmeKey} {
		if strings.Contains(out, secret) {
			t.Errorf("the log carries a secret:\n%s", out)
		}
	}
	if !strings.Contains(out, "path=/join/[redacted]") {
		t.Errorf("the log does not name the path:\n%s", out)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// Found from outside: {InvitationLink} in a subject put the live link in
// the Sent Mail list, where every administrator of the company read it and
// took over an invitation with Administrator roles. A subject may not hold
// the link, and no subject shown keeps one.
func TestNoLinkInSubjects(t *testing.T) {
	a := newApp(t)
	viewer := a.companyAdminAs(a.acme, "viewer@acme.example", invite.RoleViewer)
	b := a.browser()
	b.login(viewer.Email, adminPassword).want(t, http.StatusSeeOther)
	tpl := fmt.Sprintf("/admin/companies/%d/templates/en", a.acme.ID)
	b.post(tpl, tpl, url.Values{"mail_subject": {"Welcome to {CompanyName} {InvitationLink}"}, "mail_body": {"Hello {FirstName}"}, "action": {"save"}}).
		want(t, http.StatusUnprocessableEntity, "The link belongs in the body")
	// Saved by an earlier version, as it may be in a database.
	if _, err := a.db.Bun().ExecContext(context.Background(), "INSERT INTO mail_templates (company_id, language, subject, body, updated_at) VALUES (?, 'en', 'Welcome {InvitationLink}', 'Hello', ?)",
		a.acme.ID, a.clock()); err != nil {
		t.Fatal(err)
	}
	_, token := a.invite(a.acme, "vip@acme.example")
	for _, deliver := range []func(){func() {}, a.deliver} {
		deliver()
		if seen := readAllMail(t, b); strings.Contains(seen, token) {
			t.Fatalf("the link is on Sent Mail")
		}
	}
}

// Found from outside: a resend kept the inviter as the link's sender, so a
// Viewer Company Administrator saw the link of their invitation after a
// Global Administrator resent it with Administrator roles. The link is the
// last sender's, and only while they may still grant all it grants.
func TestSentMailLinkFollowsTheSender(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		viewer := a.companyAdminAs(a.acme, "viewer@acme.example", invite.RoleViewer)
		asViewer := invite.NewContext(ctx, viewer)
		sub := a.acme.Subscriptions[0].ID
		in := invite.InvitationInput{CompanyID: a.acme.ID, Email: "bob@acme.example", FirstName: "Bob", LastName: "B",
			BusinessRoleID: a.acme.BusinessRoles[0].ID, Grants: []invite.Grant{{SubscriptionID: sub, Role: invite.RoleViewer}}}
		inv, first, err := a.svc.Invite(asViewer, in)
		if err != nil {
			t.Fatal(err)
		}
		a.logMail()
		b := a.browser()
		b.login(viewer.Email, adminPassword).want(t, http.StatusSeeOther)
		if !strings.Contains(readAllMail(t, b), first) {
			t.Fatalf("the sender does not find their own link")
		}
		in.AdminLevel, in.Grants[0].Role = invite.AdminCompany, invite.RoleAdministrator
		a.advance(time.Minute)
		_, second, err := a.svc.Resend(a.global, inv.ID, &in)
		if err != nil {
			t.Fatal(err)
		}
		a.logMail()
		if seen := readAllMail(t, b); strings.Contains(seen, second) || strings.Contains(seen, first) {
			t.Fatalf("the first sender reads the link the Global Administrator resent with Administrator roles")
		}
		root := a.browser()
		root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
		if !strings.Contains(readAllMail(t, root), second) {
			t.Errorf("the Global Administrator who resent it does not find the link")
		}
	})
}

// mailerFailing fails every message with err.
type mailerFailing struct{ err error }

func (m mailerFailing) Deliver(_ context.Context, msgs []*invite.Message) []error {
	errs := make([]error, len(msgs))
	for i := range errs {
		errs[i] = m.err
	}
	return errs
}

// Found from outside: Company Administrators read the mail server's
// address in a failed delivery's reason. They read its reply code only; a
// Global Administrator, who runs the server, reads it all.
func TestDeliveryErrorsShown(t *testing.T) {
	a := newApp(t)
	boss := a.companyAdmin(a.acme, "boss@acme.example")
	a.invite(a.acme, "unreached@example.com")
	if _, err := a.svc.DeliverOutbox(context.Background(), mailerFailing{errors.New("smtp 10.9.8.250:25: dial tcp 10.9.8.250:25: connect: connection refused")}); err != nil {
		t.Fatal(err)
	}
	a.invite(a.acme, "refused@example.com")
	if _, err := a.svc.DeliverOutbox(context.Background(), mailerFailing{invite.Permanent(errors.New("550 5.1.1 <refused@example.com>: no such user on mx.internal.example"))}); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	b.login(boss, adminPassword).want(t, http.StatusSeeOther)
	for _, page := range []string{"/admin/invitations", readAllMail(t, b)} {
		body := page
		if strings.HasPrefix(page, "/") {
			body = b.get(page).body
		}
		if strings.Contains(body, "10.9.8.250") || strings.Contains(body, "answered 250") || strings.Contains(body, "mx.internal.example") {
			t.Errorf("a Company Administrator reads the mail servers' names:\n%s", body)
		}
		if !strings.Contains(body, "the mail server could not be reached") || !strings.Contains(body, "the mail server answered 550") {
			t.Errorf("a Company Administrator is not told why:\n%s", body)
		}
	}
	root := a.browser()
	root.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	root.get("/admin/invitations").want(t, http.StatusOK, "10.9.8.250", "no such user")
}
