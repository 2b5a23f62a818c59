package rolesanywhere

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/sts"
	"github.com/keyward/keyward/policy"
	"github.com/keyward/keyward/sigv4"
)

// CreateSession: a certificate's holder gets temporary credentials for a
// role of a profile, through a trust anchor that issued the certificate.

// CreateSessionInput is CreateSession's request: the ARNs in the query (as
// the credential helper sends them) or in the JSON body, the rest in the
// body.
type CreateSessionInput struct {
	ProfileArn         string            `json:"profileArn"`
	RoleArn            string            `json:"roleArn"`
	TrustAnchorArn     string            `json:"trustAnchorArn"`
	DurationSeconds    *int              `json:"durationSeconds"`
	RoleSessionName    string            `json:"roleSessionName"`
	SessionName        string            `json:"sessionName"` // deprecated, ignored
	InstanceProperties map[string]string `json:"instanceProperties"`
}

// CreateSessionOutput is CreateSession's response, the shape AWS's
// credential helper parses.
type CreateSessionOutput struct {
	CredentialSet []CredentialResponse `json:"credentialSet"`
	SubjectArn    string               `json:"subjectArn"`
}

// CredentialResponse is one credential of a CreateSessionOutput.
type CredentialResponse struct {
	AssumedRoleUser  AssumedRoleUser `json:"assumedRoleUser"`
	Credentials      Credentials     `json:"credentials"`
	PackedPolicySize int             `json:"packedPolicySize"`
	RoleArn          string          `json:"roleArn"`
	SourceIdentity   string          `json:"sourceIdentity,omitempty"`
}

// AssumedRoleUser is the session's ARN and ID.
type AssumedRoleUser struct {
	Arn           string `json:"arn"`
	AssumedRoleID string `json:"assumedRoleId"`
}

