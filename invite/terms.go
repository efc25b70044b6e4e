package invite

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTermsLen bounds a company's terms of use, in characters.
const MaxTermsLen = 10000

// SetTerms sets the terms of use that invitees of a company accept when
// they join: plain text in paragraphs, or "" (or only spaces) for the
// built-in terms. The acting user must administer the company.
func (s *Service) SetTerms(ctx context.Context, companyID int64, terms string) error {
	u, err := s.adminOf(ctx, companyID)
	if err != nil {
		return err
	}
	var v validator
	terms = v.paragraphs("terms", terms, MaxTermsLen)
	if err := v.err(); err != nil {
		return err
	}
	if c, err := s.st().Company(ctx, companyID); err != nil {
		return err
	} else if c.Terms == terms {
		return nil // saved again as they are: no change, none recorded
	}
	return s.changeCompany(ctx, u, companyID, "terms", map[string]any{"built_in": terms == ""}, func(tx *Service) error {
		return tx.st().SetTerms(ctx, companyID, terms)
	})
}

// paragraphs validates text of several lines and returns it trimmed, with
// its line breaks as "\n": valid UTF-8 of at most maxLen characters, with
// no control characters but line breaks and tabs, and nothing that hides
// or turns text around.
func (v *validator) paragraphs(field, s string, maxLen int) string {
	if !utf8.ValidString(s) {
		v.add(field, ReasonInvalidUTF8, "must be valid UTF-8 text")
		return ""
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' || deceptive(r) }):
		v.add(field, ReasonInvalidCharacters, "must not contain control characters")
	case utf8.RuneCountInString(s) > maxLen:
		v.addArgs(field, ReasonTooLong, map[string]any{"Max": maxLen}, "must be at most %d characters", maxLen)
	}
	return s
}
