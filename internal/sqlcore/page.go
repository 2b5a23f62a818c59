package sqlcore

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward"
)

// Markers are opaque to callers: base64url of the last returned item's two
// sort keys. They mean the same on every store.
func encodeMarker(k1, k2 string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(k1 + "\x00" + k2))
}

func decodeMarker(m string) (string, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err == nil && utf8.Valid(b) {
		if k1, k2, ok := strings.Cut(string(b), "\x00"); ok && !strings.ContainsRune(k2, 0) {
			return k1, k2, nil
		}
	}
	return "", "", errInvalidMarker()
}

// pathCond filters column by a path prefix; "" and "/" keep everything.
func pathCond(column, prefix string) (string, []any) {
	if prefix == "" || prefix == "/" {
		return "", nil
	}
	return " AND substr(" + column + ", 1, ?) = ?", []any{utf8.RuneCountInString(prefix), prefix}
}

// page runs base (a SELECT ending in a WHERE clause) for one page sorted by
// the columns k1, k2 in byte order, which must be unique together; key
// gives an item's values of k1 and k2 as Go computes them.
func page[T any](t *Tx, op, base string, args []any, opts keyward.ListOptions, k1, k2 string,
	scan func(Row) (T, error), key func(T) (string, string)) ([]T, string, error) {
	q := base
	args = append([]any(nil), args...)
	k1, k2 = k1+" COLLATE BINARY", k2+" COLLATE BINARY"
	if opts.Marker != "" {
		a, b, err := decodeMarker(opts.Marker)
		if err != nil {
			return nil, "", err
		}
		q += " AND (" + k1 + ", " + k2 + ") > (?, ?)"
		args = append(args, a, b)
	}
	q += " ORDER BY " + k1 + ", " + k2
	if opts.MaxItems > 0 {
		q += " LIMIT ?"
		args = append(args, opts.MaxItems+1)
	}
	items, err := collect(t, op, q, args, scan)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if opts.MaxItems > 0 && len(items) > opts.MaxItems {
		items = items[:opts.MaxItems]
		next = encodeMarker(key(items[len(items)-1]))
	}
	return items, next, nil
}
