package sts

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/keyward/keyward"
)

// SAML 2.0 federation. A response is verified by crewjam/saml's service
// provider, whose XML signature checks are goxmldsig's: Keyward reads the
// assertion only from what the signature covers, so that signature
// wrapping cannot slip an unsigned assertion in. Keyward plays AWS's part
// as service provider, so that an IdP configured for AWS works unchanged:
// entity ID urn:amazon:webservices, assertion consumer service
// https://signin.aws.amazon.com/saml.
const (
	SAMLEntityID = "urn:amazon:webservices"
	SAMLACSURL   = "https://signin.aws.amazon.com/saml"
)

// AWS's SAML attributes.
const (
	samlAttrRole            = "https://aws.amazon.com/SAML/Attributes/Role"
	samlAttrRoleSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	samlAttrSessionDuration = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	samlAttrSourceIdentity  = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	samlAttrPrincipalTag    = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	samlAttrTransitiveKeys  = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
)

// samlKeys maps the attributes AWS gives trust policies as saml: keys
// (IAM User Guide, "Available keys for SAML-based federation"), by OID and
// by name, to the key's name.
var samlKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []struct{ oid, key string }{
		{"1.3.6.1.4.1.5923.1.1.1.1", "edupersonaffiliation"},
		{"1.3.6.1.4.1.5923.1.1.1.2", "edupersonnickname"},
		{"1.3.6.1.4.1.5923.1.1.1.3", "edupersonorgdn"},
		{"1.3.6.1.4.1.5923.1.1.1.4", "edupersonorgunitdn"},
		{"1.3.6.1.4.1.5923.1.1.1.5", "edupersonprimaryaffiliation"},
		{"1.3.6.1.4.1.5923.1.1.1.6", "edupersonprincipalname"},
		{"1.3.6.1.4.1.5923.1.1.1.7", "edupersonentitlement"},
		{"1.3.6.1.4.1.5923.1.1.1.8", "edupersonprimaryorgunitdn"},
		{"1.3.6.1.4.1.5923.1.1.1.9", "edupersonscopedaffiliation"},
		{"1.3.6.1.4.1.5923.1.1.1.10", "edupersontargetedid"},
		{"1.3.6.1.4.1.5923.1.1.1.11", "edupersonassurance"},
		{"1.3.6.1.4.1.5923.1.2.1.2", "eduorghomepageuri"},
		{"1.3.6.1.4.1.5923.1.2.1.3", "eduorgidentityauthnpolicyuri"},
		{"1.3.6.1.4.1.5923.1.2.1.4", "eduorglegalname"},
		{"1.3.6.1.4.1.5923.1.2.1.5", "eduorgsuperioruri"},
		{"1.3.6.1.4.1.5923.1.2.1.6", "eduorgwhitepagesuri"},
		{"2.5.4.3", "cn"},
		{"2.5.4.4", "surname"},
		{"2.5.4.42", "givenName"},
		{"2.5.4.45", "x500UniqueIdentifier"},
		{"0.9.2342.19200300.100.1.1", "uid"},
		{"0.9.2342.19200300.100.1.3", "mail"},
		{"2.16.840.1.113730.3.1.241", "name"},
		{"1.3.6.1.4.1.1466.115.121.1.15", "commonName"},
		{"1.2.840.113556.1.4.1301", "organizationStatus"},
		{"1.2.840.113556.1.4.98", "primaryGroupSID"},
	} {
		m["urn:oid:"+k.oid] = k.key
		m[strings.ToLower(k.key)] = k.key
	}
	return m
}()

// regionalACS is AWS's regional sign-in endpoint, which an IdP may use as
// the response's destination instead of the global one.
var regionalACS = regexp.MustCompile(`^https://[a-z]{2}(-[a-z]+)+-\d\.signin\.aws\.amazon\.com/saml$`)

// samlACS is the assertion consumer service a response is checked
// against: its Destination when that is AWS's global or a regional
// sign-in endpoint, AWS's global one otherwise. The Destination is read
// before anything is verified only to choose among AWS's own endpoints:
// the service provider then requires the signed Destination and the
// Recipient to be that endpoint.
func samlACS(raw []byte) string {
	var r struct {
		Destination string `xml:"Destination,attr"`
	}
	if xml.Unmarshal(raw, &r) == nil && regionalACS.MatchString(r.Destination) {
		return r.Destination
	}
	return SAMLACSURL
}

