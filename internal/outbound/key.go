package outbound

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
)

// The signing algorithms GetWebIdentityToken offers, JWS names (STS API
// reference, GetWebIdentityToken, SigningAlgorithm: "Valid values are RS256
// (RSA with SHA-256) and ES384 (ECDSA using P-384 curve with SHA-384)").
const (
	RS256 = "RS256"
	ES384 = "ES384"
)

// Algorithms lists them in the order keys are made and listed.
var Algorithms = []string{RS256, ES384}

// privateAD binds a sealed private key to its row: moved to another
// account or kid, it does not open.
func privateAD(accountID, kid string) []byte { return seal.AD("outbound-key", accountID+"/"+kid) }

// Rotation. A key signs for RotationPeriod; the first GetWebIdentityToken
// (or Enable) after that makes its successor, in the same transaction, and
// signs with it. The retired key stays published for Retention after its
// successor was made, so that every token it signed verifies until it
// expires, and is then dropped from the JWKS and deleted from the store.
const (
	// RotationPeriod is how long a key signs before a new one replaces it.
	RotationPeriod = 30 * 24 * time.Hour
	// MaxTokenLifetime is the longest a token lives: GetWebIdentityToken's
	// largest DurationSeconds, 3600 (a test in package sts holds the two
	// equal).
	MaxTokenLifetime = time.Hour
	// Retention is how long a retired key stays published after its
	// successor was made: a token's longest lifetime and five minutes for
	// the clocks of replicas that disagree and a request that read the old
	// key just before the new one was committed.
	Retention = MaxTokenLifetime + 5*time.Minute
)

// EnsureKeys returns the account's keys that are still published (see
// Published), making (in tx, which must be an Update's) a key for each
// algorithm whose newest key is missing or older than RotationPeriod at
// now: an RSA 2048-bit key for RS256, a P-384 key for ES384. Keys retired
// more than Retention ago are deleted. Two transactions that race to
// rotate conflict on the account's keys, which they both read and write,
// so the store's serialization (SQLite's one writer, PostgreSQL's
// SERIALIZABLE with retry) leaves one new key per algorithm.
func EnsureKeys(tx keyward.Tx, sl seal.Sealer, accountID string, now time.Time) ([]keyward.OutboundKey, error) {
	keys, err := tx.ListOutboundKeys(accountID)
	if err != nil {
		return nil, err
	}
	for _, alg := range Algorithms {
		if k, ok := Find(keys, alg); ok && now.Sub(k.CreateDate) < RotationPeriod {
			continue
		}
		k, err := newKey(sl, accountID, alg, now)
		if err != nil {
			return nil, err
		}
		if err := tx.CreateOutboundKey(k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	published := Published(keys, now)
	if len(published) == len(keys) {
		return keys, nil
	}
	for _, k := range keys {
		if !slices.ContainsFunc(published, func(p keyward.OutboundKey) bool { return p.KeyID == k.KeyID }) {
			if err := tx.DeleteOutboundKey(accountID, k.KeyID); err != nil {
				return nil, err
			}
		}
	}
	return published, nil
}

// Find returns the newest of keys (oldest first, as the store lists them)
// that signs alg: the one key that signs for alg; the others are retired.
func Find(keys []keyward.OutboundKey, alg string) (keyward.OutboundKey, bool) {
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].Algorithm == alg {
			return keys[i], true
		}
	}
	return keyward.OutboundKey{}, false
}

// Published returns the keys (oldest first, as the store lists them) the
// issuer's JWKS lists at now: the newest of each algorithm, and each
// retired key whose successor (the next key of its algorithm) was made less
// than Retention before now. It does not modify keys.
func Published(keys []keyward.OutboundKey, now time.Time) []keyward.OutboundKey {
	out := make([]keyward.OutboundKey, 0, len(keys))
	for i, k := range keys {
		if next := slices.IndexFunc(keys[i+1:], func(n keyward.OutboundKey) bool { return n.Algorithm == k.Algorithm }); next >= 0 &&
			now.Sub(keys[i+1+next].CreateDate) >= Retention {
			continue
		}
		out = append(out, k)
	}
	return out
}

func newKey(sl seal.Sealer, accountID, alg string, now time.Time) (keyward.OutboundKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		return keyward.OutboundKey{}, fmt.Errorf("outbound: no key for algorithm %q", alg)
	}
	if err != nil {
		return keyward.OutboundKey{}, fmt.Errorf("outbound: make %s key: %w", alg, err)
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return keyward.OutboundKey{}, fmt.Errorf("outbound: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return keyward.OutboundKey{}, fmt.Errorf("outbound: %w", err)
	}
	jwk, err := publicJWK(alg, priv.Public(), "")
	if err != nil {
		return keyward.OutboundKey{}, err
	}
	kid := thumbprint(jwk)
	return keyward.OutboundKey{AccountID: accountID, KeyID: kid, Algorithm: alg, PublicKey: pub,
		PrivateKey: sl.Seal(der, privateAD(accountID, kid)), CreateDate: now.UTC().Truncate(time.Microsecond)}, nil
}

