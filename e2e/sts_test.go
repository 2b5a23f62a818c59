package e2e

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// userWithKey creates a user with inline policies and an access key.
func (s *Server) userWithKey(t *testing.T, name string, policies ...string) Creds {
	t.Helper()
	c, cx := s.IAM(s.Root), ctx(t)
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	for i, p := range policies {
		if _, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p" + string(rune('0'+i))), PolicyDocument: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return Creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
}

// roleWith creates a role with a trust policy, MaxSessionDuration and inline
// policies, and returns its ARN.
func (s *Server) roleWith(t *testing.T, name, trust string, maxDur int32, policies ...string) string {
	t.Helper()
	c, cx := s.IAM(s.Root), ctx(t)
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxDur > 0 {
		in.MaxSessionDuration = aws.Int32(maxDur)
	}
	out, err := c.CreateRole(cx, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range policies {
		if _, err := c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p" + string(rune('0'+i))), PolicyDocument: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

func sessionCreds(c *ststypes.Credentials) Creds {
	return Creds{ID: aws.ToString(c.AccessKeyId), Secret: aws.ToString(c.SecretAccessKey), Token: aws.ToString(c.SessionToken)}
}

const (
	stsAllowAll    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	stsAllowAssume = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
)

func trustAccount() string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`
}

func TestSTS_AssumeRole(t *testing.T) {
	s := startServer(t)
	cx := ctx(t)
	alice := s.userWithKey(t, "alice", stsAllowAssume)
	bob := s.userWithKey(t, "bob")
	adminARN := s.roleWith(t, "admin", trustAccount(), 7200, stsAllowAll)
	chainARN := s.roleWith(t, "chain", trustAccount(), 43200, stsAllowAll)

	out, err := s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(adminARN), RoleSessionName: aws.String("alice-session"), DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	if got, want := aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::"+testAccount+":assumed-role/admin/alice-session"; got != want {
		t.Errorf("AssumeRole().AssumedRoleUser.Arn = %q, want %q", got, want)
	}
	if exp := aws.ToTime(out.Credentials.Expiration); exp.Before(time.Now().Add(7100*time.Second)) || exp.After(time.Now().Add(7300*time.Second)) {
		t.Errorf("AssumeRole(7200 s).Expiration = %v, want about two hours from now", exp)
	}
	session := sessionCreds(out.Credentials)

	// The session works for STS and IAM.
	id, err := s.STS(session).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity(session): %v", err)
	}
	if aws.ToString(id.Arn) != aws.ToString(out.AssumedRoleUser.Arn) || aws.ToString(id.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) {
		t.Errorf("GetCallerIdentity(session) = %s %s, want %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.AssumedRoleUser.AssumedRoleId))
	}
	if _, err := s.IAM(session).ListUsers(cx, &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers(session): %v", err)
	}
	// A tampered token and a wrong secret are refused.
	bad := session
	bad.Token = session.Token[:len(session.Token)-2] + "AA"
	if bad.Token == session.Token {
		bad.Token = session.Token[:len(session.Token)-2] + "BB"
	}
	_, err = s.STS(bad).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	wantErrorCode(t, "GetCallerIdentity(tampered token)", err, "InvalidClientTokenId")
	bad = session
	bad.Secret = "wrong"
	_, err = s.STS(bad).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	wantErrorCode(t, "GetCallerIdentity(wrong secret)", err, "SignatureDoesNotMatch")
	// Session credentials cannot get a session token.
	_, err = s.STS(session).GetSessionToken(cx, &sts.GetSessionTokenInput{})
	wantErrorCode(t, "GetSessionToken(session)", err, "AccessDenied")

	// Role chaining: at most an hour.
	_, err = s.STS(session).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(chainARN), RoleSessionName: aws.String("hop"), DurationSeconds: aws.Int32(3601)})
	wantErrorCode(t, "AssumeRole(chained, 3601 s)", err, "ValidationError")
	hop, err := s.STS(session).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(chainARN), RoleSessionName: aws.String("hop"), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		t.Fatalf("AssumeRole(chained, 3600 s): %v", err)
	}
	id, err = s.STS(sessionCreds(hop.Credentials)).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+testAccount+":assumed-role/chain/hop" {
		t.Errorf("GetCallerIdentity(chained session) = %v, %v", id, err)
	}

	// Trust refusal: bob has no permission; a missing role reads the same.
	_, err = s.STS(bob).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(adminARN), RoleSessionName: aws.String("bob")})
	wantErrorCode(t, "AssumeRole(bob)", err, "AccessDenied")
	if want := "User: arn:aws:iam::" + testAccount + ":user/bob is not authorized to perform: sts:AssumeRole on resource: " + adminARN; !strings.Contains(err.Error(), want) {
		t.Errorf("AssumeRole(bob) = %v, want message %q", err, want)
	}
	_, err = s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/nope"), RoleSessionName: aws.String("alice")})
	wantErrorCode(t, "AssumeRole(missing role)", err, "AccessDenied")
	_, err = s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(adminARN), RoleSessionName: aws.String("alice"), DurationSeconds: aws.Int32(7201)})
	wantErrorCode(t, "AssumeRole(7201 s)", err, "ValidationError")

	// Deleting the role ends its sessions.
	ic := s.IAM(s.Root)
	if _, err := ic.DeleteRolePolicy(cx, &iam.DeleteRolePolicyInput{RoleName: aws.String("chain"), PolicyName: aws.String("p0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("chain")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.IAM(sessionCreds(hop.Credentials)).ListUsers(cx, &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers(session of a deleted role)", err, "InvalidClientTokenId")
}

func TestSTS_SessionPolicyNarrows(t *testing.T) {
	s := startServer(t)
	cx := ctx(t)
	alice := s.userWithKey(t, "alice", stsAllowAssume)
	adminARN := s.roleWith(t, "admin", trustAccount(), 0, stsAllowAll)
	out, err := s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(adminARN), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 AWS still sends PackedPolicySize, and it is what this checks
	if size := out.PackedPolicySize; size == nil || *size <= 0 {
		t.Errorf("AssumeRole(Policy).PackedPolicySize = %v, want a percentage", size)
	}
	narrow := s.IAM(sessionCreds(out.Credentials))
	if _, err := narrow.ListRoles(cx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles(narrowed session): %v", err)
	}
	_, err = narrow.ListUsers(cx, &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers(narrowed session)", err, "AccessDenied")
}

func TestSTS_GetSessionTokenAndAccessKeyInfo(t *testing.T) {
	s := startServer(t)
	cx := ctx(t)
	alice := s.userWithKey(t, "alice", stsAllowAll)
	out, err := s.STS(alice).GetSessionToken(cx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.STS(sessionCreds(out.Credentials)).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+testAccount+":user/alice" {
		t.Errorf("GetCallerIdentity(user session) = %v, %v; want alice", id, err)
	}
	// Without MFA, GetSessionToken credentials cannot call IAM (AWS's rule).
	_, err = s.IAM(sessionCreds(out.Credentials)).GetUser(cx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantErrorCode(t, "GetUser(user session without MFA)", err, "AccessDenied")
	info, err := s.STS(alice).GetAccessKeyInfo(cx, &sts.GetAccessKeyInfoInput{AccessKeyId: out.Credentials.AccessKeyId})
	if err != nil || aws.ToString(info.Account) != testAccount {
		t.Errorf("GetAccessKeyInfo(temporary key) = %v, %v; want %s", info, err, testAccount)
	}
}

// webIdentityProvider is an OpenID Connect provider on 127.0.0.1 over TLS,
// with one RSA key; the keyward process trusts its certificate through
// SSL_CERT_FILE.
type webIdentityProvider struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newWebIdentityProvider(t *testing.T) *webIdentityProvider {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &webIdentityProvider{key: k}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}}})
	})
	p.srv = httptest.NewTLSServer(mux)
	t.Cleanup(p.srv.Close)
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", path)
	return p
}

func (p *webIdentityProvider) token(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	b64 := base64.RawURLEncoding.EncodeToString
	hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": kid, "typ": "JWT"})
	now := time.Now().Unix()
	c := map[string]any{"iss": p.srv.URL, "sub": "repo:acme/widgets", "aud": "my-app", "iat": now, "exp": now + 300}
	for k, v := range claims {
		c[k] = v
	}
	body, _ := json.Marshal(c)
	signed := b64(hdr) + "." + b64(body)
	h := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + b64(sig)
}

func TestSTS_AssumeRoleWithWebIdentity(t *testing.T) {
	idp := newWebIdentityProvider(t) // before startServer: it sets SSL_CERT_FILE for the server
	s := startServer(t)
	cx := ctx(t)
	prov, err := s.IAM(s.Root).CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(idp.srv.URL), ClientIDList: []string{"my-app"}})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider(%s): %v", idp.srv.URL, err)
	}
	name := strings.TrimPrefix(idp.srv.URL, "https://")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(prov.OpenIDConnectProviderArn) + `"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringLike":{"` + name + `:sub":"repo:acme/*"}}}]}`
	roleARN := s.roleWith(t, "ci", trust, 0, stsAllowAll)
	// No credentials at all: the SDK sends this action unsigned.
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1})
	assume := func(tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("ci-run"), WebIdentityToken: aws.String(tok)})
	}
	out, err := assume(idp.token(t, idp.key, "k1", nil))
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != "repo:acme/widgets" || aws.ToString(out.Audience) != "my-app" {
		t.Errorf("AssumeRoleWithWebIdentity() = subject %q audience %q", aws.ToString(out.SubjectFromWebIdentityToken), aws.ToString(out.Audience))
	}
	id, err := s.STS(sessionCreds(out.Credentials)).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+testAccount+":assumed-role/ci/ci-run" {
		t.Errorf("GetCallerIdentity(web identity session) = %v, %v", id, err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Now().Unix()
	for _, tt := range []struct {
		name, tok, code string
	}{
		{"wrong audience", idp.token(t, idp.key, "k1", map[string]any{"aud": "other-app"}), "InvalidIdentityToken"},
		{"expired", idp.token(t, idp.key, "k1", map[string]any{"exp": now - 600, "iat": now - 1200}), "ExpiredTokenException"},
		{"wrong signer", idp.token(t, other, "k1", nil), "InvalidIdentityToken"},
		{"unknown key id", idp.token(t, idp.key, "k9", nil), "InvalidIdentityToken"},
		{"subject the trust policy refuses", idp.token(t, idp.key, "k1", map[string]any{"sub": "repo:evil/x"}), "AccessDenied"},
	} {
		_, err := assume(tt.tok)
		wantErrorCode(t, "AssumeRoleWithWebIdentity("+tt.name+")", err, tt.code)
	}
}

// TestSTS_AWSCLI assumes a role with the AWS CLI, session tags and a
// managed session policy included, and uses the credentials it returns.
func TestSTS_AWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	s := startServer(t)
	alice := s.userWithKey(t, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	roleARN := s.roleWith(t, "admin", trust, 0, stsAllowAll)
	pol, err := s.IAM(s.Root).CreatePolicy(ctx(t), &iam.CreatePolicyInput{PolicyName: aws.String("ListRolesOnly"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	run := func(c Creds, args ...string) (string, error) {
		cmd := exec.Command("aws", args...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+c.ID, "AWS_SECRET_ACCESS_KEY="+c.Secret, "AWS_SESSION_TOKEN="+c.Token,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_ENDPOINT_URL="+s.URL,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(alice, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "cli",
		"--tags", "Key=team,Value=blue", "Key=env,Value=prod", "--transitive-tag-keys", "team",
		"--policy-arns", "arn="+aws.ToString(pol.Policy.Arn), "--duration-seconds", "900")
	if err != nil {
		t.Fatalf("aws sts assume-role: %v\n%s", err, out)
	}
	var res struct {
		Credentials      struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser  struct{ Arn string }
		PackedPolicySize int
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("aws sts assume-role output %s: %v", out, err)
	}
	if res.AssumedRoleUser.Arn != "arn:aws:sts::"+testAccount+":assumed-role/admin/cli" || res.PackedPolicySize <= 0 {
		t.Errorf("aws sts assume-role = %s", out)
	}
	session := Creds{ID: res.Credentials.AccessKeyId, Secret: res.Credentials.SecretAccessKey, Token: res.Credentials.SessionToken}
	if out, err := run(session, "iam", "list-roles"); err != nil || !strings.Contains(out, roleARN) {
		t.Errorf("aws iam list-roles (session) = %v\n%s", err, out)
	}
	if out, err := run(session, "iam", "list-users"); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Errorf("aws iam list-users (session narrowed to ListRoles) = %v\n%s, want AccessDenied", err, out)
	}
}

// TestSTS_RevokeSessions is the console's "revoke active sessions": an
// inline deny on aws:TokenIssueTime stops sessions issued before it on
// their next request, and leaves later ones alone.
func TestSTS_RevokeSessions(t *testing.T) {
	s := startServer(t)
	cx := ctx(t)
	alice := s.userWithKey(t, "alice", stsAllowAssume)
	adminARN := s.roleWith(t, "admin", trustAccount(), 0, stsAllowAll)
	assume := func() Creds {
		t.Helper()
		out, err := s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(adminARN), RoleSessionName: aws.String("s1")})
		if err != nil {
			t.Fatal(err)
		}
		return sessionCreds(out.Credentials)
	}
	old := assume()
	if _, err := s.IAM(old).ListUsers(cx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers(session) before revocation: %v", err)
	}
	time.Sleep(1100 * time.Millisecond) // token issue times have whole seconds
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + time.Now().UTC().Format(time.RFC3339) + `"}}}]}`
	if _, err := s.IAM(s.Root).PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(revoke)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.IAM(old).ListUsers(cx, &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers(revoked session)", err, "AccessDenied")
	if _, err := s.IAM(assume()).ListUsers(cx, &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers(session issued after revocation): %v", err)
	}
}

