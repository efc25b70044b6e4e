package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The same lifecycle, seen the same way, on the reference store and on
// SQLite.
func TestLifecycle(t *testing.T) {
	want := strings.Join([]string{
		"invited ada@example.com pending",
		"mailed ada@example.com Margaret Hamilton hat Sie zu Acme Plant eingeladen",
		"accepted by Ada Lovelace 1 subscription",
		"logged in",
		"resent to Grace Hopper",
		"canceled grace@example.com canceled",
	}, "\n") + "\n"
	for name, url := range map[string]string{"memory": "memory", "sqlite": "sqlite:" + filepath.Join(t.TempDir(), "lifecycle.db")} {
		t.Run(name, func(t *testing.T) {
			st, done, err := open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer done()
			var out strings.Builder
			if err := run(context.Background(), st, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), want)
			}
		})
	}
}