// JWK is a public JSON Web Key (RFC 7517) as the JWKS lists it.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

var b64 = base64.RawURLEncoding

func publicJWK(alg string, pub crypto.PublicKey, kid string) (JWK, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if alg != RS256 {
			break
		}
		return JWK{Kty: "RSA", Kid: kid, Use: "sig", Alg: alg, N: b64.EncodeToString(p.N.Bytes()),
			E: b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())}, nil
	case *ecdsa.PublicKey:
		if alg != ES384 || p.Curve != elliptic.P384() {
			break
		}
		b, err := p.Bytes() // 0x04 || X || Y, each 48 bytes
		if err != nil {
			return JWK{}, fmt.Errorf("outbound: %w", err)
		}
		return JWK{Kty: "EC", Kid: kid, Use: "sig", Alg: alg, Crv: "P-384",
			X: b64.EncodeToString(b[1:49]), Y: b64.EncodeToString(b[49:])}, nil
	}
	return JWK{}, fmt.Errorf("outbound: a %T does not sign %s", pub, alg)
}

// thumbprint is the key's RFC 7638 JWK thumbprint, its kid: SHA-256 of the
// required members in lexicographic order, base64url.
func thumbprint(k JWK) string {
	var m string
	if k.Kty == "RSA" {
		m = `{"e":"` + k.E + `","kty":"RSA","n":"` + k.N + `"}`
	} else {
		m = `{"crv":"` + k.Crv + `","kty":"EC","x":"` + k.X + `","y":"` + k.Y + `"}`
	}
	sum := sha256.Sum256([]byte(m))
	return b64.EncodeToString(sum[:])
}

// JWKSet is the issuer's JSON Web Key Set.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// KeySet returns the public halves of keys as a JWKS.
func KeySet(keys []keyward.OutboundKey) (JWKSet, error) {
	set := JWKSet{Keys: []JWK{}}
	for _, k := range keys {
		pub, err := x509.ParsePKIXPublicKey(k.PublicKey)
		if err != nil {
			return JWKSet{}, fmt.Errorf("outbound: key %s: %w", k.KeyID, err)
		}
		j, err := publicJWK(k.Algorithm, pub, k.KeyID)
		if err != nil {
			return JWKSet{}, err
		}
		set.Keys = append(set.Keys, j)
	}
	return set, nil
}

// Sign returns the compact JWS of claims (a JSON object) signed by k:
// RS256 is RSASSA-PKCS1-v1_5 with SHA-256, ES384 ECDSA P-384 with SHA-384
// and the signature as R || S, 48 bytes each (RFC 7518, 3.3 and 3.4).
func Sign(k keyward.OutboundKey, sl seal.Sealer, claims any) (string, error) {
	der, err := sl.Open(k.PrivateKey, privateAD(k.AccountID, k.KeyID))
	if err != nil {
		return "", fmt.Errorf("outbound: open key %s: %w", k.KeyID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return "", fmt.Errorf("outbound: key %s: %w", k.KeyID, err)
	}
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{k.Algorithm, k.KeyID, "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("outbound: claims: %w", err)
	}
	input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	var sig []byte
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		if k.Algorithm != RS256 {
			return "", errors.New("outbound: an RSA key signs RS256 only")
		}
		h := sha256.Sum256([]byte(input))
		if sig, err = rsa.SignPKCS1v15(rand.Reader, p, crypto.SHA256, h[:]); err != nil {
			return "", fmt.Errorf("outbound: sign: %w", err)
		}
	case *ecdsa.PrivateKey:
		if k.Algorithm != ES384 {
			return "", errors.New("outbound: a P-384 key signs ES384 only")
		}
		h := sha512.Sum384([]byte(input))
		r, s, err := ecdsa.Sign(rand.Reader, p, h[:])
		if err != nil {
			return "", fmt.Errorf("outbound: sign: %w", err)
		}
		sig = make([]byte, 96)
		r.FillBytes(sig[:48])
		s.FillBytes(sig[48:])
	default:
		return "", fmt.Errorf("outbound: key %s is a %T", k.KeyID, priv)
	}
	return input + "." + b64.EncodeToString(sig), nil
}
