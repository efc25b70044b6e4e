package main

import (
	"fmt"
	"strings"
	"time"
)

// dialect writes the SQL that differs between SQLite and MySQL/MariaDB:
// the generated series the loader inserts from, string and date
// arithmetic, and how a time is passed, so that the raw baseline and the
// loader store times exactly as the product's store does.
type dialect struct{ mysql bool }

// series returns a WITH clause to put before the statement (empty on
// MySQL) and a derived table of one column n, the integers from to to.
// MariaDB's Sequence engine makes the numbers without a table; SQLite
// counts with a recursive common table expression.
func (d dialect) series(from, to int) (with, table string) {
	if d.mysql {
		// Signed, so that arithmetic on n never fails as an unsigned
		// value below zero would.
		return "", fmt.Sprintf("(SELECT CAST(seq AS SIGNED) AS n FROM seq_%d_to_%d) s", from, to)
	}
	return fmt.Sprintf("WITH RECURSIVE s(n) AS (SELECT %d UNION ALL SELECT n + 1 FROM s WHERE n < %d) ", from, to), "s"
}

// concat joins SQL string expressions.
func (d dialect) concat(parts ...string) string {
	if d.mysql {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// div divides integers, rounding toward zero.
func (d dialect) div(a, b string) string {
	if d.mysql {
		return "(" + a + " DIV " + b + ")"
	}
	return "(" + a + " / " + b + ")"
}

// sqliteTime is how the product's store (bun) writes a time to SQLite: as
// text that sorts as the time does. The loader and the baseline write the
// same, or comparisons between their rows and the product's would be
// comparisons of differently spelled strings.
const sqliteTime = "2006-01-02 15:04:05.999999-07:00"

// timeLit returns t, whole seconds in UTC, as an SQL literal.
func (d dialect) timeLit(t time.Time) string {
	if d.mysql {
		return "TIMESTAMP'" + t.UTC().Format(time.DateTime) + "'"
	}
	return "'" + t.UTC().Format(sqliteTime) + "'"
}

// plusSeconds adds the integer expression secs to the time expression t.
func (d dialect) plusSeconds(t, secs string) string {
	if d.mysql {
		return "(" + t + " + INTERVAL (" + secs + ") SECOND)"
	}
	// SQLite's date functions read the +00:00 the store writes, and
	// return UTC without it: it is put back.
	return "(strftime('%Y-%m-%d %H:%M:%S', " + t + ", (" + secs + ") || ' seconds') || '+00:00')"
}

// token returns a unique 32-byte token hash for invitation n.
func (d dialect) token(n string) string {
	if d.mysql {
		return "UNHEX(SHA2(CONCAT('invitebench-', " + n + "), 256))"
	}
	return "randomblob(32)" // SQLite has no SHA-2; 256 random bits do not collide
}

// arg returns t as a statement argument, written as the product's store
// writes it.
func (d dialect) arg(t time.Time) any {
	if d.mysql {
		return t.UTC()
	}
	return t.UTC().Format(sqliteTime)
}

// dbTime scans a time column as either driver returns it: MySQL's as a
// time.Time, SQLite's as a time.Time or as the text the store wrote.
type dbTime struct {
	t     time.Time
	valid bool
}

func (t *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{v.UTC(), true}
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("time column: unexpected %T", v)
}

func (t *dbTime) parse(s string) error {
	for _, layout := range []string{sqliteTime, "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if p, err := time.Parse(layout, s); err == nil {
			*t = dbTime{p.UTC(), true}
			return nil
		}
	}
	return fmt.Errorf("time column: cannot read %q", s)
}
