package invite

import (
	"encoding/base64"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// An address normalises to one spelling: normalising it again changes
// nothing, it is a plain address in lower case with an ASCII domain, and it
// fits the limits.
func FuzzNormalizeEmail(f *testing.F) {
	for _, seed := range []string{"grace@example.com", "Grace.Hopper@Example.COM", "Ada@Bücher.Example", "ada@xn--bcher-kva.example",
		"\"quoted local\"@example.com", "a@b", "a@[192.0.2.1]", "José@example.com", "ａｄａ@ｅｘａｍｐｌｅ.com", "a\x00@example.com", "@", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := normalizeEmail(in)
		if !ok {
			if out != "" {
				t.Fatalf("refused %q but returned %q", in, out)
			}
			return
		}
		again, ok := normalizeEmail(out)
		if !ok || again != out {
			t.Fatalf("normalizeEmail(%q) = %q, which normalises to %q, %v", in, out, again, ok)
		}
		addr, err := mail.ParseAddress(out)
		if err != nil || addr.Address != out || addr.Name != "" {
			t.Fatalf("normalizeEmail(%q) = %q, which is no plain address: %v", in, out, err)
		}
		domain := out[strings.LastIndexByte(out, '@')+1:]
		if strings.ToLower(out) != out || strings.ContainsFunc(domain, func(r rune) bool { return r > unicode.MaxASCII }) || len(out) > MaxEmailLen {
			t.Fatalf("normalizeEmail(%q) = %q: not lower case, ASCII domain and within %d bytes", in, out, MaxEmailLen)
		}
	})
}

// A name or other single-line text is kept trimmed, valid UTF-8, without
// control characters and within its limit, or refused.
func FuzzText(f *testing.F) {
	for _, seed := range []string{"Grace", "  Grace  ", "Ada \"The Countess\"", "a\x00b", "a\r\nb", "\xff", "李小龍", "Zoë 🚀", strings.Repeat("x", 101)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var v validator
		out := v.text("name", in, true, MaxNameLen)
		if v.err() != nil {
			return
		}
		if !utf8.ValidString(out) || out != strings.TrimSpace(out) || out == "" ||
			strings.ContainsFunc(out, unicode.IsControl) || utf8.RuneCountInString(out) > MaxNameLen {
			t.Fatalf("text(%q) = %q, accepted", in, out)
		}
	})
}

// A phone number is kept in E.164, and keeping it again changes nothing.
func FuzzPhone(f *testing.F) {
	for _, seed := range []string{"+1 202 555 0143", "+49 30 901820", "+44 (20) 7946-0958", "0201 555", "+", "+0", "+1" + strings.Repeat("9", 40), "+49\x0030"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var v validator
		out := v.phone("phone", in, nil)
		if v.err() != nil || out == "" {
			return
		}
		if !strings.HasPrefix(out, "+") || strings.ContainsFunc(out[1:], func(r rune) bool { return r < '0' || r > '9' }) || len(out) > 16 {
			t.Fatalf("phone(%q) = %q, not E.164", in, out)
		}
		var again validator
		if out2 := again.phone("phone", out, nil); again.err() != nil || out2 != out {
			t.Fatalf("phone(%q) = %q, which becomes %q, %v", in, out, out2, again.err())
		}
	})
}

// A text is a token only if it is the base64url of 32 bytes; its hash is
// then 32 bytes, and no other text has the same bytes.
func FuzzHashToken(f *testing.F) {
	for _, seed := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "+/+/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		hash, ok := HashToken(in)
		if !ok {
			return
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(in)
		if err != nil || len(b) != tokenBytes || len(hash) != 32 || base64.RawURLEncoding.EncodeToString(b) != in {
			t.Fatalf("HashToken(%q) accepted a text that is not one token's only spelling", in)
		}
	})
}

// A cursor is read back as the position it was made from, and anything
// else is ErrInvalidCursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, seed := range []string{encodeCursor(Cursor{CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), ID: 7}), "MTIz", "LTEuLTE", "", "!!", "MC4w"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := decodeCursor(in)
		if err != nil {
			if err != ErrInvalidCursor {
				t.Fatalf("decodeCursor(%q): got %v, want ErrInvalidCursor", in, err)
			}
			return
		}
		back, err := decodeCursor(encodeCursor(c))
		if err != nil || !back.CreatedAt.Equal(c.CreatedAt) || back.ID != c.ID || c.ID <= 0 {
			t.Fatalf("decodeCursor(%q) = %+v, which does not read back (%+v, %v)", in, c, back, err)
		}
	})
}
