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
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// TestThumbprint_RFC7638: the kid is the RFC 7638 thumbprint; the RFC's
// own example key (section 3.1) and its published thumbprint.
func TestThumbprint_RFC7638(t *testing.T) {
	k := JWK{Kty: "RSA", E: "AQAB", Alg: "RS256", Kid: "2011-04-29",
		N: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}
	if got, want := thumbprint(k), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint = %s, want RFC 7638's %s", got, want)
	}
}

// plainSealer seals nothing: the tests here check signing, not sealing
// (internal/seal has its own tests).
type plainSealer struct{}

func (plainSealer) Seal(b, ad []byte) []byte          { return append([]byte(nil), b...) }
func (plainSealer) Open(b, ad []byte) ([]byte, error) { return append([]byte(nil), b...), nil }

// TestSign_Verifies: a token of each algorithm verifies with the key the
// JWKS publishes, with the standard library's verifiers (RS256: PKCS#1
// v1.5 SHA-256; ES384: R || S of 48 bytes each over SHA-384), and its
// header names the key.
func TestSign_Verifies(t *testing.T) {
	for _, alg := range []string{RS256, ES384} {
		k, err := newKey(plainSealer{}, "111122223333", alg, time.Now())
		if err != nil {
			t.Fatalf("newKey(%s): %v", alg, err)
		}
		tok, err := Sign(k, plainSealer{}, map[string]any{"sub": "arn:aws:iam::111122223333:user/alice"})
		if err != nil {
			t.Fatalf("Sign(%s): %v", alg, err)
		}
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			t.Fatalf("%s token has %d parts", alg, len(parts))
		}
		var header struct{ Alg, Kid, Typ string }
		hb, _ := b64.DecodeString(parts[0])
		if err := json.Unmarshal(hb, &header); err != nil || header.Alg != alg || header.Kid != k.KeyID || header.Typ != "JWT" {
			t.Errorf("%s header %s (%v); want alg %s, kid %s, typ JWT", alg, hb, err, alg, k.KeyID)
		}
		set, err := KeySet([]keyward.OutboundKey{k})
		if err != nil || len(set.Keys) != 1 || set.Keys[0].Kid != k.KeyID || thumbprint(set.Keys[0]) != k.KeyID {
			t.Fatalf("KeySet = %+v, %v; want the one key, its kid its thumbprint", set, err)
		}
		sig, _ := b64.DecodeString(parts[2])
		input := []byte(parts[0] + "." + parts[1])
		pub, err := x509.ParsePKIXPublicKey(k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		j := set.Keys[0]
		switch alg {
		case RS256:
			n, _ := b64.DecodeString(j.N)
			if new(big.Int).SetBytes(n).Cmp(pub.(*rsa.PublicKey).N) != 0 || j.E != "AQAB" {
				t.Errorf("JWKS n/e do not match the key")
			}
			h := sha256.Sum256(input)
			if err := rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, h[:], sig); err != nil {
				t.Errorf("RS256 signature does not verify: %v", err)
			}
		case ES384:
			x, _ := b64.DecodeString(j.X)
			y, _ := b64.DecodeString(j.Y)
			p, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), append(append([]byte{4}, x...), y...))
			if err != nil || !p.Equal(pub) || j.Crv != "P-384" || len(x) != 48 || len(y) != 48 {
				t.Fatalf("JWKS crv/x/y do not match the key (%v)", err)
			}
			h := sha512.Sum384(input)
			if len(sig) != 96 || !ecdsa.Verify(p, h[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])) {
				t.Errorf("ES384 signature (%d bytes) does not verify as R || S", len(sig))
			}
		}
		// A changed payload does not verify: the check above can fail.
		other := []byte(parts[0] + "." + b64.EncodeToString([]byte(`{"sub":"arn:aws:iam::111122223333:user/mallory"}`)))
		if alg == RS256 {
			h := sha256.Sum256(other)
			if rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, h[:], sig) == nil {
				t.Errorf("RS256 signature verifies another payload")
			}
		}
	}
}

// TestSign_WrongKey: a key of one algorithm never signs the other.
func TestSign_WrongKey(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(rk)
	pub, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	k := keyward.OutboundKey{AccountID: "111122223333", KeyID: "k", Algorithm: ES384, PublicKey: pub, PrivateKey: der}
	if _, err := Sign(k, plainSealer{}, map[string]any{}); err == nil {
		t.Errorf("an RSA key signed ES384")
	}
}

// TestHandler_NoStoreReadForBadPaths: what is not a lower-case UUID and
// one of the two documents gets 404 before any store read (the handler has
// no store here: a read would panic).
func TestHandler_NoStoreReadForBadPaths(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle(Pattern, &Handler{Issuers: NewIssuers("https://iam.example.com")})
	for _, p := range []string{
		PathPrefix + "not-a-uuid/.well-known/jwks.json",
		PathPrefix + "0F8FAD5B-D9CB-469F-A165-70867728950E/.well-known/jwks.json",
		PathPrefix + "0f8fad5b-d9cb-469f-a165-70867728950e/.well-known/other",
		PathPrefix + strings.Repeat("a", 4096) + "/.well-known/jwks.json",
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %.60s... = %d, want 404", p, w.Code)
		}
	}
	if !ValidUUID("0f8fad5b-d9cb-469f-a165-70867728950e") {
		t.Errorf("ValidUUID refuses a lower-case UUID")
	}
}
