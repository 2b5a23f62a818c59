// Package authn answers "who signed this request?": it verifies SigV4
// signatures (header and presigned forms) with the secret of the access key
// that signed, long-term keys from the store (secrets sealed at rest) and
// temporary credentials through a SessionOpener (STS), and returns the
// keyward.Caller. It imports keyward, sigv4 and seal; never awsquery.
package authn

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/sigv4"
)

// Session is what a session token carries, once opened: the caller it
// stands for and the secret that signs its requests.
type Session struct {
	Caller keyward.Caller
	Secret string
}

// SessionOpener checks a session token for an ASIA access key and returns the
// session it carries: ExpiredToken when it has expired, InvalidClientTokenId
// when it is forged, altered or not for that key.
type SessionOpener interface {
	OpenSession(token, accessKeyID string, now time.Time) (*Session, error)
}

// Authenticator verifies requests. Set Store, Key and Clock; Sessions is
// optional (temporary credentials are refused without it).
type Authenticator struct {
	Store    keyward.Store
	Key      *seal.Key
	Clock    func() time.Time
	Sessions SessionOpener
	// Generation, when set, returns a number that changes whenever access
	// keys or users may have changed; cached secrets are dropped then.
	Generation func() uint64

	mu    sync.Mutex
	cache map[string]*cachedKey
}

type cachedKey struct {
	gen      uint64
	secret   string
	caller   keyward.Caller
	lastUsed time.Time
}

// AccessKeyAD is the associated data an access key's secret is sealed with:
// the key's identity, so a ciphertext moved to another row does not open.
func AccessKeyAD(accessKeyID string) []byte { return []byte("keyward:accesskey:" + accessKeyID) }

// Authenticate verifies r, whose complete body is body, for service ("iam"
// or "sts"), and returns the *keyward.Caller that signed it. Errors are
// *keyward.Error with AWS's codes.
func (a *Authenticator) Authenticate(r *http.Request, body []byte, service string) (any, error) {
	c, err := a.Verify(r, body, service)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Verify is Authenticate with a typed result.
func (a *Authenticator) Verify(r *http.Request, body []byte, service string) (*keyward.Caller, error) {
	now := a.now()
	signed, err := sigv4.Parse(r, now)
	if err != nil {
		return nil, convert(err)
	}
	if err := signed.CheckService(service); err != nil {
		return nil, convert(err)
	}
	caller, secret, err := a.lookup(r, signed, service, now)
	if err != nil {
		return nil, err
	}
	if err := sigv4.Verify(r, body, signed, secret); err != nil {
		return nil, convert(err)
	}
	return a.finish(r, signed, service, now, caller), nil
}

// lookup finds the principal and secret of a parsed signature's access key:
// a session token's, or a long-term key's from the store.
func (a *Authenticator) lookup(r *http.Request, signed *sigv4.Signed, service string, now time.Time) (keyward.Caller, string, error) {
	if signed.SessionToken != "" || strings.HasPrefix(signed.AccessKeyID, "ASIA") {
		if a.Sessions == nil || signed.SessionToken == "" {
			return keyward.Caller{}, "", InvalidToken()
		}
		s, err := a.Sessions.OpenSession(signed.SessionToken, signed.AccessKeyID, now)
		if err != nil {
			return keyward.Caller{}, "", err
		}
		return s.Caller, s.Secret, nil
	}
	ck, err := a.longTermKey(r.Context(), signed.AccessKeyID, service)
	if err != nil {
		return keyward.Caller{}, "", err
	}
	return ck.caller, ck.secret, nil
}

// finish fills in what the request says about a verified caller.
func (a *Authenticator) finish(r *http.Request, signed *sigv4.Signed, service string, now time.Time, caller keyward.Caller) *keyward.Caller {
	caller.AccessKeyID = signed.AccessKeyID
	caller.RequestTime = now
	caller.SourceIP = sourceIP(r)
	caller.SecureTransport = r.TLS != nil
	caller.UserAgent = r.UserAgent()
	if caller.Temporary {
		return &caller
	}
	a.noteUse(r.Context(), signed.AccessKeyID, service, signed.Region, now)
	return &caller
}

func (a *Authenticator) now() time.Time {
	if a.Clock != nil {
		return a.Clock()
	}
	return time.Now()
}

func (a *Authenticator) gen() uint64 {
	if a.Generation != nil {
		return a.Generation()
	}
	return 0
}

// longTermKey returns the secret and caller of an AKIA key, from the cache
// when it is current.
func (a *Authenticator) longTermKey(ctx context.Context, id, service string) (*cachedKey, error) {
	gen := a.gen()
	a.mu.Lock()
	ck := a.cache[id]
	a.mu.Unlock()
	if ck != nil && ck.gen == gen {
		return ck, nil
	}
	ck = &cachedKey{gen: gen}
	var ciphertext []byte
	err := a.Store.View(ctx, func(tx keyward.Tx) error {
		k, err := tx.GetAccessKey(id)
		if err != nil {
			return err
		}
		if k.Status != keyward.StatusActive {
			return InvalidToken()
		}
		ciphertext = k.SecretCiphertext
		ck.lastUsed = k.LastUsedDate
		if k.UserName == "" {
			ck.caller = keyward.Caller{Kind: keyward.CallerRoot, AccountID: k.AccountID,
				ARN: arn.RootARN(k.AccountID), UserID: k.AccountID}
			return nil
		}
		u, err := tx.GetUser(k.AccountID, k.UserName)
		if err != nil {
			return err
		}
		ck.caller = keyward.Caller{Kind: keyward.CallerUser, AccountID: u.AccountID, ARN: u.ARN, UserID: u.ID, PrincipalID: u.ID, UserName: u.Name}
		return nil
	})
	if err != nil {
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			return nil, InvalidToken()
		}
		return nil, err
	}
	plain, err := a.Key.Open(ciphertext, AccessKeyAD(id))
	if err != nil {
		return nil, errors.New("authn: the secret of an access key does not open: wrong key-encryption key or a tampered row")
	}
	ck.secret = string(plain)
	a.mu.Lock()
	if a.cache == nil {
		a.cache = make(map[string]*cachedKey)
	}
	a.cache[id] = ck
	a.mu.Unlock()
	return ck, nil
}

