package httpui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"
)

// statements records the statements run on a database while it is on.
type statements struct {
	mu  sync.Mutex
	on  bool
	log []string
}

func (s *statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (s *statements) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on {
		s.log = append(s.log, strings.Join(strings.Fields(e.Query), " "))
	}
}

// during returns the statements fn runs.
func (s *statements) during(fn func()) []string {
	s.mu.Lock()
	s.on, s.log = true, nil
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.log
}

// The pages administrators use most make few round trips to the database:
// the user of the session is loaded once per request, with their grants;
// a company with its lists, and a page of invitations with their grants
// and mail, are each one statement; the bounds on sending take three
// statements whatever their number. (That the isolation level is the
// connection's, not set before each transaction by the driver, out of
// sight of this count, is store's TestOpen.)
func TestRoundTrips(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		st := &statements{}
		//lint:ignore SA1019 the hook must be on the store's own bun.DB; WithQueryHook makes a copy the store does not use
		a.db.Bun().AddQueryHook(st)
		a.companyAdmin(a.acme, "ca@example.com")
		b := a.browser()
		b.login("ca@example.com", adminPassword)
		b.htmx = true
		sub := a.acme.Subscriptions[0].ID
		form := url.Values{
			"email": {"new.person@example.com"}, "first_name": {"Ann"}, "last_name": {"Lee"},
			"business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)}, "language": {"en"}, "time_zone": {"Europe/Vienna"},
			"grant": {fmt.Sprint(sub)}, fmt.Sprintf("role_%d", sub): {"viewer"}, "action": {"send"},
		}
		form.Set("_csrf", html.UnescapeString(csrfField.FindStringSubmatch(b.get("/admin/invitations/new").body)[1]))
		root := a.browser()
		root.login("root@example.com", adminPassword)
		root.htmx = true
		tests := []struct {
			name string
			do   func() page
			max  int // statements, BEGIN and COMMIT included
		}{
			// Session; the template the form was filled with; company,
			// address, pending invitation, templates; BEGIN, three for
			// the bounds, invitation, grants, message, the sender held
			// as they are now, the history's two events (one
			// statement), the company's webhooks that take them (one
			// indexed read, which finds none here), COMMIT.
			{"SendInvitation", func() page { return b.do(http.MethodPost, "/admin/invitations", form) }, 17},
			// Session; a page of invitations with their grants and the
			// state of their mail; the names of the page's inviters.
			{"InvitationsPage", func() page { return b.get("/admin/invitations?status=pending") }, 3},
			// The same, and the names of the page's companies only.
			{"InvitationsPageOfEveryCompany", func() page { return root.get("/admin/invitations?status=pending") }, 4},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var p page
				log := st.during(func() { p = tt.do() })
				if p.status >= 300 {
					t.Fatalf("status %d: %s", p.status, p.body)
				}
				if len(log) > tt.max {
					t.Errorf("%d statements, want at most %d:\n%s", len(log), tt.max, strings.Join(log, "\n"))
				}
			})
		}
	})
}
