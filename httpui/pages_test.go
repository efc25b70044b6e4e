package httpui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store"
)

func TestLogin(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		t.Run("OK", func(t *testing.T) {
			b := a.browser()
			b.get("/admin/invitations").want(t, http.StatusSeeOther)
			p := b.login("ROOT@example.com", adminPassword)
			p.want(t, http.StatusSeeOther)
			if loc := p.header.Get("Location"); loc != "/" {
				t.Errorf("redirected to %q, want /", loc)
			}
			ck := strings.Join(p.header.Values("Set-Cookie"), "\n")
			session := regexp.MustCompile(`invite_session=[^\n]*`).FindString(ck)
			for _, attr := range []string{"invite_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(session, attr) {
					t.Errorf("session cookie %q lacks %s", ck, attr)
				}
			}
			b.get("/admin/invitations").want(t, http.StatusOK, "Invitations", "Invite User")
		})
		t.Run("SameAnswerForUnknownEmail", func(t *testing.T) {
			b := a.browser()
			wrong := b.login("root@example.com", "not the password")
			unknown := b.login("nobody@example.com", "not the password")
			wrong.want(t, http.StatusUnprocessableEntity, "The email address or password is incorrect.")
			unknown.want(t, http.StatusUnprocessableEntity, "The email address or password is incorrect.")
			strip := func(s string) string { return regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(s, "") }
			if strip(wrong.body) != strip(unknown.body) {
				t.Errorf("a wrong password and an unknown address answer differently")
			}
		})
		t.Run("NewSessionAtLogin", func(t *testing.T) {
			b := a.browser()
			sessionOf := func(p page) string {
				return regexp.MustCompile(`invite_session=[^;]*`).FindString(strings.Join(p.header.Values("Set-Cookie"), "\n"))
			}
			first := sessionOf(b.login("root@example.com", adminPassword))
			// Logged in, the form is reached from any page's log-out form's token.
			second := sessionOf(b.post("/home", "/login", url.Values{"email": {"root@example.com"}, "password": {adminPassword}}))
			if first == "" || first == second {
				t.Errorf("logging in again kept the session")
			}
		})
		t.Run("NextIsLocal", func(t *testing.T) {
			b := a.browser()
			p := b.post("/login", "/login", url.Values{"email": {"root@example.com"}, "password": {adminPassword}, "next": {"//evil.example/"}})
			if loc := p.header.Get("Location"); loc != "/" {
				t.Errorf("redirected to %q after a foreign next", loc)
			}
		})
		t.Run("Logout", func(t *testing.T) {
			b := a.browser()
			b.login("root@example.com", adminPassword)
			b.post("/admin/invitations", "/logout", nil).want(t, http.StatusSeeOther)
			b.get("/admin/invitations").want(t, http.StatusSeeOther)
		})
	})
}

func TestCSRF(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.get("/login")
		p := b.do(http.MethodPost, "/login", url.Values{"email": {"root@example.com"}, "password": {adminPassword}})
		if p.status != http.StatusForbidden || strings.Contains(p.header.Get("Set-Cookie"), "invite_session=") {
			t.Fatalf("a form without its CSRF token: got %d, want 403 and no session", p.status)
		}
	})
}

