package memstore

import (
	"cmp"
	"maps"
	"slices"
)

// journal records how to undo each change made since the transaction in
// progress began, so that it can be rolled back, whole or to a point.
type journal struct {
	undo []func()
}

// add records how to undo a change.
func (j *journal) add(undo func()) { j.undo = append(j.undo, undo) }

// mark returns the point the journal is at.
func (j *journal) mark() int { return len(j.undo) }

// rollback undoes every change made since mark, the latest first.
func (j *journal) rollback(mark int) {
	for i := len(j.undo) - 1; i >= mark; i-- {
		j.undo[i]()
		j.undo[i] = nil
	}
	j.undo = j.undo[:mark]
}

// forget keeps every change: the transaction has ended.
func (j *journal) forget() {
	clear(j.undo)
	j.undo = j.undo[:0]
}

// table holds rows of type V by key, and journals every change to them.
// A row is a value whose slices are never written once it is stored:
// changing a row is putting a new one.
type table[K comparable, V any] struct {
	rows map[K]V
	log  *journal
}

func newTable[K comparable, V any](log *journal) table[K, V] {
	return table[K, V]{rows: make(map[K]V), log: log}
}

// get returns the row with key k.
func (t *table[K, V]) get(k K) (V, bool) {
	v, ok := t.rows[k]
	return v, ok
}

// put stores v as the row with key k.
func (t *table[K, V]) put(k K, v V) {
	old, had := t.rows[k]
	t.log.add(func() {
		if had {
			t.rows[k] = old
		} else {
			delete(t.rows, k)
		}
	})
	t.rows[k] = v
}

// delete removes the row with key k, if there is one.
func (t *table[K, V]) delete(k K) {
	old, had := t.rows[k]
	if !had {
		return
	}
	t.log.add(func() { t.rows[k] = old })
	delete(t.rows, k)
}

// where returns the rows that match, in no particular order.
func (t *table[K, V]) where(match func(V) bool) []V {
	var out []V
	for _, v := range t.rows {
		if match(v) {
			out = append(out, v)
		}
	}
	return out
}

// ordered returns the rows of t that match, in the order of their keys.
func ordered[K cmp.Ordered, V any](t *table[K, V], match func(V) bool) []V {
	var out []V
	for _, k := range slices.Sorted(maps.Keys(t.rows)) {
		if v := t.rows[k]; match(v) {
			out = append(out, v)
		}
	}
	return out
}

// every matches every row.
func every[V any](V) bool { return true }

// sequence gives the IDs of a table: 1, 2, 3 and on, never one twice
// (unless the transaction that took it is rolled back).
type sequence struct {
	last int64
	log  *journal
}

// next returns the next ID.
func (s *sequence) next() int64 {
	s.log.add(func() { s.last-- })
	s.last++
	return s.last
}

// limited returns the first limit elements of s, or all of them if limit
// is not positive, as package store's LIMIT does.
func limited[T any](s []T, limit int) []T {
	if limit > 0 && len(s) > limit {
		return s[:limit]
	}
	return s
}
