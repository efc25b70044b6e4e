package invite

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var localeFiles embed.FS

// mailTexts are the built-in e-mail texts of every language, from
// locales/active.LANG.toml through go-i18n. The texts that take no data
// are looked up once, when they are loaded, not for every message.
type mailTexts struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	fixed      map[string]map[string]string // language → message ID → text
	builtins   map[string]map[MessageKind]*builtinMail
	escaper    *strings.Replacer // as html/template escapes text
	zones      Zones
}

// The message IDs of the built-in texts. Each kind of message has its
// KIND_subject, KIND_body, KIND_button and KIND_footer.
const (
	msgDateLayout    = "date_layout"
	msgListSeparator = "list_separator"
)

func kindText(kind MessageKind, part string) string { return string(kind) + "_" + part }

// writeHTML writes the HTML part of a message: the rendered body, which
// renderHTML has escaped, in a layout with a button to link. The other
// values are text, escaped here as html/template escapes text and quoted
// attributes (the subject, the button's and the footer's texts), and the
// link, normalized as html/template normalizes a URL (FuzzWriteHTML
// checks both against it). Assembled by hand, it costs a
// tenth of executing the same layout as an html/template.
func (m *mailTexts) writeHTML(b *strings.Builder, lang, subject, body, link, button, footer string) {
	esc := m.escaper.Replace
	for _, s := range []string{
		"<!DOCTYPE html>\n<html lang=\"", esc(lang), "\">\n",
		"<head><meta charset=\"utf-8\"><title>", esc(subject), "</title></head>\n",
		"<body style=\"font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40em; margin: 0 auto; padding: 1em;\">\n",
		body,
		"<p><a href=\"", esc(normalizeURL(link)), "\" style=\"display: inline-block; padding: 0.6em 1.2em; background: #0b5cad; color: #ffffff; text-decoration: none; border-radius: 4px;\">", esc(button), "</a></p>\n",
		"<p style=\"color: #555555; font-size: 0.9em;\">", esc(footer), "</p>\n",
		"</body>\n</html>\n",
	} {
		b.WriteString(s)
	}
}

// normalizeURL percent-encodes the bytes of a URL that html/template
// encodes in an attribute that holds one: all but the unreserved and
// reserved characters of RFC 3986 (less the quote and the parentheses,
// which could end the attribute or a CSS url()), and a '%' that does not
// start an escape followed by more.
func normalizeURL(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0 ||
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[written:i])
		fmt.Fprintf(&b, "%%%02x", c)
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// newEscaper returns what html/template replaces in text and in quoted
// attributes, and with what.
func newEscaper() *strings.Replacer {
	return strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")
}

func newMailTexts() (*mailTexts, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	ids := map[string]bool{}
	for _, lang := range Languages() {
		f, err := bundle.LoadMessageFileFS(localeFiles, "locales/active."+lang+".toml")
		if err != nil {
			return nil, fmt.Errorf("mail texts: %w", err)
		}
		for _, msg := range f.Messages {
			ids[msg.ID] = true
		}
	}
	m := &mailTexts{bundle: bundle, localizers: make(map[string]*i18n.Localizer), fixed: make(map[string]map[string]string), escaper: newEscaper()}
	for _, lang := range Languages() {
		l := i18n.NewLocalizer(bundle, lang)
		m.localizers[lang], m.fixed[lang] = l, make(map[string]string, len(ids))
		for id := range ids {
			if s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id}); err == nil {
				m.fixed[lang][id] = s
			}
		}
	}
	m.builtins = make(map[string]map[MessageKind]*builtinMail)
	for _, lang := range Languages() {
		m.builtins[lang] = make(map[MessageKind]*builtinMail)
		for _, kind := range messageKinds {
			var v validator
			set := placeholdersOf(kind)
			b := &builtinMail{template: v.templateOf(m.defaultTemplate(kind, lang), set)}
			if err := v.err(); err != nil && !onlyLinkInSubject(err) {
				return nil, fmt.Errorf("mail texts: the built-in %s mail in %s: %w", kind, lang, err)
			}
			b.footer, _ = parsePlaceholders(m.text(lang, kindText(kind, "footer")), set.names)
			m.builtins[lang][kind] = b
		}
	}
	return m, nil
}

// builtinMail is a kind of message's built-in template and footer in a
// language, parsed once.
type builtinMail struct {
	template *parsedTemplate
	footer   []segment
}

// builtin returns the built-in mail of kind in lang, or in English for a
// language the product does not speak.
func (m *mailTexts) builtin(kind MessageKind, lang string) *builtinMail {
	b, ok := m.builtins[lang]
	if !ok {
		b = m.builtins["en"]
	}
	return b[kind]
}