// Every page sends a strict Content-Security-Policy, has no inline script,
// and is a whole page on direct load but a part under htmx.
func TestPageRules(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		_, token := a.invite(a.acme, "grace@example.com")
		b := a.browser()
		b.login("root@example.com", adminPassword)
		inline := regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|\son[a-z]+=|javascript:`)
		a.member(a.acme, "member@acme.example")
		if err := a.svc.RequestPasswordReset(context.Background(), "member@acme.example", "en"); err != nil {
			t.Fatal(err)
		}
		a.svc.IssuePasswordResets(context.Background())
		reset := invite.DefaultPaths().ResetPassword + resetLink.FindStringSubmatch(a.mailTo("member@acme.example", invite.KindPasswordReset))[1]
		for _, path := range []string{"/login", "/admin/invitations", "/admin/invitations/new", "/admin/users", "/admin/companies", "/admin/mail", "/home", "/profile", invite.DefaultPaths().AcceptInvitation + token, reset, "/nowhere"} {
			b.htmx = false
			p := b.get(path)
			if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
				t.Errorf("%s: Content-Security-Policy %q", path, csp)
			}
			if inline.MatchString(p.body) {
				t.Errorf("%s: inline script: %s", path, inline.FindString(p.body))
			}
			if p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: security headers %v", path, p.header)
			}
			if p.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", path, p.header.Get("Cache-Control"))
			}
		}
		b.htmx = false
		full := b.get("/admin/invitations?status=pending")
		b.htmx = true
		part := b.get("/admin/invitations?status=pending")
		if !strings.Contains(full.body, "<html") || strings.Contains(part.body, "<html") || !strings.Contains(part.body, `id="invitations-table"`) {
			t.Errorf("full page and partial are not told apart")
		}
		if !strings.Contains(strings.Join(part.header.Values("Vary"), ","), "HX-Request") {
			t.Errorf("no Vary: HX-Request")
		}
	})
}

var (
	rowPattern = regexp.MustCompile(`(?s)<tr id="inv-(\d+)">.*?</tr>`)
)

func TestInviteForm(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		valid := func() url.Values {
			return url.Values{
				"company": {fmt.Sprint(a.acme.ID)}, "email": {"new.person@example.com"}, "first_name": {"Ann"}, "last_name": {"Lee"},
				"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "language": {"de"}, "time_zone": {"Europe/Vienna"},
				"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID), fmt.Sprint(a.acme.Subscriptions[1].ID)},
				fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"contributor"}, fmt.Sprintf("role_%d", a.acme.Subscriptions[1].ID): {"viewer"},
				"action": {"send"},
			}
		}
		t.Run("ErrInvalidInput", func(t *testing.T) {
			form := valid()
			form.Set("email", "not-an-address")
			form.Set("phone", "12345")
			form.Set("first_name", "Ann Typed")
			p := b.post("/admin/invitations/new", "/admin/invitations", form)
			p.want(t, http.StatusUnprocessableEntity, "Please correct the marked fields.",
				`id="f-email"`, `aria-invalid="true" aria-describedby="e-email"`, "Enter an email address such as name@example.com.",
				"Enter an international phone number", `value="Ann Typed"`)
			if n, _ := a.db.Bun().NewSelect().Table("invitations").Where("email = ?", "not-an-address").Count(context.Background()); n != 0 {
				t.Errorf("an invalid invitation was stored")
			}
		})
		t.Run("UnknownAction", func(t *testing.T) {
			for _, action := range []string{"", "sendd", "Send", "preview"} {
				before := dump(t, a)
				form := valid()
				form.Set("action", action)
				if action == "" {
					form.Del("action")
				}
				b.post("/admin/invitations/new", "/admin/invitations", form).want(t, http.StatusBadRequest)
				if after := dump(t, a); after != before {
					t.Errorf("action %q changed something", action)
				}
			}
			tpl := fmt.Sprintf("/admin/companies/%d/templates/en", a.acme.ID)
			b.post(tpl, tpl, url.Values{"mail_subject": {"Hi"}, "mail_body": {"x"}}).want(t, http.StatusBadRequest)
			if _, own, _ := a.svc.MailTemplate(a.global, a.acme.ID, "en"); own {
				t.Errorf("a template form without its button saved the template")
			}
		})
		t.Run("CompanyTemplateInPanel", func(t *testing.T) {
			form := valid()
			form.Set("action", "refresh")
			p := b.post("/admin/invitations/new", "/admin/invitations", form)
			p.want(t, http.StatusOK, "hat Sie zu {CompanyName} eingeladen", "{InvitationLink}")
		})
		t.Run("SaveMailUnknownPlaceholder", func(t *testing.T) {
			form := valid()
			form.Set("action", "save-mail")
			form.Set("mail_subject", "Hi {Vorname}")
			form.Set("mail_body", "Link: {InvitationLink}")
			p := b.post("/admin/invitations/new", "/admin/invitations", form)
			p.want(t, http.StatusUnprocessableEntity, "Unknown placeholder {Vorname} at line 1, column 4.")
		})
		t.Run("Preview", func(t *testing.T) {
			form := valid()
			form.Set("mail_subject", "Welcome {FirstName} to {CompanyName}")
			form.Set("mail_body", "Hello {FirstName}, {Oops}")
			p := b.post("/admin/invitations/new", "/admin/invitations/preview", form)
			p.want(t, http.StatusOK, "Unknown placeholder {Oops} at line 1, column 20.")
			form.Set("mail_body", "Hello {FirstName} & <b>co</b>")
			p = b.post("/admin/invitations/new", "/admin/invitations/preview", form)
			p.want(t, http.StatusOK, "Welcome Ann to Acme", "Hello Ann &amp; &lt;b&gt;co&lt;/b&gt;", "http://invite.test/join/")
		})
		t.Run("OK", func(t *testing.T) {
			form := valid()
			form.Set("mail_subject", "Custom {FirstName}")
			form.Set("mail_body", "Custom body {InvitationLink}")
			p := b.post("/admin/invitations/new", "/admin/invitations", form)
			p.want(t, http.StatusSeeOther)
			if loc := p.header.Get("Location"); loc != "/admin/invitations?done=invited" {
				t.Fatalf("redirected to %q", loc)
			}
			list := b.get("/admin/invitations?done=invited")
			list.want(t, http.StatusOK, "The invitation has been sent.", "new.person@example.com", "Ann Lee", "Pending", "Acme")
			page, _ := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "new.person"})
			inv := page.Invitations[0]
			if inv.Language != "de" || inv.TimeZone != "Europe/Vienna" || len(inv.Grants) != 2 || inv.Mail.Subject != "Custom {FirstName}" {
				t.Errorf("stored %+v", inv)
			}
		})
		t.Run("ErrInvitationPending", func(t *testing.T) {
			p := b.post("/admin/invitations/new", "/admin/invitations", valid())
			p.want(t, http.StatusConflict, "A pending invitation for this email address already exists.", `aria-describedby="e-email"`)
		})
	})
}

func TestRowActions(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		inv, oldToken := a.invite(a.acme, "row@example.com")
		b := a.browser()
		b.login("root@example.com", adminPassword)
		b.htmx = true

		t.Run("ResendOpensInPlace", func(t *testing.T) {
			p := b.get(fmt.Sprintf("/admin/invitations/%d/resend", inv.ID))
			p.want(t, http.StatusOK, fmt.Sprintf(`<tr id="inv-%d" class="editing">`, inv.ID), `value="row@example.com"`, "Resend Invitation")
			if strings.Contains(p.body, "<html") {
				t.Errorf("the htmx answer is a whole page")
			}
		})
		t.Run("Resend", func(t *testing.T) {
			a.advance(time.Hour)
			form := url.Values{
				"email": {"row@example.com"}, "first_name": {"Grace"}, "last_name": {"Hopper-Changed"},
				"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "language": {"en"}, "time_zone": {"UTC"},
				"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
				"action": {"send"},
			}
			p := b.post("/admin/invitations", fmt.Sprintf("/admin/invitations/%d/resend", inv.ID), form)
			p.want(t, http.StatusOK, "Grace Hopper-Changed", "Pending", `<div id="messages" hx-swap-oob="innerHTML">`, "has been sent again")
			if got := p.header.Get("HX-Retarget"); got != fmt.Sprintf("#inv-%d", inv.ID) {
				t.Errorf("HX-Retarget %q", got)
			}
			row := rowPattern.FindString(p.body)
			if !strings.Contains(row, `<td class="num" data-label="Times Sent">2</td>`) {
				t.Errorf("times sent not 2 in %s", row)
			}
			if _, err := a.svc.InvitationByToken(context.Background(), oldToken); err == nil {
				t.Errorf("the old link still works after resend")
			}
		})
		t.Run("Cancel", func(t *testing.T) {
			p := b.post("/admin/invitations", fmt.Sprintf("/admin/invitations/%d/cancel", inv.ID), nil)
			p.want(t, http.StatusOK, "Canceled", "has been canceled")
			if strings.Contains(rowPattern.FindString(p.body), "/cancel") {
				t.Errorf("a canceled row still offers Cancel")
			}
			again := b.post("/admin/invitations", fmt.Sprintf("/admin/invitations/%d/cancel", inv.ID), nil)
			again.want(t, http.StatusConflict, "The invitation has been canceled.")
			if again.header.Get("HX-Retarget") != "#messages" {
				t.Errorf("an htmx error is not shown in the message area")
			}
		})
		t.Run("WithoutJavaScript", func(t *testing.T) {
			inv, _ := a.invite(a.acme, "nojs@example.com")
			b.htmx = false
			defer func() { b.htmx = true }()
			b.get(fmt.Sprintf("/admin/invitations/%d/cancel", inv.ID)).want(t, http.StatusOK, "Cancel the invitation of nojs@example.com?")
			p := b.post(fmt.Sprintf("/admin/invitations/%d/cancel", inv.ID), fmt.Sprintf("/admin/invitations/%d/cancel", inv.ID), nil)
			p.want(t, http.StatusSeeOther)
			b.get(p.header.Get("Location")).want(t, http.StatusOK, "The invitation has been canceled.")
		})
	})
}

func TestCompanyAdministrator(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		email := a.companyAdmin(a.acme, "boss@acme.example")
		other, _ := a.invite(a.bolt, "bolt.person@example.com")
		mine, _ := a.invite(a.acme, "acme.person@example.com")
		b := a.browser()
		b.login(email, adminPassword)
		list := b.get("/admin/invitations")
		list.want(t, http.StatusOK, "acme.person@example.com")
		if strings.Contains(list.body, "bolt.person@example.com") {
			t.Errorf("a Company Administrator sees another company's invitation")
		}
		b.get(fmt.Sprintf("/admin/invitations/%d/resend", other.ID)).want(t, http.StatusNotFound)
		b.post("/admin/invitations", fmt.Sprintf("/admin/invitations/%d/cancel", other.ID), nil).want(t, http.StatusNotFound)
		form := b.get("/admin/invitations/new")
		form.want(t, http.StatusOK, "Plant Operator")
		if strings.Contains(form.body, `name="company"`) {
			t.Errorf("a Company Administrator is offered a choice of company")
		}
		b.get("/admin/companies").want(t, http.StatusForbidden)
		_ = mine
	})
}

func TestJoin(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		inv, token := a.invite(a.acme, "joiner@example.com")
		b := a.browser()
		path := invite.DefaultPaths().AcceptInvitation + token

		p := b.get(path)
		p.want(t, http.StatusOK, "Join Acme", "You are invited to Acme.", "App Designer: Contributor", `autocomplete="new-password"`)
		if got, _ := a.svc.Invitation(a.global, inv.ID); got.Status != invite.StatusPending {
			t.Fatalf("opening the link changed the invitation to %s", got.Status)
		}
		form := url.Values{
			"password": {"correct horse battery staple"}, "password_confirm": {"correct horse battery stapler"},
			"first_name": {"Joan"}, "last_name": {"Joiner"}, "language": {"fr"}, "time_zone": {"Europe/Paris"}, "accept_terms": {"on"},
		}
		b.post(path, path, form).want(t, http.StatusUnprocessableEntity, "The two passwords do not match.", `value="Joan"`)
		short := url.Values{"password": {"short"}, "first_name": {"Joan"}}
		b.post(path, path, short).want(t, http.StatusUnprocessableEntity, "The two passwords do not match.", "Use at least 12 characters.")
		if strings.Contains(b.post(path, path, form).body, "correct horse") {
			t.Errorf("a re-rendered form shows the password")
		}
		form.Set("password_confirm", "correct horse battery staple")
		form.Del("accept_terms")
		b.post(path, path, form).want(t, http.StatusUnprocessableEntity, "You need to accept the terms of use.")
		form.Set("accept_terms", "on")
		done := b.post(path, path, form)
		done.want(t, http.StatusSeeOther)
		// Logged in, in the language they chose, with their subscriptions.
		home := b.get(done.header.Get("Location"))
		home.want(t, http.StatusOK, "Bienvenue, Joan", "Acme", "App Designer", "Contributeur", `<html lang="fr">`)

		// The link is used now.
		b2 := a.browser()
		b2.get(path).want(t, http.StatusConflict, "This invitation has already been used")
		b2.get(invite.DefaultPaths().AcceptInvitation+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").want(t, http.StatusNotFound, "This link is not valid")
	})
}

func TestJoinProblems(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		a.companyAdmin(a.acme, "boss@acme.example")
		expired, expiredToken := a.invite(a.acme, "late@example.com")
		canceled, canceledToken := a.invite(a.acme, "gone@example.com")
		if _, err := a.svc.Cancel(a.global, canceled.ID); err != nil {
			t.Fatal(err)
		}
		a.advance(expired.ExpiresAt.Sub(a.clock()))
		b := a.browser()
		b.lang = "de"
		// The invitation's language wins over the browser's; without an
		// invitation the browser's is all there is.
		b.get(invite.DefaultPaths().AcceptInvitation+canceledToken).want(t, http.StatusConflict, "This invitation was canceled")
		b.get(invite.DefaultPaths().AcceptInvitation+"nope").want(t, http.StatusNotFound, "Dieser Link ist ungültig")
		path := invite.DefaultPaths().AcceptInvitation + expiredToken
		p := b.get(path)
		p.want(t, http.StatusGone, "This invitation has expired", "Ask for a new invitation")
		// Post/Redirect/Get (found from outside: the browser stayed at
		// /renew, and a reload asked again).
		r := b.post(path, path+"/renew", nil)
		r.want(t, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != path {
			t.Errorf("after asking, the browser is sent to %q, want the link's page", loc)
		}
		again := b.get(path)
		again.want(t, http.StatusGone, "The administrators have been told.")
		if strings.Contains(again.body, path+"/renew") {
			t.Errorf("the link's page offers to ask again once asked")
		}
		msgs, _ := a.svc.Messages(a.global, invite.MessageFilter{Limit: 1})
		if m := msgs.Messages[0]; m.Kind != invite.KindRenewalRequest || m.To != "boss@acme.example" {
			t.Errorf("latest message: %s to %s", m.Kind, m.To)
		}
	})
}

func TestLanguage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		for lang, want := range map[string]string{"de-DE,de;q=0.9": "Anmelden", "pt-BR": "Entrar", "fr-CA": "Connexion", "es": "Iniciar sesión", "ja": "Log in"} {
			b := a.browser()
			b.lang = lang
			b.get("/login").want(t, http.StatusOK, want)
		}
	})
}

func TestCompaniesAndTemplates(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		form := url.Values{"name": {"Cobalt"}, "default_language": {"es"}, "time_zone": {"Atlantis/Nowhere"}, "subscriptions": {"One\nOne"}, "business_roles": {""}}
		p := b.post("/admin/companies", "/admin/companies", form)
		p.want(t, http.StatusUnprocessableEntity, "Choose a time zone from the list", "This is listed twice.", `value="Cobalt"`)
		form.Set("time_zone", "Europe/Madrid")
		form.Set("subscriptions", "App Designer\nData Stream Designer")
		form.Set("business_roles", "Operator\nEngineer")
		b.post("/admin/companies", "/admin/companies", form).want(t, http.StatusSeeOther)
		b.get("/admin/companies?done=company_registered").want(t, http.StatusOK, "Cobalt", "Operator, Engineer", "The company has been registered.")

		tpl := fmt.Sprintf("/admin/companies/%d/templates/de", a.acme.ID)
		b.get(tpl).want(t, http.StatusOK, "hat Sie zu {CompanyName} eingeladen")
		bad := b.post(tpl, tpl, url.Values{"mail_subject": {"Hallo\r\nWelt"}, "mail_body": {"x"}, "action": {"save"}})
		bad.want(t, http.StatusUnprocessableEntity, "there is a line break at line 1, column 6")
		b.post(tpl, tpl, url.Values{"mail_subject": {"Willkommen bei {CompanyName}"}, "mail_body": {"Hallo {FirstName}"}, "action": {"save"}}).want(t, http.StatusOK, "The email has been saved.")
		if tmpl, own, _ := a.svc.MailTemplate(a.global, a.acme.ID, "de"); !own || tmpl.Subject != "Willkommen bei {CompanyName}" {
			t.Errorf("template not saved: %+v", tmpl)
		}
	})
}

func TestSentMail(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		a.invite(a.acme, "mailed@example.com")
		if _, err := a.svc.DeliverOutbox(context.Background(), invite.LogMailer{Logger: discard()}); err != nil {
			t.Fatal(err)
		}
		b := a.browser()
		b.login("root@example.com", adminPassword)
		list := b.get("/admin/mail")
		list.want(t, http.StatusOK, "mailed@example.com", "Sent")
		m := regexp.MustCompile(`href="(/admin/mail/\d+)"`).FindStringSubmatch(list.body)
		if m == nil {
			t.Fatalf("no message link in %s", list.body)
		}
		msg := b.get(m[1])
		msg.want(t, http.StatusOK, `id="mail-link" href="http://invite.test/join/`)
	})
}

