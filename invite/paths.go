package invite

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Paths are where the pages that e-mails and join pages link to live,
// under Config.BaseURL. The Service builds links from them and nothing
// else; package httpui serves its pages at the Service's Paths, and
// DefaultPaths are the ones it was built with. A program with pages of its
// own sets its own.
type Paths struct {
	// AcceptInvitation is the page that accepts an invitation: its link
	// is BaseURL + AcceptInvitation + token.
	AcceptInvitation string
	// ResetPassword is the page that sets a new password: its link is
	// BaseURL + ResetPassword + token.
	ResetPassword string
	// RequestToJoin is a company's join page: BaseURL + RequestToJoin + key.
	RequestToJoin string
	// Users is the administrators' list of users, where they decide the
	// requests to join that their notices tell of.
	Users string
	// Invitations is the administrators' list of invitations, which takes
	// the queries status and email: a request for a new invitation links
	// to Invitations + "?status=expired&email=" + the address.
	Invitations string
}

// DefaultPaths returns the Paths a Service takes when Config.Paths is zero:
// those of package httpui's pages.
func DefaultPaths() Paths {
	return Paths{
		AcceptInvitation: "/join/",
		ResetPassword:    "/reset/",
		RequestToJoin:    "/request/",
		Users:            "/admin/users",
		Invitations:      "/admin/invitations",
	}
}

// check returns why p cannot be used, or nil: each is a plain absolute
// path (no query, fragment or escape), and those that a token or key
// ends end with a slash and do not overlap.
func (p Paths) check() error {
	fields := []struct {
		name, path string
		tokened    bool
	}{
		{"AcceptInvitation", p.AcceptInvitation, true},
		{"ResetPassword", p.ResetPassword, true},
		{"RequestToJoin", p.RequestToJoin, true},
		{"Users", p.Users, false},
		{"Invitations", p.Invitations, false},
	}
	for i, f := range fields {
		u, err := url.Parse(f.path)
		switch {
		case err != nil || u.Path != f.path || !strings.HasPrefix(f.path, "/") || strings.HasPrefix(f.path, "//"):
			return fmt.Errorf("Paths.%s %q is not a plain absolute path", f.name, f.path)
		case f.tokened && !strings.HasSuffix(f.path, "/"):
			return fmt.Errorf("Paths.%s %q does not end with a slash", f.name, f.path)
		}
		for _, g := range fields[:i] {
			if f.tokened && g.tokened && (strings.HasPrefix(f.path, g.path) || strings.HasPrefix(g.path, f.path)) {
				return fmt.Errorf("Paths.%s %q and Paths.%s %q overlap", g.name, g.path, f.name, f.path)
			}
		}
	}
	return nil
}

// secretLinks finds the tokens of the links whose tokens are secrets: an
// invitation link accepts the invitation, a password reset link sets the
// password.
type secretLinks struct {
	paths      Paths
	invitation *regexp.Regexp // its first group is the token
	reset      *regexp.Regexp
}

func newSecretLinks(p Paths) *secretLinks {
	const token = `([A-Za-z0-9_-]{43})`
	return &secretLinks{
		paths:      p,
		invitation: regexp.MustCompile(regexp.QuoteMeta(p.AcceptInvitation) + token),
		reset:      regexp.MustCompile(regexp.QuoteMeta(p.ResetPassword) + token),
	}
}

// redact returns s with the tokens of its password reset links replaced
// and, unless keepInvitations, those of its invitation links.
func (l *secretLinks) redact(s string, keepInvitations bool) string {
	s = l.reset.ReplaceAllLiteralString(s, l.paths.ResetPassword+RedactedToken)
	if !keepInvitations {
		s = l.invitation.ReplaceAllLiteralString(s, l.paths.AcceptInvitation+RedactedToken)
	}
	return s
}

// invitationToken returns the token of the first invitation link in s.
func (l *secretLinks) invitationToken(s string) (string, bool) {
	m := l.invitation.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}
