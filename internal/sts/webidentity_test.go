package sts

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// oidcProvider is an OpenID Connect provider on 127.0.0.1: discovery and a
// key set the test can change, and a signer of tokens.
type oidcProvider struct {
	srv     *httptest.Server
	mu      sync.Mutex
	keys    map[string]crypto.Signer // kid -> private key, published
	fetches int
}

func newOIDCProvider(t testing.TB) *oidcProvider {
	p := &oidcProvider{keys: make(map[string]crypto.Signer)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.fetches++
		var keys []map[string]string
		b64 := base64.RawURLEncoding.EncodeToString
		for kid, k := range p.keys {
			switch pub := k.Public().(type) {
			case *rsa.PublicKey:
				keys = append(keys, map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
					"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())})
			case *ecdsa.PublicKey:
				raw, _ := pub.Bytes()
				keys = append(keys, map[string]string{"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
					"x": b64(raw[1:33]), "y": b64(raw[33:])})
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *oidcProvider) publish(kid string, k crypto.Signer) {
	p.mu.Lock()
	p.keys[kid] = k
	p.mu.Unlock()
}

func (p *oidcProvider) unpublish(kid string) {
	p.mu.Lock()
	delete(p.keys, kid)
	p.mu.Unlock()
}

func (p *oidcProvider) fetchCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetches
}

func rsaKey(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signJWT signs claims with k (RS256 for RSA, ES256 for ECDSA) under kid.
func signJWT(t testing.TB, k crypto.Signer, kid string, claims map[string]any) string {
	alg := "RS256"
	if _, ok := k.(*ecdsa.PrivateKey); ok {
		alg = "ES256"
	}
	return signJWTAlg(t, k, alg, kid, claims)
}

func signJWTAlg(t testing.TB, k crypto.Signer, alg, kid string, claims map[string]any) string {
	b64 := base64.RawURLEncoding.EncodeToString
	hdr, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
	body, _ := json.Marshal(claims)
	signed := b64(hdr) + "." + b64(body)
	h := sha256.Sum256([]byte(signed))
	var sig []byte
	switch k := k.(type) {
	case *rsa.PrivateKey:
		s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = s
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return signed + "." + b64(sig)
}

type webEnv struct {
	*env
	idp     *oidcProvider
	name    string // the provider's name: host:port
	provARN string
	roleARN string
	rsa     *rsa.PrivateKey
	ec      *ecdsa.PrivateKey
}

func newWebEnv(t testing.TB) *webEnv {
	e := newEnv(t)
	idp := newOIDCProvider(t)
	w := &webEnv{env: e, idp: idp, name: strings.TrimPrefix(idp.srv.URL, "http://"), rsa: rsaKey(t), ec: ecKey(t)}
	w.provARN = "arn:aws:iam::" + acct + ":oidc-provider/" + w.name
	idp.publish("rsa1", w.rsa)
	idp.publish("ec1", w.ec)
	e.update(func(tx keyward.Tx) error {
		return tx.CreateOIDCProvider(keyward.OIDCProvider{AccountID: acct, ARN: w.provARN, URL: idp.srv.URL, ClientIDs: []string{"sts.amazonaws.com", "my-app"}, CreateDate: start})
	})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + w.provARN + `"},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],` +
		`"Condition":{"StringEquals":{"` + w.name + `:aud":"my-app"},"StringLike":{"` + w.name + `:sub":"repo:acme/*"}}}]}`
	w.roleARN = e.role(acct, "ci", trust, 7200, allowAll).ARN
	return w
}

func (w *webEnv) claims(mod map[string]any) map[string]any {
	now := w.clock.Now().Unix()
	c := map[string]any{"iss": w.idp.srv.URL, "sub": "repo:acme/widgets", "aud": "my-app", "iat": now, "nbf": now, "exp": now + 300}
	for k, v := range mod {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func (w *webEnv) assume(tok string) (*AssumeRoleWithWebIdentityOutput, error) {
	return w.svc.AssumeRoleWithWebIdentity(context.Background(), nil, &AssumeRoleWithWebIdentityInput{RoleArn: w.roleARN, RoleSessionName: "ci-run", WebIdentityToken: tok})
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	w := newWebEnv(t)
	other := rsaKey(t)
	now := w.clock.Now().Unix()
	tests := []struct {
		name string
		tok  string
		code string
	}{
		{"RS256", signJWT(t, w.rsa, "rsa1", w.claims(nil)), ""},
		{"ES256", signJWT(t, w.ec, "ec1", w.claims(nil)), ""},
		{"audience list", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"aud": []string{"other", "my-app"}})), ""},
		{"wrong audience", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"aud": "someone-else"})), ErrInvalidIdentityToken},
		{"client id the trust policy does not accept", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"aud": "sts.amazonaws.com"})), keyward.ErrAccessDenied},
		{"subject the trust policy refuses", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"sub": "repo:evil/widgets"})), keyward.ErrAccessDenied},
		{"expired beyond skew", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"exp": now - 301, "iat": now - 900, "nbf": now - 900})), ErrExpiredTokenException},
		{"expired within skew", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"exp": now - 299, "iat": now - 900, "nbf": now - 900})), ""},
		{"no exp", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"exp": nil})), ErrInvalidIdentityToken},
		{"not yet valid", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"nbf": now + 301})), ErrInvalidIdentityToken},
		{"issued in the future", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"iat": now + 301})), ErrInvalidIdentityToken},
		{"wrong signer", signJWT(t, other, "rsa1", w.claims(nil)), ErrInvalidIdentityToken},
		{"RSA key named for an EC token", signJWTAlg(t, w.ec, "ES256", "rsa1", w.claims(nil)), ErrInvalidIdentityToken},
		{"unknown kid", signJWT(t, w.rsa, "nope", w.claims(nil)), ErrInvalidIdentityToken},
		{"alg none", strings.Join(strings.Split(signJWT(t, w.rsa, "rsa1", w.claims(nil)), ".")[:2], ".") + ".", ErrInvalidIdentityToken},
		{"RS512", signJWTAlg(t, w.rsa, "RS512", "rsa1", w.claims(nil)), ErrInvalidIdentityToken},
		{"issuer not a provider of the account", signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"iss": "https://accounts.example.com"})), ErrInvalidIdentityToken},
		{"not a JWT", "abcd.efgh", ErrInvalidIdentityToken},
		{"garbage", strings.Repeat("x", 100), ErrInvalidIdentityToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := w.assume(tt.tok)
			if code(err) != tt.code {
				t.Fatalf("AssumeRoleWithWebIdentity(%s) = %v, want code %q", tt.name, err, tt.code)
			}
			if err != nil {
				return
			}
			if out.SubjectFromWebIdentityToken != "repo:acme/widgets" || out.Audience != "my-app" || out.Provider != w.name {
				t.Errorf("AssumeRoleWithWebIdentity() = subject %q audience %q provider %q, want repo:acme/widgets, my-app, %s",
					out.SubjectFromWebIdentityToken, out.Audience, out.Provider, w.name)
			}
			if got, want := out.AssumedRoleUser.Arn, "arn:aws:sts::"+acct+":assumed-role/ci/ci-run"; got != want {
				t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, want)
			}
			sess := w.open(out.Credentials)
			if err := w.authz.Authorize(context.Background(), sess, "iam:ListUsers", "*", nil); err != nil {
				t.Errorf("Authorize(web identity session) = %v", err)
			}
		})
	}
}