// Guessing passwords is bounded: past the attempts of a minute, a client
// is refused until time passes.
func TestAttemptLimit(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	for i := range invite.DefaultLimits().Attempts.Count {
		if p := b.login("root@example.com", fmt.Sprintf("guess number %d", i)); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: got %d, want 422", i+1, p.status)
		}
	}
	p := b.login("root@example.com", adminPassword)
	p.want(t, http.StatusTooManyRequests, "Too many attempts from your network. Try again after")
	if p.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
}

// The invitee reads the terms they accept: the built-in ones, in the
// invitation's language, until an administrator of the company writes the
// company's own.
func TestTermsOfUse(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		_, token := a.invite(a.acme, "terms@example.com")
		join := invite.DefaultPaths().AcceptInvitation + token
		invitee := a.browser()
		invitee.get(join).want(t, http.StatusOK, `id="terms"`, "By creating an account you agree to use the subscriptions of Acme only")

		boss := a.browser()
		boss.login(a.companyAdmin(a.acme, "boss@acme.example"), adminPassword)
		terms := fmt.Sprintf("/admin/companies/%d/terms", a.acme.ID)
		boss.get(terms).want(t, http.StatusOK, "The built-in terms are in use")
		boss.post(terms, terms, url.Values{"terms": {"Be kind.\r\n\r\nBe <b>brief</b>."}}).want(t, http.StatusOK, "The terms of use have been saved.", "The company&#39;s own terms are in use.")
		invitee.get(join).want(t, http.StatusOK, "Be kind.\n\nBe &lt;b&gt;brief&lt;/b&gt;.")
		boss.post(terms, fmt.Sprintf("/admin/companies/%d/terms", a.bolt.ID), url.Values{"terms": {"Not mine."}}).want(t, http.StatusNotFound)
	})
}

