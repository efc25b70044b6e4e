package invite

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when invalid
	}{
		{"grace@example.com", "grace@example.com"},
		{"Grace.Hopper@Example.COM", "grace.hopper@example.com"},
		{"g+tag@mail.example.co.uk", "g+tag@mail.example.co.uk"},
		{"grace@localhost", ""},
		{"grace@example.com.", ""},
		{"grace@[192.0.2.1]", ""},
		{"Grace <grace@example.com>", ""},
		{"<grace@example.com>", ""},
		{"grace@@example.com", ""},
		{"grace", ""},
		{"@example.com", ""},
		{"a@b.c, d@e.f", ""},
		{strings.Repeat("a", 64) + "@example.com", strings.Repeat("a", 64) + "@example.com"},
		{strings.Repeat("a", 65) + "@example.com", ""},
		// One domain, however it is spelt (IDNA), is one address.
		{"Ada@Bücher.Example", "ada@xn--bcher-kva.example"},
		{"ada@BÜCHER.example", "ada@xn--bcher-kva.example"},
		{"ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"},
		{"ada@XN--BCHER-KVA.EXAMPLE", "ada@xn--bcher-kva.example"},
		{"ada@ｅｘａｍｐｌｅ.com", "ada@example.com"},
		{"ada@bu\u0308cher.example", "ada@xn--bcher-kva.example"},
		{"José@example.com", "josé@example.com"},
		{"Jose\u0301@example.com", "josé@example.com"},
		{"ada@xn--a.example", ""},
		{"ada@-bücher.example", ""},
		{"ada@bücher..example", ""},
		// Invisible characters and direction overrides look like other
		// addresses.
		{"a\u200bdmin@example.com", ""},
		{"admin\u00ad@example.com", ""},
		{"ad\u202emoc.elgoog@x.example", ""},
		{"caadm\u034f@a.example", ""},
		{"ada\ufe0f@example.com", ""},
		{"a\u3164@example.com", ""},
	}
	for _, tt := range tests {
		got, ok := normalizeEmail(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("normalizeEmail(%q): got %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestValidatorPhone(t *testing.T) {
	tests := []struct {
		in, want, reason string
	}{
		{"", "", ""},
		{"+49 30 901820", "+4930901820", ""},
		{"+1 (202) 555-0143", "+12025550143", ""},
		{"+44 20 7946 0958", "+442079460958", ""},
		{"030 901820", "", ReasonInvalidPhone},
		{"+1 555", "", ReasonInvalidPhone},
		{"+0 30 901820", "", ReasonInvalidPhone},
		{"+999 123456", "+999123456", ""}, // no such country: Config.Phone's to say
		{"+49 30 9018\x00", "", ReasonInvalidCharacters},
		{"+49 30/901820", "+4930901820", ""},
		{"+1 202 FLOWERS", "", ReasonInvalidPhone},
		{"+4920A0A00A000000", "", ReasonInvalidPhone},
		{"+49 2020 2002 000000", "", ReasonInvalidPhone},
	}
	for _, tt := range tests {
		var v validator
		got := v.phone("phone", tt.in, nil)
		reason := ""
		if len(v.fields) > 0 {
			reason = v.fields[0].Reason
		}
		if got != tt.want || reason != tt.reason {
			t.Errorf("phone(%q): got %q (%q), want %q (%q)", tt.in, got, reason, tt.want, tt.reason)
		}
	}
	// A check that refuses, or answers with something that is not E.164,
	// makes the number invalid; one that accepts decides the form kept.
	for _, check := range []func(string) (string, bool){
		func(string) (string, bool) { return "", false },
		func(string) (string, bool) { return "030 901820", true },
	} {
		var v validator
		if got := v.phone("phone", "+49 30 901820", check); got != "" || v.err() == nil {
			t.Errorf("phone with a refusing check: got %q, %v", got, v.err())
		}
	}
	var v validator
	if got := v.phone("phone", "+49 30 901820", func(n string) (string, bool) { return n[:len(n)-1], true }); got != "+493090182" {
		t.Errorf("phone with a check that shortens: got %q", got)
	}
}

func TestValidatorLanguage(t *testing.T) {
	tests := []struct{ in, def, want string }{
		{"en", "de", "en"},
		{"", "de", "de"},
		{"pt-br", "en", "pt-BR"},
		{"PT-BR", "en", "pt-BR"},
		{"DE", "en", "de"},
		{"pt", "en", ""},
		{"en-US", "en", ""},
		{"klingon", "en", ""},
	}
	for _, tt := range tests {
		var v validator
		if got := v.language("language", tt.in, tt.def); got != tt.want {
			t.Errorf("language(%q, %q): got %q, want %q", tt.in, tt.def, got, tt.want)
		}
	}
	for _, l := range Languages() {
		if got, ok := supportedLanguage(l); !ok || got != l {
			t.Errorf("Languages lists %q, which does not validate as itself (%q)", l, got)
		}
	}
}

func TestValidTimeZone(t *testing.T) {
	for _, tz := range []string{"UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata"} {
		if !validTimeZone(tz) {
			t.Errorf("validTimeZone(%q) = false, want true", tz)
		}
	}
	for _, tz := range []string{"", "Local", "Europe/Atlantis", "../etc/passwd", "europe/berlin"} {
		if validTimeZone(tz) {
			t.Errorf("validTimeZone(%q) = true, want false", tz)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, pw, email, reason string
	}{
		{"OK", "correct horse battery staple", "grace@example.com", ""},
		{"ExactlyMin", "123456789012", "grace@example.com", ""},
		{"RunesNotBytes", strings.Repeat("é", 12), "grace@example.com", ""},
		{"TooShort", "12345678901", "grace@example.com", ReasonPasswordTooShort},
		{"TooLong", strings.Repeat("x", 129), "grace@example.com", ReasonPasswordTooLong},
		{"ContainsLocalPart", "my name is GRACE!!", "grace@example.com", ReasonPasswordHasEmail},
		{"ShortLocalPartIgnored", "abababababab", "ab@example.com", ""},
		{"NotUTF8", "123456789012\xff", "grace@example.com", ReasonInvalidUTF8},
		{"LineBreak", "first line ok\r\nsecond", "grace@example.com", ReasonInvalidCharacters},
		{"NUL", "123456789012\x00", "grace@example.com", ReasonInvalidCharacters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v validator
			v.password("password", tt.pw, tt.email)
			reason := ""
			if len(v.fields) > 0 {
				reason = v.fields[0].Reason
			}
			if reason != tt.reason {
				t.Errorf("got %q, want %q", reason, tt.reason)
			}
		})
	}
}

// A name that looks like another one (an invisible character, a direction
// override) is refused; the joiners that scripts and emoji need are not.
func TestTextCharacters(t *testing.T) {
	for in, ok := range map[string]bool{
		"Grace":           true,
		"مهدی\u200cزاده":  true, // with a zero-width non-joiner, as Persian writes
		"👩\u200d💻 Ada":    true, // an emoji with a zero-width joiner
		"Ad\u200ba":       false,
		"Ada\u202eecarG":  false,
		"\u2066Ada\u2069": false,
		"Ad\u00ada":       false,
		"Ada\ufeff":       false,
		"Ada\u0007":       false,
	} {
		var v validator
		v.text("name", in, true, MaxNameLen)
		if got := v.err() == nil; got != ok {
			t.Errorf("text(%q): accepted %v, want %v", in, got, ok)
		}
	}
}
