// Package seal encrypts Keyward's secrets at rest with AES-256-GCM: access
// key secrets under the server's key-encryption key, with the row's identity
// as associated data, so that a ciphertext copied into another row does not
// open. It imports only the standard library.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the size of a key-encryption key: 32 bytes, AES-256.
const KeySize = 32

// version prefixes every ciphertext, so the format can change later.
const version = 1

// ErrOpen is returned when a ciphertext does not open: a wrong key, a
// ciphertext altered or moved to another row.
var ErrOpen = errors.New("seal: ciphertext does not open with this key and associated data")

// Key seals and opens secrets. It is safe for concurrent use.
type Key struct{ aead cipher.AEAD }

// NewKey returns a Key for 32 bytes of key material.
func NewKey(material []byte) (*Key, error) {
	if len(material) != KeySize {
		return nil, fmt.Errorf("seal: key must be %d bytes, not %d", KeySize, len(material))
	}
	block, err := aes.NewCipher(material)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// GenerateKey returns fresh random key material.
func GenerateKey() []byte {
	b := make([]byte, KeySize)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return b
}

// ParseKey reads key material written as standard base64 (44 characters) or
// hex (64 characters), surrounding space ignored.
func ParseKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if b, err := base64.StdEncoding.DecodeString(text); err == nil && len(b) == KeySize {
		return b, nil
	}
	if len(text) == 2*KeySize {
		b := make([]byte, KeySize)
		if _, err := fmt.Sscanf(text, "%x", &b); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("seal: a key must be %d bytes in base64 or hex", KeySize)
}

// LoadOrCreateKeyFile reads key material from path, or, when the file does
// not exist, generates it and writes it with mode 0600.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return ParseKey(string(data))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := GenerateKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return k, f.Close()
}

// Sealer seals and opens secrets at rest, each bound to associated data
// naming its row (AD): a *Key under the server's key-encryption key. The
// services that keep secrets (iam, sts, outbound) take one.
type Sealer interface {
	Seal(plaintext, ad []byte) []byte
	Open(ciphertext, ad []byte) ([]byte, error)
}

// Seal encrypts plaintext bound to ad (for example "accesskey:AKIA...").
func (k *Key) Seal(plaintext, ad []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), 1+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return k.aead.Seal(out, nonce, plaintext, ad)
}

// Open decrypts what Seal returned for the same ad, or returns ErrOpen.
func (k *Key) Open(ciphertext, ad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(ciphertext) < 1+n+k.aead.Overhead() || ciphertext[0] != version {
		return nil, ErrOpen
	}
	pt, err := k.aead.Open(nil, ciphertext[1:1+n], ciphertext[1+n:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// AD is the associated data of a secret of kind kept in the row id
// ("mfa" and a device's serial number, "server-certificate" and its ID,
// ...): keyward:KIND:ID.
func AD(kind, id string) []byte { return []byte("keyward:" + kind + ":" + id) }