// An empty list says why and what to do: no company yet (a Global
// Administrator's first visit), no invitation yet, or none that matches.
func TestEmptyInvitations(t *testing.T) {
	db, err := store.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := newBareApp(t, db)
	b := a.browser()
	b.login("root@example.com", adminPassword)
	b.get("/admin/invitations").want(t, http.StatusOK, "No company is registered yet", `href="/admin/companies">Register Company</a>`)
	b.get("/admin/invitations?status=pending").want(t, http.StatusOK, "No invitations match.")
	b.get("/admin/invitations/new").want(t, http.StatusOK, "Register a company first.", `href="/admin/companies">Register Company</a>`)
	a.company("Acme")
	b.get("/admin/invitations").want(t, http.StatusOK, "No invitations yet.", `href="/admin/invitations/new">Invite User</a>`)
}

// An e-mail not customised follows the company chosen, without JavaScript
// too: it is compared with the template of the company and language that
// filled it, not with the new company's.
func TestInviteFormFollowsCompany(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		own := invite.Template{Subject: "Acme welcomes {FirstName}", Body: "Hello {FirstName}, join us at Acme."}
		if err := a.svc.SetMailTemplate(a.global, a.acme.ID, "en", own); err != nil {
			t.Fatal(err)
		}
		b := a.browser()
		b.login("root@example.com", adminPassword)
		refresh := func(company int64, subject, body string) page {
			return b.post("/admin/invitations/new", "/admin/invitations", url.Values{
				"company": {fmt.Sprint(company)}, "language": {"en"}, "action": {"refresh"},
				"mail_subject": {subject}, "mail_body": {body}, "mail_company": {fmt.Sprint(a.acme.ID)}, "mail_language": {"en"},
			})
		}
		p := refresh(a.bolt.ID, own.Subject, own.Body)
		p.want(t, http.StatusOK, "{InviterName} invited you to {CompanyName}")
		if strings.Contains(p.body, "Acme welcomes") {
			t.Errorf("Acme's own template followed the form to Bolt")
		}
		// Edited, it is the administrator's, and stays.
		refresh(a.bolt.ID, own.Subject+"!", own.Body).want(t, http.StatusOK, "Acme welcomes {FirstName}!")
	})
}

