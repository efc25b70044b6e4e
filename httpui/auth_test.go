package httpui

import "testing"

// The known ways of turning a local "next" into another site, each of which
// a browser normalises into a foreign URL, and what must still work.
func TestSafeNext(t *testing.T) {
	refused := []string{
		"//evil.test", "///evil.test", "/\\evil.test", "\\\\evil.test", "/\\/evil.test", "\\/evil.test",
		"/\t/evil.test", "/\n/evil.test", "/\r/evil.test", "\t//evil.test", " //evil.test", "/ /evil.test",
		"\x00//evil.test", "/\x00/evil.test", "/\x7f/evil.test", "/\x1f/evil.test",
		"https://evil.test", "http:evil.test", "http:/evil.test", "javascript:alert(1)", "data:text/html,x",
		"evil.test", ".//evil.test", "/\u2215evil.test", "/\uff0fevil.test", "/\u3002evil.test", "/%ZZ",
		"", "/" + string(make([]byte, maxNextLen)),
	}
	for _, next := range refused {
		if got := safeNext(next); got != "" {
			t.Errorf("safeNext(%q) = %q, want refused", next, got)
		}
	}
	kept := []string{"/", "/admin/users", "/admin/invitations?status=pending&email=a%40b.example", "/home#top", "/%2F/evil.test", "/@evil.test", "/a/../b"}
	for _, next := range kept {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
}
