package sts

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/keyward/keyward"
)

// TestRoleSession_Duration checks the length rules the three AssumeRole
// actions share: the default, the role's maximum (a request past it is
// refused, a default past it cut), and role chaining's hour.
func TestRoleSession_Duration(t *testing.T) {
	const tooLong = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	const chainedTooLong = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
	tests := []struct {
		name           string
		maxSession     int
		requested, def int
		chained        bool
		want           int
		msg            string
	}{
		{"default", 0, 0, defaultDuration, false, 3600, ""},
		{"requested", 7200, 900, defaultDuration, false, 900, ""},
		{"requested, the role's maximum", 7200, 7200, defaultDuration, false, 7200, ""},
		{"requested past the role's maximum", 7200, 7201, defaultDuration, false, 0, tooLong},
		{"requested past an unset maximum", 0, 3601, defaultDuration, false, 0, tooLong},
		{"a default past the maximum is cut (SAML's SessionDuration)", 7200, 0, 43200, false, 7200, ""},
		{"a default within the maximum (SAML's SessionDuration)", 43200, 0, 10000, false, 10000, ""},
		{"chained, an hour", 43200, 3600, defaultDuration, true, 3600, ""},
		{"chained, past an hour", 43200, 3601, defaultDuration, true, 0, chainedTooLong},
		{"chained before the role's maximum", 7200, 7201, defaultDuration, true, 0, chainedTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &roleSession{role: &keyward.Role{MaxSessionDuration: tt.maxSession}, requested: tt.requested, def: tt.def, chained: tt.chained}
			got, err := r.duration()
			if msg := keyward.ErrorMessage(err); got != tt.want || msg != tt.msg {
				t.Errorf("duration() = %d, %q, want %d, %q", got, msg, tt.want, tt.msg)
			}
			if err != nil && keyward.ErrorCode(err) != keyward.ErrValidationError {
				t.Errorf("duration() code = %q, want %q", keyward.ErrorCode(err), keyward.ErrValidationError)
			}
		})
	}
}

// TestRoleSession_Limits checks what follows the length: the session
// policies' error first, then the packed size, reported only when the
// request passed a policy or a tag.
func TestRoleSession_Limits(t *testing.T) {
	errDocs := keyward.Errorf(keyward.ErrInvalidParameterValue, "Policy arn:aws:iam::111122223333:policy/x does not exist or is not attachable.")
	// Random text does not deflate: this many characters are more than
	// PackedLimit bytes once packed.
	var big []keyward.Tag
	for i := range 20 {
		v := make([]byte, 256)
		for j := range v {
			v[j] = byte('a' + rand.IntN(26))
		}
		big = append(big, keyward.Tag{Key: "k" + strconv.Itoa(i), Value: string(v)})
	}
	tests := []struct {
		name       string
		r          roleSession
		wantPacked bool
		err        error  // an error that must be returned as it is
		code       string // or the code of one made here
	}{
		{"nothing to pack", roleSession{}, false, nil, ""},
		{"inline policy", roleSession{policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}, true, nil, ""},
		{"policy ARNs", roleSession{policyArns: []PolicyDescriptor{{Arn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}, true, nil, ""},
		{"tags", roleSession{tags: []keyward.Tag{{Key: "team", Value: "blue"}}}, true, nil, ""},
		{"inherited tags alone are not packed", roleSession{inherited: []keyward.Tag{{Key: "team", Value: "blue"}}}, false, nil, ""},
		{"session policies' error first", roleSession{docsErr: errDocs, tags: big}, false, errDocs, ""},
		{"too large", roleSession{tags: big}, false, nil, ErrPackedPolicyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			packed, err := tt.r.limits()
			switch {
			case tt.err != nil:
				if !errors.Is(err, tt.err) {
					t.Errorf("limits() error = %v, want %v", err, tt.err)
				}
			case keyward.ErrorCode(err) != tt.code:
				t.Errorf("limits() error = %v, want code %q", err, tt.code)
			}
			if (packed != nil) != tt.wantPacked || (packed != nil && (*packed < 1 || *packed > 100)) {
				t.Errorf("limits() PackedPolicySize = %v, want present %v (1 to 100)", packed, tt.wantPacked)
			}
		})
	}
}