// Found from outside: the company's template saved again between showing
// the invite form and sending it sent the new template, not the mail the
// administrator was shown. What the form shows is what is sent.
func TestInviteSendsWhatItShowed(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		shown := invite.Template{Subject: "Acme welcomes {FirstName}", Body: "Hello {FirstName}, join us at Acme: {InvitationLink}"}
		if err := a.svc.SetMailTemplate(a.global, a.acme.ID, "en", shown); err != nil {
			t.Fatal(err)
		}
		form := url.Values{
			"company": {fmt.Sprint(a.acme.ID)}, "email": {"shown@example.com"}, "first_name": {"Ann"}, "last_name": {"Lee"},
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "language": {"en"}, "time_zone": {"UTC"},
			"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
			"mail_subject": {shown.Subject}, "mail_body": {shown.Body}, "mail_company": {fmt.Sprint(a.acme.ID)}, "mail_language": {"en"},
			"action": {"send"},
		}
		page := b.get(fmt.Sprintf("/admin/invitations/new?company=%d", a.acme.ID))
		page.want(t, http.StatusOK, "Acme welcomes {FirstName}")
		form.Set("_csrf", html.UnescapeString(csrfField.FindStringSubmatch(page.body)[1]))
		saved := invite.Template{Subject: "Changed meanwhile", Body: "Another text {InvitationLink}"}
		if err := a.svc.SetMailTemplate(a.global, a.acme.ID, "en", saved); err != nil {
			t.Fatal(err)
		}
		if p := b.do(http.MethodPost, "/admin/invitations", form); p.status >= 400 {
			t.Fatalf("send: %d %s", p.status, p.body)
		}
		if got := a.mailTo("shown@example.com", invite.KindInvitation); !strings.Contains(got, "Hello Ann, join us at Acme") {
			t.Errorf("sent:\n%s\nwant the mail that was shown", got)
		}
	})
}

