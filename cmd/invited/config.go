package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/invitehq/invite/invite"
)

// Config is the server's configuration. Each setting is a flag whose
// default comes from an environment variable.
type Config struct {
	Addr           string
	DB             string
	BaseURL        string
	TTL            time.Duration
	AdminEmail     string
	AdminPassword  string
	AdminName      string
	SMTPURL        string
	MailFrom       string
	RemindBefore   time.Duration
	ExpireSchedule string
	RemindSchedule string
	OutboxSchedule string
	ResetSchedule  string

	DBMaxOpen          int
	DBMaxIdle          int
	DBConnLifetime     time.Duration
	DBConnIdleTime     time.Duration
	RequestTimeout     time.Duration
	AttemptsPerMinute  int
	InvitationsPerHour int
	MailsPerAddress    int
	AccessSchedule     string
	BatchRowsPerDay    int
	MetricsAddr        string
	MetricsToken       string

	WebhookSchedule     string
	WebhookAllowPrivate string // "true" or "false"
	WebhookAllow        string // CIDR ranges, separated by commas
	Retention           time.Duration
	RetentionSchedule   string
}

// setting describes one configuration name. shown is the default as help
// describes it, when that is not def itself.
type setting struct {
	flag, env, def, shown, usage string
	bind                         func(fs *flag.FlagSet, name, def, usage string)
}

func (c *Config) settings() []setting {
	str := func(p *string) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, name, def, usage string) { fs.StringVar(p, name, def, usage) }
	}
	dur := func(p *time.Duration) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, name, def, usage string) {
			d, _ := time.ParseDuration(def) // checked by parse
			fs.DurationVar(p, name, d, usage)
		}
	}
	num := func(p *int) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, name, def, usage string) {
			n, _ := strconv.Atoi(def) // checked by parse
			fs.IntVar(p, name, n, usage)
		}
	}
	return []setting{
		{"addr", "INVITE_ADDR", ":8080", "", "address to listen on", str(&c.Addr)},
		{"db", "INVITE_DB", "sqlite:data/invite.db", "", "database: sqlite:PATH, sqlite::memory: or mysql://USER:PASS@HOST:PORT/DB", str(&c.DB)},
		{"base-url", "INVITE_BASE_URL", "", "http://localhost:PORT", "public URL of the server, for the links it sends", str(&c.BaseURL)},
		{"ttl", "INVITE_TTL", "168h", "", "how long an invitation stays valid", dur(&c.TTL)},
		{"admin-email", "INVITE_ADMIN_EMAIL", "admin@example.com", "", "Global Administrator created when the database has no users", str(&c.AdminEmail)},
		{"admin-password", "INVITE_ADMIN_PASSWORD", "", "generated, printed once", "that administrator's password", str(&c.AdminPassword)},
		{"admin-name", "INVITE_ADMIN_NAME", "", "none: the mail they send is signed with the company's name", "that administrator's first and last name, as \"First Last\"", str(&c.AdminName)},
		{"smtp-url", "INVITE_SMTP_URL", "", "none: mail is logged and kept in the outbox", "mail server: smtp://USER:PASS@HOST:PORT?tls=starttls|tls|none", str(&c.SMTPURL)},
		{"mail-from", "INVITE_MAIL_FROM", "Invitations <no-reply@localhost>", "", "sender of the mail", str(&c.MailFrom)},
		{"remind-before", "INVITE_REMIND_BEFORE", "48h", "", "send one reminder this long before an invitation expires; 0 for none", dur(&c.RemindBefore)},
		{"expire-schedule", "INVITE_EXPIRE_SCHEDULE", "@every 1m", "", "when to mark invitations past their expiry (cron spec)", str(&c.ExpireSchedule)},
		{"remind-schedule", "INVITE_REMIND_SCHEDULE", "@every 5m", "", "when to write due reminders (cron spec)", str(&c.RemindSchedule)},
		{"outbox-schedule", "INVITE_OUTBOX_SCHEDULE", "@every 30s", "", "when to deliver the outbox, besides at once after each new message (cron spec)", str(&c.OutboxSchedule)},
		{"reset-schedule", "INVITE_RESET_SCHEDULE", "@every 1m", "", "when to send password reset links, besides at once after each request (cron spec)", str(&c.ResetSchedule)},
		{"db-max-open", "INVITE_DB_MAX_OPEN", "16", "", "database connections open at most; requests past that wait for one", num(&c.DBMaxOpen)},
		{"db-max-idle", "INVITE_DB_MAX_IDLE", "16", "", "database connections kept open while unused", num(&c.DBMaxIdle)},
		{"db-conn-lifetime", "INVITE_DB_CONN_LIFETIME", "5m", "", "how long a database connection is used before it is replaced", dur(&c.DBConnLifetime)},
		{"db-conn-idle-time", "INVITE_DB_CONN_IDLE_TIME", "1m", "", "how long an unused database connection is kept", dur(&c.DBConnIdleTime)},
		{"request-timeout", "INVITE_REQUEST_TIMEOUT", "30s", "", "how long a request may take, its body included, before it is answered 503", dur(&c.RequestTimeout)},
		{"attempts-per-minute", "INVITE_ATTEMPTS_PER_MINUTE", "20", "", "log-in, forgotten-password, join and accept forms a client address may submit a minute; 0 for no bound", num(&c.AttemptsPerMinute)},
		{"invitations-per-hour", "INVITE_INVITATIONS_PER_HOUR", "100", "", "invitations, sent or resent, one administrator may send an hour; 0 for no bound", num(&c.InvitationsPerHour)},
		{"mails-per-address", "INVITE_MAILS_PER_ADDRESS", "5", "", "invitations, sent or resent, one company may send one address a day, at most one a minute; 0 for no bound", num(&c.MailsPerAddress)},
		{"access-schedule", "INVITE_ACCESS_SCHEDULE", "@every 1m", "", "when to disable the users whose access window has ended (cron spec)", str(&c.AccessSchedule)},
		{"batch-rows-per-day", "INVITE_BATCH_ROWS_PER_DAY", "20000", "", "rows one administrator may send a day with Invite Users (a batch takes all its rows at once); 0 for no bound", num(&c.BatchRowsPerDay)},
		{"metrics-addr", "INVITE_METRICS_ADDR", "", "none", "address to serve /metrics on, alone (keep it private: it asks no token)", str(&c.MetricsAddr)},
		{"metrics-token", "INVITE_METRICS_TOKEN", "", "none: /metrics is not served on -addr", "bearer token, 16 characters or more, that opens /metrics on -addr", str(&c.MetricsToken)},
		{"webhook-schedule", "INVITE_WEBHOOK_SCHEDULE", "@every 10s", "", "when to post due webhook deliveries, besides at once after each event (cron spec)", str(&c.WebhookSchedule)},
		{"webhook-allow-private", "INVITE_WEBHOOK_ALLOW_PRIVATE", "false", "", "let webhooks go to loopback, private and other addresses that are not public (true or false)", str(&c.WebhookAllowPrivate)},
		{"webhook-allow", "INVITE_WEBHOOK_ALLOW", "", "none", "ranges of addresses that are not public that webhooks may go to nonetheless, as CIDR separated by commas (10.1.0.0/16,fd00::/8)", str(&c.WebhookAllow)},
		{"retention", "INVITE_RETENTION", "8760h", "", "how long the history (events) and delivered or failed mail are kept; 0 keeps them forever", dur(&c.Retention)},
		{"retention-schedule", "INVITE_RETENTION_SCHEDULE", "@every 1h", "", "when to delete what is older than the retention, and batches checked and never confirmed for a week (cron spec)", str(&c.RetentionSchedule)},
	}
}

