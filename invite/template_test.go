package invite

import (
	htmltemplate "html/template"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateTemplate(t *testing.T) {
	tests := []struct {
		name   string
		tmpl   Template
		field  string // "" when valid
		reason string
		args   map[string]any
	}{
		{name: "OK", tmpl: Template{Subject: "Join {CompanyName}", Body: "Hi {FirstName},\n{InvitationLink}"}},
		{name: "EveryPlaceholder", tmpl: Template{Subject: "{UserName}{FirstName}{LastName}{CompanyName}{InviterName}{ExpirationDate}{Subscriptions}", Body: "{InvitationLink}"}},
		{name: "LinkInSubject", tmpl: Template{Subject: "Join {CompanyName}: {InvitationLink}", Body: "x"}, field: "subject", reason: ReasonLinkInSubject,
			args: map[string]any{"Line": 1, "Column": 21}},
		{name: "LiteralBraces", tmpl: Template{Subject: "{ not a placeholder } {} {1} {a b}", Body: "JSON: {\"a\": 1} {"}},
		{name: "UnknownInBody", tmpl: Template{Subject: "S", Body: "Hello,\n  dear {Username}!"}, field: "body", reason: ReasonUnknownPlaceholder,
			args: map[string]any{"Placeholder": "{Username}", "Line": 2, "Column": 8}},
		{name: "UnknownAfterUnicode", tmpl: Template{Subject: "Grüße {Nope}", Body: "b"}, field: "subject", reason: ReasonUnknownPlaceholder,
			args: map[string]any{"Placeholder": "{Nope}", "Line": 1, "Column": 7}},
		{name: "LineBreakInSubject", tmpl: Template{Subject: "Hello\r\nBcc: x@example.com", Body: "b"}, field: "subject", reason: ReasonLineBreak,
			args: map[string]any{"Line": 1, "Column": 6}},
		{name: "LineFeedInSubject", tmpl: Template{Subject: "ab\nc", Body: "b"}, field: "subject", reason: ReasonLineBreak},
		{name: "EmptySubject", tmpl: Template{Subject: " ", Body: "b"}, field: "subject", reason: ReasonRequired},
		{name: "EmptyBody", tmpl: Template{Subject: "s"}, field: "body", reason: ReasonRequired},
		{name: "LongSubject", tmpl: Template{Subject: strings.Repeat("s", MaxSubjectLen+1), Body: "b"}, field: "subject", reason: ReasonTooLong},
		{name: "LongBody", tmpl: Template{Subject: "s", Body: strings.Repeat("b", MaxBodyLen+1)}, field: "body", reason: ReasonTooLong},
		{name: "BodyNotUTF8", tmpl: Template{Subject: "s", Body: "b\xff"}, field: "body", reason: ReasonInvalidUTF8},
		{name: "TabsAndLinesInBody", tmpl: Template{Subject: "s", Body: "a\tb\r\nc\n"}},
		{name: "NULInBody", tmpl: Template{Subject: "s", Body: "line\nab\x00"}, field: "body", reason: ReasonControlCharacter,
			args: map[string]any{"Line": 2, "Column": 3}},
		{name: "EscapeInSubject", tmpl: Template{Subject: "a\x1b[31m", Body: "b"}, field: "subject", reason: ReasonControlCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTemplate(tt.tmpl)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("got %v, want a field error", err)
			}
			f, ok := e.Field(tt.field)
			if !ok || f.Reason != tt.reason {
				t.Fatalf("got %+v, want %s at %s", e.Fields, tt.reason, tt.field)
			}
			for k, v := range tt.args {
				if f.Args[k] != v {
					t.Errorf("Args[%s]: got %v, want %v (message %q)", k, f.Args[k], v, f.Message)
				}
			}
		})
	}
	// Every unknown placeholder is reported, each at its place.
	err := ValidateTemplate(Template{Subject: "s", Body: "{A}\n{InvitationLink} {B}"})
	if e := err.(*Error); len(e.Fields) != 2 || !strings.Contains(e.Fields[1].Message, "{B} at line 2, column 18") {
		t.Errorf("got %v", err)
	}
}

func TestRender(t *testing.T) {
	values := map[string]string{"FirstName": `<b>"Ann" & Co</b>`, "InvitationLink": "https://x.example/join/a?b=1&c=2"}
	segs, unknown := parsePlaceholders("Hi {FirstName},\n\nopen {InvitationLink}\nnow.\n\n\n{Other}", Placeholders())
	if len(unknown) != 1 {
		t.Fatalf("unknown: %v", unknown)
	}
	if got, want := renderText(segs, values), "Hi <b>\"Ann\" & Co</b>,\n\nopen https://x.example/join/a?b=1&c=2\nnow.\n\n\n{Other}"; got != want {
		t.Errorf("text:\ngot  %q\nwant %q", got, want)
	}
	want := "<p>Hi &lt;b&gt;&#34;Ann&#34; &amp; Co&lt;/b&gt;,</p>\n" +
		"<p>open <a href=\"https://x.example/join/a?b=1&amp;c=2\">https://x.example/join/a?b=1&amp;c=2</a><br>\nnow.</p>\n" +
		"<p>{Other}</p>\n"
	if got := renderHTML(segs, values, "InvitationLink"); got != want {
		t.Errorf("html:\ngot  %q\nwant %q", got, want)
	}
	subj, _ := parsePlaceholders("Welcome {FirstName}", Placeholders())
	if got := renderSubject(subj, map[string]string{"FirstName": "Ann\r\nBcc: evil@example.com"}); strings.ContainsAny(got, "\r\n") {
		t.Errorf("subject has a line break: %q", got)
	}
}