// Found from outside: an e-mail whose subject was edited, sent after the
// language was changed, went out with the English text and French role
// names, date and footer. An edited e-mail written for another language
// is not sent: the form says so at the e-mail and offers the new
// language's e-mail or the old language; resending too.
func TestInviteMailInOneLanguage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		en, _, err := a.svc.MailTemplate(a.global, a.acme.ID, "en")
		if err != nil {
			t.Fatal(err)
		}
		form := func(action string) url.Values {
			return url.Values{
				"company": {fmt.Sprint(a.acme.ID)}, "email": {"mixed@example.com"}, "first_name": {"Ann"}, "last_name": {"Lee"},
				"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "language": {"fr"}, "time_zone": {"UTC"},
				"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
				"mail_subject": {"Join us, {FirstName}"}, "mail_body": {en.Body}, "mail_company": {fmt.Sprint(a.acme.ID)}, "mail_language": {"en"},
				"action": {action},
			}
		}
		const says = "This email is written for English, but the invitation is in Français"
		for _, htmx := range []bool{false, true} {
			b.htmx = htmx
			p := b.post("/admin/invitations/new", "/admin/invitations", form("send"))
			p.want(t, http.StatusUnprocessableEntity, says, `value="load-mail"`, "Load the email for Français", `value="keep-language"`,
				"Switch the language back to English", `id="e-mail_subject"`, `value="Join us, {FirstName}"`)
			if page, _ := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "mixed@example.com"}); len(page.Invitations) != 0 {
				t.Fatalf("(htmx %v) an e-mail in two languages was sent", htmx)
			}
			// Changing the language (htmx's refresh, the no-JS button) says so at once.
			b.post("/admin/invitations/new", "/admin/invitations", form("refresh")).want(t, http.StatusOK, says)
		}
		b.htmx = false
		load := b.post("/admin/invitations/new", "/admin/invitations", form("load-mail"))
		load.want(t, http.StatusOK, "{InviterName} vous invite à rejoindre {CompanyName}", `name="mail_language" value="fr"`)
		if strings.Contains(load.body, says) {
			t.Errorf("the French e-mail loaded, the form still says it is English")
		}
		back := b.post("/admin/invitations/new", "/admin/invitations", form("keep-language"))
		back.want(t, http.StatusOK, `<option value="en" selected>`, `value="Join us, {FirstName}"`)
		if strings.Contains(back.body, says) {
			t.Errorf("the language set back to English, the form still says it differs")
		}
		// Resending: an invitation with its own English e-mail, resent in French.
		in := invite.InvitationInput{CompanyID: a.acme.ID, Email: "own@example.com", FirstName: "Bo", LastName: "Lee", BusinessRoleID: a.acme.BusinessRoles[0].ID,
			Language: "en", Grants: []invite.Grant{{SubscriptionID: a.acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
			Mail: invite.Template{Subject: "Our own {FirstName}", Body: en.Body}}
		inv, _, err := a.svc.Invite(a.global, in)
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/admin/invitations/%d/resend", inv.ID)
		page := b.get(path)
		page.want(t, http.StatusOK, `name="mail_language" value="en"`)
		resend := form("send")
		resend.Set("email", "own@example.com")
		resend.Set("mail_subject", "Our own {FirstName}")
		b.post(path, path, resend).want(t, http.StatusUnprocessableEntity, says)
		if got, _ := a.svc.Invitation(a.global, inv.ID); got.TimesSent != 1 {
			t.Errorf("resent in two languages: sent %d times", got.TimesSent)
		}
	})
}

