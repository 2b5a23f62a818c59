package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/outbound"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/internal/sqlite"
)

// movableClock is the clock of a server whose IAM, STS and discovery
// documents tests move a month on; authentication keeps the real time,
// which the SDK signs with.
type movableClock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.d)
}

func (c *movableClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.d += d
	c.mu.Unlock()
}

// startClockedServer runs the whole server in this process on
// 127.0.0.1:0 (httptest), over an in-memory SQLite store, with clock as its
// IAM's and STS's time: keyward serve has no way to move time, by design.
func startClockedServer(t *testing.T, clock *movableClock) (*Server, keyward.Store) {
	t.Helper()
	cx := context.Background()
	st, err := sqlite.Open(cx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	kek, err := seal.NewKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Account: testAccount, Root: Creds{ID: "AKIAROOTROOTROOT1234", Secret: "root/secret/for/tests/0123456789abcdefghij"}, Log: &strings.Builder{}}
	if _, _, err := server.Bootstrap(cx, st, kek, s.Account, s.Root.ID, s.Root.Secret); err != nil {
		t.Fatal(err)
	}
	issuers := outbound.NewIssuers("")
	srv, err := server.New(cx, server.Config{Store: st, KEK: kek, AccountID: s.Account, RootKeyID: s.Root.ID, RootSecret: s.Root.Secret,
		Outbound: issuers, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	issuers.SetBase(hs.URL)
	s.URL = hs.URL
	return s, st
}

// TestGetWebIdentityToken_KeyRotation plays a verifier that trusts the
// account's issuer across a key rotation, with go-jose picking the key by
// the token's kid from the JWKS it fetched: a token signed shortly before
// the keys are 30 days old verifies after the rotation; the first token
// after it carries a new kid, the newest key in the store, which every
// later token carries too; the old kid stays in jwks.json until
// outbound.Retention after the rotation, then leaves it (and the store at
// the next GetWebIdentityToken).
func TestGetWebIdentityToken_KeyRotation(t *testing.T) {
	clock := &movableClock{}
	s, st := startClockedServer(t, clock)
	cx := ctx(t)
	const aud = "https://api.example.com"
	user := s.userWithKey(t, "workload", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}`)
	en, err := s.IAM(s.Root).EnableOutboundWebIdentityFederation(cx, &iam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	jwks := func() (set jose.JSONWebKeySet, kids []string) {
		t.Helper()
		resp, err := http.Get(issuer + "/.well-known/jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || json.Unmarshal(body, &set) != nil {
			t.Fatalf("GET jwks.json = %d %s", resp.StatusCode, body)
		}
		for _, k := range set.Keys {
			kids = append(kids, k.KeyID)
		}
		return set, kids
	}
	token := func(alg jose.SignatureAlgorithm) (tok, kid string) {
		t.Helper()
		out, err := s.STS(user).GetWebIdentityToken(cx, &sts.GetWebIdentityTokenInput{Audience: []string{aud},
			SigningAlgorithm: aws.String(string(alg)), DurationSeconds: aws.Int32(3600)})
		if err != nil {
			t.Fatalf("GetWebIdentityToken(%s) = %v", alg, err)
		}
		tok = aws.ToString(out.WebIdentityToken)
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{alg})
		if err != nil {
			t.Fatalf("jwt.ParseSigned: %v", err)
		}
		return tok, parsed.Headers[0].KeyID
	}
	// verify checks tok as the outside service does, with the JWKS it
	// fetches now and the server's time.
	verify := func(tok string, alg jose.SignatureAlgorithm) error {
		t.Helper()
		set, _ := jwks()
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{alg})
		if err != nil {
			t.Fatalf("jwt.ParseSigned: %v", err)
		}
		var claims jwt.Claims
		if err := parsed.Claims(set, &claims); err != nil {
			return err
		}
		return claims.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{aud}, Time: clock.Now()}, 0)
	}
	newest := func(alg string) string {
		t.Helper()
		var k keyward.OutboundKey
		if err := st.View(cx, func(tx keyward.Tx) error {
			keys, err := tx.ListOutboundKeys(s.Account)
			k, _ = outbound.Find(keys, alg)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return k.KeyID
	}
	stored := func() int {
		t.Helper()
		var n int
		if err := st.View(cx, func(tx keyward.Tx) error {
			keys, err := tx.ListOutboundKeys(s.Account)
			n = len(keys)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}

	_, first := jwks()
	if len(first) != 2 {
		t.Fatalf("jwks.json after Enable lists %v, want 2 keys", first)
	}
	// Ten minutes before the keys are 30 days old: still the first keys.
	clock.Advance(outbound.RotationPeriod - 10*time.Minute)
	oldRSA, oldRSAKid := token(jose.RS256)
	oldEC, oldECKid := token(jose.ES384)
	if !slices.Contains(first, oldRSAKid) || !slices.Contains(first, oldECKid) {
		t.Fatalf("kids before the rotation period = %s, %s, want Enable's %v", oldRSAKid, oldECKid, first)
	}

	clock.Advance(10 * time.Minute)
	rotated := clock.Now()
	newRSA, newRSAKid := token(jose.RS256)
	newEC, newECKid := token(jose.ES384)
	if slices.Contains(first, newRSAKid) || slices.Contains(first, newECKid) {
		t.Fatalf("kids after the rotation period = %s, %s: want new keys, not %v", newRSAKid, newECKid, first)
	}
	if newRSAKid != newest(outbound.RS256) || newECKid != newest(outbound.ES384) {
		t.Errorf("kids %s, %s; newest keys in the store %s, %s", newRSAKid, newECKid, newest(outbound.RS256), newest(outbound.ES384))
	}
	for range 3 {
		if _, kid := token(jose.RS256); kid != newRSAKid {
			t.Errorf("a later token's kid = %s, want %s: one key signs", kid, newRSAKid)
		}
	}
	if _, kids := jwks(); len(kids) != 4 || !slices.Contains(kids, newRSAKid) || !slices.Contains(kids, oldRSAKid) {
		t.Errorf("jwks.json after the rotation lists %v, want the 2 old keys and the 2 new", kids)
	}
	for name, tok := range map[string]string{"old RS256": oldRSA, "new RS256": newRSA} {
		if err := verify(tok, jose.RS256); err != nil {
			t.Errorf("%s token after the rotation: %v", name, err)
		}
	}
	for name, tok := range map[string]string{"old ES384": oldEC, "new ES384": newEC} {
		if err := verify(tok, jose.ES384); err != nil {
			t.Errorf("%s token after the rotation: %v", name, err)
		}
	}

	// The old tokens' last second: still listed.
	clock.Advance(rotated.Add(outbound.Retention - time.Second).Sub(clock.Now()))
	if _, kids := jwks(); !slices.Contains(kids, oldRSAKid) || !slices.Contains(kids, oldECKid) {
		t.Errorf("jwks.json a second before Retention lists %v, want the old keys %s, %s too", kids, oldRSAKid, oldECKid)
	}
	clock.Advance(2 * time.Second)
	_, kids := jwks()
	if slices.Contains(kids, oldRSAKid) || slices.Contains(kids, oldECKid) || len(kids) != 2 {
		t.Errorf("jwks.json after Retention lists %v, want only the new keys %s, %s", kids, newRSAKid, newECKid)
	}
	if err := verify(oldRSA, jose.RS256); err == nil || !strings.Contains(err.Error(), "matching kid not found") {
		t.Errorf("old RS256 token after Retention: %v, want no key to verify it", err)
	}
	if n := stored(); n != 4 {
		t.Errorf("%d keys stored before the next call, want 4: the discovery endpoints write nothing", n)
	}
	if _, kid := token(jose.ES384); kid != newECKid {
		t.Errorf("kid = %s, want %s", kid, newECKid)
	}
	if n := stored(); n != 2 {
		t.Errorf("%d keys stored after the next call, want the 2 new ones", n)
	}
}
