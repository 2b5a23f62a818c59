package main

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/sigv4"
)

// coverageParams are values for every required parameter of every
// supported IAM and STS action (botocore's models say which are required),
// naming the entities coverageSetup makes, so that a request gets past
// validation and lookups to the authorization check. Each action is sent
// all of them: the Query protocol ignores parameters an action lacks.
// A new action with a new required parameter fails the test with a
// ValidationError until its parameter is added here.
var coverageParams = url.Values{
	"UserName":                    {"alice"},
	"GroupName":                   {"devs"},
	"RoleName":                    {"app"},
	"InstanceProfileName":         {"ip"},
	"PolicyName":                  {"inline"},
	"PolicyArn":                   {"arn:aws:iam::111122223333:policy/managed"},
	"VersionId":                   {"v1"},
	"PolicyDocument":              {`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
	"AssumeRolePolicyDocument":    {`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}}`},
	"PermissionsBoundary":         {"arn:aws:iam::111122223333:policy/managed"},
	"OpenIDConnectProviderArn":    {"arn:aws:iam::111122223333:oidc-provider/oidc.example.com"},
	"Url":                         {"https://oidc2.example.com"},
	"ClientID":                    {"client-1"},
	"ThumbprintList.member.1":     {"0123456789abcdef0123456789abcdef01234567"},
	"AccountAlias":                {"coverage-alias"},
	"AWSServiceName":              {"ecs.amazonaws.com"},
	"DeletionTaskId":              {"task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/2c8b5f3e-1234-4d6f-9abc-0123456789ab"},
	"PolicyInputList.member.1":    {`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
	"ActionNames.member.1":        {"s3:GetObject"},
	"PolicySourceArn":             {"arn:aws:iam::111122223333:user/alice"},
	"Tags.member.1.Key":           {"team"},
	"Tags.member.1.Value":         {"blue"},
	"TagKeys.member.1":            {"team"},
	"Status":                      {"Inactive"},
	"Description":                 {"coverage"},
	"RoleArn":                     {"arn:aws:iam::111122223333:role/app"},
	"RoleSessionName":             {"coverage"},
	"EncodedMessage":              {"not-a-message"},
	"Name":                        {"federated"},
	"WebIdentityToken":            {"e30.e30.c2ln"},
	"PrincipalArn":                {"arn:aws:iam::111122223333:saml-provider/idp"},
	"SAMLAssertion":               {"PHNhbWw+PC9zYW1sPg=="},
	"Arn":                         {"arn:aws:iam::111122223333:user/alice"},
	"JobId":                       {"2c8b5f3e-1234-4d6f-9abc-0123456789ab"},
	"ServiceNamespace":            {"s3"},
	"ServiceNamespaces.member.1":  {"s3"},
	"Password":                    {"Coverage-pass-1"},
	"OldPassword":                 {"Coverage-pass-1"},
	"NewPassword":                 {"Coverage-pass-2"},
	"SerialNumber":                {"arn:aws:iam::111122223333:mfa/coverage"},
	"AuthenticationCode1":         {"123456"},
	"AuthenticationCode2":         {"654321"},
	"VirtualMFADeviceName":        {"coverage"},
	"SSHPublicKeyBody":            {"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ coverage"},
	"SSHPublicKeyId":              {"APKACOVERAGECOVERAGE"},
	"Encoding":                    {"SSH"},
	"CertificateBody":             {"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
	"CertificateId":               {"COVERAGECOVERAGECOVERAGECOVERAGE"},
	"ServiceName":                 {"codecommit.amazonaws.com"},
	"ServiceSpecificCredentialId": {"ACCACOVERAGECOVERAGE1"},
	"ServerCertificateName":       {"coverage"},
	"PrivateKey":                  {"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"},
	"GlobalEndpointTokenVersion":  {"v2Token"},
	"SAMLProviderArn":             {"arn:aws:iam::111122223333:saml-provider/coverage"},
	"SAMLMetadataDocument":        {"<EntityDescriptor>" + strings.Repeat(" ", 1000) + "</EntityDescriptor>"},
	// Delegation requests (CreateDelegationRequest's template is the
	// managed policy above) and the notification feed.
	"Permissions.PolicyTemplateArn": {"arn:aws:iam::111122223333:policy/managed"},
	"RequestorWorkflowId":           {"coverage-workflow"},
	"NotificationChannel":           {"arn:aws:sns:us-east-1:111122223333:coverage"},
	"SessionDuration":               {"3600"},
	"DelegationRequestId":           {"dr-0000000000000coverage"},
	"EntityArn":                     {"arn:aws:iam::111122223333:delegation-request/dr-0000000000000coverage"},
	"TradeInToken":                  {"kdt1.dr-0000000000000coverage.coverage"},
	"TopicArn":                      {"arn:aws:sns:us-east-1:111122223333:coverage"},
	// sts:GetWebIdentityToken.
	"Audience.member.1": {"https://coverage.example"},
	"SigningAlgorithm":  {"RS256"},
}

