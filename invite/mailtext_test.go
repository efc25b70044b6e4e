package invite

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Every language has every built-in text of English, and no other.
func TestMailTextsComplete(t *testing.T) {
	keys := func(lang string) []string {
		var m map[string]string
		if _, err := toml.DecodeFS(localeFiles, "locales/active."+lang+".toml", &m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		var ks []string
		for k, v := range m {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %s is empty", lang, k)
			}
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	want := keys("en")
	for _, lang := range Languages() {
		if got := keys(lang); !slices.Equal(got, want) {
			t.Errorf("%s has keys %v, want %v", lang, got, want)
		}
	}
	texts, err := newMailTexts()
	if err != nil {
		t.Fatal(err)
	}
	// The built-in templates are valid templates of their kind in every
	// language, and each names its link.
	for _, lang := range Languages() {
		for _, kind := range kinds {
			var v validator
			parsed := v.templateOf(texts.defaultTemplate(kind, lang), placeholdersOf(kind))
			if err := v.err(); err != nil {
				t.Errorf("%s %s: %v", lang, kind, err)
			} else if !hasPlaceholder(parsed.body, placeholdersOf(kind).link) {
				t.Errorf("%s %s: the body does not place the link", lang, kind)
			}
		}
	}
}

// kinds are the kinds of message.
var kinds = messageKinds[:]

// goldenInput is a message of kind to a reader of lang in time zone tz:
// for an invitation and its reminder, the invitee; for the others, the
// administrator or user they go to.
func goldenInput(texts *mailTexts, kind MessageKind, lang, tz string) mailInput {
	c := &Company{ID: 7, Name: "Müller & <Söhne>", Subscriptions: []Subscription{{ID: 1, Name: "App Designer"}, {ID: 2, Name: "Data Stream Designer"}}}
	inv := &Invitation{
		ID: 42, CompanyID: 7, Email: "ana.souza@example.com", FirstName: "Ana", LastName: "Souza",
		Language: lang, TimeZone: tz, ExpiresAt: time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC),
		Grants: []Grant{{SubscriptionID: 2, Role: RoleViewer}, {SubscriptionID: 1, Role: RoleAdministrator}},
	}
	in := mailInput{
		kind:         kind,
		to:           recipient{inv.Email, inv.Name(), lang, tz},
		companyID:    7,
		invitationID: 42,
		values:       invitationValues(inv, c, "Grace Hopper", texts.subscriptions(lang, inv.Grants, c)),
		dates:        map[string]time.Time{"ExpirationDate": inv.ExpiresAt},
		link:         "https://invite.example.com/join/3q2-7wEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	}
	boss := recipient{"boss@example.com", "Bo Boss", lang, tz}
	switch kind {
	case KindRenewalRequest:
		in.to, in.invitationID = boss, 0
		delete(in.values, "Subscriptions")
		in.link = "https://invite.example.com/admin/invitations?status=expired&email=ana.souza%40example.com"
	case KindPasswordReset:
		in.invitationID = 0
		in.values = map[string]string{"UserName": inv.Email, "FirstName": "Ana", "LastName": "Souza", "CompanyName": c.Name}
		in.link = "https://invite.example.com/reset/3q2-7wEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	case KindJoinRequest:
		in.to, in.invitationID = boss, 0
		in.values = map[string]string{"UserName": inv.Email, "FirstName": "Ana", "LastName": "Souza", "CompanyName": c.Name}
		in.dates = map[string]time.Time{"RequestedAt": time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
		in.link = "https://invite.example.com/admin/users"
	}
	return in
}

// The rendered mail of each language, compared with testdata/mail/LANG.golden
// (go test ./invite -run Golden -update rewrites them).
func TestMailGolden(t *testing.T) {
	texts, err := newMailTexts()
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]string{"en": "America/New_York", "de": "Europe/Berlin", "es": "Europe/Madrid", "fr": "Europe/Paris", "pt-BR": "America/Sao_Paulo"}
	for _, lang := range Languages() {
		for _, kind := range kinds {
			name := lang + "." + string(kind)
			t.Run(name, func(t *testing.T) {
				in := goldenInput(texts, kind, lang, zones[lang])
				m, err := texts.compose(in)
				if err != nil {
					t.Fatal(err)
				}
				got := "Subject: " + m.Subject + "\n\n" + m.Text + "\n=== HTML ===\n" + m.HTML
				path := filepath.Join("testdata", "mail", name+".golden")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s:\n%s", name, path, got)
				}
			})
		}
	}
}

func TestCompose(t *testing.T) {
	texts, err := newMailTexts()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("LinkAppended", func(t *testing.T) {
		in := goldenInput(texts, KindInvitation, "en", "UTC")
		in.template = Template{Subject: "Welcome", Body: "Hello {FirstName}."}
		m, err := texts.compose(in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, in.link) || !strings.Contains(m.HTML, `href="`+in.link+`"`) {
			t.Errorf("a template without {InvitationLink} lost the link:\n%s\n%s", m.Text, m.HTML)
		}
	})
	t.Run("NoLinkInSubject", func(t *testing.T) {
		// A template saved before links were kept out of subjects.
		in := goldenInput(texts, KindInvitation, "en", "UTC")
		in.template = Template{Subject: "Join {CompanyName}: {InvitationLink}", Body: "Hello."}
		m, err := texts.compose(in)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.Subject, in.link) || !strings.Contains(m.Text, in.link) {
			t.Errorf("got subject %q, body %q; want the link in the body only", m.Subject, m.Text)
		}
	})
	t.Run("LongSubject", func(t *testing.T) {
		in := goldenInput(texts, KindInvitation, "en", "UTC")
		in.template = Template{Subject: strings.Repeat("{UserName}", 20), Body: "Hello."}
		in.values["UserName"] = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 60) + ".example"
		m, err := texts.compose(in)
		if err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString(m.Subject); n > maxRenderedSubject {
			t.Errorf("a subject of %d characters, more than the outbox keeps", n)
		}
	})
	t.Run("TimeZone", func(t *testing.T) {
		in := goldenInput(texts, KindInvitation, "en", "Asia/Kolkata")
		m, _ := texts.compose(in)
		if !strings.Contains(m.Text, "March 8, 2026 at 3:00 PM IST") {
			t.Errorf("expiry not in the invitee's time zone:\n%s", m.Text)
		}
	})
	t.Run("Escaped", func(t *testing.T) {
		m, _ := texts.compose(goldenInput(texts, KindInvitation, "en", "UTC"))
		if strings.Contains(m.HTML, "<Söhne>") || !strings.Contains(m.HTML, "Müller &amp; &lt;Söhne&gt;") {
			t.Errorf("company name not escaped in HTML:\n%s", m.HTML)
		}
		if !strings.Contains(m.Text, "Müller & <Söhne>") {
			t.Errorf("text part escaped the company name:\n%s", m.Text)
		}
	})
	t.Run("Subscriptions", func(t *testing.T) {
		m, _ := texts.compose(goldenInput(texts, KindInvitation, "de", "UTC"))
		if !strings.Contains(m.Text, "App Designer (Administrator), Data Stream Designer (Betrachter)") {
			t.Errorf("subscriptions not listed in the company's order with German roles:\n%s", m.Text)
		}
	})
}

