package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/invitehq/invite/store"
)

// Tables returns every row of every table of db as text, by table name, the
// rows of a table sorted: what a test compares before and after a request
// that must change nothing, or searches for what must not be kept. Each
// value is written as stored; bytes also in hex.
func Tables(t testing.TB, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	var err error
	if db.Dialect() == "mysql" {
		err = db.Bun().NewSelect().Table("information_schema.tables").Column("table_name").Where("table_schema = DATABASE()").Scan(ctx, &tables)
	} else {
		err = db.Bun().NewSelect().Table("sqlite_master").Column("name").Where("type = 'table'").Scan(ctx, &tables)
	}
	if err != nil || len(tables) == 0 {
		t.Fatalf("list the tables: %v, %v", tables, err)
	}
	out := make(map[string][]string, len(tables))
	for _, table := range tables {
		rows, err := db.Bun().QueryContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			var b strings.Builder
			for _, v := range vals {
				if raw, ok := v.([]byte); ok {
					fmt.Fprintf(&b, "%s|%x|", raw, raw)
				} else {
					fmt.Fprintf(&b, "%v|", v)
				}
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Close(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		slices.Sort(out[table])
	}
	return out
}

// Snapshot is Tables as one text, without the tables named in except.
func Snapshot(t testing.TB, db *store.DB, except ...string) string {
	t.Helper()
	tables := Tables(t, db)
	names := make([]string, 0, len(tables))
	for name := range tables {
		if !slices.Contains(except, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		for _, row := range tables[name] {
			fmt.Fprintf(&b, "%s %s\n", name, row)
		}
	}
	return b.String()
}
