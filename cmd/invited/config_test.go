package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// defaults returns the default configuration changed by change.
func defaults(change func(*Config)) Config {
	c := Config{
		Addr: ":8080", DB: "sqlite:data/invite.db", BaseURL: "http://localhost:8080", TTL: 168 * time.Hour,
		AdminEmail: "admin@example.com", MailFrom: "Invitations <no-reply@localhost>", RemindBefore: 48 * time.Hour,
		ExpireSchedule: "@every 1m", RemindSchedule: "@every 5m", OutboxSchedule: "@every 30s", ResetSchedule: "@every 1m",
		DBMaxOpen: 16, DBMaxIdle: 16, DBConnLifetime: 5 * time.Minute, DBConnIdleTime: time.Minute,
		RequestTimeout: 30 * time.Second, AttemptsPerMinute: 20, InvitationsPerHour: 100, MailsPerAddress: 5,
		AccessSchedule: "@every 1m",
	}
	c.BatchRowsPerDay = 20000
	c.WebhookSchedule, c.WebhookAllowPrivate = "@every 10s", "false"
	c.Retention, c.RetentionSchedule = 8760*time.Hour, "@every 1h"
	change(&c)
	return c
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Config
		err  string // part of the error; "" for none
	}{
		{
			name: "Defaults",
			want: defaults(func(c *Config) {}),
		},
		{
			name: "Environment",
			env: map[string]string{
				"INVITE_ADDR": "127.0.0.1:9000", "INVITE_DB": "mysql://u:p@db:3306/invite", "INVITE_BASE_URL": "https://invite.example.com/",
				"INVITE_TTL": "48h", "INVITE_ADMIN_EMAIL": "boss@example.com", "INVITE_ADMIN_PASSWORD": "from the environment",
			},
			want: defaults(func(c *Config) {
				c.Addr, c.DB, c.BaseURL, c.TTL = "127.0.0.1:9000", "mysql://u:p@db:3306/invite", "https://invite.example.com", 48*time.Hour
				c.AdminEmail, c.AdminPassword = "boss@example.com", "from the environment"
			}),
		},
		{
			name: "FlagBeatsEnvironment",
			env:  map[string]string{"INVITE_ADDR": ":9000", "INVITE_TTL": "48h"},
			args: []string{"-addr", ":7000", "-ttl", "1h30m"},
			want: defaults(func(c *Config) { c.Addr, c.BaseURL, c.TTL = ":7000", "http://localhost:7000", 90*time.Minute }),
		},
		{
			name: "Metrics",
			env:  map[string]string{"INVITE_METRICS_ADDR": "127.0.0.1:9090", "INVITE_METRICS_TOKEN": "a long enough token"},
			want: defaults(func(c *Config) { c.MetricsAddr, c.MetricsToken = "127.0.0.1:9090", "a long enough token" }),
		},
		{name: "ShortMetricsToken", env: map[string]string{"INVITE_METRICS_TOKEN": "short"}, err: "metrics-token"},
		{name: "BadMetricsAddr", args: []string{"-metrics-addr", "9090"}, err: "metrics-addr"},
		{name: "BadTTLEnvironment", env: map[string]string{"INVITE_TTL": "a week"}, err: "INVITE_TTL"},
		{name: "NegativeTTL", args: []string{"-ttl", "-1h"}, err: "ttl must be positive"},
		{name: "BadBaseURL", args: []string{"-base-url", "invite.example.com"}, err: "base-url"},
		{name: "BadAddr", args: []string{"-addr", "8080"}, err: "addr"},
		{name: "AdminName", env: map[string]string{"INVITE_ADMIN_NAME": "Ada King Lovelace"}, want: defaults(func(c *Config) { c.AdminName = "Ada King Lovelace" })},
		{name: "AdminNameWithoutLastName", args: []string{"-admin-name", "Ada"}, err: "admin-name"},
		{name: "AccessSchedule", env: map[string]string{"INVITE_ACCESS_SCHEDULE": "@every 5m"}, want: defaults(func(c *Config) { c.AccessSchedule = "@every 5m" })},
		{name: "BadAccessSchedule", args: []string{"-access-schedule", "sometimes"}, err: "access-schedule"},
		{name: "UnknownFlag", args: []string{"-port", "8080"}, err: "flag provided but not defined"},
		{
			name: "Pool",
			env:  map[string]string{"INVITE_DB_MAX_OPEN": "40", "INVITE_DB_CONN_LIFETIME": "1h", "INVITE_REQUEST_TIMEOUT": "5s"},
			args: []string{"-db-max-idle", "4", "-attempts-per-minute", "0"},
			want: defaults(func(c *Config) {
				c.DBMaxOpen, c.DBMaxIdle, c.DBConnLifetime, c.RequestTimeout, c.AttemptsPerMinute = 40, 4, time.Hour, 5*time.Second, 0
			}),
		},
		{name: "BadPoolEnvironment", env: map[string]string{"INVITE_DB_MAX_OPEN": "many"}, err: "INVITE_DB_MAX_OPEN"},
		{name: "IdleAboveOpen", args: []string{"-db-max-open", "2", "-db-max-idle", "3"}, err: "db-max-idle"},
		{name: "NoRequestTime", args: []string{"-request-timeout", "0s"}, err: "request-timeout must be positive"},
		{
			name: "Mail",
			env:  map[string]string{"INVITE_SMTP_URL": "smtp://u:p@mail:587", "INVITE_MAIL_FROM": "Acme <invite@acme.example>", "INVITE_REMIND_BEFORE": "0s"},
			args: []string{"-outbox-schedule", "@every 5s", "-expire-schedule", "*/5 * * * *"},
			want: defaults(func(c *Config) {
				c.SMTPURL, c.MailFrom, c.RemindBefore = "smtp://u:p@mail:587", "Acme <invite@acme.example>", 0
				c.OutboxSchedule, c.ExpireSchedule = "@every 5s", "*/5 * * * *"
			}),
		},
		{name: "BadSchedule", args: []string{"-remind-schedule", "every minute"}, err: "remind-schedule"},
		{name: "BadMailFrom", env: map[string]string{"INVITE_MAIL_FROM": "nobody"}, err: "mail-from"},
		{name: "NegativeReminder", args: []string{"-remind-before", "-1h"}, err: "remind-before"},
		{name: "BatchRows", env: map[string]string{"INVITE_BATCH_ROWS_PER_DAY": "500"}, want: defaults(func(c *Config) { c.BatchRowsPerDay = 500 })},
		{name: "NegativeBatchRows", args: []string{"-batch-rows-per-day", "-1"}, err: "batch-rows-per-day"},
		{
			name: "Webhooks",
			env:  map[string]string{"INVITE_WEBHOOK_SCHEDULE": "@every 1m", "INVITE_WEBHOOK_ALLOW_PRIVATE": "true", "INVITE_WEBHOOK_ALLOW": "10.1.0.0/16, fd00::/8"},
			want: defaults(func(c *Config) {
				c.WebhookSchedule, c.WebhookAllowPrivate, c.WebhookAllow = "@every 1m", "true", "10.1.0.0/16, fd00::/8"
			}),
		},
		{name: "BadWebhookAllowPrivate", env: map[string]string{"INVITE_WEBHOOK_ALLOW_PRIVATE": "yes please"}, err: "webhook-allow-private"},
		{name: "BadWebhookAllow", args: []string{"-webhook-allow", "10.1.0.0"}, err: "webhook-allow"},
		{name: "BadWebhookSchedule", args: []string{"-webhook-schedule", "often"}, err: "webhook-schedule"},
		{name: "BlankMetricsToken", env: map[string]string{"INVITE_METRICS_TOKEN": "                    "}, err: "metrics-token"},
		{name: "Retention", env: map[string]string{"INVITE_RETENTION": "720h", "INVITE_RETENTION_SCHEDULE": "@daily"}, want: defaults(func(c *Config) { c.Retention, c.RetentionSchedule = 720*time.Hour, "@daily" })},
		{name: "RetentionForever", env: map[string]string{"INVITE_RETENTION": "0"}, want: defaults(func(c *Config) { c.Retention = 0 })},
		{name: "BadRetention", env: map[string]string{"INVITE_RETENTION": "a year"}, err: "INVITE_RETENTION"},
		{name: "NegativeRetention", args: []string{"-retention", "-1h"}, err: "retention must not be negative"},
		{name: "BadRetentionSchedule", args: []string{"-retention-schedule", "yearly"}, err: "retention-schedule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			_, err := c.parse("invited", tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c != tt.want {
				t.Errorf("got %+v\nwant %+v", c, tt.want)
			}
		})
	}
}