func TestAssumeRoleWithWebIdentity_ProviderKeyRotation(t *testing.T) {
	w := newWebEnv(t)
	w.svc.JWKSRefetch = time.Minute
	if _, err := w.assume(signJWT(t, w.rsa, "rsa1", w.claims(nil))); err != nil {
		t.Fatal(err)
	}
	fetches := w.idp.fetchCount()
	// The provider rotates: a new key, the old one withdrawn.
	k2 := ecKey(t)
	w.idp.publish("ec2", k2)
	w.idp.unpublish("rsa1")
	// Within the refetch interval an unknown kid does not fetch again.
	if _, err := w.assume(signJWT(t, k2, "ec2", w.claims(nil))); code(err) != ErrInvalidIdentityToken {
		t.Errorf("AssumeRoleWithWebIdentity(new kid within refetch interval) = %v, want InvalidIdentityToken", err)
	}
	if got := w.idp.fetchCount(); got != fetches {
		t.Errorf("key set fetched %d times, want %d (rate-limited)", got, fetches)
	}
	w.clock.Advance(time.Minute)
	if _, err := w.assume(signJWT(t, k2, "ec2", w.claims(nil))); err != nil {
		t.Errorf("AssumeRoleWithWebIdentity(new kid after refetch interval) = %v", err)
	}
	if got := w.idp.fetchCount(); got != fetches+1 {
		t.Errorf("key set fetched %d times, want %d", got, fetches+1)
	}
	// A known kid is served from the cache.
	if _, err := w.assume(signJWT(t, k2, "ec2", w.claims(nil))); err != nil {
		t.Fatal(err)
	}
	if got := w.idp.fetchCount(); got != fetches+1 {
		t.Errorf("key set fetched %d times for a cached kid, want %d", got, fetches+1)
	}
	// The withdrawn key no longer verifies once the cache is refreshed.
	w.clock.Advance(time.Hour)
	if _, err := w.assume(signJWT(t, w.rsa, "rsa1", w.claims(nil))); code(err) != ErrInvalidIdentityToken {
		t.Errorf("AssumeRoleWithWebIdentity(withdrawn key) = %v, want InvalidIdentityToken", err)
	}
}

