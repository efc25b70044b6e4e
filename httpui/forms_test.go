package httpui_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// formCase is one form submitted as a person fills it in wrongly.
type formCase struct {
	name       string
	as         string // who is logged in: "" for nobody, else an e-mail address
	from, path string // the page with the form, and where it posts
	form       url.Values
	want       int
	text       string // what the answer must say
}

// Every form, filled in wrongly, is answered with the form again and what
// is wrong, with and without JavaScript (HX-Request): never an error page
// of the server.
func TestInvalidForms(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		boss := a.companyAdmin(a.acme, "boss@acme.example")
		member := a.member(a.acme, "member@acme.example")
		inv, token := a.invite(a.acme, "guest@example.com")
		if err := a.svc.RequestToJoin(ctx, a.acmeKey, invite.JoinRequestInput{Email: "asker@example.com", FirstName: "Ask", LastName: "Er"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.ProcessJoinRequests(ctx); err != nil {
			t.Fatal(err)
		}
		reqs, err := a.svc.JoinRequests(a.global, a.acme.ID)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("join requests: %v, %v", reqs, err)
		}
		if err := a.svc.RequestPasswordReset(ctx, member.Email, "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.IssuePasswordResets(ctx); err != nil {
			t.Fatal(err)
		}
		reset := invite.DefaultPaths().ResetPassword + resetLink.FindStringSubmatch(a.mailTo(member.Email, invite.KindPasswordReset))[1]
		join := invite.DefaultPaths().AcceptInvitation + token
		request := "/request/" + a.acmeKey
		root := "root@example.com"
		cases := []formCase{
			{"LogIn", "", "/login", "/login", url.Values{"email": {"nobody"}, "password": {""}}, 422, "The email address or password is incorrect."},
			{"Profile", member.Email, "/profile", "/profile", url.Values{"first_name": {""}, "last_name": {"B"}, "time_zone": {"Mars/Base"}}, 422, "This field is required."},
			{"Password", member.Email, "/profile/password", "/profile/password", url.Values{"current_password": {"wrong"}, "password": {"short"}, "password_confirm": {"short"}}, 422, "This is not your current password."},
			{"RequestToJoin", "", request, request, url.Values{"email": {"not an address"}}, 422, "name@example.com"},
			{"Reset", "", reset, reset, url.Values{"password": {"short"}, "password_confirm": {"short"}}, 422, "at least 12 characters"},
			{"Accept", "", join, join, url.Values{"password": {"short"}, "password_confirm": {"short"}, "first_name": {"G"}, "last_name": {"H"}}, 422, "at least 12 characters"},
			{"Approve", boss, "/admin/users", fmt.Sprintf("/admin/join-requests/%d/approve", reqs[0].ID), url.Values{"business_role": {"999999"}}, 422, "Choose one of the company&#39;s business roles."},
			{"EditUser", boss, "/admin/users", fmt.Sprintf("/admin/users/%d", member.ID), url.Values{"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}}, 422, "Please correct the marked fields."},
			{"Invite", root, "/admin/invitations/new", "/admin/invitations", url.Values{"company": {fmt.Sprint(a.acme.ID)}, "email": {"not an address"}, "action": {"send"}}, 422, "name@example.com"},
			{"Resend", root, "/admin/invitations", fmt.Sprintf("/admin/invitations/%d/resend", inv.ID), url.Values{"email": {"not an address"}, "action": {"send"}}, 422, "name@example.com"},
			{"Company", root, "/admin/companies", "/admin/companies", url.Values{"name": {""}}, 422, "This field is required."},
			{"Template", root, "/admin/invitations", fmt.Sprintf("/admin/companies/%d/templates/en", a.acme.ID), url.Values{"mail_subject": {"Hi {Nobody}"}, "mail_body": {"x"}, "action": {"save"}}, 422, "{Nobody}"},
		}
		for _, htmx := range []bool{false, true} {
			browsers := map[string]*browser{} // one log-in each: log-ins are limited
			for _, tc := range cases {
				t.Run(fmt.Sprintf("%s/htmx=%v", tc.name, htmx), func(t *testing.T) {
					b := browsers[tc.as]
					if b == nil {
						b = a.browser()
						if tc.as != "" {
							b.login(tc.as, adminPassword).want(t, http.StatusSeeOther)
						}
						browsers[tc.as] = b
					}
					b.htmx = htmx
					p := b.post(tc.from, tc.path, tc.form)
					p.want(t, tc.want, tc.text)
					if strings.Contains(p.body, "Something went wrong on our side") {
						t.Errorf("answered with the internal error page")
					}
					if full := strings.Contains(p.body, "<html"); full == htmx {
						t.Errorf("got a whole page %v under htmx %v", full, htmx)
					}
				})
			}
		}
	})
}

// Every list answers a cursor it did not make the same way: 422.
func TestBadCursors(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	for _, list := range []string{"/admin/users", "/admin/invitations", "/admin/mail"} {
		for _, after := range []string{"-1", "0", "x", "1.5", "99999999999999999999999", "%00", "MTIz"} {
			b.get(list+"?after="+after).want(t, http.StatusUnprocessableEntity, "This page link is no longer valid.")
		}
		b.get(list+"?after=").want(t, http.StatusOK)
	}
}

// What a form may send is bounded and checked before anything reads it: too
// large is 413 (whether or not it says its length), not a form is 415,
// malformed is 400, and nothing is stored or logged in.
func TestFormBodies(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	token := func() string {
		return html.UnescapeString(csrfField.FindStringSubmatch(b.get("/login").body)[1])
	}
	post := func(contentType string, body io.Reader, length int64) (status int, session bool) {
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/login", body)
		req.ContentLength = length
		req.Header.Set("Content-Type", contentType)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), ";"), "invite_session=")
	}
	form := func(extra string) string {
		return url.Values{"_csrf": {token()}, "email": {"root@example.com"}, "password": {adminPassword}}.Encode() + extra
	}
	huge := "&note=" + strings.Repeat("x", 1<<20)
	tests := []struct {
		name        string
		contentType string
		body        string
		chunked     bool
		want        int
	}{
		{"TooLarge", "application/x-www-form-urlencoded", form(huge), false, http.StatusRequestEntityTooLarge},
		{"TooLargeChunked", "application/x-www-form-urlencoded", form(huge), true, http.StatusRequestEntityTooLarge},
		{"JSON", "application/json", `{"email":"root@example.com"}`, false, http.StatusUnsupportedMediaType},
		{"Multipart", "multipart/form-data; boundary=x", "--x--", false, http.StatusUnsupportedMediaType},
		{"NoType", "", form(""), false, http.StatusUnsupportedMediaType},
		{"Malformed", "application/x-www-form-urlencoded", form("&%zz=1"), false, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			length := int64(len(tt.body))
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				length, body = -1, io.MultiReader(body) // hides the length
			}
			if got, session := post(tt.contentType, body, length); got != tt.want || session {
				t.Errorf("got %d (a session started: %v), want %d and none", got, session, tt.want)
			}
		})
	}
	if got, session := post("application/x-www-form-urlencoded; charset=UTF-8", strings.NewReader(form("")), -1); got != http.StatusSeeOther || !session {
		t.Errorf("a good form after them: got %d, want 303 and a session", got)
	}
}

