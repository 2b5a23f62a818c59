package sts

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/keyward/keyward"
)

// AssumeRoleWithWebIdentityInput is AWS's AssumeRoleWithWebIdentityRequest.
type AssumeRoleWithWebIdentityInput struct {
	RoleArn          string             `query:"RoleArn"`
	RoleSessionName  string             `query:"RoleSessionName"`
	WebIdentityToken string             `query:"WebIdentityToken"`
	ProviderID       string             `query:"ProviderId"`
	PolicyArns       []PolicyDescriptor `query:"PolicyArns"`
	Policy           string             `query:"Policy"`
	DurationSeconds  int                `query:"DurationSeconds"`
}

// AssumeRoleWithWebIdentityOutput is AWS's AssumeRoleWithWebIdentityResult.
type AssumeRoleWithWebIdentityOutput struct {
	Credentials                 Credentials     `xml:"Credentials"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	AssumedRoleUser             AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize            *int            `xml:"PackedPolicySize,omitempty"`
	Provider                    string          `xml:"Provider"`
	Audience                    string          `xml:"Audience"`
	SourceIdentity              string          `xml:"SourceIdentity,omitempty"`
}

// ClockSkew is the leeway on a web identity token's exp, nbf and iat.
const ClockSkew = 5 * time.Minute

func invalidIdentityToken(format string, args ...any) error {
	return keyward.Errorf(ErrInvalidIdentityToken, format, args...)
}

// jwt is a parsed, not yet verified, JSON Web Token.
type jwt struct {
	alg, kid      string
	signed        string // header.payload, what the signature covers
	sig           []byte
	claims        map[string]json.RawMessage
	iss, sub, azp string
	aud           []string
	amr           []string
	exp, nbf, iat *float64
}

func parseJWT(tok string) (*jwt, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, invalidIdentityToken("The web identity token is not a JSON Web Token: it must have three dot-separated parts.")
	}
	dec := func(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")) }
	hb, err1 := dec(parts[0])
	pb, err2 := dec(parts[1])
	sig, err3 := dec(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, invalidIdentityToken("The web identity token is not a JSON Web Token: a part is not base64url.")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}
	if json.Unmarshal(hb, &hdr) != nil {
		return nil, invalidIdentityToken("The web identity token's header is not JSON.")
	}
	t := &jwt{alg: hdr.Alg, kid: hdr.Kid, signed: parts[0] + "." + parts[1], sig: sig}
	if json.Unmarshal(pb, &t.claims) != nil {
		return nil, invalidIdentityToken("The web identity token's payload is not a JSON object.")
	}
	str := func(k string) string {
		var s string
		if raw, ok := t.claims[k]; ok {
			json.Unmarshal(raw, &s)
		}
		return s
	}
	list := func(k string) []string {
		raw, ok := t.claims[k]
		if !ok {
			return nil
		}
		var l []string
		if json.Unmarshal(raw, &l) == nil {
			return l
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{s}
		}
		return nil
	}
	num := func(k string) (*float64, error) {
		raw, ok := t.claims[k]
		if !ok {
			return nil, nil
		}
		var f float64
		if json.Unmarshal(raw, &f) != nil {
			return nil, invalidIdentityToken("The web identity token's %s claim is not a number.", k)
		}
		return &f, nil
	}
	t.iss, t.sub, t.azp = str("iss"), str("sub"), str("azp")
	t.aud, t.amr = list("aud"), list("amr")
	var err error
	if t.exp, err = num("exp"); err != nil {
		return nil, err
	}
	if t.nbf, err = num("nbf"); err != nil {
		return nil, err
	}
	if t.iat, err = num("iat"); err != nil {
		return nil, err
	}
	return t, nil
}

// jwksEntry is an issuer's key set as last fetched.
type jwksEntry struct {
	keys    map[string]crypto.PublicKey // by kid
	fetched time.Time
}

// issuerURL turns an iss claim into the URL to fetch from, refusing what
// the server must not reach: anything but https, except plain http to a
// loopback host (127.0.0.1, ::1, localhost), which tests use.
func issuerURL(iss string) (*url.URL, error) {
	u, err := url.Parse(iss)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, invalidIdentityToken("The issuer %q of the web identity token is not a URL.", iss)
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, invalidIdentityToken("The issuer %q of the web identity token must use https.", iss)
		}
	default:
		return nil, invalidIdentityToken("The issuer %q of the web identity token must use https.", iss)
	}
	return u, nil
}

// providerName is an issuer without its scheme and trailing slash: the
// provider's name in its ARN and in condition keys.
func providerName(iss string) string {
	s := iss
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	return strings.TrimSuffix(s, "/")
}

func (s *Service) httpClient() *http.Client {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func idpError(format string, args ...any) error {
	return keyward.Errorf(ErrIDPCommunicationError, format, args...)
}

func (s *Service) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return idpError("Couldn't retrieve verification key from your identity provider: %s is not a valid URL.", u)
	}
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return idpError("Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return idpError("Couldn't retrieve verification key from your identity provider: %s answered %d.", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || json.Unmarshal(body, v) != nil {
		return idpError("Couldn't retrieve verification key from your identity provider: %s did not answer JSON.", u)
	}
	return nil
}

// fetchJWKS reads an issuer's discovery document and its key set.
func (s *Service) fetchJWKS(ctx context.Context, iss string) (map[string]crypto.PublicKey, error) {
	u, err := issuerURL(iss)
	if err != nil {
		return nil, err
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.getJSON(ctx, strings.TrimSuffix(u.String(), "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	ju, err := url.Parse(disc.JWKSURI)
	if err != nil || disc.JWKSURI == "" {
		return nil, idpError("Couldn't retrieve verification key from your identity provider: the discovery document has no valid jwks_uri.")
	}
	if _, err := issuerURL(ju.Scheme + "://" + ju.Host); err != nil || (u.Scheme == "https" && ju.Scheme != "https") {
		return nil, idpError("Couldn't retrieve verification key from your identity provider: jwks_uri must use https.")
	}
	var set struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
			Crv string `json:"crv"`
			X   string `json:"x"`
			Y   string `json:"y"`
		} `json:"keys"`
	}
	if err := s.getJSON(ctx, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := make(map[string]crypto.PublicKey)
	b64 := func(s string) []byte {
		b, _ := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
		return b
	}
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch k.Kty {
		case "RSA":
			n, e := b64(k.N), b64(k.E)
			if len(n) < 256 || len(e) == 0 || len(e) > 4 {
				continue // RSA keys under 2048 bits are refused
			}
			ev := 0
			for _, c := range e {
				ev = ev<<8 | int(c)
			}
			keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev}
		case "EC":
			if k.Crv != "P-256" {
				continue
			}
			x, y := b64(k.X), b64(k.Y)
			if len(x) != 32 || len(y) != 32 {
				continue
			}
			// Checked by the uncompressed-point parser: off-curve points fail.
			pt := append(append([]byte{4}, x...), y...)
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pt)
			if err != nil {
				continue
			}
			keys[k.Kid] = pub
		}
	}
	return keys, nil
}

// verificationKey returns the issuer's key kid, from the cache while it is
// fresh, fetching again when the kid is unknown (a provider that rotated),
// at most once per JWKSRefetch.
func (s *Service) verificationKey(ctx context.Context, iss, kid string, now time.Time) (crypto.PublicKey, error) {
	ttl, refetch := s.JWKSTTL, s.JWKSRefetch
	if ttl == 0 {
		ttl = time.Hour
	}
	if refetch == 0 {
		refetch = time.Minute
	}
	s.jwksMu.Lock()
	e := s.jwks[iss]
	s.jwksMu.Unlock()
	if e != nil && now.Sub(e.fetched) < ttl {
		if k, ok := e.keys[kid]; ok {
			return k, nil
		}
		if refetch > 0 && now.Sub(e.fetched) < refetch {
			return nil, invalidIdentityToken("No key with kid %q in the identity provider's key set.", kid)
		}
	}
	keys, err := s.fetchJWKS(ctx, iss)
	if err != nil {
		// A provider that cannot be reached keeps its cached keys working.
		if e != nil {
			if k, ok := e.keys[kid]; ok {
				return k, nil
			}
		}
		return nil, err
	}
	s.jwksMu.Lock()
	if s.jwks == nil || len(s.jwks) > 1000 {
		s.jwks = make(map[string]*jwksEntry)
	}
	s.jwks[iss] = &jwksEntry{keys: keys, fetched: now}
	s.jwksMu.Unlock()
	k, ok := keys[kid]
	if !ok {
		return nil, invalidIdentityToken("No key with kid %q in the identity provider's key set.", kid)
	}
	return k, nil
}

func verifySignature(t *jwt, key crypto.PublicKey) bool {
	h := sha256.Sum256([]byte(t.signed))
	switch t.alg {
	case "RS256":
		k, ok := key.(*rsa.PublicKey)
		return ok && rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], t.sig) == nil
	case "ES256":
		k, ok := key.(*ecdsa.PublicKey)
		if !ok || len(t.sig) != 64 {
			return false
		}
		r, ss := new(big.Int).SetBytes(t.sig[:32]), new(big.Int).SetBytes(t.sig[32:])
		return ecdsa.Verify(k, h[:], r, ss)
	}
	return false
}

func unixTime(f float64) time.Time {
	return time.Unix(int64(f), 0).UTC()
}

// verifyWebIdentity checks a web identity token for the account that owns
// the role: its issuer must be one of the account's OIDC providers, its
// signature (RS256 or ES256) must verify with a key of the provider's key
// set, its audience must be a client id of the provider, and exp, nbf and
// iat must hold within ClockSkew. It returns the token, the provider and
// the matching audience.
func (s *Service) verifyWebIdentity(ctx context.Context, accountID, tok string, now time.Time) (*jwt, *keyward.OIDCProvider, string, error) {
	t, err := parseJWT(tok)
	if err != nil {
		return nil, nil, "", err
	}
	if t.alg != "RS256" && t.alg != "ES256" {
		return nil, nil, "", invalidIdentityToken("Unsupported signing algorithm %q: only RS256 and ES256 are accepted.", t.alg)
	}
	if t.iss == "" {
		return nil, nil, "", invalidIdentityToken("The web identity token has no iss claim.")
	}
	name := providerName(t.iss)
	provARN := "arn:aws:iam::" + accountID + ":oidc-provider/" + name
	var prov keyward.OIDCProvider
	err = s.Store.View(ctx, func(tx keyward.Tx) error {
		var err error
		prov, err = tx.GetOIDCProvider(provARN)
		return err
	})
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return nil, nil, "", invalidIdentityToken("No OpenIDConnect provider found in your account for %s", t.iss)
	}
	if err != nil {
		return nil, nil, "", err
	}
	if _, err := issuerURL(t.iss); err != nil {
		return nil, nil, "", err
	}
	key, err := s.verificationKey(ctx, t.iss, t.kid, now)
	if err != nil {
		return nil, nil, "", err
	}
	if !verifySignature(t, key) {
		return nil, nil, "", invalidIdentityToken("The web identity token's signature does not verify.")
	}
	aud := ""
	for _, a := range t.aud {
		for _, id := range prov.ClientIDs {
			if a == id {
				aud = a
			}
		}
	}
	if aud == "" {
		return nil, nil, "", invalidIdentityToken("Incorrect token audience")
	}
	if t.exp == nil {
		return nil, nil, "", invalidIdentityToken("The web identity token has no exp claim.")
	}
	if exp := unixTime(*t.exp); !now.Before(exp.Add(ClockSkew)) {
		return nil, nil, "", keyward.Errorf(ErrExpiredTokenException, "Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix())
	}
	if t.nbf != nil && now.Add(ClockSkew).Before(unixTime(*t.nbf)) {
		return nil, nil, "", invalidIdentityToken("The web identity token is not valid yet (nbf %d).", int64(*t.nbf))
	}
	if t.iat != nil && now.Add(ClockSkew).Before(unixTime(*t.iat)) {
		return nil, nil, "", invalidIdentityToken("The web identity token was issued in the future (iat %d).", int64(*t.iat))
	}
	return t, &prov, aud, nil
}

// webIdentityTags reads the session tags a token may carry in the claim
// https://aws.amazon.com/tags: principal_tags (key to a one-value list) and
// transitive_tag_keys.
func webIdentityTags(t *jwt) ([]keyward.Tag, []string, error) {
	raw, ok := t.claims["https://aws.amazon.com/tags"]
	if !ok {
		return nil, nil, nil
	}
	var c struct {
		PrincipalTags     map[string][]string `json:"principal_tags"`
		TransitiveTagKeys []string            `json:"transitive_tag_keys"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return nil, nil, invalidIdentityToken("The https://aws.amazon.com/tags claim is malformed.")
	}
	var tags []keyward.Tag
	for k, vs := range c.PrincipalTags {
		if len(vs) != 1 {
			return nil, nil, invalidIdentityToken("Session tag %s must have exactly one value.", k)
		}
		tags = append(tags, keyward.Tag{Key: k, Value: vs[0]})
	}
	// Deterministic order, for tokens and tests.
	for i := 1; i < len(tags); i++ {
		for j := i; j > 0 && tags[j].Key < tags[j-1].Key; j-- {
			tags[j], tags[j-1] = tags[j-1], tags[j]
		}
	}
	return tags, c.TransitiveTagKeys, nil
}