// Credentials are temporary credentials; Expiration is RFC 3339, as the
// helper parses it.
type Credentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	Expiration      string `json:"expiration"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
}

// Limits of CreateSession, from its API page.
const (
	MinDuration = 900
	MaxDuration = 43200
	// PackedLimit is the packed size (bytes of the deflated session
	// policy, policy ARNs and session tags) that packedPolicySize reports
	// as 100%: STS's.
	PackedLimit = sts.PackedLimit
)

var roleSessionNameRe = regexp.MustCompile(`\A[\w+=,.@-]{2,64}\z`)

// denied is CreateSession's refusal. The credential helper's model knows
// AccessDeniedException, ResourceNotFoundException and
// ValidationException; every failure to authenticate or authorize is the
// first, with a message that says what failed.
func denied(format string, args ...any) error { return errAccessDenied(format, args...) }

// untrusted is the refusal of a certificate the trust anchor does not
// vouch for: AWS's "Untrusted signing certificate", with why.
func untrusted(why string) error { return denied("Untrusted signing certificate: %s", why) }

// readSessionInput reads CreateSession's parameters: the ARNs from the
// query or the body, the rest from the body.
func readSessionInput(r *Request) (*CreateSessionInput, error) {
	in := &CreateSessionInput{}
	if len(bytes.TrimSpace(r.Body)) > 0 {
		if err := json.Unmarshal(r.Body, in); err != nil {
			return nil, errSerialization("The request body is not CreateSession's JSON: " + err.Error())
		}
	}
	q := r.HTTP.URL.Query()
	for _, p := range []struct {
		name string
		v    *string
	}{{"profileArn", &in.ProfileArn}, {"roleArn", &in.RoleArn}, {"trustAnchorArn", &in.TrustAnchorArn}} {
		if q.Has(p.name) {
			*p.v = q.Get(p.name)
		}
	}
	return in, nil
}

// check applies CreateSession's constraints to its parameters; instance
// properties are bounded as the model's InstancePropertyMap is (50
// entries, keys and values of 1 to 200 characters), since a subject keeps
// them.
func (in *CreateSessionInput) check() error {
	var v validation
	for _, p := range []struct{ name, value string }{{"profileArn", in.ProfileArn}, {"roleArn", in.RoleArn}, {"trustAnchorArn", in.TrustAnchorArn}} {
		if p.value == "" {
			v.issues = append(v.issues, "Value null at '"+p.name+"' failed to satisfy constraint: Member must not be null")
		}
	}
	if d := in.DurationSeconds; d != nil && (*d < MinDuration || *d > MaxDuration) {
		c := "Member must have value less than or equal to " + strconv.Itoa(MaxDuration)
		if *d < MinDuration {
			c = "Member must have value greater than or equal to " + strconv.Itoa(MinDuration)
		}
		v.fail("durationSeconds", strconv.Itoa(*d), true, c)
	}
	if in.RoleSessionName != "" && !roleSessionNameRe.MatchString(in.RoleSessionName) {
		v.fail("roleSessionName", in.RoleSessionName, true, `Member must satisfy regular expression pattern: [\w+=,.@-]{2,64}`)
	}
	if in.InstanceProperties != nil {
		props := make(map[string]any, len(in.InstanceProperties))
		for k, val := range in.InstanceProperties {
			props[k] = val
		}
		v.value("instanceProperties", mustModel().instanceProperties, props)
	}
	if v.serial != nil {
		return v.serial
	}
	return v.err()
}

// sessionGrant is what CreateSession reads and decides in its
// transaction.
type sessionGrant struct {
	anchor    keyward.TrustAnchor
	profile   keyward.RolesAnywhereProfile
	role      keyward.Role
	docs      []string // session policies
	decisions []authz.Decision
}

// CreateSession exchanges a certificate's signature for role credentials,
// as IAM Roles Anywhere does. The request must be signed with the X.509
// variant of SigV4 (sigv4.ParseX509) within five minutes, by the key of a
// certificate that chains, within its validity, to a CA of the enabled
// trust anchor (intermediates from X-Amz-X509-Chain), may sign (digital
// signature key usage, not a CA) and is listed by no enabled CRL of the
// anchor. The profile must be enabled, of the anchor's account, and list
// the role; the role's trust policy must allow rolesanywhere.amazonaws.com
// sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity, with the
// certificate's attributes as aws:PrincipalTag/x509Subject/CN (and the
// others the profile's attribute mappings name) and the trust anchor's ARN
// as aws:SourceArn. The session is an ordinary role session: its tags are
// those attributes, its source identity CN=<the subject's common name>,
// its name the certificate's serial number in hex (or roleSessionName,
// when the profile accepts one), its session policies the profile's.
func (s *Service) CreateSession(ctx context.Context, r *Request) (*CreateSessionOutput, error) {
	now := s.now()
	signed, err := sigv4.ParseX509(r.HTTP, now)
	if err == nil {
		err = signed.CheckService("rolesanywhere")
	}
	if err == nil {
		err = sigv4.VerifyX509(r.HTTP, r.Body, signed)
	}
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return nil, denied("%s", se.Message)
		}
		return nil, err
	}
	r.Region = signed.Region
	cert := signed.Certificate
	info := &SessionInfo{Subject: cert.Subject.String(), Issuer: cert.Issuer.String(), Serial: serialHex(cert)}
	r.Session = info
	if s.Limit != nil {
		if err := s.Limit("x509:" + cert.Issuer.String() + "/" + cert.SerialNumber.String()); err != nil {
			return nil, err
		}
	}
	in, err := readSessionInput(r)
	if err != nil {
		return nil, err
	}
	info.TrustAnchorARN, info.ProfileARN, info.RoleARN = in.TrustAnchorArn, in.ProfileArn, in.RoleArn
	// An invalid request is refused as such, but only once its certificate
	// is known (or not) to the trust anchor: a verified certificate's
	// refusal is recorded on its subject.
	invalid := in.check()

	var g sessionGrant
	var tags []keyward.Tag
	sourceIdentity := ""
	if cn := cert.Subject.CommonName; cn != "" {
		sourceIdentity = "CN=" + cn
	}
	sessionName := serialHex(cert)
	service := &keyward.Caller{ARN: servicePrincipal, RequestTime: now, RequestID: r.ID, SourceIP: sourceIPOf(r), UserAgent: r.HTTP.UserAgent()}
	verified := false
	err = s.Store.View(ctx, func(tx keyward.Tx) error {
		g, verified = sessionGrant{}, false
		// The certificate first: nothing of the account (its profiles,
		// roles) shows to a caller the anchor does not vouch for.
		if err := s.findAnchor(tx, in, &g); err != nil {
			return err
		}
		if err := checkCertificate(signed, &g.anchor, g.crls(tx), now); err != nil {
			return err
		}
		verified = true
		if invalid != nil {
			return invalid
		}
		if err := s.findGrant(tx, in, &g); err != nil {
			return err
		}
		if in.RoleSessionName != "" {
			if !g.profile.AcceptRoleSessionName {
				return denied("Not authorized to set roleSessionName.")
			}
			sessionName = in.RoleSessionName
		}
		if g.profile.RequireInstanceProperties && len(in.InstanceProperties) == 0 {
			return denied("The profile %s requires instance properties.", g.profile.ARN)
		}
		tags = certificateTags(cert, g.profile.AttributeMappings)
		return s.decideTrust(ctx, tx, &g, in, tags, sourceIdentity, sessionName, service, now)
	})
	s.Authz.Report(ctx, service, g.decisions...)
	if invalid != nil {
		err = invalid
	}
	if err != nil {
		if verified {
			// An invalid request's properties are not kept: they may
			// be past the model's bounds.
			props := in.InstanceProperties
			if invalid != nil {
				props = nil
			}
			s.noteSubject(ctx, r, &g, info, cert, props, now, err)
		}
		return nil, err
	}

	d := DefaultDuration
	if in.DurationSeconds != nil {
		d = *in.DurationSeconds
	}
	pd := g.profile.DurationSeconds
	if pd == 0 {
		pd = DefaultDuration
	}
	d = min(d, pd)
	now = now.UTC().Truncate(time.Second)
	exp := now.Add(time.Duration(d) * time.Second)
	if cert.NotAfter.Before(exp) {
		// A session does not outlive the certificate that opened it.
		exp = cert.NotAfter.UTC().Truncate(time.Second)
	}
	size, err := packedSize(g.profile.SessionPolicy, g.profile.ManagedPolicyARNs, tags)
	if err != nil {
		s.noteSubject(ctx, r, &g, info, cert, in.InstanceProperties, now, err)
		return nil, err
	}
	role := &g.role
	sess := sts.NewRoleSession(role, sessionName)
	sess.SessionPolicies, sess.SessionTags, sess.SourceIdentity = g.docs, tags, sourceIdentity
	sess.TokenIssueTime, sess.Temporary = now, true
	keyID := sts.TemporaryAccessKeyID(role.AccountID)
	secret := keyward.NewSecretAccessKey()
	tok, err := s.Tokens.Issue(ctx, sess, keyID, secret, exp)
	if err != nil {
		return nil, err
	}
	s.used.Note(ctx, s.Store, role, now, r.Region)
	subjectARN := s.noteSubject(ctx, r, &g, info, cert, in.InstanceProperties, now, nil)
	info.SessionARN, info.AccessKeyID = sess.ARN, keyID
	return &CreateSessionOutput{
		CredentialSet: []CredentialResponse{{
			AssumedRoleUser:  AssumedRoleUser{Arn: sess.ARN, AssumedRoleID: sess.UserID},
			Credentials:      Credentials{AccessKeyID: keyID, Expiration: exp.Format(time.RFC3339), SecretAccessKey: secret, SessionToken: tok},
			PackedPolicySize: size,
			RoleArn:          role.ARN,
			SourceIdentity:   sourceIdentity,
		}},
		SubjectArn: subjectARN,
	}, nil
}

// findAnchor reads the request's trust anchor, which must be enabled. Every
// refusal reads alike whatever is missing, as AssumeRole's do.
func (s *Service) findAnchor(tx keyward.Tx, in *CreateSessionInput, g *sessionGrant) error {
	_, taAccount, kind, taID, ok := parseARN(in.TrustAnchorArn)
	if !ok || kind != "trust-anchor" {
		return denied("Untrusted signing certificate: %s is not a trust anchor.", in.TrustAnchorArn)
	}
	a, err := tx.GetTrustAnchor(taID)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity || (err == nil && (a.ARN != in.TrustAnchorArn || a.AccountID != taAccount)) {
		return denied("Untrusted signing certificate: no trust anchor %s.", in.TrustAnchorArn)
	}
	if err != nil {
		return err
	}
	if !a.Enabled {
		return denied("Untrusted signing certificate: the trust anchor %s is disabled.", a.ARN)
	}
	g.anchor = a
	return nil
}

// findGrant reads the profile, the role and the profile's managed
// policies of the grant's trust anchor's account, each as stored, and
// applies the service's rules on them.
func (s *Service) findGrant(tx keyward.Tx, in *CreateSessionInput, g *sessionGrant) error {
	a := &g.anchor
	_, pAccount, kind, pID, ok := parseARN(in.ProfileArn)
	if !ok || kind != "profile" || pAccount != a.AccountID {
		return denied("No profile %s in the trust anchor's account.", in.ProfileArn)
	}
	p, err := tx.GetRolesAnywhereProfile(pID)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity || (err == nil && (p.ARN != in.ProfileArn || p.AccountID != a.AccountID)) {
		return denied("No profile %s in the trust anchor's account.", in.ProfileArn)
	}
	if err != nil {
		return err
	}
	if !p.Enabled {
		return denied("The profile %s is disabled.", p.ARN)
	}
	g.profile = p
	refuse := denied("Unable to assume role for %s.", in.RoleArn)
	listed := false
	for _, ra := range p.RoleARNs {
		listed = listed || ra == in.RoleArn
	}
	if !listed {
		return denied("The role %s is not in the profile %s.", in.RoleArn, p.ARN)
	}
	pr := arn.ParsePrincipal(in.RoleArn)
	if pr.Kind != arn.Role || pr.AccountID != a.AccountID {
		return refuse
	}
	role, err := tx.GetRole(pr.AccountID, pr.Name)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity || (err == nil && !strings.EqualFold(role.ARN, in.RoleArn)) {
		return refuse
	}
	if err != nil {
		return err
	}
	g.role = role
	g.docs, err = sessionPolicies(tx, role.AccountID, p.SessionPolicy, p.ManagedPolicyARNs)
	return err
}

// crls returns the enabled CRLs of the grant's trust anchor, parsed; one
// that no longer parses is skipped (it was checked when imported).
func (g *sessionGrant) crls(tx keyward.Tx) func() ([]*x509.RevocationList, error) {
	return func() ([]*x509.RevocationList, error) {
		stored, err := tx.ListCRLsForTrustAnchor(g.anchor.ARN)
		if err != nil {
			return nil, err
		}
		var out []*x509.RevocationList
		for _, c := range stored {
			if !c.Enabled {
				continue
			}
			if l, err := x509.ParseRevocationList(c.Data); err == nil {
				out = append(out, l)
			}
		}
		return out, nil
	}
}

// checkCertificate applies the trust anchor to the signing certificate:
// it must not be a CA, must allow digital signatures, must chain to one
// of the anchor's CAs through the intermediates sent (each certificate
// within its validity at now), and no enabled CRL of the anchor, signed by
// the issuer of a certificate of the chain, may list that certificate.
func checkCertificate(s *sigv4.X509Signed, a *keyward.TrustAnchor, crls func() ([]*x509.RevocationList, error), now time.Time) error {
	leaf := s.Certificate
	switch {
	case leaf.BasicConstraintsValid && leaf.IsCA:
		return untrusted("the signing certificate is a CA certificate (basic constraints CA:true).")
	case leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0:
		return untrusted("the signing certificate's key usage does not include digitalSignature.")
	case weakSignature(leaf.SignatureAlgorithm):
		return untrusted("the signing certificate is signed with " + leaf.SignatureAlgorithm.String() + ": SHA-256 or stronger is required.")
	}
	roots, err := parseBundle(a.SourceData)
	if err != nil {
		return untrusted("the trust anchor holds no usable CA certificate.")
	}
	opts := x509.VerifyOptions{Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool(), CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	for _, c := range roots {
		opts.Roots.AddCert(c)
	}
	for _, c := range s.Chain {
		opts.Intermediates.AddCert(c)
	}
	chains, err := leaf.Verify(opts)
	if err != nil {
		return untrusted(verifyReason(err, now))
	}
	lists, err := crls()
	if err != nil {
		return err
	}
	for _, chain := range chains {
		for i := 0; i+1 < len(chain); i++ {
			if revoked(chain[i], chain[i+1], lists) {
				what := "the signing certificate"
				if i > 0 {
					what = "the CA certificate " + chain[i].Subject.String()
				}
				return untrusted(what + " is revoked by a CRL of the trust anchor.")
			}
		}
	}
	return nil
}

// revoked reports whether a CRL issued and signed by issuer lists c.
func revoked(c, issuer *x509.Certificate, lists []*x509.RevocationList) bool {
	for _, l := range lists {
		if !bytes.Equal(l.RawIssuer, issuer.RawSubject) || l.CheckSignatureFrom(issuer) != nil {
			continue
		}
		for _, e := range l.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
				return true
			}
		}
	}
	return false
}

// verifyReason says why path validation failed, in the client's terms.
func verifyReason(err error, now time.Time) string {
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) && ci.Reason == x509.Expired {
		c := ci.Cert
		if now.Before(c.NotBefore) {
			return "the certificate " + c.Subject.String() + " is not valid before " + c.NotBefore.UTC().Format(time.RFC3339) + "."
		}
		return "the certificate " + c.Subject.String() + " expired at " + c.NotAfter.UTC().Format(time.RFC3339) + "."
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return "it does not chain to a CA of the trust anchor."
	}
	return err.Error()
}

// decideTrust evaluates the role's trust policy for the service principal
// rolesanywhere.amazonaws.com: sts:AssumeRole, sts:TagSession and
// sts:SetSourceIdentity must all be allowed, with the certificate's
// attributes as principal and request tags and the trust anchor as the
// source.
func (s *Service) decideTrust(ctx context.Context, tx keyward.Tx, g *sessionGrant, in *CreateSessionInput, tags []keyward.Tag,
	sourceIdentity, sessionName string, service *keyward.Caller, now time.Time) error {
	role := &g.role
	doc, err := authz.TrustPolicy(tx, *role)
	if err != nil {
		return err
	}
	trust, err := s.trust.Of(role.ID, role.ARN, doc)
	if err != nil {
		return err
	}
	roleTags, err := tx.ListTags(keyward.RoleRef(role.AccountID, role.Name))
	if err != nil {
		return err
	}
	extra := authz.RequestTags(nil, tags)
	if extra == nil {
		extra = map[string][]string{}
	}
	for _, t := range tags {
		extra["aws:PrincipalTag/"+t.Key] = []string{t.Value}
	}
	for _, t := range roleTags {
		extra["aws:ResourceTag/"+t.Key] = []string{t.Value}
		extra["iam:ResourceTag/"+t.Key] = []string{t.Value}
	}
	extra["aws:SourceArn"] = []string{g.anchor.ARN}
	extra["aws:SourceAccount"] = []string{g.anchor.AccountID}
	extra["sts:RoleSessionName"] = []string{sessionName}
	if sourceIdentity != "" {
		extra["sts:SourceIdentity"] = []string{sourceIdentity}
	}
	extra["aws:CurrentTime"] = []string{now.UTC().Format(time.RFC3339)}
	extra["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	ps := policy.Policies{Resource: trust}
	for _, action := range []string{"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"} {
		req := policy.Request{Principal: servicePrincipal, Action: action, Resource: role.ARN, ResourceAccount: role.AccountID}
		for k, v := range extra {
			req.Context.Set(k, v...)
		}
		policy.FillPrincipalContext(&req)
		d := authz.Decision{Action: action, Resource: role.ARN, Extra: extra}
		ps.Evaluate(&req, &d.Result)
		if d.Result.Decision != policy.Allowed {
			d.Denied = denied("Unable to assume role for %s.", in.RoleArn)
		}
		// Result's slices are reused by the next Evaluate into it: each
		// decision keeps its own.
		d.Result.Matched = append([]policy.Match(nil), d.Result.Matched...)
		d.Result.Missing = append([]string(nil), d.Result.Missing...)
		g.decisions = append(g.decisions, d)
		if d.Denied != nil {
			return d.Denied
		}
	}
	return nil
}

// sessionPolicies returns the documents a session carries: the profile's
// inline session policy and the default versions of its managed
// policies, which must be AWS's or the role account's (any other reads as
// missing, so no account can read another's policies through a profile).
func sessionPolicies(tx keyward.Tx, account, inline string, arns []string) ([]string, error) {
	var docs []string
	if inline != "" {
		docs = append(docs, inline)
	}
	for _, pa := range arns {
		missing := denied("The profile's managed policy %s does not exist or is not attachable.", pa)
		owner := ""
		if p := strings.SplitN(pa, ":", 6); len(p) == 6 && p[0] == "arn" && p[2] == "iam" {
			owner = p[4]
		}
		if owner != account && owner != keyward.AWSAccountID {
			return nil, missing
		}
		mp, err := tx.GetPolicy(pa)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			return nil, missing
		}
		if err != nil {
			return nil, err
		}
		v, err := tx.GetPolicyVersion(mp.ARN, mp.DefaultVersionID)
		if err != nil {
			return nil, err
		}
		docs = append(docs, v.Document)
	}
	return docs, nil
}

// packedSize returns packedPolicySize (sts.PackedPercent: the deflated
// size of the session policy, the policy ARNs and the session tags as a
// percentage of sts.PackedLimit, as STS reports it); past 100% the session
// is refused.
func packedSize(inline string, arns []string, tags []keyward.Tag) (int, error) {
	pct := sts.PackedPercent(inline, arns, tags)
	if pct > 100 {
		return pct, denied("Packed policy consumes %d%% of allotted space: the profile's session policies and the certificate's attributes are too large for a session.", pct)
	}
	return pct, nil
}

// serialHex is a certificate's serial number in hex: AWS's session name.
func serialHex(c *x509.Certificate) string { return hex.EncodeToString(c.SerialNumber.Bytes()) }

func sourceIPOf(r *Request) string {
	h := r.HTTP.RemoteAddr
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return strings.Trim(h, "[]")
}
