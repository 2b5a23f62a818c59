package iam

import (
	"errors"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/outbound"
	"github.com/keyward/keyward/internal/seal"
)

// Service implements IAM's actions. Store and Authz are required; the other
// fields have defaults.
type Service struct {
	Store keyward.Store
	Authz *authz.Authorizer
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Encrypt seals a new access key's secret for storage (AES-GCM with the
	// key ID as associated data, supplied by the server). The store only
	// ever sees its result. nil makes CreateAccessKey fail.
	Encrypt func(accessKeyID string, secret []byte) ([]byte, error)
	// IDs makes unique IDs and secrets; nil means RandomIDs.
	IDs IDSource
	// Secrets seals the secrets IAM keeps and must read back (MFA seeds,
	// server certificates' private keys, service-specific passwords),
	// each bound to its row's identity (SecretAD). nil makes the actions
	// that keep one fail.
	Secrets seal.Sealer
	// Outbound turns accounts' stored outbound issuers into the ones
	// clients are told (Keyward's form); nil tells them as stored.
	Outbound *outbound.Issuers

	reports reports // last-accessed jobs and credential reports (lastaccessed.go)
}

// SecretAD is the associated data a secret of kind ("mfa",
// "server-certificate", "service-credential") is sealed with: the row's
// identity, so that a ciphertext moved to another row does not open.
func SecretAD(kind, id string) []byte { return seal.AD(kind, id) }

// sealer returns Secrets, or an internal error when it is missing.
func (s *Service) sealer() (seal.Sealer, error) {
	if s.Secrets == nil {
		return nil, errors.New("iam: Service.Secrets is nil")
	}
	return s.Secrets, nil
}

// IDSource makes the unique IDs of new entities and the secrets of new
// access keys.
type IDSource interface {
	// ID returns a new unique ID: prefix followed by 17 characters from
	// A-Z and 2-7, 21 characters in all as AWS's IDs are.
	ID(prefix string) string
	// Secret returns a new 40-character secret access key.
	Secret() string
}

// ID prefixes, AWS's.
const (
	PrefixUser            = keyward.PrefixUser
	PrefixGroup           = keyward.PrefixGroup
	PrefixRole            = keyward.PrefixRole
	PrefixPolicy          = keyward.PrefixPolicy
	PrefixInstanceProfile = keyward.PrefixInstanceProfile
	PrefixAccessKey       = keyward.PrefixAccessKey
)

// RandomIDs draws IDs and secrets from crypto/rand, shaped as AWS's: access
// key IDs have 20 characters (AKIA and 16 more), unique IDs 21.
type RandomIDs struct{}

// ID implements IDSource.
func (RandomIDs) ID(prefix string) string {
	if prefix == PrefixAccessKey {
		return keyward.NewID(prefix)
	}
	return keyward.NewUniqueID(prefix)
}

// Secret implements IDSource: 40 characters from AWS's secret alphabet.
func (RandomIDs) Secret() string { return keyward.NewSecretAccessKey() }

func (s *Service) ids() IDSource {
	if s.IDs == nil {
		return RandomIDs{}
	}
	return s.IDs
}

// now returns the current time in UTC to the second, the precision AWS
// reports.
func (s *Service) now() time.Time {
	t := time.Now()
	if s.Clock != nil {
		t = s.Clock()
	}
	return t.UTC().Truncate(time.Second)
}

// invalidate tells the authorizer that permissions may have changed.
func (s *Service) invalidate() {
	if s.Authz != nil {
		s.Authz.Invalidate()
	}
}

// deref returns *p, or def when p is nil.
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
