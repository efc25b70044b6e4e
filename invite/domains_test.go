package invite

import "testing"

func TestParseAllowedDomain(t *testing.T) {
	tests := []struct {
		in   string
		want AllowedDomain
		ok   bool
	}{
		{"example.com", AllowedDomain{Name: "example.com"}, true},
		{"  EXAMPLE.com ", AllowedDomain{Name: "example.com"}, true},
		{"@example.com", AllowedDomain{Name: "example.com"}, true},
		{"*.example.com", AllowedDomain{Name: "example.com", Subdomains: true}, true},
		{"*.Bücher.Example", AllowedDomain{Name: "xn--bcher-kva.example", Subdomains: true}, true},
		{"xn--bcher-kva.example", AllowedDomain{Name: "xn--bcher-kva.example"}, true},
		{"BÜCHER.example", AllowedDomain{Name: "xn--bcher-kva.example"}, true},
		{"", AllowedDomain{}, false},
		{"*.", AllowedDomain{}, false},
		{"com", AllowedDomain{}, false},
		{"*.com", AllowedDomain{}, false},
		{"example.com.", AllowedDomain{}, false},
		{"**.example.com", AllowedDomain{}, false},
		{"a@example.com", AllowedDomain{}, false},
		{"exa mple.com", AllowedDomain{}, false},
		{"exam\u200bple.com", AllowedDomain{}, false},
		// Found from outside: an address, and public suffixes, which
		// would allow everyone's addresses under them.
		{"123.45.67.89", AllowedDomain{}, false},
		{"*.co.uk", AllowedDomain{}, false},
		{"github.io", AllowedDomain{}, false},
		{"plant.co.uk", AllowedDomain{Name: "plant.co.uk"}, true},
	}
	for _, tc := range tests {
		got, ok := ParseAllowedDomain(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseAllowedDomain(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAllowsEmail(t *testing.T) {
	c := &Company{AllowedDomains: []AllowedDomain{{Name: "example.com", Subdomains: true}, {Name: "xn--bcher-kva.example"}}}
	tests := []struct {
		email string
		want  bool
	}{
		{"ada@example.com", true},
		{"Ada@EXAMPLE.COM", true},
		{"ada@a.b.example.com", true},
		{"ada@bücher.example", true},
		{"ada@BÜCHER.example", true},
		{"ada@xn--bcher-kva.example", true},
		{"ada@sub.bücher.example", false},
		{"ada@badexample.com", false},
		{"ada@example.com.evil.example", false},
		{"example.com@evil.example", false},
		{"ada@evil.example", false},
		{"ada", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := c.AllowsEmail(tc.email); got != tc.want {
			t.Errorf("AllowsEmail(%q) = %v, want %v", tc.email, got, tc.want)
		}
	}
	if !(&Company{}).AllowsEmail("anyone@anywhere.example") {
		t.Errorf("a company without allowed domains refuses an address")
	}
	if got := c.AllowedDomainsText(); got != "*.example.com, bücher.example" {
		t.Errorf("AllowedDomainsText() = %q", got)
	}
}
