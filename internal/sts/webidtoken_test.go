package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/outbound"
)

const testUUID = "0f8fad5b-d9cb-469f-a165-70867728950e"

// outboundEnv is an env whose account acct has enabled outbound
// federation (issuer stored in AWS's form) and whose Service signs tokens
// for the public URL https://keyward.example.
func outboundEnv(t *testing.T) *env {
	e := newEnv(t)
	e.svc.Secrets = e.kek
	e.svc.Outbound = outbound.NewIssuers("https://keyward.example/")
	e.update(func(tx keyward.Tx) error {
		a, err := tx.GetAccount(acct)
		if err != nil {
			return err
		}
		a.OutboundIssuer, a.OutboundEnabled = outbound.StoredIssuer(testUUID), true
		return tx.UpdateAccount(a)
	})
	return e
}

// verify checks tok's signature with the account's published keys (the
// JWKS the discovery handler serves at the env's clock: outbound.KeySet of
// the stored keys outbound.Published keeps) and returns its header and
// claims.
func (e *env) verify(tok string) (header map[string]string, claims map[string]any) {
	e.t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		e.t.Fatalf("token has %d parts, want 3: %q", len(parts), tok)
	}
	dec := func(s string, v any) {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			e.t.Fatalf("base64url(%q): %v", s, err)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				e.t.Fatalf("json(%s): %v", b, err)
			}
		}
	}
	dec(parts[0], &header)
	dec(parts[1], &claims)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		e.t.Fatal(err)
	}
	var keys []keyward.OutboundKey
	e.store.View(e.t.Context(), func(tx keyward.Tx) error {
		keys, err = tx.ListOutboundKeys(acct)
		return err
	})
	set, err := outbound.KeySet(outbound.Published(keys, e.clock.Now()))
	if err != nil {
		e.t.Fatal(err)
	}
	var jwk *outbound.JWK
	for i := range set.Keys {
		if set.Keys[i].Kid == header["kid"] {
			jwk = &set.Keys[i]
		}
	}
	if jwk == nil || jwk.Alg != header["alg"] {
		e.t.Fatalf("no published key of kid %q for alg %q in %+v", header["kid"], header["alg"], set)
	}
	input := []byte(parts[0] + "." + parts[1])
	n := func(s string) *big.Int {
		b, _ := base64.RawURLEncoding.DecodeString(s)
		return new(big.Int).SetBytes(b)
	}
	switch header["alg"] {
	case "RS256":
		pub := &rsa.PublicKey{N: n(jwk.N), E: int(n(jwk.E).Int64())}
		h := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
			e.t.Fatalf("RS256 signature: %v", err)
		}
	case "ES384":
		x, _ := base64.RawURLEncoding.DecodeString(jwk.X)
		y, _ := base64.RawURLEncoding.DecodeString(jwk.Y)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), append(append([]byte{4}, x...), y...))
		if err != nil {
			e.t.Fatalf("JWKS EC key: %v", err)
		}
		if len(sig) != 96 {
			e.t.Fatalf("ES384 signature is %d bytes, want 96 (R || S)", len(sig))
		}
		h := sha512.Sum384(input)
		if !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])) {
			e.t.Fatalf("ES384 signature does not verify")
		}
	default:
		e.t.Fatalf("alg %q", header["alg"])
	}
	return header, claims
}

