package invite

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var localeFiles embed.FS

// mailTexts are the built-in e-mail texts of every language, from
// locales/active.LANG.toml through go-i18n.
type mailTexts struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	layout     *template.Template
}

// The message IDs of the built-in texts. Each kind of message has its
// KIND_subject, KIND_body, KIND_button and KIND_footer.
const (
	msgDateLayout    = "date_layout"
	msgListSeparator = "list_separator"
)

func kindText(kind MessageKind, part string) string { return string(kind) + "_" + part }

// htmlLayout wraps a rendered body into the HTML part of a message.
const htmlLayout = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40em; margin: 0 auto; padding: 1em;">
{{.Body}}<p><a href="{{.Link}}" style="display: inline-block; padding: 0.6em 1.2em; background: #0b5cad; color: #ffffff; text-decoration: none; border-radius: 4px;">{{.Button}}</a></p>
<p style="color: #555555; font-size: 0.9em;">{{.Footer}}</p>
</body>
</html>
`

func newMailTexts() (*mailTexts, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range Languages() {
		if _, err := bundle.LoadMessageFileFS(localeFiles, "locales/active."+lang+".toml"); err != nil {
			return nil, fmt.Errorf("mail texts: %w", err)
		}
	}
	m := &mailTexts{bundle: bundle, localizers: make(map[string]*i18n.Localizer)}
	for _, lang := range Languages() {
		m.localizers[lang] = i18n.NewLocalizer(bundle, lang)
	}
	var err error
	m.layout, err = template.New("mail").Parse(htmlLayout)
	return m, err
}

// text returns the built-in text with the given ID in lang, falling back
// to English for a language the product does not speak.
func (m *mailTexts) text(lang, id string) string {
	l, ok := m.localizers[lang]
	if !ok {
		l = m.localizers["en"]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id})
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
}

// compose renders a message for in, in the recipient's language with
// dates in their time zone. The link is always in the message: it is
// appended to a template that lacks its placeholder.
func (m *mailTexts) compose(in mailInput) (*Message, error) {
	lang, set := in.to.language, placeholdersOf(in.kind)
	tmpl := in.template
	if tmpl.IsZero() {
		tmpl = m.defaultTemplate(in.kind, lang)
	}
	var v validator
	parsed := v.templateOf(tmpl, set)
	if err := v.err(); err != nil && !onlyLinkInSubject(err) {
		return nil, fmt.Errorf("compose %s mail: %w", in.kind, err)
	}
	if !hasPlaceholder(parsed.body, set.link) {
		parsed.body = append(parsed.body, segment{text: "\n\n"}, segment{placeholder: set.link})
	}
	loc, err := time.LoadLocation(in.to.timeZone)
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
	footerSegs, _ := parsePlaceholders(m.text(lang, kindText(in.kind, "footer")), set.names)
	footer := renderText(footerSegs, values)
	var html bytes.Buffer
	err = m.layout.Execute(&html, map[string]any{
		"Lang":    lang,
		"Subject": subject,
		"Body":    template.HTML(renderHTML(parsed.body, values, set.link)), // escaped by renderHTML
		"Link":    template.URL(in.link),
		"Button":  m.text(lang, kindText(in.kind, "button")),
		"Footer":  footer,
	})
	if err != nil {
		return nil, fmt.Errorf("compose %s mail: %w", in.kind, err)
	}
	return &Message{
		CompanyID:    in.companyID,
		InvitationID: in.invitationID,
		Kind:         in.kind,
		To:           in.to.email,
		ToName:       in.to.name,
		Language:     lang,
		Subject:      subject,
		Text:         renderText(parsed.body, values) + "\n\n-- \n" + footer + "\n",
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