// noteUse records a key's last use, at most once a minute per key so that
// reads do not become writes.
func (a *Authenticator) noteUse(ctx context.Context, id, service, region string, now time.Time) {
	a.mu.Lock()
	ck := a.cache[id]
	due := ck != nil && now.Sub(ck.lastUsed) >= time.Minute
	if due {
		ck.lastUsed = now
	}
	a.mu.Unlock()
	if !due {
		return
	}
	// Best effort: a failure here must not fail the request.
	_ = a.Store.Update(ctx, func(tx keyward.Tx) error {
		return tx.SetAccessKeyLastUsed(id, keyward.AccessKeyLastUsed{Date: now.UTC().Truncate(time.Second), Service: service, Region: region})
	})
}

// InvalidToken is AWS's error for an access key or session token it does not
// know, or one that is inactive, forged or altered.
func InvalidToken() error {
	return keyward.Errorf(keyward.ErrInvalidClientTokenID, "The security token included in the request is invalid.")
}

func convert(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &keyward.Error{Code: se.Code, Message: se.Message}
	}
	return err
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// CheckKey verifies a long-term access key pair given in clear (the
// console's sign-in form): the caller it belongs to when the key is active
// and secret is its secret, else InvalidClientTokenId, the same answer for
// an unknown key, an inactive one and a wrong secret. The comparison takes
// the same time whatever the secret. A successful check is the key's use
// by service (AWS records console sign-in as "signin").
func (a *Authenticator) CheckKey(ctx context.Context, accessKeyID, secret, service string) (*keyward.Caller, error) {
	if !strings.HasPrefix(accessKeyID, keyward.PrefixAccessKey) {
		return nil, InvalidToken()
	}
	ck, err := a.longTermKey(ctx, accessKeyID, service)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(ck.secret), []byte(secret)) != 1 {
		return nil, InvalidToken()
	}
	now := a.now()
	a.noteUse(ctx, accessKeyID, service, "", now)
	c := ck.caller
	c.AccessKeyID = accessKeyID
	c.RequestTime = now
	return &c, nil
}
