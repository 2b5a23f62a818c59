package sts

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authn"
)

// A session token is, in URL-safe base64 without padding:
//
//	version (1 byte, tokenVersion) | key id (8) | nonce (12) | AES-256-GCM ciphertext
//
// The associated data is the 21 header bytes followed by the temporary
// access key id, so a token opens only for the key it was issued with and
// only under the ring key its header names. The plaintext is a format byte
// (plainRaw or plainDeflate) and the encoded payload (see encodePayload).
const (
	tokenVersion = 2
	headerLen    = 1 + keyIDLen + 12
	// MaxTokenLength bounds what OpenSession reads: more than any token
	// Issue makes (ten 6,144-character managed policies and a 2,048-character
	// inline one, compressed).
	MaxTokenLength = 64 << 10
	maxPlaintext   = 256 << 10

	plainRaw     = 0
	plainDeflate = 1
)

var tokenEncoding = base64.RawURLEncoding

// Tokens issues and opens sealed session tokens with a KeyRing. It
// implements authn.SessionOpener. Opened tokens are cached (bounded), so a
// session that signs many requests is decrypted once.
type Tokens struct {
	Ring *KeyRing

	mu    sync.RWMutex
	cache map[string]*cachedSession
}

type cachedSession struct {
	sess        authn.Session
	accessKeyID string
	expiry      time.Time
}

// maxCachedSessions bounds the cache of opened tokens; when full it is
// emptied (cheap, and tokens reopen in microseconds).
const maxCachedSessions = 8192

var _ authn.SessionOpener = (*Tokens)(nil)

// NewTokens returns Tokens sealing with ring.
func NewTokens(ring *KeyRing) *Tokens { return &Tokens{Ring: ring} }

func expiredTokenError() error {
	return keyward.Errorf(keyward.ErrExpiredToken, "The security token included in the request is expired")
}

// Issue seals a session for the temporary access key accessKeyID: its
// caller, its secret, and its expiry. It writes to the store only when the
// ring's newest key is due for rotation.
func (t *Tokens) Issue(ctx context.Context, c *keyward.Caller, accessKeyID, secret string, expiry time.Time) (string, error) {
	k, err := t.Ring.signer(ctx, t.Ring.clock())
	if err != nil {
		return "", err
	}
	payload := encodePayload(c, secret, expiry)
	plain := make([]byte, 0, len(payload)+1)
	plain = append(plain, plainRaw)
	plain = append(plain, payload...)
	if len(payload) > 1024 { // small payloads gain little, and inflating costs ~40 KB of buffers
		var b bytes.Buffer
		b.WriteByte(plainDeflate)
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		w.Write(payload)
		w.Close()
		if b.Len() < len(plain) {
			plain = b.Bytes()
		}
	}
	out := make([]byte, headerLen, headerLen+len(plain)+k.aead.Overhead())
	out[0] = tokenVersion
	copy(out[1:], k.id[:])
	rand.Read(out[1+keyIDLen : headerLen])
	ad := append(out[:headerLen:headerLen], accessKeyID...)
	out = k.aead.Seal(out, out[1+keyIDLen:headerLen], plain, ad)
	return tokenEncoding.EncodeToString(out), nil
}

// Forget drops every opened token from the cache: after the ring lost its
// keys (a reset), tokens must be opened, and refused, again.
func (t *Tokens) Forget() {
	t.mu.Lock()
	t.cache = nil
	t.mu.Unlock()
}

// OpenSession implements authn.SessionOpener: InvalidClientTokenId for a
// token that is malformed, forged, altered, sealed by an unknown key or for
// another access key; ExpiredToken when now is at or past its expiry.
func (t *Tokens) OpenSession(token, accessKeyID string, now time.Time) (*authn.Session, error) {
	t.mu.RLock()
	cs := t.cache[token]
	t.mu.RUnlock()
	if cs == nil {
		var err error
		cs, err = t.open(token, accessKeyID, now)
		if err != nil {
			return nil, err
		}
		t.mu.Lock()
		if t.cache == nil || len(t.cache) >= maxCachedSessions {
			t.cache = make(map[string]*cachedSession)
		}
		t.cache[token] = cs
		t.mu.Unlock()
	}
	if cs.accessKeyID != accessKeyID {
		return nil, authn.InvalidToken()
	}
	if !now.Before(cs.expiry) {
		return nil, expiredTokenError()
	}
	s := cs.sess
	return &s, nil
}