// Resending at once a second time is refused with when it can be sent
// again: one mail, not two, reaches the invitee.
func TestResendTooOften(t *testing.T) {
	a := newApp(t)
	inv, _ := a.invite(a.acme, "twice@example.com")
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	resend := fmt.Sprintf("/admin/invitations/%d/resend", inv.ID)
	form := url.Values{
		"email": {inv.Email}, "first_name": {inv.FirstName}, "last_name": {inv.LastName},
		"business_role": {fmt.Sprint(inv.BusinessRoleID)}, "grant": {fmt.Sprint(inv.Grants[0].SubscriptionID)},
		fmt.Sprintf("role_%d", inv.Grants[0].SubscriptionID): {string(inv.Grants[0].Role)}, "action": {"send"},
	}
	a.advance(time.Minute) // the invitation was one mail to the address
	b.post(resend, resend, form).want(t, http.StatusSeeOther)
	p := b.post(resend, resend, form)
	p.want(t, http.StatusTooManyRequests, "This address has been sent invitations too often for now. Try again after")
	if p.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After: got %q, want 60", p.header.Get("Retry-After"))
	}
	a.deliver()
	if n := len(a.inbox.msgs); n != 2 {
		t.Errorf("the invitee got %d mails, want 2 (the invitation and one resend)", n)
	}
}