// AssumeRoleWithWebIdentity returns temporary credentials for a role to the
// holder of an OpenID Connect token, with no AWS credentials: the caller is
// ignored (the server passes nil for unsigned requests). The token is
// verified against the role account's OIDC provider for its issuer (see
// verifyWebIdentity); the role's trust policy must then allow
// sts:AssumeRoleWithWebIdentity to the provider's ARN (a Federated
// principal), with the token's claims as condition keys: PROVIDER:aud,
// PROVIDER:sub, PROVIDER:amr and PROVIDER:azp, where PROVIDER is the issuer
// without https://. Session tags from the https://aws.amazon.com/tags claim
// need sts:TagSession too.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, c *keyward.Caller, in *AssumeRoleWithWebIdentityInput) (*AssumeRoleWithWebIdentityOutput, error) {
	if err := sessionLimits("", 0, in.PolicyArns); err != nil {
		return nil, err
	}
	now := s.now()
	roleAcct := ""
	if parts := strings.SplitN(in.RoleArn, ":", 6); len(parts) == 6 {
		roleAcct = parts[4]
	}
	t, prov, aud, err := s.verifyWebIdentity(ctx, roleAcct, in.WebIdentityToken, now)
	if err != nil {
		return nil, err
	}
	tags, transitive, err := webIdentityTags(t)
	if err != nil {
		return nil, err
	}
	if err := checkTags(tags, transitive, nil); err != nil {
		return nil, err
	}
	refuse := keyward.Errorf(keyward.ErrAccessDenied, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	var target *roleTarget
	var docs []string
	var docsErr error // told only once the trust policy allows: before, only "refuse" is
	err = s.Store.View(ctx, func(tx keyward.Tx) error {
		var err error
		if target, err = s.findRole(tx, in.RoleArn); err != nil || !target.found {
			return err
		}
		docs, docsErr = sessionPolicies(tx, target.role.AccountID, in.Policy, in.PolicyArns)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !target.found {
		return nil, refuse
	}
	role := target.role
	name := providerName(t.iss)
	req := target.federatedRequest(c, prov.ARN, "WebIdentityUser", in.RoleSessionName, tags, transitive, now)
	cx := &req.Context
	cx.Set(name+":aud", aud)
	if t.sub != "" {
		cx.Set(name+":sub", t.sub)
	}
	if t.azp != "" {
		cx.Set(name+":azp", t.azp)
	}
	if len(t.amr) > 0 {
		cx.Set(name+":amr", t.amr...)
	}
	actions := []string{"sts:AssumeRoleWithWebIdentity"}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if !target.allows(&req, actions) {
		return nil, refuse
	}
	r := &roleSession{role: &role, name: in.RoleSessionName, requested: in.DurationSeconds, def: defaultDuration,
		policy: in.Policy, policyArns: in.PolicyArns, docs: docs, docsErr: docsErr, tags: tags, transitive: transitive}
	creds, user, packed, err := s.openSession(ctx, r, now)
	if err != nil {
		return nil, err
	}
	return &AssumeRoleWithWebIdentityOutput{
		Credentials:                 creds,
		SubjectFromWebIdentityToken: t.sub,
		AssumedRoleUser:             user,
		PackedPolicySize:            packed,
		Provider:                    name,
		Audience:                    aud,
	}, nil
}
