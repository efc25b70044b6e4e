package invite

import (
	"errors"
	"strings"
	"testing"
)

func TestParagraphs(t *testing.T) {
	tests := []struct {
		name, in, want string
		reason         string // "" when valid
	}{
		{"kept as written, line breaks as \\n", " First.\r\n\r\nSecond,\tsaid.\n", "First.\n\nSecond,\tsaid.", ""},
		{"empty is the built-in terms", "  \n ", "", ""},
		{"a control character", "a\x00b", "", ReasonInvalidCharacters},
		{"a direction override", "a\u202eb", "", ReasonInvalidCharacters},
		{"not UTF-8", "a\xffb", "", ReasonInvalidUTF8},
		{"too long", strings.Repeat("a", MaxTermsLen+1), "", ReasonTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v validator
			got := v.paragraphs("terms", tt.in, MaxTermsLen)
			err := v.err()
			if tt.reason == "" {
				if err != nil || got != tt.want {
					t.Errorf("paragraphs = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Reason != tt.reason {
				t.Errorf("paragraphs: %v; want %s", err, tt.reason)
			}
		})
	}
}
