package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Filter selects records. Zero fields select everything.
type Filter struct {
	// Principal matches the caller's ARN, or the role of a role session
	// (PrincipalARN), exactly; a trailing * matches a prefix.
	Principal string
	// Action matches the API action or any authorized action,
	// case-insensitively (iam:CreateUser); a trailing * matches a prefix.
	Action string
	// Decision matches the decision (allowed, explicitDeny, implicitDeny),
	// or "denied" for either denial, or "log" for denials let through.
	Decision     string
	Since, Until time.Time // Since inclusive, Until exclusive
}

func prefixMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(s, p)
	}
	return pattern == s
}

// Match reports whether r passes f.
func (f *Filter) Match(r *Record) bool {
	if !f.Since.IsZero() && r.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !r.Time.Before(f.Until) {
		return false
	}
	if f.Principal != "" && !prefixMatch(f.Principal, r.Caller, false) && !(r.PrincipalARN != "" && prefixMatch(f.Principal, r.PrincipalARN, false)) {
		return false
	}
	if f.Action != "" {
		ok := prefixMatch(f.Action, r.Action, true)
		for _, d := range r.Decisions {
			ok = ok || prefixMatch(f.Action, d.Action, true)
		}
		if !ok {
			return false
		}
	}
	switch f.Decision {
	case "":
	case "denied":
		if r.Decision != "explicitDeny" && r.Decision != "implicitDeny" {
			return false
		}
	case "log":
		if r.Enforcement != "log" {
			return false
		}
	default:
		if r.Decision != f.Decision {
			return false
		}
	}
	return true
}

// Read calls fn with each record of in that f matches, in order. A line
// that is not a record is an error naming its line number.
func Read(in io.Reader, f Filter, fn func(*Record) error) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("audit: line %d: %w", n, err)
		}
		if !f.Match(&r) {
			continue
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("audit: line %d: %w", n+1, err)
	}
	return nil
}