// parse fills c from the environment (getenv) and then args. It returns the
// remaining arguments.
func (c *Config) parse(name string, args []string, getenv func(string) string, stderr io.Writer) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	settings := c.settings()
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		if err := checkDefault(s, def); err != nil {
			return nil, err
		}
		s.bind(fs, s.flag, def, s.usage)
	}
	fs.Usage = func() { usage(stderr, name, settings) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return fs.Args(), c.validate()
}

// checkDefault checks the value an environment variable gives a numeric or
// duration setting, which the flag package would otherwise take as zero.
func checkDefault(s setting, def string) error {
	var err error
	switch s.flag {
	case "ttl", "remind-before", "db-conn-lifetime", "db-conn-idle-time", "request-timeout", "retention":
		_, err = time.ParseDuration(def)
	case "db-max-open", "db-max-idle", "attempts-per-minute", "invitations-per-hour", "mails-per-address":
		_, err = strconv.Atoi(def)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.env, err)
	}
	return nil
}

func (c *Config) validate() error {
	if c.TTL <= 0 {
		return fmt.Errorf("ttl must be positive, got %v", c.TTL)
	}
	if c.DBMaxOpen <= 0 || c.DBMaxIdle < 0 || c.DBMaxIdle > c.DBMaxOpen {
		return fmt.Errorf("db-max-open must be positive and db-max-idle between 0 and it, got %d and %d", c.DBMaxOpen, c.DBMaxIdle)
	}
	if c.DBConnLifetime < 0 || c.DBConnIdleTime < 0 {
		return fmt.Errorf("db-conn-lifetime and db-conn-idle-time must not be negative")
	}
	if c.RequestTimeout <= 0 {
		return fmt.Errorf("request-timeout must be positive, got %v", c.RequestTimeout)
	}
	if c.AttemptsPerMinute < 0 || c.InvitationsPerHour < 0 || c.MailsPerAddress < 0 {
		return fmt.Errorf("attempts-per-minute, invitations-per-hour and mails-per-address must not be negative")
	}
	if strings.TrimSpace(c.MetricsToken) != c.MetricsToken || strings.IndexFunc(c.MetricsToken, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		// A header's value is trimmed and has no control characters:
		// such a token could never match.
		return fmt.Errorf("metrics-token: want printable characters, without spaces at either end")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minMetricsToken {
		return fmt.Errorf("metrics-token: want %d characters or more, got %d", minMetricsToken, len(c.MetricsToken))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("metrics-addr %q: %w", c.MetricsAddr, err)
		}
	}
	if c.BatchRowsPerDay < 0 {
		return fmt.Errorf("batch-rows-per-day must not be negative")
	}
	if err := c.validateWebhooks(); err != nil {
		return err
	}
	if first, last, _ := strings.Cut(strings.TrimSpace(c.AdminName), " "); c.AdminName != "" && (first == "" || strings.TrimSpace(last) == "") {
		return fmt.Errorf("admin-name %q: want a first and a last name, as \"Ada Lovelace\"", c.AdminName)
	}
	if c.Retention < 0 {
		return fmt.Errorf("retention must not be negative (0 keeps everything), got %v", c.Retention)
	}
	if c.RemindBefore < 0 {
		return fmt.Errorf("remind-before must not be negative, got %v", c.RemindBefore)
	}
	for name, spec := range map[string]string{"expire-schedule": c.ExpireSchedule, "remind-schedule": c.RemindSchedule, "outbox-schedule": c.OutboxSchedule, "reset-schedule": c.ResetSchedule, "access-schedule": c.AccessSchedule, "webhook-schedule": c.WebhookSchedule, "retention-schedule": c.RetentionSchedule} {
		if _, err := cron.ParseStandard(spec); err != nil {
			return fmt.Errorf("%s %q: %w", name, spec, err)
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return fmt.Errorf("mail-from %q: %w", c.MailFrom, err)
	}
	if c.BaseURL == "" {
		_, port, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return fmt.Errorf("addr %q: %w", c.Addr, err)
		}
		c.BaseURL = "http://localhost:" + port
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base-url %q: want an absolute http or https URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	return nil
}

// minMetricsToken is the shortest INVITE_METRICS_TOKEN taken: a token is
// guessed, and nothing bounds how often.
const minMetricsToken = 16

// limits returns the service's bounds from the configuration: 0 is none.
func (c *Config) limits() invite.Limits {
	rate := func(n int, per time.Duration) invite.Rate {
		if n == 0 {
			return invite.Rate{Count: -1}
		}
		return invite.Rate{Count: n, Per: per}
	}
	l := invite.Limits{
		Attempts:    rate(c.AttemptsPerMinute, time.Minute),
		Invitations: rate(c.InvitationsPerHour, time.Hour),
		DailyMails:  rate(c.MailsPerAddress, 24*time.Hour),
		BatchRows:   rate(c.BatchRowsPerDay, 24*time.Hour),
	}
	if c.MailsPerAddress == 0 {
		l.Mails = invite.Rate{Count: -1}
	}
	return l
}

func usage(w io.Writer, name string, settings []setting) {
	fmt.Fprintf(w, `Usage: %s [command] [flags]

Commands:
  serve     migrate the database and serve HTTP (the default)
  migrate   migrate the database and exit

Flags (each may also be set by its environment variable; a flag wins):
`, name)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for _, s := range settings {
		def := s.shown
		if def == "" {
			def = s.def
		}
		fmt.Fprintf(tw, "  -%s\t%s\t%s (default %s)\n", s.flag, s.env, s.usage, def)
	}
	tw.Flush()
}

// validateWebhooks checks where webhooks may go.
func (c *Config) validateWebhooks() error {
	_, err := c.webhookConfig()
	return err
}

// webhookConfig returns the service's webhook configuration, or what is
// wrong with the settings.
func (c *Config) webhookConfig() (invite.WebhookConfig, error) {
	var wc invite.WebhookConfig
	all, err := strconv.ParseBool(c.WebhookAllowPrivate)
	if err != nil {
		return wc, fmt.Errorf("webhook-allow-private %q: want true or false", c.WebhookAllowPrivate)
	}
	wc.AllowPrivate = all
	for r := range strings.SplitSeq(c.WebhookAllow, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		p, err := netip.ParsePrefix(r)
		if err != nil {
			return wc, fmt.Errorf("webhook-allow %q: want ranges such as 10.1.0.0/16: %w", r, err)
		}
		wc.Allow = append(wc.Allow, p.Masked())
	}
	return wc, nil
}

// webhooks returns the service's webhook configuration, which validate
// has checked.
func (c *Config) webhooks() invite.WebhookConfig {
	wc, _ := c.webhookConfig()
	return wc
}
