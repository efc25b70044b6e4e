package invite

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Input limits, in characters (runes).
const (
	MaxNameLen     = 100 // first, last, company, subscription and business role names
	MaxEmailLen    = 254 // RFC 5321 path limit
	maxEmailLocal  = 64
	MaxTextLen     = 100 // department
	MaxPhoneLen    = 32  // as typed, before normalisation to E.164
	maxE164Digits  = 15  // E.164: at most 15 digits, country code included
	minE164Digits  = 7   // the shortest numbers in use, country code included
	maxZoneNameLen = 64
)

// Field error reasons. They are stable identifiers; Message carries English.
const (
	ReasonRequired            = "required"
	ReasonTooLong             = "too_long"
	ReasonOutOfRange          = "out_of_range"
	ReasonInvalidUTF8         = "invalid_utf8"
	ReasonInvalidCharacters   = "invalid_characters"
	ReasonInvalidEmail        = "invalid_email"
	ReasonInvalidPhone        = "invalid_phone"
	ReasonUnknownTimeZone     = "unknown_time_zone"
	ReasonUnsupportedLanguage = "unsupported_language"
	ReasonUnknownSubscription = "unknown_subscription"
	ReasonDuplicate           = "duplicate"
	ReasonInvalidRole         = "invalid_role"
	ReasonUnknownBusinessRole = "unknown_business_role"
	ReasonInvalidAdminLevel   = "invalid_admin_level"
	ReasonInvalidStatus       = "invalid_status"
	ReasonImmutable           = "immutable"
	ReasonAboveOwnRole        = "above_own_role"
	ReasonWrongPassword       = "wrong_password"
	ReasonPasswordTooShort    = "password_too_short"
	ReasonPasswordTooLong     = "password_too_long"
	ReasonPasswordHasEmail    = "password_contains_email"
	// ReasonPasswordMismatch is for a form's second copy of a new password
	// that differs from the first: the service takes one password, the
	// forms that ask twice compare.
	ReasonPasswordMismatch = "password_mismatch"
	ReasonTermsRequired    = "terms_required"
)

// Languages returns the tags of the languages the product speaks, English first.
func Languages() []string { return []string{"en", "de", "es", "fr", "pt-BR"} }

// validator collects field errors, so one call reports every wrong field.
type validator struct {
	fields []FieldError
}

func (v *validator) add(field, reason, format string, args ...any) {
	v.addArgs(field, reason, nil, format, args...)
}

// addArgs adds a field error whose message names values, kept in Args for
// translations.
func (v *validator) addArgs(field, reason string, named map[string]any, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Reason: reason, Message: fmt.Sprintf(format, args...), Args: named})
}

// has reports whether field already has an error.
func (v *validator) has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// err returns the collected errors as one CodeInvalid *Error, or nil.
func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	e := *ErrInvalidInput
	e.Fields = v.fields
	return &e
}

// text validates a single-line text field and returns it trimmed.
func (v *validator) text(field, s string, required bool, maxLen int) string {
	if !utf8.ValidString(s) {
		v.add(field, ReasonInvalidUTF8, "must be valid UTF-8 text")
		return ""
	}
	// One spelling of what looks the same ("é" as one character or as "e"
	// and an accent), so that names that look alike compare alike.
	s = norm.NFC.String(strings.TrimSpace(s))
	switch {
	case s == "":
		if required {
			v.add(field, ReasonRequired, "is required")
		}
	case strings.ContainsFunc(s, unicode.IsControl) || strings.ContainsFunc(s, deceptive):
		v.add(field, ReasonInvalidCharacters, "must not contain control characters")
	case required && !visible(s): // looks empty
		v.add(field, ReasonRequired, "is required")
	case utf8.RuneCountInString(s) > maxLen:
		v.addArgs(field, ReasonTooLong, map[string]any{"Max": maxLen}, "must be at most %d characters", maxLen)
	}
	return s
}

// deceptive reports whether r is invisible or turns text around, so that
// text with it can look like other text (a name, an address) in a list or a
// mail: format characters (direction overrides, zero-width spaces, the soft
// hyphen), characters that render as nothing (Hangul fillers, the combining
// grapheme joiner), the blank braille pattern, the Unicode line and
// paragraph separators, and the replacement character (bytes that were
// not text, decoded, as JSON's decoder does). The joiners that some
// scripts and emoji need, and the variation selectors of emoji, stay.
func deceptive(r rune) bool {
	switch {
	case r == '\u200c' || r == '\u200d': // zero-width non-joiner and joiner
		return false
	case r == '\u2800': // braille pattern blank
		return true
	case r == '\u2028' || r == '\u2029': // line and paragraph separators: line breaks
		return true
	case r == '\ufffd': // what a decoder puts for bytes that were no text
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point)
}

// invisibleInAddress reports whether r has no place in an e-mail address:
// what deceptive finds, any format character and variation selectors.
func invisibleInAddress(r rune) bool {
	return deceptive(r) || unicode.In(r, unicode.Cf, unicode.Variation_Selector)
}

// visible reports whether s has something to see: a letter or a digit.
func visible(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.In(r, unicode.L, unicode.N) })
}

// email validates an e-mail address and returns it trimmed and in lower case:
// e-mail addresses are usernames and unique regardless of case.
func (v *validator) email(field, s string) string {
	s = v.text(field, s, true, MaxEmailLen)
	if v.has(field) {
		return ""
	}
	if normalized, ok := normalizeEmail(s); ok {
		return normalized
	}
	v.add(field, ReasonInvalidEmail, "must be an e-mail address such as name@example.com")
	return ""
}

