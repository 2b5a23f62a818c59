package keyward

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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

// NewUUID returns a random version 4 UUID in lower-case hex
// (xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx): the shape of AWS's request ids,
// job ids and deletion task ids.
func NewUUID() string {
	var u [16]byte
	rand.Read(u[:]) // never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

// NameUUID returns a UUID derived from name (the first 16 bytes of its
// SHA-256, marked as a name-based version 5 UUID), for an ID every replica
// must give the same thing without reading the store.
func NameUUID(name string) string {
	h := sha256.Sum256([]byte(name))
	u := [16]byte(h[:16])
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

// formatUUID writes u as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
