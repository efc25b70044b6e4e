package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lastBundled is the last migration that holds several statements, from
// before the rule below.
const lastBundled = "0011"

// A migration after lastBundled is one statement: MySQL commits each DDL
// statement on its own, so a file of several that fails half-way stays
// applied in part, and running it again fails on what it did.
func TestMigrationsOneStatementEach(t *testing.T) {
	files, err := filepath.Glob("migrations/*.up.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	for _, f := range files {
		if filepath.Base(f)[:4] <= lastBundled {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "--bun:split") {
			t.Errorf("%s holds several statements: make one file of each", f)
		}
	}
}
