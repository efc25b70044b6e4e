package httpui

import (
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/invitehq/invite/invite"
)

//go:embed locales/*.toml
var localeFiles embed.FS

// texts are the UI's strings in every language the product speaks. The
// texts that take no data are looked up once, when they are loaded: a page
// shows many, some in every row.
type texts struct {
	bundle     *i18n.Bundle
	matcher    language.Matcher
	tags       []string // index-aligned with the matcher's tags
	localizers map[string]*i18n.Localizer
	fixed      map[string]map[string]string // language → message ID → text
	zones      invite.Zones
}

func newTexts() (*texts, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var tags []language.Tag
	ids := map[string]bool{}
	for _, lang := range invite.Languages() {
		f, err := b.LoadMessageFileFS(localeFiles, "locales/active."+lang+".toml")
		if err != nil {
			return nil, fmt.Errorf("ui texts: %w", err)
		}
		for _, msg := range f.Messages {
			ids[msg.ID] = true
		}
		tags = append(tags, language.MustParse(lang))
	}
	t := &texts{bundle: b, matcher: language.NewMatcher(tags), tags: invite.Languages(),
		localizers: make(map[string]*i18n.Localizer), fixed: make(map[string]map[string]string)}
	for _, lang := range invite.Languages() {
		l := i18n.NewLocalizer(b, lang, "en")
		t.localizers[lang], t.fixed[lang] = l, make(map[string]string, len(ids))
		for id := range ids {
			// A text with data (or a plural) is looked up when it is
			// used, with its data.
			if s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id}); err == nil && !strings.Contains(s, "<no value>") {
				t.fixed[lang][id] = s
			}
		}
	}
	return t, nil
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
	Lang  string
	loc   *i18n.Localizer
	fixed map[string]string
	tz    *time.Location
	now   func() time.Time
}

func (t *texts) translator(lang, tz string) *tr {
	zone, err := t.zones.Load(tz)
	if err != nil {
		zone = time.UTC
	}
	loc, ok := t.localizers[lang]
	if !ok {
		lang, loc = "en", t.localizers["en"]
	}
	return &tr{Lang: lang, loc: loc, fixed: t.fixed[lang], tz: zone, now: time.Now}
}

// T returns the text with the given ID; args are name, value pairs for the
// text's template, as in {{.L.T "invitations_count" "Count" 3}}.
func (t *tr) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := t.fixed[id]; ok {
			return s
		}
	}
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
	if errors.Is(e, invite.ErrNoSeats) || errors.Is(e, invite.ErrTooManyBatchRows) {
		// Said where no form marks the fields: which subscriptions are
		// full (enabling, approving), how many rows are left (confirming
		// a list), with their numbers (found from outside).
		for _, f := range e.Fields {
			s += " " + f.Localize(t.Lang)
		}
	}
	if e.RetryAfter > 0 {
		s += " " + t.T("retry_at", "Time", t.Date(t.now().Add(e.RetryAfter)))
	}
	return s
}