// Found from outside: a Global Administrator who chose a company in the
// invite form kept the first company's language and time zone. The fields
// not changed by hand follow the chosen company's defaults; those changed
// stay.
func TestInviteFormFollowsCompanyDefaults(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		co, err := a.svc.RegisterCompany(a.global, invite.CompanyInput{Name: "Zeppelin", DefaultLanguage: "de", TimeZone: "Asia/Tokyo",
			Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator"}})
		if err != nil {
			t.Fatal(err)
		}
		first := b.get(fmt.Sprintf("/admin/invitations/new?company=%d", a.acme.ID))
		first.want(t, http.StatusOK, fmt.Sprintf(`name="defaults_of" value="%d"`, a.acme.ID), `value="Europe/Berlin"`)
		choose := func(language, zone string) page {
			return b.post("/admin/invitations/new", "/admin/invitations", url.Values{
				"company": {fmt.Sprint(co.ID)}, "defaults_of": {fmt.Sprint(a.acme.ID)}, "language": {language}, "time_zone": {zone},
				"action": {"refresh"},
			})
		}
		for _, htmx := range []bool{false, true} {
			b.htmx = htmx
			p := choose("en", "Europe/Berlin") // Acme's, untouched
			p.want(t, http.StatusOK, `<option value="de" selected>`, `value="Asia/Tokyo"`, fmt.Sprintf(`name="defaults_of" value="%d"`, co.ID),
				"hat Sie zu {CompanyName} eingeladen")
			p = choose("fr", "America/Lima") // chosen by hand
			p.want(t, http.StatusOK, `<option value="fr" selected>`, `value="America/Lima"`)
		}
		// Sent without choosing first (no JavaScript): the new company's defaults.
		b.htmx = false
		p := b.post("/admin/invitations/new", "/admin/invitations", url.Values{
			"company": {fmt.Sprint(co.ID)}, "defaults_of": {fmt.Sprint(a.acme.ID)}, "language": {"en"}, "time_zone": {"Europe/Berlin"},
			"email": {"zed@example.com"}, "first_name": {"Zed"}, "last_name": {"Lee"}, "business_role": {fmt.Sprint(co.BusinessRoles[0].ID)},
			"grant": {fmt.Sprint(co.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", co.Subscriptions[0].ID): {"viewer"},
			"mail_company": {fmt.Sprint(a.acme.ID)}, "mail_language": {"en"}, "action": {"send"},
		})
		p.want(t, http.StatusSeeOther)
		page, _ := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "zed@example.com"})
		if len(page.Invitations) != 1 || page.Invitations[0].Language != "de" || page.Invitations[0].TimeZone != "Asia/Tokyo" {
			t.Errorf("sent: %+v; want de, Asia/Tokyo", page.Invitations)
		}
	})
}