func allowToken(cond string) string {
	if cond != "" {
		cond = `,"Condition":` + cond
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"` + cond + `}]}`
}

func TestGetWebIdentityToken_Claims(t *testing.T) {
	e := outboundEnv(t)
	alice := e.user(acct, "alice", allowToken(""))
	e.update(func(tx keyward.Tx) error {
		return tx.TagEntity(keyward.UserRef(acct, "alice"), []keyward.Tag{{Key: "team", Value: "blue"}})
	})
	for _, alg := range []string{"RS256", "ES384"} {
		t.Run(alg, func(t *testing.T) {
			out, err := e.svc.GetWebIdentityToken(t.Context(), alice, &GetWebIdentityTokenInput{Audience: []string{"https://api.example.com"}, SigningAlgorithm: alg})
			if err != nil {
				t.Fatalf("GetWebIdentityToken(%s) = %v", alg, err)
			}
			if want := start.Add(300 * time.Second); !out.Expiration.Equal(want) {
				t.Errorf("Expiration = %v, want %v (the 300-second default)", out.Expiration, want)
			}
			h, c := e.verify(out.WebIdentityToken)
			if h["alg"] != alg || h["typ"] != "JWT" {
				t.Errorf("header = %v, want alg %s, typ JWT", h, alg)
			}
			want := map[string]any{
				"iss": "https://keyward.example/keyward/outbound/" + testUUID,
				"aud": "https://api.example.com",
				"sub": alice.ARN,
				"iat": float64(start.Unix()),
				"exp": float64(start.Unix() + 300),
				"jti": c["jti"],
				"https://sts.amazonaws.com/": map[string]any{
					"aws_account": acct, "source_region": "us-east-1", "principal_id": alice.ARN,
					"principal_tags": map[string]any{"team": "blue"},
				},
			}
			if d := cmp.Diff(want, c); d != "" {
				t.Errorf("claims (-want +got):\n%s", d)
			}
			if jti, _ := c["jti"].(string); len(jti) != 36 {
				t.Errorf("jti = %v, want a UUID", c["jti"])
			}
		})
	}
	// Two audiences: aud is the list.
	out, err := e.svc.GetWebIdentityToken(t.Context(), alice, &GetWebIdentityTokenInput{Audience: []string{"a", "b"}, SigningAlgorithm: "RS256", DurationSeconds: 3600})
	if err != nil {
		t.Fatal(err)
	}
	_, c := e.verify(out.WebIdentityToken)
	if d := cmp.Diff([]any{"a", "b"}, c["aud"]); d != "" {
		t.Errorf("aud of two audiences (-want +got):\n%s", d)
	}
	if got := c["exp"].(float64) - c["iat"].(float64); got != 3600 {
		t.Errorf("exp - iat = %v, want 3600", got)
	}
	// One key per algorithm, made once.
	var keys []keyward.OutboundKey
	e.store.View(t.Context(), func(tx keyward.Tx) error {
		keys, err = tx.ListOutboundKeys(acct)
		return err
	})
	if len(keys) != 2 {
		t.Errorf("the account has %d keys after three tokens, want 2 (RS256, ES384)", len(keys))
	}
}

func TestGetWebIdentityToken_Refusals(t *testing.T) {
	e := outboundEnv(t)
	alice := e.user(acct, "alice", allowToken(""))
	bob := e.user(otherAcct, "bob", allowToken("")) // otherAcct never enabled it
	nobody := e.user(acct, "nobody")
	root := &keyward.Caller{Kind: keyward.CallerRoot, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	in := func(mod func(*GetWebIdentityTokenInput)) *GetWebIdentityTokenInput {
		i := &GetWebIdentityTokenInput{Audience: []string{"aud"}, SigningAlgorithm: "ES384"}
		if mod != nil {
			mod(i)
		}
		return i
	}
	tests := []struct {
		name   string
		caller *keyward.Caller
		in     *GetWebIdentityTokenInput
		want   string
	}{
		{"feature disabled", bob, in(nil), keyward.ErrOutboundWebIdentityFederationDisabledException},
		{"no permission", nobody, in(nil), keyward.ErrAccessDenied},
		{"root", root, in(nil), keyward.ErrAccessDenied},
		// Duration out of 60 to 3,600 and 0 or 11 audiences are the model's
		// (awsquery's TestBind_ModelCodes).
		{"duration 60", alice, in(func(i *GetWebIdentityTokenInput) { i.DurationSeconds = 60 }), ""},
		{"algorithm HS256", alice, in(func(i *GetWebIdentityTokenInput) { i.SigningAlgorithm = "HS256" }), keyward.ErrValidationError},
		// Tags need sts:TagGetWebIdentityToken too.
		{"tags without TagGetWebIdentityToken", alice, in(func(i *GetWebIdentityTokenInput) { i.Tags = []keyward.Tag{{Key: "k", Value: "v"}} }), keyward.ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.GetWebIdentityToken(t.Context(), tt.caller, tt.in)
			if code(err) != tt.want {
				t.Errorf("GetWebIdentityToken = %v, want code %q", err, tt.want)
			}
		})
	}
	// Disabled after enabling: refused again.
	e.update(func(tx keyward.Tx) error {
		a, _ := tx.GetAccount(acct)
		a.OutboundEnabled = false
		return tx.UpdateAccount(a)
	})
	if _, err := e.svc.GetWebIdentityToken(t.Context(), alice, in(nil)); code(err) != keyward.ErrOutboundWebIdentityFederationDisabledException {
		t.Errorf("GetWebIdentityToken after disabling = %v, want OutboundWebIdentityFederationDisabledException", err)
	}
}

// TestGetWebIdentityToken_Conditions: the policy of OpenAI's guide to
// workload identity federation from AWS (ForAllValues:StringEquals on
// sts:IdentityTokenAudience, NumericLessThanEquals on sts:DurationSeconds)
// allows its own audience for up to 300 seconds and nothing else.
func TestGetWebIdentityToken_Conditions(t *testing.T) {
	e := outboundEnv(t)
	w := e.user(acct, "workload", allowToken(`{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":"https://api.openai.com/v1"},"NumericLessThanEquals":{"sts:DurationSeconds":300}}`),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:TagGetWebIdentityToken","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/job":"nightly"}}},`+
			`{"Effect":"Deny","Action":"sts:GetWebIdentityToken","Resource":"*","Condition":{"StringNotEquals":{"sts:SigningAlgorithm":"ES384"}}}]}`)
	tests := []struct {
		name string
		in   GetWebIdentityTokenInput
		want string
	}{
		{"its audience, default duration", GetWebIdentityTokenInput{Audience: []string{"https://api.openai.com/v1"}}, ""},
		{"its audience, 300 seconds", GetWebIdentityTokenInput{Audience: []string{"https://api.openai.com/v1"}, DurationSeconds: 300}, ""},
		{"its audience, 301 seconds", GetWebIdentityTokenInput{Audience: []string{"https://api.openai.com/v1"}, DurationSeconds: 301}, keyward.ErrAccessDenied},
		{"another audience", GetWebIdentityTokenInput{Audience: []string{"https://evil.example"}}, keyward.ErrAccessDenied},
		{"its audience and another", GetWebIdentityTokenInput{Audience: []string{"https://api.openai.com/v1", "https://evil.example"}}, keyward.ErrAccessDenied},
		{"tag allowed", GetWebIdentityTokenInput{Audience: []string{"https://api.openai.com/v1"}, Tags: []keyward.Tag{{Key: "job", Value: "nightly"}}}, ""},
		{"tag not allowed", GetWebIdentityTokenInput{Audience: []string{"https://api.openai.com/v1"}, Tags: []keyward.Tag{{Key: "job", Value: "adhoc"}}}, keyward.ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.SigningAlgorithm = "ES384"
			out, err := e.svc.GetWebIdentityToken(t.Context(), w, &in)
			if code(err) != tt.want {
				t.Fatalf("GetWebIdentityToken = %v, want code %q", err, tt.want)
			}
			if err == nil && len(in.Tags) > 0 {
				_, c := e.verify(out.WebIdentityToken)
				ns := c["https://sts.amazonaws.com/"].(map[string]any)
				if d := cmp.Diff(map[string]any{"job": "nightly"}, ns["request_tags"]); d != "" {
					t.Errorf("request_tags (-want +got):\n%s", d)
				}
			}
		})
	}
	// sts:SigningAlgorithm: the explicit deny refuses RS256.
	_, err := e.svc.GetWebIdentityToken(t.Context(), w, &GetWebIdentityTokenInput{Audience: []string{"https://api.openai.com/v1"}, SigningAlgorithm: "RS256"})
	if code(err) != keyward.ErrAccessDenied || !strings.Contains(err.Error(), "explicit deny") {
		t.Errorf("GetWebIdentityToken(RS256) = %v, want AccessDenied by the explicit deny", err)
	}
}