// Every error and field error reason the package declares has a text, so
// Localize never falls back to English: found in the source, not listed
// by hand, so that a new one cannot be forgotten.
func TestErrorTextsComplete(t *testing.T) {
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range sources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				switch {
				case strings.HasPrefix(name.Name, "Reason") && i < len(spec.Values):
					if lit, ok := spec.Values[i].(*ast.BasicLit); ok {
						reason, _ := strconv.Unquote(lit.Value)
						ids = append(ids, "field_"+reason)
					}
				case strings.HasPrefix(name.Name, "Err") && i < len(spec.Values):
					reason := errorReason(spec.Values[i])
					if reason == "" {
						t.Errorf("%s: no Reason found in its literal", name.Name)
					}
					ids = append(ids, "error_"+reason)
				}
			}
			return true
		})
	}
	if len(ids) < 50 {
		t.Fatalf("found only %d reasons: %v", len(ids), ids)
	}
	for _, lang := range Languages() {
		for _, id := range append(ids, "error_internal") {
			args := map[string]any{"Max": 1, "Min": 1, "Placeholder": "{X}", "Line": 1, "Column": 1, "Subscription": "App Designer", "Seats": 50, "Used": 48, "Pending": 3, "Domains": "example.com", "Domain": "x", "Company": "Acme", "Rows": 1, "Left": 1}
			if got := localize(lang, id, args, "\x00missing"); got == "\x00missing" {
				t.Errorf("%s has no text %s", lang, id)
			}
		}
	}
	e := &Error{Code: CodeInvalid, Reason: "some_reason_of_a_caller", Message: "English"}
	if got := e.Localize("de"); got != "English" {
		t.Errorf("a reason with no text: got %q, want its Message", got)
	}
	if got := ErrInvitationExpired.Localize("de"); got == ErrInvitationExpired.Message || got == "" {
		t.Errorf("ErrInvitationExpired in German: %q", got)
	}
	if got := (FieldError{Reason: ReasonTooLong, Args: map[string]any{"Max": 100}}).Localize("fr"); !strings.Contains(got, "100") {
		t.Errorf("too_long in French: %q", got)
	}
	// Found from outside: a text that names an argument the error lacks
	// showed "<no value>"; a language tag in another case was English.
	if got := (FieldError{Reason: ReasonTooLong, Message: "must be shorter"}).Localize("de"); got != "must be shorter" {
		t.Errorf("too_long without its Max: %q, want its Message", got)
	}
	if got := ErrInvitationExpired.Localize("pt-br"); got != ErrInvitationExpired.Localize("pt-BR") {
		t.Errorf("pt-br: %q", got)
	}
	if got := (&Error{Code: CodeInternal, Reason: "internal", Message: "db: secret detail"}).Localize("en"); strings.Contains(got, "secret") {
		t.Errorf("an internal error's text shows its detail: %q", got)
	}
}

// errorReason returns the Reason of an &Error{...} literal.
func errorReason(x ast.Expr) string {
	u, ok := x.(*ast.UnaryExpr)
	if !ok {
		return ""
	}
	lit, ok := u.X.(*ast.CompositeLit)
	if !ok {
		return ""
	}
	for _, elt := range lit.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Reason" {
				if v, ok := kv.Value.(*ast.BasicLit); ok {
					reason, _ := strconv.Unquote(v.Value)
					return reason
				}
			}
		}
	}
	return ""
}
