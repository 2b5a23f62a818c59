package outbound

import (
	"strings"
	"sync"
)

// PathPrefix starts the issuer's path on Keyward's listener:
// PathPrefix + UUID is the issuer, and its discovery documents are under
// PathPrefix + UUID + "/.well-known/".
const PathPrefix = "/keyward/outbound/"

// awsSuffix ends AWS's form of an issuer, as accounts store it.
const (
	awsPrefix = "https://"
	awsSuffix = ".tokens.sts.global.api.aws"
)

// StoredIssuer is the issuer an account with this UUID stores: AWS's form.
func StoredIssuer(uuid string) string { return awsPrefix + uuid + awsSuffix }

// UUIDOf returns the UUID of a stored issuer (AWS's form), false when
// stored is not one.
func UUIDOf(stored string) (string, bool) {
	u, ok := strings.CutPrefix(stored, awsPrefix)
	if !ok {
		return "", false
	}
	u, ok = strings.CutSuffix(u, awsSuffix)
	if !ok || !ValidUUID(u) {
		return "", false
	}
	return u, true
}

// ValidUUID reports whether s is a UUID as Keyward makes them: 8-4-4-4-12
// lower-case hex digits.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// Issuers turns stored issuers into the ones Keyward's tokens carry and
// clients are told: {Base}/keyward/outbound/UUID. Base is the server's
// public URL (keyward serve --public-url), which may be set once the
// listener's address is known. Safe for concurrent use; the zero value has
// no base and answers stored issuers unchanged.
type Issuers struct {
	mu   sync.RWMutex
	base string
}

// NewIssuers returns Issuers over base (see SetBase).
func NewIssuers(base string) *Issuers {
	i := &Issuers{}
	i.SetBase(base)
	return i
}

// SetBase sets the public base URL, such as https://iam.example.com or
// http://127.0.0.1:4599 (a trailing slash is dropped).
func (i *Issuers) SetBase(base string) {
	i.mu.Lock()
	i.base = strings.TrimRight(base, "/")
	i.mu.Unlock()
}

// Base returns the public base URL, "" when none is set.
func (i *Issuers) Base() string {
	if i == nil {
		return ""
	}
	i.mu.RLock()
	defer i.mu.RUnlock()
	return i.base
}

// Issuer returns the issuer for an account's stored one: Keyward's form
// when a base is set and stored names a UUID, else stored unchanged.
func (i *Issuers) Issuer(stored string) string {
	base := i.Base()
	u, ok := UUIDOf(stored)
	if base == "" || !ok {
		return stored
	}
	return base + PathPrefix + u
}
