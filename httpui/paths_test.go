package httpui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/invitehq/invite/httpui"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/store/storetest"
)

// The pages that links lead to are served where the Service's Paths say,
// so that the links it mails work wherever a program puts them, and
// nowhere else.
func TestPagesAtTheServicesPaths(t *testing.T) {
	paths := invite.DefaultPaths()
	paths.AcceptInvitation, paths.ResetPassword, paths.RequestToJoin = "/i/", "/pw/", "/ask/"
	a := newAppOn(t, storetest.SQLite(t), func(c *invite.Config) { c.Paths = paths })
	b := a.browser()

	_, token := a.invite(a.acme, "joiner@example.com")
	link := "http://invite.test/i/" + token
	if text := a.mailTo("joiner@example.com", invite.KindInvitation); !strings.Contains(text, link) {
		t.Fatalf("the invitation mail has no link %s:\n%s", link, text)
	}
	b.get("/join/"+token).want(t, http.StatusNotFound)
	path := "/i/" + token
	b.get(path).want(t, http.StatusOK, "Join Acme", `action="`+path+`"`)
	form := url.Values{"password": {"correct horse battery staple"}, "password_confirm": {"correct horse battery staple"},
		"first_name": {"Joan"}, "last_name": {"Joiner"}, "accept_terms": {"on"}}
	b.post(path, path, form).want(t, http.StatusSeeOther)

	b.get("/ask/"+a.acmeKey).want(t, http.StatusOK, `action="/ask/`+a.acmeKey+`"`)
	b.get("/request/"+a.acmeKey).want(t, http.StatusNotFound)

	if err := a.svc.RequestPasswordReset(context.Background(), "joiner@example.com", "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.IssuePasswordResets(context.Background()); err != nil {
		t.Fatal(err)
	}
	text := a.mailTo("joiner@example.com", invite.KindPasswordReset)
	_, reset, ok := strings.Cut(text, "http://invite.test/pw/")
	if !ok {
		t.Fatalf("the reset mail has no link under /pw/:\n%s", text)
	}
	reset = strings.Fields(reset)[0]
	b.get("/pw/"+reset).want(t, http.StatusOK, `action="/pw/`+reset+`"`)
}

// The administrators' lists are where this package serves them: a Service
// whose links lead elsewhere is refused at once, not found out by a
// recipient.
func TestOtherListPathsRefused(t *testing.T) {
	for _, change := range []func(*invite.Paths){
		func(p *invite.Paths) { p.Users = "/people" },
		func(p *invite.Paths) { p.Invitations = "/sent" },
	} {
		paths := invite.DefaultPaths()
		change(&paths)
		svc := invite.NewService(storetest.SQLite(t), invite.Config{Paths: paths})
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "Paths.Users") {
					t.Errorf("New with %+v: panicked with %q", paths, msg)
				}
			}()
			httpui.New(httpui.Config{Service: svc, Health: func(context.Context) error { return nil }, Logger: discard()})
		}()
	}
}