func (t *Tokens) open(token, accessKeyID string, now time.Time) (*cachedSession, error) {
	if len(token) < 2 || len(token) > MaxTokenLength {
		return nil, authn.InvalidToken()
	}
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil || len(raw) < headerLen+16 || raw[0] != tokenVersion {
		return nil, authn.InvalidToken()
	}
	var id [keyIDLen]byte
	copy(id[:], raw[1:])
	k := t.Ring.opener(id, now)
	if k == nil {
		return nil, authn.InvalidToken()
	}
	ad := make([]byte, 0, headerLen+len(accessKeyID))
	ad = append(append(ad, raw[:headerLen]...), accessKeyID...)
	plain, err := k.aead.Open(nil, raw[1+keyIDLen:headerLen], raw[headerLen:], ad)
	if err != nil || len(plain) == 0 {
		return nil, authn.InvalidToken()
	}
	payload := plain[1:]
	switch plain[0] {
	case plainRaw:
	case plainDeflate:
		payload, err = io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(plain[1:])), maxPlaintext))
		if err != nil {
			return nil, authn.InvalidToken()
		}
	default:
		return nil, authn.InvalidToken()
	}
	cs := &cachedSession{accessKeyID: accessKeyID}
	if err := decodePayload(payload, &cs.sess.Caller, &cs.sess.Secret, &cs.expiry); err != nil {
		return nil, authn.InvalidToken()
	}
	cs.sess.Caller.Temporary = true
	cs.sess.Caller.AccessKeyID = accessKeyID
	cs.sess.Caller.SessionExpiry = cs.expiry
	return cs, nil
}

// The payload: the caller's fields in a fixed order, strings as a uvarint
// length and bytes, lists as a uvarint count and their elements, times as
// varint Unix seconds.
const (
	flagMFA     = 1
	flagChained = 2
)

func encodePayload(c *keyward.Caller, secret string, expiry time.Time) []byte {
	b := make([]byte, 0, 256)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, byte(c.Kind))
	for _, s := range []string{c.AccountID, c.ARN, c.UserID, c.PrincipalID, c.UserName, c.RoleName, c.RoleARN, c.SessionName, c.SourceIdentity} {
		str(s)
	}
	b = binary.AppendUvarint(b, uint64(len(c.SessionPolicies)))
	for _, p := range c.SessionPolicies {
		str(p)
	}
	b = binary.AppendUvarint(b, uint64(len(c.SessionTags)))
	for _, tg := range c.SessionTags {
		str(tg.Key)
		str(tg.Value)
	}
	b = binary.AppendUvarint(b, uint64(len(c.TransitiveTagKeys)))
	for _, k := range c.TransitiveTagKeys {
		str(k)
	}
	var flags byte
	if c.MFAPresent {
		flags |= flagMFA
	}
	if c.Chained {
		flags |= flagChained
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, c.TokenIssueTime.Unix())
	b = binary.AppendVarint(b, expiry.Unix())
	str(secret)
	return b
}

var errPayload = errors.New("sts: malformed token payload")

// decodePayload is encodePayload's inverse. It never panics, whatever b
// holds, and refuses trailing bytes.
func decodePayload(b []byte, c *keyward.Caller, secret *string, expiry *time.Time) error {
	ok := true
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			ok = false
			return 0
		}
		b = b[n:]
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			ok = false
			return 0
		}
		b = b[n:]
		return v
	}
	str := func() string {
		n := uv()
		if !ok || n > uint64(len(b)) {
			ok = false
			return ""
		}
		s := string(b[:n])
		b = b[n:]
		return s
	}
	// count reads a list length, each element taking at least one byte.
	count := func() int {
		n := uv()
		if !ok || n > uint64(len(b)) {
			ok = false
			return 0
		}
		return int(n)
	}
	if len(b) == 0 {
		return errPayload
	}
	c.Kind = keyward.CallerKind(b[0])
	b = b[1:]
	if c.Kind < keyward.CallerRoot || c.Kind > keyward.CallerUserSession {
		return errPayload
	}
	for _, p := range []*string{&c.AccountID, &c.ARN, &c.UserID, &c.PrincipalID, &c.UserName, &c.RoleName, &c.RoleARN, &c.SessionName, &c.SourceIdentity} {
		*p = str()
	}
	if n := count(); ok && n > 0 {
		c.SessionPolicies = make([]string, n)
		for i := range c.SessionPolicies {
			c.SessionPolicies[i] = str()
		}
	}
	if n := count(); ok && n > 0 {
		c.SessionTags = make([]keyward.Tag, n)
		for i := range c.SessionTags {
			c.SessionTags[i] = keyward.Tag{Key: str(), Value: str()}
		}
	}
	if n := count(); ok && n > 0 {
		c.TransitiveTagKeys = make([]string, n)
		for i := range c.TransitiveTagKeys {
			c.TransitiveTagKeys[i] = str()
		}
	}
	if !ok || len(b) == 0 {
		return errPayload
	}
	flags := b[0]
	b = b[1:]
	c.MFAPresent = flags&flagMFA != 0
	c.Chained = flags&flagChained != 0
	c.TokenIssueTime = time.Unix(sv(), 0).UTC()
	*expiry = time.Unix(sv(), 0).UTC()
	*secret = str()
	if !ok || len(b) != 0 || flags&^(flagMFA|flagChained) != 0 {
		return errPayload
	}
	return nil
}