// queryVersions are the Version fields of the Query API's services: IAM,
// STS and Keyward's delegation notification feed.
var queryVersions = map[string]string{"iam": "2010-05-08", "sts": "2011-06-15", "keyward": iam.FeedVersion}

// coverageExceptions are the actions a principal with no permission may
// call, as in AWS: they act on the caller's own credentials only.
var coverageExceptions = map[string]string{
	"sts:GetCallerIdentity":      "AWS answers GetCallerIdentity for any valid credentials; no policy can deny it",
	"sts:GetSessionToken":        "AWS needs no permission for GetSessionToken: it only hands the caller's own permissions to a session",
	"iam:ListDelegationRequests": "AWS lets every principal list the delegation requests it owns (a default permission); a principal with no permission lists only those, here none",
}

// unsignedByDesign are the actions whose caller proves who it is with an
// identity provider's token instead of a signature.
var unsignedByDesign = map[string]bool{
	"sts:AssumeRoleWithWebIdentity": true,
	"sts:AssumeRoleWithSAML":        true,
}

var requestIDRe = regexp.MustCompile(`<RequestId>[^<]*</RequestId>`)

// TestAuthorizationCoverage walks every action the server serves and shows
// that each refuses an unsigned request and a badly signed one, and that
// every supported action refuses a principal with no permission with
// AccessDenied, leaving the account as it was; so does the authorize API
// (keyward:Authorize). No action can skip authentication or authorization.
func TestAuthorizationCoverage(t *testing.T) {
	s, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	c := hs.Client()
	mustCall := func(service string, form url.Values) string {
		t.Helper()
		code, body := call(t, c, hs.URL, root, service, form)
		if code != 200 {
			t.Fatalf("setup %s: %d %s", form.Get("Action"), code, body)
		}
		return body
	}
	// The entities the parameters name, so that lookups succeed.
	mustCall("iam", iamForm("CreateUser", "UserName", "alice"))
	mustCall("iam", iamForm("CreateGroup", "GroupName", "devs"))
	mustCall("iam", iamForm("CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", coverageParams.Get("AssumeRolePolicyDocument")))
	mustCall("iam", iamForm("CreatePolicy", "PolicyName", "managed", "PolicyDocument", coverageParams.Get("PolicyDocument")))
	mustCall("iam", iamForm("CreateInstanceProfile", "InstanceProfileName", "ip"))
	mustCall("iam", iamForm("CreateOpenIDConnectProvider", "Url", "https://oidc.example.com", "ThumbprintList.member.1", coverageParams.Get("ThumbprintList.member.1")))
	mustCall("iam", iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "inline", "PolicyDocument", coverageParams.Get("PolicyDocument")))
	mustCall("iam", iamForm("PutGroupPolicy", "GroupName", "devs", "PolicyName", "inline", "PolicyDocument", coverageParams.Get("PolicyDocument")))
	mustCall("iam", iamForm("PutRolePolicy", "RoleName", "app", "PolicyName", "inline", "PolicyDocument", coverageParams.Get("PolicyDocument")))
	mustCall("iam", iamForm("CreateUser", "UserName", "nobody"))
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(mustCall("iam", iamForm("CreateAccessKey", "UserName", "nobody"))), &key); err != nil {
		t.Fatal(err)
	}
	nobody := sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	// Every decision made for nobody, to check against AWS's catalog below.
	var decisionsMu sync.Mutex
	var decisions []authz.Decision
	prev := s.Authorizer().OnDecision
	s.Authorizer().OnDecision = func(ctx context.Context, c *keyward.Caller, d authz.Decision) {
		if c.UserName == "nobody" {
			decisionsMu.Lock()
			extra := map[string][]string{}
			for k, v := range d.Extra {
				extra[k] = v
			}
			d.Extra = extra
			decisions = append(decisions, d)
			decisionsMu.Unlock()
		}
		if prev != nil {
			prev(ctx, c, d)
		}
	}
	if err := xml.Unmarshal([]byte(mustCall("iam", iamForm("CreateAccessKey", "UserName", "alice"))), &key); err != nil {
		t.Fatal(err)
	}
	params := actionParams(key.ID, nil)

	// What the account holds, to compare after nobody's attempts.
	snapshot := func() string {
		var b strings.Builder
		for _, a := range []string{"ListUsers", "ListGroups", "ListRoles", "ListInstanceProfiles", "ListOpenIDConnectProviders", "ListAccountAliases", "GetAccountPasswordPolicy"} {
			_, body := call(t, c, hs.URL, root, "iam", iamForm(a, "Scope", "Local"))
			b.WriteString(requestIDRe.ReplaceAllString(body, ""))
		}
		for _, a := range []string{"ListAccessKeys", "ListUserPolicies", "ListUserTags", "ListGroupsForUser", "ListAttachedUserPolicies"} {
			for _, u := range []string{"alice", "nobody"} {
				_, body := call(t, c, hs.URL, root, "iam", iamForm(a, "UserName", u))
				b.WriteString(requestIDRe.ReplaceAllString(body, ""))
			}
		}
		_, body := call(t, c, hs.URL, root, "iam", iamForm("ListPolicyVersions", "PolicyArn", params.Get("PolicyArn")))
		b.WriteString(requestIDRe.ReplaceAllString(body, ""))
		return b.String()
	}
	before := snapshot()

	supported := map[string]bool{}
	for _, op := range iam.Operations {
		supported["iam:"+op.Name] = op.Supported
	}
	var actions []string
	for svc, handlers := range s.Handlers() {
		for name := range handlers {
			actions = append(actions, svc+":"+name)
		}
	}
	sort.Strings(actions)
	if n := len(actions); n < 100 {
		t.Fatalf("the server serves %d actions, want the 100+ IAM and STS ones", n)
	}

	send := func(service string, form url.Values, creds *sigv4.Credentials) (int, string) {
		if creds != nil {
			return call(t, c, hs.URL, *creds, service, form)
		}
		req, _ := http.NewRequest("POST", hs.URL+"/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	wrongSecret := sigv4.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: "not-the-secret"}
	counts := map[string]int{}
	for _, a := range actions {
		service, name, _ := strings.Cut(a, ":")
		form := url.Values{}
		for k, v := range params {
			form[k] = v
		}
		form.Set("Action", name)
		form.Set("Version", queryVersions[service])
		if service == "sts" {
			// STS's SerialNumber names the caller's own MFA device, which
			// nobody lacks; GetSessionToken must still succeed.
			form.Del("SerialNumber")
		}

		if !unsignedByDesign[a] {
			code, body := send(service, form, nil)
			if code != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
				t.Errorf("%s unsigned = %d %s, want 403 MissingAuthenticationToken", a, code, body)
			} else {
				counts["unsigned"]++
			}
		}
		code, body := send(service, form, &wrongSecret)
		if code != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("%s badly signed = %d %s, want 403 SignatureDoesNotMatch", a, code, body)
		} else {
			counts["badly signed"]++
		}

		if service == "iam" && !supported[a] {
			continue // answers InvalidAction once authenticated
		}
		code, body = send(service, form, &nobody)
		switch {
		case coverageExceptions[a] != "":
			if code != 200 {
				t.Errorf("%s by a principal with no permission = %d %s, want 200 (%s)", a, code, body, coverageExceptions[a])
			}
			counts["documented exceptions"]++
		case unsignedByDesign[a]:
			// The identity provider's token decides; ours is not valid.
			if code == 200 {
				t.Errorf("%s with an invalid token = 200 %s, want a refusal", a, body)
			}
			counts["documented exceptions"]++
		case code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "is not authorized to perform: "+a):
			t.Errorf("%s by a principal with no permission = %d %s, want 403 AccessDenied naming %s", a, code, body, a)
		default:
			counts["no permission"]++
		}
	}
	// The authorize API (services asking Keyward about their clients'
	// requests) is an action too: keyward:Authorize, signed for service
	// "keyward".
	authBody := `{"service":"s3","request":{"method":"GET","path":"/bucket/key","headers":{}},"decisions":[{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key"}]}`
	sendAuthorize := func(creds *sigv4.Credentials) (int, string) {
		req, _ := http.NewRequest("POST", hs.URL+"/keyward/v1/authorize", strings.NewReader(authBody))
		req.Header.Set("Content-Type", "application/json")
		if creds != nil {
			if err := sigv4.Sign(req, []byte(authBody), *creds, "us-east-1", "keyward", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tt := range []struct {
		name  string
		creds *sigv4.Credentials
		want  string
	}{
		{"unsigned", nil, "MissingAuthenticationToken"},
		{"badly signed", &wrongSecret, "SignatureDoesNotMatch"},
		{"no permission", &nobody, "AccessDenied"},
	} {
		code, body := sendAuthorize(tt.creds)
		if code != 403 || !strings.Contains(body, `"code":"`+tt.want+`"`) {
			t.Errorf("POST /keyward/v1/authorize %s = %d %s, want 403 %s", tt.name, code, body, tt.want)
		} else {
			counts[tt.name]++
		}
	}
	if code, body := sendAuthorize(&root); code != 200 {
		t.Errorf("POST /keyward/v1/authorize as root = %d %s, want 200", code, body)
	}

	checkCatalog(t, decisions)

	if after := snapshot(); after != before {
		t.Errorf("the account changed after refused requests:\nbefore %s\nafter  %s", before, after)
	}
	t.Logf("%d Query actions and keyward:Authorize: %d refused unsigned, %d refused badly signed, %d refused AccessDenied to a principal with no permission, %d documented exceptions (%s)",
		len(actions), counts["unsigned"], counts["badly signed"], counts["no permission"], counts["documented exceptions"],
		strings.Join(slices.Sorted(mapsKeys(coverageExceptions, unsignedByDesign)), ", "))
}

// listedByPath are the List actions the Service Authorization Reference
// gives no resource type, which IAM nonetheless authorizes on the path they
// list (its denials read "... iam:ListUsers on resource:
// arn:aws:iam::ACCOUNT:user/"): where the reference and the service differ,
// Keyward follows the service. "*" and "arn:aws:iam::*:user/*" match both.
var listedByPath = map[string]bool{"iam:ListUsers": true, "iam:ListGroups": true, "iam:ListRoles": true, "iam:ListInstanceProfiles": true}

// notInCatalog are the actions Keyward authorizes that AWS's Service
// Authorization Reference (the catalog) does not list, each with why.
var notInCatalog = map[string]string{
	"iam:UpdateDelegationRequest": "the IAM User Guide's \"Managing Permissions for Delegation Requests\" names it as the permission UpdateDelegationRequest needs, but the reference the catalog is built from has no entry for it",
}

// checkCatalog: each IAM and STS action is authorized as AWS's Service
// Authorization Reference says: on a resource of a type the action lists
// ("*" for actions that list none), with context keys AWS supplies for it.
func checkCatalog(t *testing.T, decisions []authz.Decision) {
	t.Helper()
	checked := map[string]bool{}
	for _, d := range decisions {
		act, ok := catalog.FindAction(d.Action)
		if !ok {
			if !strings.HasPrefix(d.Action, "keyward:") && notInCatalog[d.Action] == "" {
				t.Errorf("%s: not an action of AWS's catalog", d.Action)
			}
			continue
		}
		checked[d.Action] = true
		okResource := len(act.Resources) == 0 && (d.Resource == "*" || listedByPath[d.Action])
		for _, r := range act.Resources {
			if r.Type != nil && r.Type.AcceptsResource(d.Resource) {
				okResource = true
			}
		}
		if !okResource {
			var types []string
			for _, r := range act.Resources {
				if r.Type != nil {
					types = append(types, r.Type.Name+" "+r.Type.ARNFormat)
				}
			}
			t.Errorf("%s authorized on %q, which is none of the action's resource types %v", d.Action, d.Resource, types)
		}
		for k := range d.Extra {
			if _, ok := act.ConditionKey(k); !ok {
				t.Errorf("%s authorized with context key %s, which AWS does not supply for it", d.Action, k)
			}
		}
	}
	if len(checked) < 100 {
		t.Errorf("only %d actions were checked against the catalog, want every implemented one", len(checked))
	}
	t.Logf("%d actions' resources and context keys match AWS's Service Authorization Reference", len(checked))
}

func mapsKeys(a map[string]string, b map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
		for k := range b {
			if !yield(k) {
				return
			}
		}
	}
}

// newTestServer is testServer with a chosen configuration (its data
// directory defaults to a temporary one), returning the server too.
func newTestServer(tb testing.TB, cfg serveConfig) (*server.Server, *httptest.Server, sigv4.Credentials) {
	tb.Helper()
	tb.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	tb.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", "root-secret-for-benchmarks")
	tb.Setenv("KEYWARD_ACCOUNT_ID", "111122223333")
	if cfg.data == "" {
		cfg.data = tb.TempDir()
	}
	s, err := newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	tb.Cleanup(func() { hs.Close(); s.Close() })
	return s, hs, sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root-secret-for-benchmarks"}
}
