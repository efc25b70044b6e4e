package httpui

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/invitehq/invite/invite"
)

func localeKeys(t *testing.T, lang string) map[string]string {
	t.Helper()
	var m map[string]string
	if _, err := toml.DecodeFS(localeFiles, "locales/active."+lang+".toml", &m); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return m
}

// Every language has every text of English, and every text a page can ask
// for exists.
func TestLocalesComplete(t *testing.T) {
	en := localeKeys(t, "en")
	for _, lang := range invite.Languages() {
		m := localeKeys(t, lang)
		for k := range en {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %s, which English lacks", lang, k)
			}
		}
	}
	// Texts named literally in the templates and the code.
	want := map[string]bool{}
	lit := regexp.MustCompile(`\.T "([a-z_0-9A-Z-]+)"`)
	fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFiles, path)
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			want[m[1]] = true
		}
		return nil
	})
	// Texts named by families whose members come from the domain.
	add := func(prefix string, names ...string) {
		for _, n := range names {
			want[prefix+n] = true
		}
	}
	for _, s := range invite.Statuses() {
		add("status_", string(s))
	}
	for _, r := range invite.Roles() {
		add("role_", string(r))
	}
	add("delivery_", string(invite.DeliveryQueued), string(invite.DeliverySending), string(invite.DeliverySent), string(invite.DeliveryFailed))
	add("language_", invite.Languages()...)
	add("placeholder_", invite.Placeholders()...)
	add("admin_", string(invite.AdminNone), string(invite.AdminCompany), string(invite.AdminGlobal))
	// The texts of errors and field errors are invite's (Error.Localize),
	// which checks them itself.
	add("done_", "invited", "resent", "resent_email", "canceled", "canceled_email", "company_registered", "template_saved", "welcome",
		"user_saved", "user_saved_name", "user_enabled", "user_enabled_name", "user_disabled", "user_disabled_name", "user_deleted", "user_deleted_name", "profile_saved", "password_changed", "password_reset",
		"request_approved", "request_declined", "join_off")
	add("", "request_title", "request_closed_title", "join_signed_in_title", "join_address_title")
	add("", "user_disable_title", "user_delete_title", "profile_title", "password_title", "forgot_title", "reset_title", "user_edit_title")
	for _, p := range []string{"reset_unknown", "reset_expired"} {
		add(p, "_title", "_text")
	}
	for _, p := range []string{"join_expired", "join_canceled", "join_used", "join_unknown", "join_exists", "join_access_ended"} {
		add(p, "_title", "_text")
	}
	add("", "retry_at", "date_layout", "form_invalid", "error_title", "http_403", "http_404", "http_413", "http_415", "http_429", "preview_first_name", "preview_last_name",
		"label_mail_subject", "label_mail_body", "login_title", "home_heading", "invitations_title", "invite_title", "resend_title",
		"cancel_title", "companies_title", "template_title", "users_title", "mail_title", "message_title", "preview_title", "join_title")
	add("", "day_layout", "access_from_day", "access_until_day", "access_from_until", "access_ended", "access_not_started", "access_ended_on", "not_yet_title")
	var missing []string
	for k := range want {
		if _, ok := en[k]; !ok {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("English lacks texts the pages use: %v", missing)
	}
}

// A confirmation a redirect names (?done=) takes no data: it would read
// "<no value> has been changed." Those that name someone are for answers
// under htmx, and a redirect cannot name them.
func TestRedirectConfirmationsTakeNoData(t *testing.T) {
	for _, lang := range invite.Languages() {
		for k, text := range localeKeys(t, lang) {
			done, ok := strings.CutPrefix(k, "done_")
			if ok && !namesSomeone(done) && strings.Contains(text, "{{") {
				t.Errorf("%s: %s takes data: %q", lang, k, text)
			}
		}
	}
}

func TestTimeZonesLoad(t *testing.T) {
	zones := timeZones()
	if len(zones) < 300 || !slices.Contains(zones, "Europe/Berlin") || !slices.Contains(zones, "UTC") {
		t.Fatalf("got %d zones", len(zones))
	}
	for _, z := range zones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("%s: %v", z, err)
		}
	}
}

func TestTemplatesParse(t *testing.T) {
	ps, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"login", "home", "invitations", "invite", "resend", "cancel", "companies", "template", "users", "mail", "message", "join", "join_problem", "error", "preview"} {
		if ps[name] == nil {
			t.Errorf("no page %s", name)
		}
	}
}
