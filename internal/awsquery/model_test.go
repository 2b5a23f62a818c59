package awsquery

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/keyward/keyward"
)

// bindModel sends form to a Handler bound with Bind, as the server would
// for action under version, and reports whether the action ran. The input
// type has no fields: what is checked comes from the model, not from the
// Go type.
func bindModel(t *testing.T, version, action string, form url.Values) (ran bool, err error) {
	t.Helper()
	h := Bind(func(context.Context, *keyward.Caller, *struct{}) (*struct{}, error) {
		ran = true
		return nil, nil
	})
	f, err := ParseForm(form.Encode())
	if err != nil {
		t.Fatal(err)
	}
	_, err = h(context.Background(), &Request{Form: *f, Action: action, Service: &Service{Version: version}, Caller: &keyward.Caller{}})
	return ran, err
}

func tags(n int) url.Values {
	v := url.Values{}
	for i := 1; i <= n; i++ {
		v.Set(fmt.Sprintf("Tags.member.%d.Key", i), fmt.Sprintf("k%d", i))
		v.Set(fmt.Sprintf("Tags.member.%d.Value", i), "v")
	}
	return v
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for i := 0; i < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func form(kv ...string) url.Values { return with(nil, kv...) }

// TestBind_Model sends real IAM and STS requests that break their models.
// The IAM and STS cases are those of the iam and sts packages' tests (which
// call the actions directly), with the same messages; "probe" cases are
// what AWS's STS answered to a recorded wire probe (a public test suite
// that sends AssumeRole to AWS and pins the responses).
func TestBind_Model(t *testing.T) {
	const roleARN = "arn:aws:iam::111122223333:role/app"
	arnPattern := `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`
	var stsTags []string
	var keys []string
	transitive := url.Values{}
	for i := 1; i <= 51; i++ {
		stsTags = append(stsTags, fmt.Sprintf("Tag(key=k%d, value=v)", i))
		keys = append(keys, fmt.Sprintf("k%d", i))
		transitive.Set(fmt.Sprintf("TransitiveTagKeys.member.%d", i), fmt.Sprintf("k%d", i))
	}
	assume := func(kv ...string) url.Values {
		return with(form("RoleArn", roleARN, "RoleSessionName", "s1"), kv...)
	}
	tests := []struct {
		name            string
		version, action string
		form            url.Values
		code, msg       string
	}{
		// iam/service_test.go TestValidator_Messages.
		{
			// IAM words its names' pattern itself (ownSentence).
			name: "bad name", version: VersionIAM, action: "CreateUser", form: form("UserName", "a b"),
			msg: "The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
		},
		{
			name: "empty name", version: VersionIAM, action: "CreateUser", form: form("UserName", ""),
			msg: `1 validation error detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1`,
		},
		{
			name: "long name", version: VersionIAM, action: "CreateUser", form: form("UserName", strings.Repeat("a", 65)),
			msg: `1 validation error detected: Value '` + strings.Repeat("a", 65) + `' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
		},
		{
			// IAM words its paths itself (ownSentence).
			name: "path without trailing slash", version: VersionIAM, action: "CreateUser", form: form("UserName", "alice", "Path", "/a"),
			msg: "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
		},
		{
			name: "new path", version: VersionIAM, action: "UpdateUser", form: form("UserName", "alice", "NewPath", "team"),
			msg: "The specified value for newPath is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
		},
		{
			name: "policy path prefix", version: VersionIAM, action: "ListPolicies", form: form("PathPrefix", "/foo"),
			msg: "The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters.",
		},
		{
			// The model's failures come first: IAM's own sentence is not
			// reached.
			name: "long name and bad path", version: VersionIAM, action: "CreateUser", form: form("UserName", strings.Repeat("a", 65), "Path", "a"),
			msg: `1 validation error detected: Value '` + strings.Repeat("a", 65) + `' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
		},
		{
			// Two of IAM's own: the first member of the model's (Path comes
			// before UserName in CreateUserRequest).
			name: "path and name", version: VersionIAM, action: "CreateUser", form: form("UserName", "a b", "Path", "a"),
			msg: "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
		},
		{
			// moto 5.2.1's test_create_virtual_mfa_device_errors: too long is the
			// model's length failure.
			name: "path too long", version: VersionIAM, action: "CreateVirtualMFADevice", form: form("VirtualMFADeviceName", "d", "Path", "/"+strings.Repeat("b", 511)+"/"),
			msg: `1 validation error detected: Value '/` + strings.Repeat("b", 511) + `/' at 'path' failed to satisfy constraint: Member must have length less than or equal to 512`,
		},
		{
			name: "path too long and unslashed", version: VersionIAM, action: "CreateVirtualMFADevice", form: form("VirtualMFADeviceName", "d", "Path", strings.Repeat("b", 513)),
			msg: `1 validation error detected: Value '` + strings.Repeat("b", 513) + `' at 'path' failed to satisfy constraint: Member must have length less than or equal to 512`,
		},
		{
			name: "tag key and value", version: VersionIAM, action: "CreateUser",
			form: form("UserName", "alice", "Tags.member.1.Key", "ok", "Tags.member.1.Value", "v", "Tags.member.2.Key", "", "Tags.member.2.Value", "bad*"),
			msg: `3 validation errors detected: Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+; ` +
				`Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value 'bad*' at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`,
		},
		// iam/service_test.go TestValidator_Page.
		{
			name: "page", version: VersionIAM, action: "ListUsers", form: form("MaxItems", "0", "PathPrefix", "x"),
			msg: `2 validation errors detected: Value 'x' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*; ` +
				`Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`,
		},
		// iam/policy_test.go.
		{
			name: "policy path", version: VersionIAM, action: "CreatePolicy", form: form("PolicyName", "p", "Path", "/a b/", "PolicyDocument", "{}"),
			msg: `1 validation error detected: Value '/a b/' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ((/[A-Za-z0-9\.,\+@=_-]+)*)/`,
		},
		{
			name: "policy name", version: VersionIAM, action: "CreatePolicy", form: form("PolicyName", "a/b", "PolicyDocument", "{}"),
			msg: "The specified value for policyName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
		},
		{
			name: "version id", version: VersionIAM, action: "SetDefaultPolicyVersion", form: form("PolicyArn", "arn:aws:iam::111122223333:policy/p", "VersionId", "1"),
			msg: `1 validation error detected: Value '1' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`,
		},
		{
			name: "scope", version: VersionIAM, action: "ListPolicies", form: form("Scope", "Mine"),
			msg: "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
		},
		// iam/account_test.go.
		{
			name: "alias", version: VersionIAM, action: "CreateAccountAlias", form: form("AccountAlias", "Bad--Alias"),
			msg: `1 validation error detected: Value 'Bad--Alias' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`,
		},
		{
			name: "short alias", version: VersionIAM, action: "CreateAccountAlias", form: form("AccountAlias", "ab"),
			msg: `2 validation errors detected: Value 'ab' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$; ` +
				`Value 'ab' at 'accountAlias' failed to satisfy constraint: Member must have length greater than or equal to 3`,
		},
		{
			name: "filter", version: VersionIAM, action: "GetAccountAuthorizationDetails", form: form("Filter.member.1", "Users"),
			msg: "1 validation error detected: Value 'Users' at 'filter.1.member' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
		},
		{
			name: "password policy", version: VersionIAM, action: "UpdateAccountPasswordPolicy", form: form("MinimumPasswordLength", "5", "MaxPasswordAge", "2000"),
			msg: "2 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6; " +
				"Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095",
		},
		{
			// AWS's answer as recorded (valueLeftOut, checkOrder).
			name: "password policy as AWS recorded it", version: VersionIAM, action: "UpdateAccountPasswordPolicy",
			form: form("MinimumPasswordLength", "129", "MaxPasswordAge", "1096", "PasswordReusePrevention", "25"),
			msg: "3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128; " +
				"Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24; " +
				"Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095",
		},
		// iam/oidc_test.go and iam/accesskey_test.go.
		{
			name: "empty url", version: VersionIAM, action: "CreateOpenIDConnectProvider", form: form("Url", ""),
			msg: "1 validation error detected: Value '' at 'url' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name: "short thumbprint", version: VersionIAM, action: "CreateOpenIDConnectProvider", form: form("Url", "https://example.com", "ThumbprintList.member.1", "abc"),
			msg: "1 validation error detected: Value 'abc' at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40",
		},
		{
			name: "key status", version: VersionIAM, action: "UpdateAccessKey", form: form("UserName", "alice", "AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Status", "Dormant"),
			msg: "1 validation error detected: Value 'Dormant' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
		},
		// IAM leaves a list's value out of its messages.
		{
			name: "51 IAM tags", version: VersionIAM, action: "TagUser", form: with(tags(51), "UserName", "alice"),
			msg: "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
		},
		{
			name: "missing IAM members", version: VersionIAM, action: "TagUser",
			form: form("Tags.member.1.Key", "k", "Tags.member.2.Value", "v"),
			msg: "3 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "unparsable MaxItems", version: VersionIAM, action: "ListUsers", form: form("MaxItems", "ten", "PathPrefix", "x"),
			code: CodeMalformedInput,
		},
		// sts/assumerole_test.go.
		{
			name: "duration 899", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "899"),
			msg: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		},
		{
			name: "duration 43201", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "43201"),
			msg: "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
		},
		{
			name: "session name", version: VersionSTS, action: "AssumeRole", form: assume("RoleSessionName", "a b"),
			msg: `1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`,
		},
		// The wire probe of AWS's STS.
		{
			name: "probe: no role ARN", version: VersionSTS, action: "AssumeRole", form: form("RoleSessionName", "s1"),
			msg: "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "probe: empty role ARN", version: VersionSTS, action: "AssumeRole", form: assume("RoleArn", ""),
			msg: "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + arnPattern +
				"; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
		},
		{
			name: "probe: short role ARN", version: VersionSTS, action: "AssumeRole", form: assume("RoleArn", "not-an-arn"),
			msg: "1 validation error detected: Value 'not-an-arn' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
		},
		{
			name: "probe: overlong role ARN", version: VersionSTS, action: "AssumeRole", form: assume("RoleArn", strings.Repeat("x", 2049)),
			msg: "1 validation error detected: Value '" + strings.Repeat("x", 2049) + "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048",
		},
		{
			name: "probe: 2049 two-byte characters", version: VersionSTS, action: "AssumeRole", form: assume("RoleArn", strings.Repeat("é", 2049)),
			msg: "1 validation error detected: Value '" + strings.Repeat("é", 2049) + "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048",
		},
		{
			name: "probe: 2048 supplementary characters", version: VersionSTS, action: "AssumeRole", form: assume("RoleArn", strings.Repeat("😀", 2048)),
			msg: "1 validation error detected: Value '" + strings.Repeat("😀", 2048) + "' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + arnPattern,
		},
		{
			name: "probe: 2049 supplementary characters", version: VersionSTS, action: "AssumeRole", form: assume("RoleArn", strings.Repeat("😀", 2049)),
			msg: "2 validation errors detected: Value '" + strings.Repeat("😀", 2049) + "' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + arnPattern +
				"; Value '" + strings.Repeat("😀", 2049) + "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048",
		},
		{
			name: "probe: decomposed characters counted one by one", version: VersionSTS, action: "AssumeRole", form: assume("RoleArn", strings.Repeat("e\u0301", 1025)),
			msg: "1 validation error detected: Value '" + strings.Repeat("e\u0301", 1025) + "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048",
		},
		{
			name: "probe: empty session name", version: VersionSTS, action: "AssumeRole", form: assume("RoleSessionName", ""),
			msg: "1 validation error detected: Value '' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
		},
		{
			name: "probe: session name of 65", version: VersionSTS, action: "AssumeRole", form: assume("RoleSessionName", strings.Repeat("a", 65)),
			msg: "1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64",
		},
		{
			name: "probe: session name with a slash", version: VersionSTS, action: "AssumeRole", form: assume("RoleSessionName", "bad/name"),
			msg: `1 validation error detected: Value 'bad/name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`,
		},
		{name: "probe: empty duration", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", ""), code: CodeMalformedInput, msg: "missing value for decimal type"},
		{name: "probe: duration abc", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "abc"), code: CodeMalformedInput},
		{name: "probe: duration 900.0", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "900.0"), code: CodeMalformedInput},
		{name: "probe: duration 2^31", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "2147483648"), code: CodeMalformedInput},
		{name: "probe: duration -2^31-1", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "-2147483649"), code: CodeMalformedInput},
		{
			name: "probe: duration -1", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "-1"),
			msg: "1 validation error detected: Value '-1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		},
		{
			name: "probe: duration 2^31-1", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "2147483647"),
			msg: "1 validation error detected: Value '2147483647' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
		},
		{
			name: "probe: duration -2^31", version: VersionSTS, action: "AssumeRole", form: assume("DurationSeconds", "-2147483648"),
			msg: "1 validation error detected: Value '-2147483648' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		},
		// STS prints a list's value as Java does.
		{
			name: "51 STS tags", version: VersionSTS, action: "AssumeRole", form: with(tags(51), "RoleArn", roleARN, "RoleSessionName", "s1"),
			msg: "1 validation error detected: Value '[" + strings.Join(stsTags, ", ") + "]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
		},
		{
			name: "51 transitive keys", version: VersionSTS, action: "AssumeRole", form: with(transitive, "RoleArn", roleARN, "RoleSessionName", "s1"),
			msg: "1 validation error detected: Value '[" + strings.Join(keys, ", ") + "]' at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50",
		},
		{
			name: "policy ARN element", version: VersionSTS, action: "AssumeRole", form: assume("PolicyArns.member.1.arn", "arn:aws:iam::aws:policy/ReadOnlyAccess", "PolicyArns.member.2.arn", "short"),
			msg: "1 validation error detected: Value 'short' at 'policyArns.2.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20",
		},
		{
			name: "both required missing, in the model's order", version: VersionSTS, action: "AssumeRole", form: form("DurationSeconds", "100"),
			msg: "3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; " +
				"Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		},
		{
			name: "sensitive value left out", version: VersionSTS, action: "AssumeRoleWithWebIdentity", form: assume("WebIdentityToken", "abc"),
			msg: "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
		},
		{
			name: "nested structure missing", version: VersionSTS, action: "AssumeRoot", form: form("TargetPrincipal", "111122223333"),
			msg: "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "nested structure member", version: VersionSTS, action: "AssumeRoot", form: form("TargetPrincipal", "111122223333", "TaskPolicyArn.arn", "short"),
			msg: "1 validation error detected: Value 'short' at 'taskPolicyArn.arn' failed to satisfy constraint: Member must have length greater than or equal to 20",
		},
		{
			name: "key id", version: VersionSTS, action: "GetAccessKeyInfo", form: form("AccessKeyId", "AKIA-short"),
			msg: `2 validation errors detected: Value 'AKIA-short' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w]*; ` +
				`Value 'AKIA-short' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran, err := bindModel(t, tt.version, tt.action, tt.form)
			code := tt.code
			if code == "" {
				code = keyward.ErrValidationError
			}
			if got := keyward.ErrorCode(err); got != code {
				t.Fatalf("%s(%s) = %v, want code %s", tt.action, tt.form.Encode(), err, code)
			}
			if got := keyward.ErrorMessage(err); got != tt.msg {
				t.Errorf("%s(%s) message\n %q\nwant\n %q", tt.action, tt.form.Encode(), got, tt.msg)
			}
			if ran {
				t.Errorf("%s(%s) ran the action despite %v", tt.action, tt.form.Encode(), err)
			}
		})
	}
}

// TestBind_ModelCodes: the iam and sts tests that check only the code of
// a model failure, sent through the binder. The last two are rules the
// model cannot express, which the binder lets through for the action to
// keep (botocore's AssumeRole Policy has no maximum, PolicyArns no count).
func TestBind_ModelCodes(t *testing.T) {
	const roleARN = "arn:aws:iam::111122223333:role/app"
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	assume := func(kv ...string) url.Values {
		return with(form("RoleArn", roleARN, "RoleSessionName", "ss"), kv...)
	}
	arns := url.Values{}
	for i := 1; i <= 11; i++ {
		arns.Set(fmt.Sprintf("PolicyArns.member.%d.arn", i), fmt.Sprintf("arn:aws:iam::111122223333:policy/p%d", i))
	}
	tests := []struct {
		name, version, action string
		form                  url.Values
		refused               bool
	}{
		{"inline policy bad name", VersionIAM, "PutUserPolicy", form("UserName", "owner", "PolicyName", "bad name", "PolicyDocument", doc), true},
		{"long client ID", VersionIAM, "CreateOpenIDConnectProvider", form("Url", "https://example.com", "ClientIDList.member.1", strings.Repeat("a", 256)), true},
		{"thumbprint update without list", VersionIAM, "UpdateOpenIDConnectProviderThumbprint", form("OpenIDConnectProviderArn", "arn:aws:iam::111122223333:oidc-provider/example.com"), true},
		{"short policy ARN", VersionIAM, "GetPolicy", form("PolicyArn", "arn:aws:iam::1:p"), true},
		{"short max session", VersionIAM, "CreateRole", form("RoleName", "x", "AssumeRolePolicyDocument", doc, "MaxSessionDuration", "60"), true},
		{"role without document", VersionIAM, "CreateRole", form("RoleName", "x"), true},
		{"context key type", VersionIAM, "SimulateCustomPolicy", form("PolicyInputList.member.1", doc, "ActionNames.member.1", "s3:GetObject",
			"ContextEntries.member.1.ContextKeyName", "aws:SourceIp", "ContextEntries.member.1.ContextKeyValues.member.1", "10.0.0.1", "ContextEntries.member.1.ContextKeyType", "address"), true},
		{"external id U", VersionSTS, "AssumeRole", assume("ExternalId", "U"), true},
		{"external id with space", VersionSTS, "AssumeRole", assume("ExternalId", "Uni corn"), true},
		{"external id 1225", VersionSTS, "AssumeRole", assume("ExternalId", strings.Repeat("x", 1225)), true},
		{"no role", VersionSTS, "AssumeRole", form("RoleSessionName", "s"), true},
		{"no session name", VersionSTS, "AssumeRole", form("RoleArn", roleARN), true},
		{"session name 1", VersionSTS, "AssumeRole", assume("RoleSessionName", "s"), true},
		{"51 tags", VersionSTS, "AssumeRole", with(tags(51), "RoleArn", roleARN, "RoleSessionName", "ss"), true},
		{"bad tag key", VersionSTS, "AssumeRole", assume("Tags.member.1.Key", "a*b", "Tags.member.1.Value", "a"), true},
		{"token code not 6 digits", VersionSTS, "AssumeRole", assume("SerialNumber", "arn:aws:iam::111122223333:mfa/alice", "TokenCode", "12345a"), true},
		{"source identity 1", VersionSTS, "AssumeRole", assume("SourceIdentity", "a"), true},
		{"session token 899", VersionSTS, "GetSessionToken", form("DurationSeconds", "899"), true},
		{"session token 129601", VersionSTS, "GetSessionToken", form("DurationSeconds", "129601"), true},
		{"short key id", VersionSTS, "GetAccessKeyInfo", form("AccessKeyId", "short"), true},
		{"web identity token duration 59", VersionSTS, "GetWebIdentityToken", form("Audience.member.1", "aud", "SigningAlgorithm", "ES384", "DurationSeconds", "59"), true},
		{"web identity token duration 3601", VersionSTS, "GetWebIdentityToken", form("Audience.member.1", "aud", "SigningAlgorithm", "ES384", "DurationSeconds", "3601"), true},
		{"web identity token without audience", VersionSTS, "GetWebIdentityToken", form("SigningAlgorithm", "ES384"), true},
		{"web identity token with eleven audiences", VersionSTS, "GetWebIdentityToken", with(elevenAudiences(), "SigningAlgorithm", "ES384"), true},
		{"web identity token algorithm HS256: the action's", VersionSTS, "GetWebIdentityToken", form("Audience.member.1", "aud", "SigningAlgorithm", "HS256"), false},
		{"AssumeRole policy over 2048: the action's", VersionSTS, "AssumeRole", assume("Policy", doc+strings.Repeat(" ", 2049-len(doc))), false},
		{"11 policy ARNs: the action's", VersionSTS, "AssumeRole", with(arns, "RoleArn", roleARN, "RoleSessionName", "ss"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran, err := bindModel(t, tt.version, tt.action, tt.form)
			if tt.refused && (keyward.ErrorCode(err) != keyward.ErrValidationError || ran) {
				t.Errorf("%s(%s) = %v (ran %v), want ValidationError before the action", tt.action, tt.form.Encode(), err, ran)
			}
			if !tt.refused && (err != nil || !ran) {
				t.Errorf("%s(%s) = %v (ran %v), want the action to run", tt.action, tt.form.Encode(), err, ran)
			}
		})
	}
}

// TestBind_ModelAccepts: requests within their models reach the action,
// including values at the bounds and members the Go input does not have.
func TestBind_ModelAccepts(t *testing.T) {
	tests := []struct {
		name, version, action string
		form                  url.Values
	}{
		{"user with everything", VersionIAM, "CreateUser", with(tags(50), "UserName", strings.Repeat("a", 64), "Path", "/a/b/", "PermissionsBoundary", "arn:aws:iam::111122223333:policy/b")},
		{"empty tag value", VersionIAM, "TagUser", form("UserName", "alice", "Tags.member.1.Key", "k", "Tags.member.1.Value", "")},
		{"empty tag list", VersionIAM, "TagUser", form("UserName", "alice", "Tags", "")},
		{"alias at the bounds", VersionIAM, "CreateAccountAlias", form("AccountAlias", "a-b")},
		{"2048 two-byte characters", VersionSTS, "AssumeRole", form("RoleArn", strings.Repeat("é", 2048), "RoleSessionName", "s1")},
		{"durations at the bounds", VersionSTS, "AssumeRole", form("RoleArn", strings.Repeat("x", 20), "RoleSessionName", strings.Repeat("b", 64), "DurationSeconds", "43200")},
		{"nested structure", VersionSTS, "AssumeRoot", form("TargetPrincipal", "111122223333", "TaskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")},
		{"no input", VersionSTS, "GetCallerIdentity", form()},
		{"not a model operation", VersionIAM, "KeywardOwnThing", form("Anything", "")},
		// AWS accepted these (the wire probe).
		{"duration +900", VersionSTS, "AssumeRole", form("RoleArn", strings.Repeat("x", 20), "RoleSessionName", "aa", "DurationSeconds", "+900")},
		{"duration 0900", VersionSTS, "AssumeRole", form("RoleArn", strings.Repeat("x", 20), "RoleSessionName", "aa", "DurationSeconds", "0900")},
		{"unknown parameter", VersionSTS, "AssumeRole", form("RoleArn", strings.Repeat("x", 20), "RoleSessionName", "aa", "Unknown", "value")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran, err := bindModel(t, tt.version, tt.action, tt.form)
			if err != nil || !ran {
				t.Fatalf("%s(%s) = %v (ran %v), want the action to run", tt.action, tt.form.Encode(), err, ran)
			}
		})
	}
}

// TestBind_ModelReplacesTags: with a model, the struct tags' ",required"
// adds no second "null" failure; without one, the tags still apply.
func TestBind_ModelReplacesTags(t *testing.T) {
	type createUser struct {
		UserName string `query:"UserName,required"`
	}
	h := Bind(func(context.Context, *keyward.Caller, *createUser) (*struct{}, error) { return nil, nil })
	for _, tt := range []struct {
		action, want string
	}{
		{"CreateUser", "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"KeywardCreateThing", "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
	} {
		_, err := h(context.Background(), &Request{Action: tt.action, Service: &Service{Version: VersionIAM}, Caller: &keyward.Caller{}})
		if got := keyward.ErrorMessage(err); got != tt.want {
			t.Errorf("%s without UserName = %q, want %q", tt.action, got, tt.want)
		}
	}
}

// modelService is shaped like iam.Service: Actions finds each method's
// model operation by the method's name.
type modelService struct{ ran []string }

type modelInput struct {
	UserName string `query:"UserName,required"`
}

func (s *modelService) CreateUser(ctx context.Context, c *keyward.Caller, in *modelInput) (*struct{}, error) {
	s.ran = append(s.ran, "CreateUser "+in.UserName)
	return &struct{}{}, nil
}

func (s *modelService) KeywardThing(ctx context.Context, c *keyward.Caller, in *modelInput) (*struct{}, error) {
	s.ran = append(s.ran, "KeywardThing "+in.UserName)
	return &struct{}{}, nil
}

// TestActions_Model serves Actions over HTTP: a request that breaks the
// model is refused with AWS's status and message before the action runs.
func TestActions_Model(t *testing.T) {
	svc := &modelService{}
	post := iamPoster(Actions(svc))
	w := post("Action=CreateUser&Version=2010-05-08&UserName=a+b")
	if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>ValidationError</Code>") ||
		!strings.Contains(w.Body.String(), "<Message>The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-</Message>") {
		t.Fatalf("CreateUser(a b): %d\n%s", w.Code, w.Body)
	}
	// Keyward's own action has no model: a name IAM would refuse passes.
	if w := post("Action=KeywardThing&Version=2010-05-08&UserName=a+b"); w.Code != 200 {
		t.Fatalf("KeywardThing(a b): %d\n%s", w.Code, w.Body)
	}
	if w := post("Action=CreateUser&Version=2010-05-08&UserName=alice"); w.Code != 200 {
		t.Fatalf("CreateUser(alice): %d\n%s", w.Code, w.Body)
	}
	if want := []string{"KeywardThing a b", "CreateUser alice"}; strings.Join(svc.ran, "|") != strings.Join(want, "|") {
		t.Fatalf("actions ran: %q, want %q", svc.ran, want)
	}
}

// TestFindOperation: operations are found in their own model only, and
// in any when the version is unknown.
func TestFindOperation(t *testing.T) {
	tests := []struct {
		version, name string
		want          string // the model's version, "" for none
	}{
		{VersionIAM, "CreateUser", VersionIAM},
		{VersionSTS, "AssumeRole", VersionSTS},
		{VersionSTS, "CreateUser", ""},
		{VersionIAM, "AssumeRole", ""},
		{"", "AssumeRole", VersionSTS},
		{"", "CreateUser", VersionIAM},
		{VersionIAM, "GetThing", ""},
	}
	for _, tt := range tests {
		got := ""
		if op, ok := findOperation(tt.version, tt.name); ok {
			got = op.api.version
		}
		if got != tt.want {
			t.Errorf("findOperation(%q, %q) is in model %q, want %q", tt.version, tt.name, got, tt.want)
		}
	}
}

// TestMustPattern_JavaOnly checks the hand-written matcher of the
// look-ahead pattern against what Java's matches() accepts.
func TestMustPattern_JavaOnly(t *testing.T) {
	p := MustPattern(`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`)
	tests := []struct {
		s    string
		want bool
	}{
		{"abc", true}, {"a-b", true}, {"a-b-c", true}, {"0-9", true}, {strings.Repeat("a", 63), true},
		{"ab", false}, {strings.Repeat("a", 64), false}, {"a--b", false}, {"-ab", false}, {"ab-", false},
		{"aBc", false}, {"a_b", false}, {"", false}, {"a-", false}, {"é-a", false},
	}
	for _, tt := range tests {
		if got := p.MatchString(tt.s); got != tt.want {
			t.Errorf("MustPattern(%q).MatchString(%q) = %v, want %v", p, tt.s, got, tt.want)
		}
	}
}

// TestModelTables_MessageNames: each member's message name is what
// memberPath makes of its wire name, the rule the Validate methods use, so
// both kinds of check name members alike.
func TestModelTables_MessageNames(t *testing.T) {
	seen := map[*shape]bool{}
	var walk func(s *shape)
	walk = func(s *shape) {
		if seen[s] {
			return
		}
		seen[s] = true
		for _, m := range s.members {
			if got := memberPath(m.wire); got != m.name {
				t.Errorf("member %s of %s is named %q in messages, but memberPath(%q) = %q", m.wire, s.name, m.name, m.wire, got)
			}
			walk(m.shape)
		}
		if s.elem != nil {
			walk(s.elem)
		}
	}
	n := 0
	for _, a := range apis {
		for _, in := range a.operations {
			walk(in)
			n++
		}
	}
	if n != 187 {
		t.Fatalf("the tables hold %d operations, want IAM's 176 and STS's 11 (botocore 1.43)", n)
	}
}

// BenchmarkBind_Model binds requests checked against their models:
// CreateUser is BenchmarkBind's request (with a path and a tag), so the
// two compare the cost of validation on the request path; AssumeRole is
// STS's largest common request.
func BenchmarkBind_Model(b *testing.B) {
	for _, bb := range []struct{ version, action, form string }{
		{VersionIAM, "CreateUser", "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fx%2F&Tags.member.1.Key=k&Tags.member.1.Value=v"},
		{VersionSTS, "AssumeRole", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&DurationSeconds=3600" +
			"&Tags.member.1.Key=team&Tags.member.1.Value=blue&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess"},
	} {
		b.Run(bb.action, func(b *testing.B) {
			h := Bind(func(ctx context.Context, c *keyward.Caller, in *bindInput) (*bindOutput, error) {
				return &bindOutput{UserName: in.UserName}, nil
			})
			f, err := ParseForm(bb.form)
			if err != nil {
				b.Fatal(err)
			}
			caller := &keyward.Caller{}
			svc := &Service{Version: bb.version}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				req := &Request{Form: *f, Action: bb.action, Service: svc, Caller: caller}
				if _, err := h(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// modelShapes returns every shape of the tables.
func modelShapes() []*shape {
	seen := map[*shape]bool{}
	var out []*shape
	var walk func(s *shape)
	walk = func(s *shape) {
		if seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, m := range s.members {
			walk(m.shape)
		}
		if s.elem != nil {
			walk(s.elem)
		}
	}
	for _, a := range apis {
		for _, in := range a.operations {
			walk(in)
		}
	}
	return out
}

// TestPattern_ClassScan: for every model pattern matched by a scan, the
// scan and the regexp agree, on single characters across the ranges the
// models name and on strings of them.
func TestPattern_ClassScan(t *testing.T) {
	var probes []string
	for r := rune(0); r < 0x300; r++ {
		probes = append(probes, string(r))
	}
	for _, r := range []rune{0x1000, 0x10FF, 0x1100, 0x2028, 0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0x10000, 0x1F600, 0x10FFFF} {
		probes = append(probes, string(r))
	}
	probes = append(probes, "", "\xff", "a\xffb", "abc", "a b", "é-1", "arn:aws:iam::111122223333:role/app", "0123456789", "v1.2", "/a/b/", "a😀")
	scanned := 0
	seen := map[*Pattern]bool{}
	for _, s := range modelShapes() {
		p := s.pattern
		if p == nil || seen[p] {
			continue
		}
		seen[p] = true
		if p.class == nil {
			continue
		}
		scanned++
		for _, v := range probes {
			for _, x := range []string{v, v + v + "a", "a" + v} {
				if got, want := p.class.matchString(x), p.re.MatchString(x); got != want {
					t.Errorf("pattern %s on %q: scan says %v, regexp %v", p, x, got, want)
				}
			}
		}
	}
	if scanned < 20 {
		t.Errorf("%d model patterns are scanned, want most of them (over 20)", scanned)
	}
}

// TestMoveBefore: a member moves to just before another, from after it or
// from before it, the others keeping their order.
func TestMoveBefore(t *testing.T) {
	for _, tt := range []struct {
		wire, before string
		want         string
	}{
		{"D", "C", "ABDC"},
		{"C", "A", "CABD"},
		{"A", "C", "BACD"},
		{"A", "B", "ABCD"},
	} {
		s := &shape{name: "S", members: []member{{wire: "A"}, {wire: "B"}, {wire: "C"}, {wire: "D"}}}
		moveBefore(s, tt.wire, tt.before)
		var got string
		for _, m := range s.members {
			got += m.wire
		}
		if got != tt.want {
			t.Errorf("moveBefore(%s, %s) = %s, want %s", tt.wire, tt.before, got, tt.want)
		}
	}
}

// elevenAudiences is GetWebIdentityToken's Audience one past the model's
// maximum of 10.
func elevenAudiences() url.Values {
	v := url.Values{}
	for i := 1; i <= 11; i++ {
		v.Set(fmt.Sprintf("Audience.member.%d", i), fmt.Sprintf("aud%d", i))
	}
	return v
}