// TestGetWebIdentityToken_RoleSession: a role session's token names the
// role (sub and principal_id), carries its session tags over the role's,
// and may not outlive the session.
func TestGetWebIdentityToken_RoleSession(t *testing.T) {
	e := outboundEnv(t)
	admin := e.user(acct, "admin", allowAssume)
	r := e.role(acct, "worker", trustDoc(`{"AWS":"`+admin.ARN+`"}`), 0, allowToken(""))
	e.update(func(tx keyward.Tx) error {
		return tx.TagEntity(keyward.RoleRef(acct, "worker"), []keyward.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "red"}})
	})
	ar, err := e.svc.AssumeRole(t.Context(), admin, &AssumeRoleInput{RoleArn: r.ARN, RoleSessionName: "s", DurationSeconds: 900,
		Tags: []keyward.Tag{{Key: "team", Value: "blue"}}})
	if err != nil {
		t.Fatal(err)
	}
	sess := e.open(ar.Credentials)
	out, err := e.svc.GetWebIdentityToken(t.Context(), sess, &GetWebIdentityTokenInput{Audience: []string{"x"}, SigningAlgorithm: "RS256", DurationSeconds: 900})
	if err != nil {
		t.Fatalf("GetWebIdentityToken(900 s of a 900 s session) = %v", err)
	}
	_, c := e.verify(out.WebIdentityToken)
	ns := c["https://sts.amazonaws.com/"].(map[string]any)
	if c["sub"] != r.ARN || ns["principal_id"] != r.ARN {
		t.Errorf("sub, principal_id = %v, %v, want the role's ARN %s", c["sub"], ns["principal_id"], r.ARN)
	}
	if d := cmp.Diff(map[string]any{"env": "prod", "team": "blue"}, ns["principal_tags"]); d != "" {
		t.Errorf("principal_tags (-want +got):\n%s", d)
	}
	e.clock.Advance(time.Minute)
	sess.RequestTime = e.clock.Now()
	_, err = e.svc.GetWebIdentityToken(t.Context(), sess, &GetWebIdentityTokenInput{Audience: []string{"x"}, SigningAlgorithm: "RS256", DurationSeconds: 900})
	if code(err) != keyward.ErrSessionDurationEscalationException {
		t.Errorf("GetWebIdentityToken past the session's end = %v, want SessionDurationEscalationException", err)
	}
}

