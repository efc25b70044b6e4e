package invite

import (
	"fmt"
	"regexp"
	"slices"
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

// plainPath is a path of segments of letters, digits and "-._~", none of
// them "." or "..": what a link carries as it is, and a browser does not
// resolve elsewhere.
var plainPath = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+/?$`)

// check returns why p cannot be used, or nil: each is a plain absolute
// path, those that a token or key ends end with a slash and do not
// overlap, and no two are the same.
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
		switch {
		case !plainPath.MatchString(f.path) || slices.ContainsFunc(strings.Split(f.path, "/"), func(s string) bool { return s == "." || s == ".." }):
			return fmt.Errorf("bad Paths.%s %q: not a plain absolute path (segments of letters, digits and -._~)", f.name, f.path)
		case f.tokened && !strings.HasSuffix(f.path, "/"):
			return fmt.Errorf("bad Paths.%s %q: a token or key follows it, so it ends with a slash", f.name, f.path)
		}
		for _, g := range fields[:i] {
			if f.path == g.path || f.tokened && g.tokened && (strings.HasPrefix(f.path, g.path) || strings.HasPrefix(g.path, f.path)) {
				return fmt.Errorf("bad Paths.%s %q: it overlaps Paths.%s %q", f.name, f.path, g.name, g.path)
			}
		}
	}
	return nil
}

// secretLinks finds the tokens of the links whose tokens are secrets: an
// invitation link accepts the invitation, a password reset link sets the
// password. A token is redacted wherever it follows a slash, whatever the
// path before it: a message written under other Paths (an earlier
// configuration, another program on the same database) keeps no secret
// either. Only an invitation link under today's Paths is ever kept.
type secretLinks struct {
	paths      Paths
	invitation *regexp.Regexp // its first group is the token
}

// secretToken is a token (43 characters of base64url) after a slash, with
// the character after it, if any, which must not continue it.
var secretToken = regexp.MustCompile(`/[A-Za-z0-9_-]{43}([^A-Za-z0-9_-]|$)`)

func newSecretLinks(p Paths) *secretLinks {
	return &secretLinks{
		paths:      p,
		invitation: regexp.MustCompile(regexp.QuoteMeta(p.AcceptInvitation) + `([A-Za-z0-9_-]{43})`),
	}
}

// redact returns s with every token replaced but, if keepInvitations,
// those of today's invitation links.
func (l *secretLinks) redact(s string, keepInvitations bool) string {
	var b strings.Builder
	last := 0
	for _, m := range secretToken.FindAllStringSubmatchIndex(s, -1) {
		start, end := m[0]+1, m[0]+1+43 // the token, after its slash
		if keepInvitations && strings.HasSuffix(s[:start], l.paths.AcceptInvitation) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(RedactedToken)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// invitationToken returns the token of the first invitation link in s.
func (l *secretLinks) invitationToken(s string) (string, bool) {
	m := l.invitation.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}