// ownMarkup matches the tags renderHTML writes itself.
var ownMarkup = regexp.MustCompile(`</?p>|<br>|<a href="[^"<>]*">|</a>`)

// FuzzRender checks the renderer on any template and value: it never panics,
// the text part is the template with values in place, the HTML part holds no
// markup but its own (text and values are escaped), and subjects stay on one line.
func FuzzRender(f *testing.F) {
	f.Add("Hello {FirstName}, join {CompanyName}: {InvitationLink}", "Ann", "https://x.example/join/t")
	f.Add("{{FirstName}} {FirstName", "<script>alert(1)</script>", "javascript:alert(1)")
	f.Add("line\r\nbreak {Unknown} {}", "a\nb", "\"'><")
	f.Add("", "", "")
	f.Add("{InvitationLink}{InvitationLink}\n\n\n", "&amp;", "https://x.example/?a=<b>")
	f.Fuzz(func(t *testing.T, tmpl, name, link string) {
		segs, _ := parsePlaceholders(tmpl, Placeholders())
		values := map[string]string{"FirstName": name, "CompanyName": name, "InvitationLink": link}
		text := renderText(segs, values)
		if !strings.Contains(tmpl, "{") && text != tmpl {
			t.Fatalf("a template without placeholders changed: %q -> %q", tmpl, text)
		}
		html := renderHTML(segs, values, "InvitationLink")
		if rest := ownMarkup.ReplaceAllString(html, ""); strings.ContainsAny(rest, "<>") {
			t.Fatalf("markup other than the renderer's own in %q", html)
		}
		if utf8.ValidString(tmpl) && utf8.ValidString(name) && utf8.ValidString(link) && !utf8.ValidString(html) {
			t.Fatalf("valid input rendered invalid UTF-8")
		}
		subject := renderSubject(segs, values)
		if strings.ContainsAny(subject, "\r\n") {
			t.Fatalf("subject %q has a line break", subject)
		}
		// Parsing again finds the same placeholders: rendering is stable.
		again, _ := parsePlaceholders(tmpl, Placeholders())
		if len(again) != len(segs) {
			t.Fatalf("parse is not deterministic")
		}
	})
}

// FuzzValidateTemplate checks that validation never panics and that a
// template it accepts has no unknown placeholder and a one-line subject.
func FuzzValidateTemplate(f *testing.F) {
	f.Add("Join {CompanyName}", "Hi {FirstName}\n{InvitationLink}")
	f.Add("a\nb", "{Nope}")
	f.Add("\xff", "{")
	f.Fuzz(func(t *testing.T, subject, body string) {
		err := ValidateTemplate(Template{Subject: subject, Body: body})
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("got %v, want invalid input", err)
			}
			return
		}
		if strings.ContainsAny(subject, "\r\n") {
			t.Fatalf("accepted a subject with a line break: %q", subject)
		}
		for _, s := range []string{subject, body} {
			if _, unknown := parsePlaceholders(s, Placeholders()); len(unknown) > 0 {
				t.Fatalf("accepted unknown placeholders %v", unknown)
			}
		}
	})
}

// referenceLayout is the HTML part's layout as an html/template, which
// escapes by context: writeHTML must make exactly what it makes.
const referenceLayout = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40em; margin: 0 auto; padding: 1em;">
{{.Body}}<p><a href="{{.Link}}" style="display: inline-block; padding: 0.6em 1.2em; background: #0b5cad; color: #ffffff; text-decoration: none; border-radius: 4px;">{{.Button}}</a></p>
<p style="color: #555555; font-size: 0.9em;">{{.Footer}}</p>
</body>
</html>
`

// FuzzWriteHTML checks that the layout assembled by hand escapes its
// texts as html/template does, for any text, and any link the service
// makes (an http or https URL of printable ASCII without spaces).
func FuzzWriteHTML(f *testing.F) {
	f.Add("de", "Willkommen bei <Müller & Söhne> \"+'", "<p>body</p>", "https://x.example/accept/abc-DEF_1?a=1&b=2", "Annehmen", "Fußzeile \x00")
	f.Add("en", "", "", "http://localhost:8080/a", "", "")
	reference := htmltemplate.Must(htmltemplate.New("mail").Parse(referenceLayout))
	texts, err := newMailTexts()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, lang, subject, body, link, button, footer string) {
		if !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") || strings.IndexFunc(link, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
			t.Skip("not a link the service makes")
		}
		for _, s := range []string{lang, subject, button, footer} {
			if !utf8.ValidString(s) {
				t.Skip("not UTF-8")
			}
		}
		var want strings.Builder
		err := reference.Execute(&want, map[string]any{
			"Lang": lang, "Subject": subject, "Body": htmltemplate.HTML(body), "Link": htmltemplate.URL(link), "Button": button, "Footer": footer,
		})
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		texts.writeHTML(&got, lang, subject, body, link, button, footer)
		if got.String() != want.String() {
			t.Fatalf("writeHTML:\n%s\nhtml/template:\n%s", got.String(), want.String())
		}
	})
}