// TestSTS_ReplicasShareKeys runs two servers on one SQLite file, as two
// replicas of one store: a session issued by one works on the other.
func TestSTS_ReplicasShareKeys(t *testing.T) {
	dir := t.TempDir()
	kek := filepath.Join(dir, "kek")
	if err := os.WriteFile(kek, []byte(base64.StdEncoding.EncodeToString(make([]byte, 32))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := "--store=sqlite:" + filepath.Join(dir, "keyward.db")
	a := startServer(t, store, "--kek-file", kek)
	cx := ctx(t)
	alice := a.userWithKey(t, "alice", stsAllowAssume)
	adminARN := a.roleWith(t, "admin", trustAccount(), 0, stsAllowAll)
	out, err := a.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(adminARN), RoleSessionName: aws.String("replica")})
	if err != nil {
		t.Fatal(err)
	}
	b := startServer(t, store, "--kek-file", kek)
	id, err := b.STS(sessionCreds(out.Credentials)).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != aws.ToString(out.AssumedRoleUser.Arn) {
		t.Errorf("GetCallerIdentity on the second replica = %v, %v; want %s", id, err, aws.ToString(out.AssumedRoleUser.Arn))
	}
	if _, err := b.IAM(sessionCreds(out.Credentials)).ListUsers(cx, &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers on the second replica: %v", err)
	}
}
