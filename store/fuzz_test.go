package store

import (
	"net/url"
	"strings"
	"testing"
)

// A database URL is understood or refused with an error, never a panic;
// an error never shows the password; a MySQL URL names a host and a
// database.
func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{"sqlite:data/invite.db", "sqlite::memory:", "sqlite:", "sqlite:a?b", "mysql://root:secret@127.0.0.1:3306/invite",
		"mysql://u:secret@host/db?tls=true", "mysql://u:secret@host/db?charset=x", "mysql://u:secret@/db", "mysql://u:secret@host/", "mysql://[::1]:3306/db",
		"mysql://u:p%zz@host/db", "postgres://secret@host/db", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		src, err := parseURL(raw)
		if err != nil {
			if u, perr := url.Parse(raw); perr == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), ":"+pw+"@") {
					t.Fatalf("parseURL(%q): the error shows the password: %v", raw, err)
				}
			}
			return
		}
		switch {
		case src.mysql != nil:
			if src.mysql.Addr == "" || src.mysql.DBName == "" || strings.Contains(src.mysql.DBName, "/") {
				t.Fatalf("parseURL(%q): accepted with address %q, database %q", raw, src.mysql.Addr, src.mysql.DBName)
			}
		case src.sqlite == "" || strings.ContainsAny(src.sqlite, "?#\x00"):
			t.Fatalf("parseURL(%q): accepted SQLite path %q", raw, src.sqlite)
		}
	})
}
