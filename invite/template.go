package invite

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholders lists the placeholders an e-mail template may use, each
// written in braces, such as {FirstName}:
//
//	UserName        the invitee's username: their e-mail address
//	FirstName       the invitee's first name
//	LastName        the invitee's last name
//	CompanyName     the company they are invited to
//	InviterName     the name of the administrator who invited them
//	InvitationLink  the link that accepts the invitation
//	ExpirationDate  when the invitation expires, in the invitee's time zone
//	Subscriptions   the subscriptions with their roles
func Placeholders() []string {
	return []string{"UserName", "FirstName", "LastName", "CompanyName", "InviterName", "InvitationLink", "ExpirationDate", "Subscriptions"}
}

// Limits of e-mail templates, in characters.
const (
	MaxSubjectLen = 200
	MaxBodyLen    = 10000
)

// Field error reasons of templates.
const (
	ReasonUnknownPlaceholder = "unknown_placeholder"
	ReasonLineBreak          = "line_break"
	ReasonControlCharacter   = "control_character"
	ReasonLinkInSubject      = "link_in_subject"
)

// Template is an e-mail's subject and plain-text body with placeholders.
// Its zero value is no template: the built-in default applies.
type Template struct {
	Subject string
	Body    string
}

// IsZero reports whether t is no template.
func (t Template) IsZero() bool { return t.Subject == "" && t.Body == "" }

// segment is literal text or, if placeholder is set, a placeholder.
type segment struct {
	text        string
	placeholder string
}

// parsedTemplate is a template split into segments.
type parsedTemplate struct {
	subject, body []segment
}

// Position is a place in a text: line and column count from 1, in
// characters.
type Position struct {
	Line, Column int
}

func (p Position) String() string { return fmt.Sprintf("line %d, column %d", p.Line, p.Column) }

// ValidateTemplate checks a template as an administrator saves it: both parts
// are required, valid UTF-8 and within their limits, the subject is one line,
// and every placeholder is known. Each problem is a FieldError of "subject"
// or "body" whose message and Args give its position.
func ValidateTemplate(t Template) error {
	var v validator
	v.template(t)
	return v.err()
}

// template validates t, an invitation's (or its reminder's) template, and
// returns it parsed.
func (v *validator) template(t Template) *parsedTemplate {
	return v.templateOf(t, placeholdersOf(KindInvitation))
}

// templateOf validates t, a template of a message that fills in set, and
// returns it parsed.
func (v *validator) templateOf(t Template, set placeholderSet) *parsedTemplate {
	var p parsedTemplate
	p.subject = v.templateText("subject", t.Subject, MaxSubjectLen, true, set)
	p.body = v.templateText("body", t.Body, MaxBodyLen, false, set)
	return &p
}

func (v *validator) templateText(field, s string, maxLen int, oneLine bool, set placeholderSet) []segment {
	switch {
	case !utf8.ValidString(s):
		v.add(field, ReasonInvalidUTF8, "must be valid UTF-8 text")
		return nil
	case strings.TrimSpace(s) == "":
		v.add(field, ReasonRequired, "is required")
		return nil
	case utf8.RuneCountInString(s) > maxLen:
		v.addArgs(field, ReasonTooLong, map[string]any{"Max": maxLen}, "must be at most %d characters", maxLen)
		return nil
	}
	if oneLine {
		if i := strings.IndexAny(s, "\r\n"); i >= 0 {
			pos := positionOf(s, i)
			v.addArgs(field, ReasonLineBreak, map[string]any{"Line": pos.Line, "Column": pos.Column},
				"must be one line, but has a line break at %s", pos)
		}
	}
	// Line breaks and tabs are text; other control characters are not, and
	// a NUL is not even storable.
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }); i >= 0 {
		pos := positionOf(s, i)
		v.addArgs(field, ReasonControlCharacter, map[string]any{"Line": pos.Line, "Column": pos.Column},
			"has a control character at %s", pos)
	}
	segs, unknown := parsePlaceholders(s, set.names)
	for _, u := range unknown {
		pos := positionOf(s, u.offset)
		v.addArgs(field, ReasonUnknownPlaceholder, map[string]any{"Placeholder": u.name, "Line": pos.Line, "Column": pos.Column},
			"has an unknown placeholder %s at %s", u.name, pos)
	}
	// A subject is shown where a body is not (lists of sent mail, logs,
	// notifications): the link, a secret, goes in the body only.
	if oneLine {
		if i := strings.Index(s, "{"+set.link+"}"); i >= 0 {
			pos := positionOf(s, i)
			v.addArgs(field, ReasonLinkInSubject, map[string]any{"Line": pos.Line, "Column": pos.Column},
				"may not hold {%s}, which belongs in the body, at %s", set.link, pos)
		}
	}
	return segs
}

// placeholderSet is what a kind of message fills in: the placeholders its
// texts may hold, and the one of them that stands for its link, the one
// secret a message may carry.
type placeholderSet struct {
	names []string
	link  string
}

