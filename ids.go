package keyward

import (
	"crypto/rand"
	"encoding/base64"
)

// ID prefixes, AWS's: access keys (long-term and temporary) and the unique
// IDs of users, roles, groups, managed policies and instance profiles.
const (
	PrefixAccessKey       = "AKIA"
	PrefixTemporaryKey    = "ASIA"
	PrefixUser            = "AIDA"
	PrefixRole            = "AROA"
	PrefixGroup           = "AGPA"
	PrefixPolicy          = "ANPA"
	PrefixInstanceProfile = "AIPA"
)

// idAlphabet is the upper-case base32 alphabet AWS's identifiers use.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewID returns a random 20-character identifier with the given prefix, as
// AWS's: AKIA followed by 16 characters of [A-Z2-7] for an access key, and
// NewUniqueID makes the 21-character unique IDs of users, roles and the like.
func NewID(prefix string) string { return prefix + randomChars(20-len(prefix)) }

// NewUniqueID returns a 21-character unique ID (AIDA..., AROA...), as AWS's.
func NewUniqueID(prefix string) string { return prefix + randomChars(21-len(prefix)) }

func randomChars(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails
	for i := range b {
		b[i] = idAlphabet[b[i]%32]
	}
	return string(b)
}

// NewSecretAccessKey returns a random 40-character secret access key.
func NewSecretAccessKey() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