// samlSessionName is AWS's RoleSessionName rule: 2 to 64 of [\w+=,.@-].
var samlSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// AssumeRoleWithSAMLInput is AWS's AssumeRoleWithSAMLRequest.
type AssumeRoleWithSAMLInput struct {
	RoleArn         string             `query:"RoleArn"`
	PrincipalArn    string             `query:"PrincipalArn"`
	SAMLAssertion   string             `query:"SAMLAssertion"`
	PolicyArns      []PolicyDescriptor `query:"PolicyArns"`
	Policy          string             `query:"Policy"`
	DurationSeconds int                `query:"DurationSeconds"`
}

// AssumeRoleWithSAMLOutput is AWS's AssumeRoleWithSAMLResult.
type AssumeRoleWithSAMLOutput struct {
	Credentials      Credentials     `xml:"Credentials"`
	AssumedRoleUser  AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	Subject          string          `xml:"Subject"`
	SubjectType      string          `xml:"SubjectType"`
	Issuer           string          `xml:"Issuer"`
	Audience         string          `xml:"Audience"`
	NameQualifier    string          `xml:"NameQualifier"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

// samlAssertion is what AssumeRoleWithSAML takes from a verified
// assertion.
type samlAssertion struct {
	id, issuer, subject, subjectType string
	aud                              string    // the ACS it was presented to: saml:aud
	until                            time.Time // when the assertion may no longer be used
	sessionEnd                       time.Time // AuthnStatement's SessionNotOnOrAfter, zero for none
	attrs                            map[string][]string
	keys                             map[string][]string // saml:... condition keys from attributes
}

// verifySAML checks a base64 SAML response against the provider's
// metadata: the XML signature (of the response or of the assertion) by one
// of its signing certificates, the issuer, destination and recipient
// (AWS's global ACS, or a regional one: samlACS), the audience
// (urn:amazon:webservices, or that ACS URL),
// NotBefore and NotOnOrAfter within the library's clock skew, and the
// metadata's validUntil.
func verifySAML(p keyward.SAMLProvider, encoded string, now time.Time) (*samlAssertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return nil, invalidIdentityToken("The SAML response is not base64.")
	}
	var idp saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(p.Metadata), &idp); err != nil {
		return nil, invalidIdentityToken("The metadata of the SAML provider %s cannot be read.", p.ARN)
	}
	acs, _ := url.Parse(samlACS(raw))
	sp := saml.ServiceProvider{
		EntityID:                 SAMLEntityID,
		AcsURL:                   *acs,
		IDPMetadata:              &idp,
		AllowIDPInitiated:        true,
		RejectExpiredIDPMetadata: true,
		Clock:                    dsig.NewFakeClockAt(now),
		ValidateAudienceRestriction: func(a *saml.Assertion) error {
			if a.Conditions == nil || len(a.Conditions.AudienceRestrictions) == 0 {
				return errors.New("no AudienceRestriction")
			}
			for _, r := range a.Conditions.AudienceRestrictions {
				ok := false
				for _, aud := range r.AllAudiences() {
					ok = ok || aud.Value == SAMLEntityID || aud.Value == acs.String()
				}
				if !ok {
					return errors.New("the audience is not AWS's")
				}
			}
			return nil
		},
	}
	a, err := sp.ParseXMLResponse(raw, nil, *acs)
	if err != nil {
		switch {
		case errors.Is(err, saml.ErrExpired):
			return nil, keyward.Errorf(ErrExpiredTokenException, "Token expired: the SAML assertion is no longer valid.")
		case errors.Is(err, saml.ErrInvalidSignature), errors.Is(err, saml.ErrUntrustedCertificate):
			return nil, invalidIdentityToken("The SAML response's signature does not verify with a signing certificate of the SAML provider %s.", p.ARN)
		case errors.Is(err, saml.ErrAudienceMismatch):
			return nil, invalidIdentityToken("The SAML assertion's audience is not %s.", SAMLEntityID)
		case errors.Is(err, saml.ErrIssuerMismatch):
			return nil, invalidIdentityToken("The SAML response's issuer is not the SAML provider %s.", p.ARN)
		case errors.Is(err, saml.ErrDestinationMismatch):
			return nil, invalidIdentityToken("The SAML response's destination and recipient must be AWS's sign-in endpoint, %s.", acs)
		}
		return nil, invalidIdentityToken("The SAML response is not valid for the SAML provider %s.", p.ARN)
	}
	out := &samlAssertion{id: a.ID, issuer: a.Issuer.Value, aud: acs.String(), attrs: map[string][]string{}, keys: map[string][]string{}}
	if a.Subject != nil && a.Subject.NameID != nil {
		out.subject = a.Subject.NameID.Value
		switch f := a.Subject.NameID.Format; f {
		case "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":
			out.subjectType = "persistent"
		case "urn:oasis:names:tc:SAML:2.0:nameid-format:transient":
			out.subjectType = "transient"
		default:
			out.subjectType = f
		}
		for _, sc := range a.Subject.SubjectConfirmations {
			if d := sc.SubjectConfirmationData; d != nil && d.NotOnOrAfter.After(out.until) {
				out.until = d.NotOnOrAfter
			}
		}
	}
	if a.Conditions != nil && a.Conditions.NotOnOrAfter.After(out.until) {
		out.until = a.Conditions.NotOnOrAfter
	}
	out.until = out.until.Add(saml.MaxClockSkew)
	for _, st := range a.AuthnStatements {
		if st.SessionNotOnOrAfter != nil && (out.sessionEnd.IsZero() || st.SessionNotOnOrAfter.Before(out.sessionEnd)) {
			out.sessionEnd = *st.SessionNotOnOrAfter
		}
	}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			var vals []string
			for _, v := range at.Values {
				vals = append(vals, strings.TrimSpace(v.Value))
			}
			out.attrs[at.Name] = append(out.attrs[at.Name], vals...)
			key := samlKeys[at.Name]
			if key == "" {
				key = samlKeys[strings.ToLower(at.Name)]
			}
			if key == "" && at.FriendlyName != "" {
				key = samlKeys[strings.ToLower(at.FriendlyName)]
			}
			if key != "" {
				out.keys["saml:"+key] = append(out.keys["saml:"+key], vals...)
			}
		}
	}
	return out, nil
}

// one returns the single value of a SAML attribute, "" when absent.
func (a *samlAssertion) one(name string) string {
	if v := a.attrs[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// samlRefuse is AssumeRoleWithSAML's refusal by a trust policy, the same
// whether the role is missing or its trust policy refused.
func samlRefuse() error {
	return keyward.Errorf(keyward.ErrAccessDenied, "Not authorized to perform sts:AssumeRoleWithSAML")
}

// AssumeRoleWithSAML returns temporary credentials for a role to the holder
// of a SAML 2.0 response from an identity provider the role's account
// registered (PrincipalArn), with no AWS credentials: the caller is
// ignored. The response is verified (verifySAML) and accepted once (its
// assertion ID is kept until it expires); its Role attribute must pair
// RoleArn with PrincipalArn; RoleSessionName comes from its attribute; the
// role's trust policy must allow sts:AssumeRoleWithSAML to the provider (a
// Federated principal) with the saml: keys (saml:sub, saml:sub_type,
// saml:aud, saml:iss, saml:namequalifier, saml:doc and the attributes AWS
// names). PrincipalTag attributes become session tags (and need
// sts:TagSession), SourceIdentity sts:SetSourceIdentity. The session lasts
// DurationSeconds (or the SessionDuration attribute, or an hour), at most
// the role's MaxSessionDuration and never past SessionNotOnOrAfter.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, c *keyward.Caller, in *AssumeRoleWithSAMLInput) (*AssumeRoleWithSAMLOutput, error) {
	if err := sessionLimits(in.Policy, MaxSessionPolicyLength, in.PolicyArns); err != nil {
		return nil, err
	}
	now := s.now()
	roleAcct := ""
	if parts := strings.SplitN(in.RoleArn, ":", 6); len(parts) == 6 {
		roleAcct = parts[4]
	}
	if !strings.HasPrefix(in.PrincipalArn, "arn:aws:iam::"+roleAcct+":saml-provider/") || roleAcct == "" {
		return nil, invalidIdentityToken("The SAML provider %s is not one of the role's account.", in.PrincipalArn)
	}
	providerName := strings.TrimPrefix(in.PrincipalArn, "arn:aws:iam::"+roleAcct+":saml-provider/")
	var out AssumeRoleWithSAMLOutput
	var role keyward.Role
	var r *roleSession
	var dur int
	err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		out = AssumeRoleWithSAMLOutput{} // a retried transaction starts again
		p, err := tx.GetSAMLProvider(in.PrincipalArn)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			return invalidIdentityToken("No SAML provider %s exists.", in.PrincipalArn)
		}
		if err != nil {
			return err
		}
		a, err := verifySAML(p, in.SAMLAssertion, now)
		if err != nil {
			return err
		}
		paired := false
		for _, v := range a.attrs[samlAttrRole] {
			parts := strings.Split(v, ",")
			if len(parts) != 2 {
				continue
			}
			x, y := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
			paired = paired || (x == in.RoleArn && y == p.ARN) || (y == in.RoleArn && x == p.ARN)
		}
		if !paired {
			return samlRefuse()
		}
		sessionName := a.one(samlAttrRoleSessionName)
		if !samlSessionName.MatchString(sessionName) {
			return invalidIdentityToken("The SAML assertion's RoleSessionName attribute must hold 2 to 64 characters of [\\w+=,.@-].")
		}
		sourceIdentity := a.one(samlAttrSourceIdentity)
		var tags []keyward.Tag
		for name, vals := range a.attrs {
			if k, ok := strings.CutPrefix(name, samlAttrPrincipalTag); ok && len(vals) > 0 {
				tags = append(tags, keyward.Tag{Key: k, Value: vals[0]})
			}
		}
		for i := 1; i < len(tags); i++ { // deterministic order
			for j := i; j > 0 && tags[j].Key < tags[j-1].Key; j-- {
				tags[j], tags[j-1] = tags[j-1], tags[j]
			}
		}
		transitive := a.attrs[samlAttrTransitiveKeys]
		if err := checkTags(tags, transitive, nil); err != nil {
			return err
		}
		if a.id == "" {
			return invalidIdentityToken("The SAML assertion has no ID.")
		}
		if err := tx.RecordSAMLAssertion(p.ARN, a.id, a.until, now); keyward.ErrorCode(err) == keyward.ErrEntityAlreadyExists {
			return invalidIdentityToken("The SAML assertion %s was used before: an assertion is accepted once.", a.id)
		} else if err != nil {
			return err
		}

		t, err := s.findRole(tx, in.RoleArn)
		if err != nil {
			return err
		}
		if !t.found {
			return samlRefuse()
		}
		role = t.role
		req := t.federatedRequest(c, p.ARN, "SAMLUser", sessionName, tags, transitive, now)
		cx := &req.Context
		nq := sha1.Sum([]byte(a.issuer + roleAcct + "/" + providerName))
		nameQualifier := base64.StdEncoding.EncodeToString(nq[:])
		for k, v := range map[string]string{
			"saml:sub": a.subject, "saml:sub_type": a.subjectType, "saml:iss": a.issuer, "saml:aud": a.aud,
			"saml:namequalifier": nameQualifier, "saml:doc": roleAcct + "/" + providerName,
		} {
			if v != "" {
				cx.Set(k, v)
			}
		}
		for k, vs := range a.keys {
			cx.Set(k, vs...)
		}
		if sourceIdentity != "" {
			cx.Set("sts:SourceIdentity", sourceIdentity)
		}
		actions := []string{"sts:AssumeRoleWithSAML"}
		if len(tags) > 0 {
			actions = append(actions, "sts:TagSession")
		}
		if sourceIdentity != "" {
			actions = append(actions, "sts:SetSourceIdentity")
		}
		if !t.allows(&req, actions) {
			return samlRefuse()
		}

		// The session's limits are checked here, so that a refused
		// request leaves its assertion unspent.
		def := defaultDuration
		if n, err := strconv.Atoi(a.one(samlAttrSessionDuration)); err == nil && n >= 900 && n <= 43200 {
			def = n
		}
		r = &roleSession{role: &role, name: sessionName, requested: in.DurationSeconds, def: def,
			policy: in.Policy, policyArns: in.PolicyArns, tags: tags, transitive: transitive, sourceIdentity: sourceIdentity}
		if dur, err = r.duration(); err != nil {
			return err
		}
		if !a.sessionEnd.IsZero() {
			left := int(a.sessionEnd.Sub(now) / time.Second)
			if left <= 0 {
				return keyward.Errorf(ErrExpiredTokenException, "The SAML session (SessionNotOnOrAfter) has ended.")
			}
			dur = min(dur, left)
		}
		r.docs, r.docsErr = sessionPolicies(tx, role.AccountID, in.Policy, in.PolicyArns)
		if out.PackedPolicySize, err = r.limits(); err != nil {
			return err
		}
		out.Subject, out.SubjectType, out.Issuer, out.Audience = a.subject, a.subjectType, a.issuer, a.aud
		out.NameQualifier, out.SourceIdentity = nameQualifier, sourceIdentity
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Credentials, out.AssumedRoleUser, err = s.issueSession(ctx, r, dur, now); err != nil {
		return nil, err
	}
	return &out, nil
}
