package sts

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseJWT: the JSON Web Token parser, and what reads the parsed
// token (session tags, signature checks), take any string without
// panicking, and a parsed token's signed part is the text it came from.
func FuzzParseJWT(f *testing.F) {
	k, ec := rsaKey(f), ecKey(f)
	f.Add(signJWT(f, k, "rsa1", map[string]any{"iss": "https://idp.example.com", "sub": "s", "aud": []string{"a", "b"}, "exp": 1e10,
		"https://aws.amazon.com/tags": map[string]any{"principal_tags": map[string][]string{"team": {"blue"}}, "transitive_tag_keys": []string{"team"}}}))
	f.Add(signJWTAlg(f, ec, "ES256", "ec1", map[string]any{"iss": "https://idp.example.com", "exp": "soon"}))
	f.Add("e30.e30.")
	f.Add("..")
	f.Add("a.b.c.d")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseJWT(s)
		if err != nil {
			return
		}
		if i := strings.LastIndexByte(s, '.'); tok.signed != s[:i] {
			t.Fatalf("parseJWT(%q).signed = %q, want %q", s, tok.signed, s[:i])
		}
		webIdentityTags(tok)
		verifySignature(tok, k.Public())
		verifySignature(tok, ec.Public())
	})
}

// FuzzAssumeRoleWithWebIdentity: no token but the one the provider signed
// gets credentials. A token that differs from it only in how its signature
// is spelled in base64 (padding, unused bits) carries the same signature
// over the same header and payload, so it may pass; nothing else may.
func FuzzAssumeRoleWithWebIdentity(f *testing.F) {
	w := newWebEnv(f)
	good := signJWT(f, w.rsa, "rsa1", w.claims(map[string]any{"exp": w.clock.Now().Unix() + 1e6}))
	if _, err := w.assume(good); err != nil {
		f.Fatalf("AssumeRoleWithWebIdentity(valid token) = %v", err)
	}
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add(signJWT(f, rsaKey(f), "rsa1", w.claims(nil)))
	f.Fuzz(func(t *testing.T, s string) {
		out, err := w.assume(s)
		if err != nil || s == good {
			return
		}
		gp, sp := strings.Split(good, "."), strings.Split(s, ".")
		sig, derr := base64.RawURLEncoding.DecodeString(strings.TrimRight(sp[2], "="))
		want, _ := base64.RawURLEncoding.DecodeString(gp[2])
		if len(sp) != 3 || sp[0] != gp[0] || sp[1] != gp[1] || derr != nil || !bytes.Equal(sig, want) {
			t.Fatalf("AssumeRoleWithWebIdentity(%q) = %+v, want an error: only the signed token may pass", s, out)
		}
	})
}