func TestAssumeRoleWithWebIdentity_ProviderDown(t *testing.T) {
	w := newWebEnv(t)
	if _, err := w.assume(signJWT(t, w.rsa, "rsa1", w.claims(nil))); err != nil {
		t.Fatal(err)
	}
	w.idp.srv.Close()
	// Past the cache's lifetime, keys already fetched keep working...
	w.clock.Advance(2 * time.Hour)
	if _, err := w.assume(signJWT(t, w.rsa, "rsa1", w.claims(nil))); err != nil {
		t.Errorf("AssumeRoleWithWebIdentity(provider down, key cached) = %v", err)
	}
	// ...but a key never seen cannot be fetched.
	if _, err := w.assume(signJWT(t, w.ec, "ec-new", w.claims(nil))); code(err) != ErrIDPCommunicationError {
		t.Errorf("AssumeRoleWithWebIdentity(provider down, new kid) = %v, want IDPCommunicationError", err)
	}
	// A provider never reached at all.
	fresh := newWebEnv(t)
	fresh.idp.srv.Close()
	if _, err := fresh.assume(signJWT(t, fresh.rsa, "rsa1", fresh.claims(nil))); code(err) != ErrIDPCommunicationError {
		t.Errorf("AssumeRoleWithWebIdentity(provider down) = %v, want IDPCommunicationError", err)
	}
}

func TestAssumeRoleWithWebIdentity_SessionTagsAndDuration(t *testing.T) {
	w := newWebEnv(t)
	tok := signJWT(t, w.rsa, "rsa1", w.claims(map[string]any{"https://aws.amazon.com/tags": map[string]any{
		"principal_tags": map[string][]string{"team": {"blue"}, "env": {"prod"}}, "transitive_tag_keys": []string{"team"}}}))
	out, err := w.assume(tok)
	if err != nil {
		t.Fatal(err)
	}
	sess := w.open(out.Credentials)
	if got := len(sess.SessionTags); got != 2 || sess.TransitiveTagKeys[0] != "team" {
		t.Errorf("session tags %v, transitive %v; want env and team, [team]", sess.SessionTags, sess.TransitiveTagKeys)
	}
	for _, tt := range []struct {
		d    int
		code string
	}{{900, ""}, {7200, ""}, {7201, keyward.ErrValidationError}} {
		_, err := w.svc.AssumeRoleWithWebIdentity(context.Background(), nil, &AssumeRoleWithWebIdentityInput{RoleArn: w.roleARN, RoleSessionName: "ci-run", WebIdentityToken: signJWT(t, w.rsa, "rsa1", w.claims(nil)), DurationSeconds: tt.d})
		if code(err) != tt.code {
			t.Errorf("AssumeRoleWithWebIdentity(DurationSeconds %d) = %v, want code %q", tt.d, err, tt.code)
		}
	}
}

func TestIssuerURL(t *testing.T) {
	for _, tt := range []struct {
		iss string
		ok  bool
	}{
		{"https://token.actions.githubusercontent.com", true},
		{"https://accounts.google.com/", true},
		{"http://127.0.0.1:8080", true},
		{"http://localhost:1234/realms/x", true},
		{"http://[::1]:99", true},
		{"http://example.com", false},
		{"http://10.0.0.1", false},
		{"ftp://127.0.0.1", false},
		{"https://user:pw@example.com", false},
		{"not a url", false},
	} {
		_, err := issuerURL(tt.iss)
		if (err == nil) != tt.ok {
			t.Errorf("issuerURL(%q) = %v, want ok %v", tt.iss, err, tt.ok)
		}
	}
}