// --help lists every configuration name with its flag.
func TestHelp(t *testing.T) {
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"--help"}, func(string) string { return "" }, io.Discard, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"INVITE_ADDR", "INVITE_DB", "INVITE_BASE_URL", "INVITE_TTL", "INVITE_ADMIN_EMAIL", "INVITE_ADMIN_PASSWORD",
		"INVITE_SMTP_URL", "INVITE_MAIL_FROM", "INVITE_REMIND_BEFORE", "INVITE_EXPIRE_SCHEDULE", "INVITE_REMIND_SCHEDULE", "INVITE_OUTBOX_SCHEDULE", "INVITE_RESET_SCHEDULE", "INVITE_ACCESS_SCHEDULE", "INVITE_METRICS_ADDR", "INVITE_METRICS_TOKEN",
		"INVITE_RETENTION", "INVITE_RETENTION_SCHEDULE", "INVITE_WEBHOOK_SCHEDULE", "INVITE_WEBHOOK_ALLOW_PRIVATE", "INVITE_WEBHOOK_ALLOW",
		"-addr", "-db", "-base-url", "-ttl", "-admin-email", "-admin-password", "-smtp-url", "-mail-from", "migrate", "serve"} {
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("help does not mention %s:\n%s", name, stderr.String())
		}
	}
	err = run(t.Context(), []string{"serve", "extra"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unexpected arguments") {
		t.Errorf("got %v, want unexpected arguments", err)
	}
}
