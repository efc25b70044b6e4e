package httpui

import (
	"embed"
	"fmt"
	"net/http"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/invitehq/invite/invite"
)

//go:embed locales/*.toml
var localeFiles embed.FS

// texts are the UI's strings in every language the product speaks.
type texts struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	tags    []string // index-aligned with the matcher's tags
}

func newTexts() (*texts, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var tags []language.Tag
	for _, lang := range invite.Languages() {
		if _, err := b.LoadMessageFileFS(localeFiles, "locales/active."+lang+".toml"); err != nil {
			return nil, fmt.Errorf("ui texts: %w", err)
		}
		tags = append(tags, language.MustParse(lang))
	}
	return &texts{bundle: b, matcher: language.NewMatcher(tags), tags: invite.Languages()}, nil
}

// negotiate picks the product's language for an Accept-Language header.
func (t *texts) negotiate(r *http.Request) string {
	wanted, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, conf := t.matcher.Match(wanted...)
	if conf == language.No {
		return "en"
	}
	return t.tags[i]
}

// tr translates for one request: its language and the reader's time zone.
type tr struct {
	Lang string
	loc  *i18n.Localizer
	tz   *time.Location
	now  func() time.Time
}

func (t *texts) translator(lang, tz string) *tr {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return &tr{Lang: lang, loc: i18n.NewLocalizer(t.bundle, lang, "en"), tz: loc, now: time.Now}
}

// T returns the text with the given ID; args are name, value pairs for the
// text's template, as in {{.L.T "invitations_count" "Count" 3}}.
func (t *tr) T(id string, args ...any) string {
	var data map[string]any
	if len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if n, ok := data["Count"]; ok {
		cfg.PluralCount = n
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		return id // a missing text shows its ID; TestLocalesComplete prevents it
	}
	return s
}

// Date formats a time in the reader's time zone; zero is empty.
func (t *tr) Date(v time.Time) string {
	if v.IsZero() {
		return ""
	}
	return v.In(t.tz).Format(t.T("date_layout"))
}

// Field returns the translated message of a field error.
func (t *tr) Field(e *invite.FieldError) string {
	if e == nil {
		return ""
	}
	return e.Localize(t.Lang)
}

// Error returns the translated message of an error: its reason's text, or
// the generic one for anything internal.
func (t *tr) Error(err error) string {
	e, ok := asError(err)
	if !ok {
		e = &invite.Error{Code: invite.CodeInternal}
	}
	s := e.Localize(t.Lang)
	if e.RetryAfter > 0 {
		s += " " + t.T("retry_at", "Time", t.Date(t.now().Add(e.RetryAfter)))
	}
	return s
}