// text returns the built-in text with the given ID in lang, falling back
// to English for a language the product does not speak.
func (m *mailTexts) text(lang, id string) string {
	fixed, ok := m.fixed[lang]
	if !ok {
		lang, fixed = "en", m.fixed["en"]
	}
	if s, ok := fixed[id]; ok {
		return s
	}
	s, err := m.localizers[lang].Localize(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		// Every language has every ID (a test checks), so this is a
		// missing English text: a programming error.
		panic(fmt.Sprintf("mail text %q (%s): %v", id, lang, err))
	}
	return s
}

// defaultTemplate returns the built-in template of kind in lang.
func (m *mailTexts) defaultTemplate(kind MessageKind, lang string) Template {
	return Template{Subject: m.text(lang, kindText(kind, "subject")), Body: m.text(lang, kindText(kind, "body"))}
}

// recipient is who a message goes to, and how they read it.
type recipient struct {
	email, name, language, timeZone string
}

// mailInput is what a message is made from: whom it goes to, what it is
// about, and what its placeholders (placeholdersOf its kind) stand for.
type mailInput struct {
	kind         MessageKind
	to           recipient
	companyID    int64
	invitationID int64                // 0 unless the message is the invitation's own
	values       map[string]string    // the placeholders that are text
	dates        map[string]time.Time // the placeholders that are dates, written in to's zone and language
	link         string               // the message's link: its button, and its link placeholder
	template     Template             // the template to use; the built-in one when zero
	parsed       *parsedTemplate      // template parsed and validated already, if not nil
}

// compose renders a message for in, in the recipient's language with
// dates in their time zone. The link is always in the message: it is
// appended to a template that lacks its placeholder.
func (m *mailTexts) compose(in mailInput) (*Message, error) {
	lang, set := in.to.language, placeholdersOf(in.kind)
	builtin := m.builtin(in.kind, lang)
	parsed := builtin.template
	switch {
	case in.parsed != nil:
		parsed = in.parsed
	case !in.template.IsZero():
		var v validator
		parsed = v.templateOf(in.template, set)
		if err := v.err(); err != nil && !onlyLinkInSubject(err) {
			return nil, fmt.Errorf("compose %s mail: %w", in.kind, err)
		}
	}
	body := parsed.body
	if !hasPlaceholder(body, set.link) {
		body = append(slices.Clip(body), segment{text: "\n\n"}, segment{placeholder: set.link})
	}
	loc, err := m.zones.Load(in.to.timeZone)
	if err != nil {
		loc = time.UTC
	}
	values := maps.Clone(in.values)
	for name, at := range in.dates {
		values[name] = at.In(loc).Format(m.text(lang, msgDateLayout))
	}
	values[set.link] = in.link
	// A template saved before links were kept out of subjects still has
	// none there.
	subjectValues := maps.Clone(values)
	subjectValues[set.link] = ""
	subject := truncate(renderSubject(parsed.subject, subjectValues), maxRenderedSubject)
	footer := renderText(builtin.footer, values)
	var html strings.Builder
	m.writeHTML(&html, lang, subject, renderHTML(body, values, set.link), in.link, m.text(lang, kindText(in.kind, "button")), footer)
	return &Message{
		CompanyID:    in.companyID,
		InvitationID: in.invitationID,
		Kind:         in.kind,
		To:           in.to.email,
		ToName:       in.to.name,
		Language:     lang,
		Subject:      subject,
		Text:         renderText(body, values) + "\n\n-- \n" + footer + "\n",
		HTML:         html.String(),
		State:        DeliveryQueued,
	}, nil
}

// maxRenderedSubject bounds a subject once its placeholders are filled in
// (each value may be long), in characters: the outbox keeps 1,000.
const maxRenderedSubject = 998

// onlyLinkInSubject reports whether err is only about the link in a
// subject, which composing leaves out.
func onlyLinkInSubject(err error) bool {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Reason != ReasonLinkInSubject {
			return false
		}
	}
	return true
}

// subscriptions lists grants as "App Designer (Contributor), ...", in the
// company's order of subscriptions, with role names in lang.
func (m *mailTexts) subscriptions(lang string, grants []Grant, c *Company) string {
	var parts []string
	for _, sub := range c.Subscriptions {
		for _, g := range grants {
			if g.SubscriptionID == sub.ID {
				parts = append(parts, sub.Name+" ("+m.text(lang, "role_"+string(g.Role))+")")
			}
		}
	}
	return strings.Join(parts, m.text(lang, msgListSeparator))
}
