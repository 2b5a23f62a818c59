package authn_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authn"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/sqlite"
	"github.com/keyward/keyward/sigv4"
)

const acct = "111122223333"

type env struct {
	store keyward.Store
	key   *seal.Key
	a     *authn.Authenticator
	gen   atomic.Uint64
	now   time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, _ := seal.NewKey(seal.GenerateKey())
	e := &env{store: st, key: key, now: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)}
	e.a = &authn.Authenticator{Store: st, Key: key, Clock: func() time.Time { return e.now }, Generation: e.gen.Load}
	err = st.Update(context.Background(), func(tx keyward.Tx) error {
		if err := tx.CreateAccount(keyward.Account{ID: acct}); err != nil {
			return err
		}
		if err := tx.CreateUser(keyward.User{AccountID: acct, ID: "AIDAALICE000000000001", Name: "alice", Path: "/", ARN: "arn:aws:iam::" + acct + ":user/alice"}); err != nil {
			return err
		}
		for _, k := range []struct{ id, user, secret string }{
			{"AKIAROOT000000000001", "", "root-secret"},
			{"AKIAALICE00000000001", "alice", "alice-secret"},
			{"AKIAALICE00000000002", "alice", "alice-second"},
		} {
			if err := tx.CreateAccessKey(keyward.AccessKey{AccountID: acct, UserName: k.user, AccessKeyID: k.id, Status: keyward.StatusActive,
				SecretCiphertext: key.Seal([]byte(k.secret), authn.AccessKeyAD(k.id))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) request(t *testing.T, id, secret string) *http.Request {
	t.Helper()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	r, _ := http.NewRequest("POST", "http://127.0.0.1:4599/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = "192.0.2.7:5555"
	if err := sigv4.Sign(r, []byte(body), sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret}, "us-east-1", "sts", e.now); err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) verify(t *testing.T, id, secret string) (*keyward.Caller, error) {
	t.Helper()
	return e.a.Verify(e.request(t, id, secret), []byte("Action=GetCallerIdentity&Version=2011-06-15"), "sts")
}

func TestVerify(t *testing.T) {
	e := newEnv(t)
	c, err := e.verify(t, "AKIAROOT000000000001", "root-secret")
	if err != nil || c.Kind != keyward.CallerRoot || c.ARN != "arn:aws:iam::"+acct+":root" || c.UserID != acct {
		t.Errorf("Verify(root) = %+v, %v", c, err)
	}
	c, err = e.verify(t, "AKIAALICE00000000001", "alice-secret")
	if err != nil || c.Kind != keyward.CallerUser || c.UserName != "alice" || c.UserID != "AIDAALICE000000000001" ||
		c.SourceIP != "192.0.2.7" || c.SecureTransport || !c.RequestTime.Equal(e.now) || c.AccessKeyID != "AKIAALICE00000000001" {
		t.Errorf("Verify(alice) = %+v, %v", c, err)
	}
	tests := []struct {
		name, id, secret, code string
	}{
		{"unknown key", "AKIANOBODY0000000001", "x", keyward.ErrInvalidClientTokenID},
		{"wrong secret", "AKIAALICE00000000001", "alice-second", keyward.ErrSignatureDoesNotMatch},
		{"temporary key without sessions", "ASIAALICE00000000001", "x", keyward.ErrInvalidClientTokenID},
	}
	for _, tt := range tests {
		if _, err := e.verify(t, tt.id, tt.secret); keyward.ErrorCode(err) != tt.code {
			t.Errorf("Verify(%s) = %v, want %s", tt.name, err, tt.code)
		}
	}
	// No signature at all.
	r, _ := http.NewRequest("POST", "http://127.0.0.1:4599/", strings.NewReader(""))
	if _, err := e.a.Verify(r, nil, "sts"); keyward.ErrorCode(err) != "MissingAuthenticationToken" {
		t.Errorf("Verify(unsigned) = %v, want MissingAuthenticationToken", err)
	}
	// A request scoped to another service.
	if _, err := e.a.Verify(e.request(t, "AKIAALICE00000000001", "alice-secret"), []byte("Action=GetCallerIdentity&Version=2011-06-15"), "iam"); keyward.ErrorCode(err) != keyward.ErrSignatureDoesNotMatch {
		t.Errorf("Verify(sts-scoped request as iam) = %v, want SignatureDoesNotMatch", err)
	}
}

func TestVerify_KeyChangesAfterInvalidate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.verify(t, "AKIAALICE00000000001", "alice-secret"); err != nil {
		t.Fatal(err)
	}
	e.store.Update(ctx, func(tx keyward.Tx) error {
		return tx.SetAccessKeyStatus("AKIAALICE00000000001", keyward.StatusInactive)
	})
	if _, err := e.verify(t, "AKIAALICE00000000001", "alice-secret"); err != nil {
		t.Errorf("the cached key still verifies until the generation changes: %v", err)
	}
	e.gen.Add(1)
	if _, err := e.verify(t, "AKIAALICE00000000001", "alice-secret"); keyward.ErrorCode(err) != keyward.ErrInvalidClientTokenID {
		t.Errorf("Verify with an inactive key = %v, want InvalidClientTokenId", err)
	}
}

func TestVerify_LastUsed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.verify(t, "AKIAALICE00000000001", "alice-secret"); err != nil {
		t.Fatal(err)
	}
	var k keyward.AccessKey
	e.store.View(ctx, func(tx keyward.Tx) error { k, _ = tx.GetAccessKey("AKIAALICE00000000001"); return nil })
	if !k.LastUsedDate.Equal(e.now) || k.LastUsedService != "sts" || k.LastUsedRegion != "us-east-1" {
		t.Errorf("last used = %v %q %q, want %v sts us-east-1", k.LastUsedDate, k.LastUsedService, k.LastUsedRegion, e.now)
	}
}

// TestVerify_SwappedCiphertexts: a sealed secret moved to another key's row
// does not open, so neither key authenticates.
func TestVerify_SwappedCiphertexts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	err := e.store.Update(ctx, func(tx keyward.Tx) error {
		a, _ := tx.GetAccessKey("AKIAALICE00000000001")
		b, _ := tx.GetAccessKey("AKIAALICE00000000002")
		for _, id := range []string{a.AccessKeyID, b.AccessKeyID} {
			if err := tx.DeleteAccessKey(id); err != nil {
				return err
			}
		}
		a.SecretCiphertext, b.SecretCiphertext = b.SecretCiphertext, a.SecretCiphertext
		if err := tx.CreateAccessKey(a); err != nil {
			return err
		}
		return tx.CreateAccessKey(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range [][2]string{{"AKIAALICE00000000001", "alice-secret"}, {"AKIAALICE00000000002", "alice-second"}, {"AKIAALICE00000000001", "alice-second"}} {
		if _, err := e.verify(t, k[0], k[1]); err == nil {
			t.Errorf("Verify(%s) with a swapped ciphertext succeeded", k[0])
		}
	}
}