// Found from outside: the preview, refreshed as the e-mail is typed,
// answered its errors in a role=alert each time, so that they were
// announced again at each key. It shows them without a live region.
func TestPreviewErrorsNotAnnounced(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		b.htmx = true
		p := b.post("/admin/invitations/new", "/admin/invitations/preview", url.Values{
			"company": {fmt.Sprint(a.acme.ID)}, "language": {"en"}, "mail_subject": {"Hello {Nope}"}, "mail_body": {"Body {"},
		})
		p.want(t, http.StatusOK, "The email cannot be sent like this:")
		for _, live := range []string{`role="alert"`, `role="status"`, `aria-live`} {
			if strings.Contains(p.body, live) {
				t.Errorf("the preview's answer has %s:\n%s", live, p.body)
			}
		}
	})
}

// Found from outside: "Use the built-in email" said "The email has been
// saved.". It says that the built-in e-mail is used again.
func TestTemplateResetSaysSo(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		b.login("root@example.com", adminPassword)
		tpl := fmt.Sprintf("/admin/companies/%d/templates/en", a.acme.ID)
		b.post(tpl, tpl, url.Values{"mail_subject": {"Own {CompanyName}"}, "mail_body": {"Hello {FirstName}"}, "action": {"save"}}).want(t, http.StatusOK, "The email has been saved.")
		for _, htmx := range []bool{false, true} {
			b.htmx = htmx
			p := b.post(tpl, tpl, url.Values{"mail_subject": {"Own {CompanyName}"}, "mail_body": {"Hello {FirstName}"}, "action": {"reset"}})
			p.want(t, http.StatusOK, "The built-in email is used again.", "{InviterName} invited you to {CompanyName}")
			if strings.Contains(p.body, "The email has been saved.") {
				t.Errorf("(htmx %v) the reset says the email has been saved", htmx)
			}
		}
	})
}

// Small things found from outside: /favicon.ico was 404; the no-JS
// Disable, Delete and Cancel opened their pages at a URL ending in "?";
// the terms' checkbox was described by their heading only; a forged
// subscription of another company was "Please correct the marked
// fields." with nothing marked.
func TestSmallThings(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := a.browser()
		p := b.get("/favicon.ico")
		p.want(t, http.StatusMovedPermanently)
		if loc := p.header.Get("Location"); loc != "/static/favicon.svg" {
			t.Errorf("/favicon.ico leads to %q", loc)
		}
		_, token := a.invite(a.acme, "terms@example.com")
		join := b.get(a.svc.Paths().AcceptInvitation + token)
		join.want(t, http.StatusOK, `aria-describedby="terms-heading terms"`)

		b.login("root@example.com", adminPassword)
		u := a.member(a.acme, "member@example.com")
		p = b.get(fmt.Sprintf("/admin/users/%d/disable?", u.ID))
		p.want(t, http.StatusSeeOther)
		if loc := p.header.Get("Location"); loc != fmt.Sprintf("/admin/users/%d/disable", u.ID) {
			t.Errorf("/disable? leads to %q", loc)
		}

		forged := a.bolt.Subscriptions[0].ID
		for _, htmx := range []bool{false, true} {
			b.htmx = htmx
			p = b.post("/admin/invitations/new", "/admin/invitations", url.Values{
				"company": {fmt.Sprint(a.acme.ID)}, "email": {"forged@example.com"}, "first_name": {"Ann"}, "last_name": {"Lee"},
				"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "language": {"en"}, "time_zone": {"UTC"},
				"grant": {fmt.Sprint(forged)}, fmt.Sprintf("role_%d", forged): {"viewer"}, "action": {"send"},
			})
			if p.status < 400 {
				t.Fatalf("a forged subscription: %d", p.status)
			}
			if strings.Contains(p.body, "Please correct the marked fields.") {
				t.Errorf("(htmx %v) a forged subscription says to correct the marked fields, and none is marked:\n%s", htmx, p.body)
			}
			if !strings.Contains(p.body, "This subscription does not belong to the company.") {
				t.Errorf("(htmx %v) a forged subscription is not named:\n%s", htmx, p.body)
			}
		}
	})
}
