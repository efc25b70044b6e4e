package invite

import (
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// builtinTexts returns the texts of every language, parsed once: those of
// the e-mails, and those of the errors that Localize gives.
var builtinTexts = sync.OnceValues(newMailTexts)

// Localize returns the error's message in lang, one of Languages()
// (English for any other): the text of its Reason, or, for an internal
// error, one that says only that something went wrong. Message is the
// English text, for logs.
func (e *Error) Localize(lang string) string {
	id := "error_" + e.Reason
	if e.Code == CodeInternal {
		id = "error_internal"
	}
	return localize(lang, id, nil, e.Message)
}

// Localize returns the field error's message in lang, one of Languages()
// (English for any other), with its Args filled in.
func (f FieldError) Localize(lang string) string {
	return localize(lang, "field_"+f.Reason, f.Args, f.Message)
}

// localize returns the text id in lang with data, or fallback if there is
// none (a reason of the caller's own).
func localize(lang, id string, data map[string]any, fallback string) string {
	texts, err := builtinTexts()
	if err != nil {
		return fallback
	}
	if tag, ok := supportedLanguage(lang); ok {
		lang = tag // "pt-br" is "pt-BR"
	}
	l, ok := texts.localizers[lang]
	if !ok {
		l = texts.localizers["en"]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || strings.Contains(s, "<no value>") { // a text that names Args the error lacks
		return fallback
	}
	return s
}