// TestWebIdentityTokenMaxDuration_KeyRetention: a retired key stays
// published for outbound.Retention, which must cover the longest token
// (outbound.MaxTokenLifetime is this package's largest DurationSeconds).
func TestWebIdentityTokenMaxDuration_KeyRetention(t *testing.T) {
	if got, want := outbound.MaxTokenLifetime, WebIdentityTokenMaxDuration*time.Second; got != want {
		t.Errorf("outbound.MaxTokenLifetime = %v, want WebIdentityTokenMaxDuration, %v", got, want)
	}
	if outbound.Retention < outbound.MaxTokenLifetime {
		t.Errorf("outbound.Retention = %v, shorter than a token's longest life %v", outbound.Retention, outbound.MaxTokenLifetime)
	}
}

// TestGetWebIdentityToken_Rotation moves the service's clock through a key's
// life: it signs for outbound.RotationPeriod; the next call makes and signs
// with a new key (the token's kid is the newest key, the only one of its
// algorithm still signing); tokens of the old key still verify against the
// published keys until outbound.Retention after the rotation, when the old
// key leaves the JWKS and, at the next call, the store.
func TestGetWebIdentityToken_Rotation(t *testing.T) {
	e := outboundEnv(t)
	alice := e.user(acct, "alice", allowToken(""))
	token := func(alg string) (tok, kid string) {
		t.Helper()
		alice.RequestTime = e.clock.Now()
		out, err := e.svc.GetWebIdentityToken(t.Context(), alice, &GetWebIdentityTokenInput{Audience: []string{"x"}, SigningAlgorithm: alg, DurationSeconds: 3600})
		if err != nil {
			t.Fatalf("GetWebIdentityToken(%s) at %v = %v", alg, e.clock.Now(), err)
		}
		h, _ := e.verify(out.WebIdentityToken)
		return out.WebIdentityToken, h["kid"]
	}
	stored := func() []keyward.OutboundKey {
		t.Helper()
		var keys []keyward.OutboundKey
		if err := e.store.View(t.Context(), func(tx keyward.Tx) (err error) {
			keys, err = tx.ListOutboundKeys(acct)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return keys
	}
	published := func(kid string) bool {
		for _, k := range outbound.Published(stored(), e.clock.Now()) {
			if k.KeyID == kid {
				return true
			}
		}
		return false
	}
	// signing is the one key of alg that is not retired: the newest, and
	// no other younger than the rotation period.
	signing := func(alg string) string {
		t.Helper()
		keys := stored()
		newest, _ := outbound.Find(keys, alg)
		n := 0
		for _, k := range keys {
			if k.Algorithm == alg && e.clock.Now().Sub(k.CreateDate) < outbound.RotationPeriod {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d %s keys younger than the rotation period, want 1 signing key", n, alg)
		}
		return newest.KeyID
	}

	tokRSA, oldRSA := token("RS256")
	tokEC, oldEC := token("ES384")
	e.clock.Advance(outbound.RotationPeriod - time.Second)
	if _, kid := token("RS256"); kid != oldRSA {
		t.Fatalf("a second before the rotation period, kid = %s, want the first key %s", kid, oldRSA)
	}
	if n := len(stored()); n != 2 {
		t.Fatalf("%d keys before the rotation period, want 2", n)
	}

	e.clock.Advance(time.Second)
	tokRSA2, newRSA := token("RS256")
	if newRSA == oldRSA {
		t.Fatalf("after the rotation period, kid = %s, the old key's; want a new key", newRSA)
	}
	if got := signing("RS256"); got != newRSA {
		t.Errorf("the token's kid is %s, the newest RS256 key is %s", newRSA, got)
	}
	// The ES384 key was made with the RS256 one and rotated with it.
	_, newEC := token("ES384")
	if newEC == oldEC || signing("ES384") != newEC {
		t.Errorf("ES384 kid after rotation = %s (old %s), newest %s: want a new key, the newest", newEC, oldEC, signing("ES384"))
	}
	for range 3 {
		if _, kid := token("RS256"); kid != newRSA {
			t.Errorf("another token after rotation has kid %s, want %s", kid, newRSA)
		}
	}
	if n := len(stored()); n != 4 {
		t.Errorf("%d keys after one rotation, want 4 (old and new of each algorithm)", n)
	}
	// Old tokens (3600 s, signed just before the old keys retired) verify
	// against the published keys through the retention window.
	e.clock.Advance(outbound.Retention - time.Second)
	e.verify(tokRSA)
	e.verify(tokEC)
	e.verify(tokRSA2)
	if !published(oldRSA) || !published(oldEC) {
		t.Errorf("old keys unpublished before Retention passed")
	}

	e.clock.Advance(time.Second)
	if published(oldRSA) || published(oldEC) {
		t.Errorf("old keys %s, %s still published Retention after the rotation", oldRSA, oldEC)
	}
	if !published(newRSA) || !published(newEC) {
		t.Errorf("new keys unpublished")
	}
	if n := len(stored()); n != 4 {
		t.Errorf("%d keys stored before the next call, want 4 (deleting waits for a call)", n)
	}
	if _, kid := token("RS256"); kid != newRSA {
		t.Errorf("kid = %s, want %s", kid, newRSA)
	}
	var kids []string
	for _, k := range stored() {
		kids = append(kids, k.KeyID)
	}
	slices.Sort(kids)
	want := []string{newRSA, newEC}
	slices.Sort(want)
	if !slices.Equal(kids, want) {
		t.Errorf("stored kids after the next call = %v, want the 2 new keys only %v", kids, want)
	}
}
