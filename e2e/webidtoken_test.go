package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// TestGetWebIdentityToken_VerifiedOutside plays an outside service that
// trusts the account's issuer: the SDK enables outbound federation and
// gets tokens (RS256, ES384) as an IAM user; the verifier fetches
// openid-configuration and jwks.json over plain HTTP from the issuer URL
// it was told, and checks each token with go-jose: signature, iss, aud,
// sub (the user's ARN), exp. Before enabling, the call is refused.
func TestGetWebIdentityToken_VerifiedOutside(t *testing.T) {
	s := startServer(t)
	cx := ctx(t)
	const aud = "https://api.openai.com/v1"
	user := s.userWithKey(t, "workload", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*",`+
		`"Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":"`+aud+`"},"NumericLessThanEquals":{"sts:DurationSeconds":300}}}]}`)
	who, err := s.STS(user).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	userARN := aws.ToString(who.Arn)

	get := func(alg string, audience ...string) (*sts.GetWebIdentityTokenOutput, error) {
		return s.STS(user).GetWebIdentityToken(cx, &sts.GetWebIdentityTokenInput{Audience: audience, SigningAlgorithm: aws.String(alg)})
	}
	if _, err := get("RS256", aud); errorCode(err) != "OutboundWebIdentityFederationDisabledException" {
		t.Fatalf("GetWebIdentityToken before enabling = %v, want OutboundWebIdentityFederationDisabledException", err)
	}

	en, err := s.IAM(s.Root).EnableOutboundWebIdentityFederation(cx, &iam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	if !strings.HasPrefix(issuer, s.URL+"/keyward/outbound/") {
		t.Fatalf("IssuerIdentifier = %q, want %s/keyward/outbound/UUID", issuer, s.URL)
	}
	info, err := s.IAM(s.Root).GetOutboundWebIdentityFederationInfo(cx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	if err != nil || aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Fatalf("GetOutboundWebIdentityFederationInfo = %+v, %v; want %s, enabled", info, err, issuer)
	}

	// The outside service's view: discovery, then keys, unauthenticated.
	fetch := func(url string, v any) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d %s", url, resp.StatusCode, body)
		}
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, body)
		}
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	fetch(issuer+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != issuer {
		t.Errorf("openid-configuration issuer = %q, want %q", disc.Issuer, issuer)
	}
	var keys jose.JSONWebKeySet
	fetch(disc.JWKSURI, &keys)
	if len(keys.Keys) != 2 {
		t.Fatalf("jwks.json lists %d keys, want 2 (RS256, ES384)", len(keys.Keys))
	}

	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES384} {
		t.Run(string(alg), func(t *testing.T) {
			out, err := get(string(alg), aud)
			if err != nil {
				t.Fatalf("GetWebIdentityToken(%s) = %v", alg, err)
			}
			tok, err := jwt.ParseSigned(aws.ToString(out.WebIdentityToken), []jose.SignatureAlgorithm{alg})
			if err != nil {
				t.Fatalf("jwt.ParseSigned: %v", err)
			}
			var claims jwt.Claims
			var aws_ map[string]any
			if err := tok.Claims(keys, &claims, &struct {
				AWS *map[string]any `json:"https://sts.amazonaws.com/"`
			}{&aws_}); err != nil {
				t.Fatalf("token does not verify with the issuer's keys: %v", err)
			}
			if err := claims.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{aud}, Subject: userARN, Time: time.Now()}, 0); err != nil {
				t.Errorf("claims %+v: %v", claims, err)
			}
			if exp := claims.Expiry.Time(); !exp.Equal(out.Expiration.UTC().Truncate(time.Second)) || exp.Sub(claims.IssuedAt.Time()) != 300*time.Second {
				t.Errorf("exp = %v, iat = %v, Expiration = %v: want exp = Expiration = iat + 300 s", exp, claims.IssuedAt.Time(), out.Expiration)
			}
			if aws_["aws_account"] != s.Account {
				t.Errorf("https://sts.amazonaws.com/ claims = %v, want aws_account %s", aws_, s.Account)
			}
			// The same token, past its expiry, is refused by the verifier.
			if err := claims.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{aud}, Time: time.Now().Add(301 * time.Second)}, 0); err == nil {
				t.Errorf("claims validate 301 s later; want expired")
			}
		})
	}
	// The policy's conditions hold through the wire: another audience and a
	// longer lifetime are denied.
	if _, err := get("RS256", "https://evil.example"); errorCode(err) != "AccessDenied" {
		t.Errorf("GetWebIdentityToken(another audience) = %v, want AccessDenied", err)
	}
	if _, err := s.STS(user).GetWebIdentityToken(cx, &sts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(900)}); errorCode(err) != "AccessDenied" {
		t.Errorf("GetWebIdentityToken(900 s) = %v, want AccessDenied", err)
	}

	// Unknown issuers and malformed paths: 404.
	for _, path := range []string{"/keyward/outbound/00000000-0000-4000-8000-000000000000/.well-known/jwks.json",
		"/keyward/outbound/not-a-uuid/.well-known/jwks.json", strings.TrimPrefix(issuer, s.URL) + "/.well-known/other"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}

	// Disabled again: refused, and the keys stay published for tokens
	// already issued.
	if _, err := s.IAM(s.Root).DisableOutboundWebIdentityFederation(cx, &iam.DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := get("ES384", aud); errorCode(err) != "OutboundWebIdentityFederationDisabledException" {
		t.Errorf("GetWebIdentityToken after disabling = %v, want OutboundWebIdentityFederationDisabledException", err)
	}
	var again jose.JSONWebKeySet
	fetch(disc.JWKSURI, &again)
	if len(again.Keys) != 2 {
		t.Errorf("jwks.json after disabling lists %d keys, want the 2 that signed", len(again.Keys))
	}
}

// TestGetWebIdentityToken_PublicURL: --public-url sets the issuers' base.
func TestGetWebIdentityToken_PublicURL(t *testing.T) {
	s := startServer(t, "--public-url", "https://iam.example.com/")
	en, err := s.IAM(s.Root).EnableOutboundWebIdentityFederation(ctx(t), &iam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(en.IssuerIdentifier); !strings.HasPrefix(got, "https://iam.example.com/keyward/outbound/") {
		t.Errorf("IssuerIdentifier = %q, want https://iam.example.com/keyward/outbound/UUID", got)
	}
}