// placeholdersOf returns the placeholders of kind. An invitation and its
// reminder fill those of Placeholders(), which administrators' templates
// use; each notice fills its own.
func placeholdersOf(kind MessageKind) placeholderSet {
	switch kind {
	case KindRenewalRequest:
		return placeholderSet{[]string{"UserName", "FirstName", "LastName", "CompanyName", "InviterName", "ExpirationDate", "InvitationsLink"}, "InvitationsLink"}
	case KindPasswordReset:
		return placeholderSet{[]string{"UserName", "FirstName", "LastName", "CompanyName", "ExpirationDate", "ResetLink"}, "ResetLink"}
	case KindJoinRequest:
		return placeholderSet{[]string{"UserName", "FirstName", "LastName", "CompanyName", "RequestedAt", "UsersLink"}, "UsersLink"}
	}
	return placeholderSet{Placeholders(), "InvitationLink"}
}

// unknownPlaceholder is a placeholder that is not in the set a text may
// hold.
type unknownPlaceholder struct {
	name   string // with its braces
	offset int    // in bytes
}

// parsePlaceholders splits s into literal text and placeholders, and
// returns those not among known too. A placeholder is an opening brace,
// one or more ASCII letters and a closing brace; any other brace is
// literal text.
func parsePlaceholders(s string, known []string) ([]segment, []unknownPlaceholder) {
	var (
		segs    []segment
		unknown []unknownPlaceholder
		lit     int // where the text not in segs yet starts
	)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '{')
		if j < 0 {
			break
		}
		i += j
		name, ok := placeholderAt(s, i)
		if !ok {
			i++
			continue
		}
		if !slices.Contains(known, name) {
			unknown = append(unknown, unknownPlaceholder{name: "{" + name + "}", offset: i})
		}
		if lit < i {
			segs = append(segs, segment{text: s[lit:i]})
		}
		segs = append(segs, segment{placeholder: name})
		i += len(name) + 2
		lit = i
	}
	if lit < len(s) {
		segs = append(segs, segment{text: s[lit:]})
	}
	return segs, unknown
}

// placeholderAt returns the name of the placeholder that starts at s[i].
func placeholderAt(s string, i int) (string, bool) {
	if s[i] != '{' {
		return "", false
	}
	j := i + 1
	for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z') {
		j++
	}
	if j == i+1 || j >= len(s) || s[j] != '}' {
		return "", false
	}
	return s[i+1 : j], true
}

// positionOf returns the line and column of byte offset i in s.
func positionOf(s string, i int) Position {
	before := s[:i]
	line := strings.Count(before, "\n") + 1
	if nl := strings.LastIndexByte(before, '\n'); nl >= 0 {
		before = before[nl+1:]
	}
	return Position{Line: line, Column: utf8.RuneCountInString(before) + 1}
}

// hasPlaceholder reports whether segs use the placeholder name.
func hasPlaceholder(segs []segment, name string) bool {
	for _, s := range segs {
		if s.placeholder == name {
			return true
		}
	}
	return false
}

// renderText substitutes values into segs. Unknown placeholders, which a
// saved template cannot have, are left as they were written.
func renderText(segs []segment, values map[string]string) string {
	var b strings.Builder
	for _, s := range segs {
		if s.placeholder == "" {
			b.WriteString(s.text)
		} else if v, ok := values[s.placeholder]; ok {
			b.WriteString(v)
		} else {
			b.WriteString("{" + s.placeholder + "}")
		}
	}
	return b.String()
}

// renderSubject renders a subject on one line, whatever the values hold.
func renderSubject(segs []segment, values map[string]string) string {
	s := renderText(segs, values)
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)), " ")
}

// dropLineBreaks is a mapping for strings.Map that drops CR and LF.
func dropLineBreaks(r rune) rune {
	if r == '\r' || r == '\n' {
		return -1
	}
	return r
}

// renderHTML renders segs as HTML paragraphs: text and values are escaped,
// blank lines separate paragraphs, single line breaks become <br>, and the
// placeholder link (the message's link) becomes a link.
func renderHTML(segs []segment, values map[string]string, link string) string {
	var b strings.Builder
	for _, s := range segs {
		switch {
		case s.placeholder == "":
			b.WriteString(html.EscapeString(s.text))
		case s.placeholder == link:
			// A URL has no line breaks; one here would become markup in
			// the attribute when lines are turned into <br>.
			url := html.EscapeString(strings.Map(dropLineBreaks, values[link]))
			b.WriteString(`<a href="` + url + `">` + url + `</a>`)
		default:
			v, ok := values[s.placeholder]
			if !ok {
				v = "{" + s.placeholder + "}"
			}
			b.WriteString(html.EscapeString(v))
		}
	}
	text := strings.ReplaceAll(b.String(), "\r\n", "\n")
	var out strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		out.WriteString("<p>" + strings.ReplaceAll(para, "\n", "<br>\n") + "</p>\n")
	}
	return out.String()
}
