package httpui

import (
	"net/url"
	"strings"
	"testing"
)

// Whatever "next" is kept is a path on this site as every browser reads
// it: one leading slash, no backslash, nothing but printable ASCII, and
// no scheme or host.
func FuzzSafeNext(f *testing.F) {
	for _, seed := range []string{"/admin/users", "//evil.test", "/\\evil.test", "/\t/evil.test", "https://evil.test", "/%2F/evil.test", "/..//x", "\x00", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "" {
			return
		}
		if got != next || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n ") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		for _, c := range []byte(got) {
			if c < 0x21 || c > 0x7e {
				t.Fatalf("safeNext(%q) kept byte %#x", next, c)
			}
		}
		u, err := url.Parse("https://invite.test" + got)
		if err != nil || u.Host != "invite.test" {
			t.Fatalf("safeNext(%q) = %q, which leaves the site (%v, %v)", next, got, u, err)
		}
	})
}