// normalizeEmail returns the one spelling of s, if it is a plain address
// with a local part of at most 64 characters and a domain name with a dot:
// the local part in lower case and Unicode normal form C, the domain in
// its ASCII form by IDNA (UTS #46), so that "bücher.example",
// "BÜCHER.example" and "xn--bcher-kva.example" are one address.
func normalizeEmail(s string) (string, bool) {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s || strings.ContainsFunc(s, invisibleInAddress) {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > maxEmailLocal || strings.HasPrefix(domain, "[") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	domain, err = idna.Lookup.ToASCII(domain)
	if err != nil || !validDomain(domain) {
		return "", false
	}
	normalized := strings.ToLower(norm.NFC.String(local)) + "@" + domain
	if len(normalized) > MaxEmailLen {
		return "", false
	}
	return normalized, true
}

// validDomain reports whether an ASCII domain name has two or more labels,
// each of 1 to 63 characters, in at most 253 characters.
func validDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 || len(domain) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return false
		}
	}
	return true
}

// phone validates an optional phone number in international form and
// returns it in E.164: a plus, then 7 to 15 digits that do not start with
// 0. check, if not nil, then judges that form, as Config.Phone says.
func (v *validator) phone(field, s string, check func(string) (string, bool)) string {
	s = v.text(field, s, false, MaxPhoneLen)
	if s == "" || v.has(field) {
		return ""
	}
	if !strings.HasPrefix(s, "+") {
		v.add(field, ReasonInvalidPhone, "must be an international number starting with + and the country code")
		return ""
	}
	// Digits and the usual separators only: the parser would read letters
	// as a keypad's (A as 2), which nobody means here.
	if strings.ContainsFunc(s[1:], func(r rune) bool { return !strings.ContainsRune("0123456789 -()./", r) }) {
		v.add(field, ReasonInvalidPhone, "must be a valid international phone number")
		return ""
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s[1:])
	e164, ok := "+"+digits, len(digits) >= minE164Digits && len(digits) <= maxE164Digits && digits[0] != '0'
	if ok && check != nil {
		e164, ok = check(e164)
		ok = ok && isE164(e164)
	}
	if !ok {
		v.add(field, ReasonInvalidPhone, "must be a valid international phone number")
		return ""
	}
	return e164
}

// isE164 reports whether s is a plus and 7 to 15 digits, the first not 0.
func isE164(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	return ok && len(digits) >= minE164Digits && len(digits) <= maxE164Digits && digits[0] != '0' &&
		!strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' })
}

// language validates a language tag against Languages and returns its
// canonical form ("pt-br" becomes "pt-BR"). An empty s yields def.
func (v *validator) language(field, s, def string) string {
	s = v.text(field, s, false, 35)
	if v.has(field) {
		return ""
	}
	if s == "" {
		s = def
	}
	if tag, ok := supportedLanguage(s); ok {
		return tag
	}
	v.add(field, ReasonUnsupportedLanguage, "must be one of %s", strings.Join(Languages(), ", "))
	return ""
}

func supportedLanguage(s string) (string, bool) {
	tag, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	for _, l := range Languages() {
		if tag.String() == l {
			return l, true
		}
	}
	return "", false
}

// timeZone validates an IANA time zone name. An empty s yields def.
func (v *validator) timeZone(field, s, def string) string {
	s = v.text(field, s, false, maxZoneNameLen)
	if v.has(field) {
		return ""
	}
	if s == "" {
		s = def
	}
	if validTimeZone(s) {
		return s
	}
	v.add(field, ReasonUnknownTimeZone, "must be an IANA time zone such as Europe/Berlin")
	return ""
}

func validTimeZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	texts, err := builtinTexts() // whose zones are the ones mail is dated in
	if err != nil {
		_, err = time.LoadLocation(name)
		return err == nil
	}
	_, err = texts.zones.Load(name)
	return err == nil
}

// names validates a list of names (subscriptions, business roles) that must
// hold at least one entry and no duplicates regardless of case.
func (v *validator) names(field string, in []string) []string {
	if len(in) == 0 {
		v.add(field, ReasonRequired, "needs at least one entry")
		return nil
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for i, s := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		s = v.text(f, s, true, MaxNameLen)
		if v.has(f) {
			continue
		}
		if key := strings.ToLower(s); seen[key] {
			v.add(f, ReasonDuplicate, "is listed twice")
		} else {
			seen[key] = true
		}
		out = append(out, s)
	}
	return out
}

// grants validates subscription grants against the company's subscriptions.
func (v *validator) grants(field string, in []Grant, c *Company) []Grant {
	if len(in) == 0 {
		v.add(field, ReasonRequired, "needs at least one subscription")
		return nil
	}
	out := make([]Grant, 0, len(in))
	seen := make(map[int64]bool, len(in))
	for i, g := range in {
		sub, role := fmt.Sprintf("%s[%d].subscription", field, i), fmt.Sprintf("%s[%d].role", field, i)
		switch _, ok := c.Subscription(g.SubscriptionID); {
		case !ok:
			v.add(sub, ReasonUnknownSubscription, "is not a subscription of the company")
		case seen[g.SubscriptionID]:
			v.add(sub, ReasonDuplicate, "is listed twice")
		}
		seen[g.SubscriptionID] = true
		if !g.Role.Valid() {
			v.add(role, ReasonInvalidRole, "must be viewer, contributor or administrator")
		}
		out = append(out, g)
	}
	return out
}
