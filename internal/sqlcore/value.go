package sqlcore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// fold is the case folding used for names, keys and policy ARNs, computed
// in Go so that no database's lower() or collation decides what is equal.
// IAM names are ASCII, so this agrees with SQL's lower() where a query
// needs it.
func fold(s string) string { return strings.ToLower(s) }

// timeArg encodes t as nanoseconds since the epoch, the zero time as NULL.
// Dialect.Time reads it back.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// textBytes is what a text column's sql.Scanner gets from either driver.
func textBytes(column string, src any) ([]byte, error) {
	switch v := src.(type) {
	case string:
		return []byte(v), nil
	case []byte:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("%s holds %T", column, src)
}

// jsonListArg encodes a list column: a JSON array of strings.
func jsonListArg(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l) // a slice of strings always marshals
	return string(b)
}

// jsonList scans what jsonListArg wrote; empty reads as nil.
type jsonList struct{ l *[]string }

func (j jsonList) Scan(src any) error {
	b, err := textBytes("list column", src)
	if err != nil {
		return err
	}
	var l []string
	if len(b) > 0 {
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("list column: %w", err)
		}
	}
	if len(l) == 0 {
		l = nil
	}
	*j.l = l
	return nil
}

// principalIDsArg encodes a role's trust_principal_ids, a JSON object from
// principal ARN to unique ID.
func principalIDsArg(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

// principalIDs scans what principalIDsArg wrote; "{}" reads as nil.
type principalIDs struct{ m *map[string]string }

func (p principalIDs) Scan(src any) error {
	b, err := textBytes("trust_principal_ids", src)
	if err != nil {
		return err
	}
	*p.m = nil
	var m map[string]string
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("trust_principal_ids: %w", err)
		}
	}
	if len(m) > 0 {
		*p.m = m
	}
	return nil
}
