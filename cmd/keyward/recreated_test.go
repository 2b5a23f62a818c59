package main

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"

	"github.com/keyward/keyward/sigv4"
)

// stsCredentials are the temporary credentials of an STS answer.
type stsCredentials struct {
	ID     string `xml:"AccessKeyId"`
	Secret string `xml:"SecretAccessKey"`
	Token  string `xml:"SessionToken"`
}

func (c stsCredentials) sigv4() sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: c.ID, SecretAccessKey: c.Secret, SessionToken: c.Token}
}

// TestEntity_Recreated is issue 12's "re-created entity of the same name"
// variant of the generated tests: a role session and a user's
// GetSessionToken session are taken, then their role and user are deleted
// and made again under the same names with every permission. Every
// implemented action, called with either old session, is refused, never
// done: principals are their unique IDs, never their names. Where the
// refusal is about who calls (every action that authorizes, and
// GetCallerIdentity) it is AWS's InvalidClientTokenId; the rest are refused
// earlier by rules of the kind of credentials (GetSessionToken sessions call
// IAM only with MFA; no session calls GetSessionToken; ChangePassword is a
// user's).
func TestEntity_Recreated(t *testing.T) {
	f := newGuardrailFixture(t)
	const acct = "111122223333"
	const everything = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	caller := f.principal("caller", everything)
	temp := f.principal("temp", everything)

	f.must("iam", iamForm("CreateRole", "RoleName", "worker", "AssumeRolePolicyDocument", trust))
	f.must("iam", iamForm("PutRolePolicy", "RoleName", "worker", "PolicyName", "p", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`))
	var assumed struct {
		C stsCredentials `xml:"AssumeRoleResult>Credentials"`
	}
	code, body := f.send("sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::" + acct + ":role/worker"}, "RoleSessionName": {"old"}}, caller)
	if code != 200 || xml.Unmarshal([]byte(body), &assumed) != nil {
		t.Fatalf("AssumeRole: %d %s", code, body)
	}
	var fed struct {
		C stsCredentials `xml:"GetSessionTokenResult>Credentials"`
	}
	code, body = f.send("sts:GetSessionToken", url.Values{}, temp)
	if code != 200 || xml.Unmarshal([]byte(body), &fed) != nil {
		t.Fatalf("GetSessionToken: %d %s", code, body)
	}

	// The same names again, now allowed everything.
	f.must("iam", iamForm("DeleteRolePolicy", "RoleName", "worker", "PolicyName", "p"))
	f.must("iam", iamForm("DeleteRole", "RoleName", "worker"))
	f.must("iam", iamForm("CreateRole", "RoleName", "worker", "AssumeRolePolicyDocument", trust))
	f.must("iam", iamForm("PutRolePolicy", "RoleName", "worker", "PolicyName", "p", "PolicyDocument", everything))
	f.must("iam", iamForm("DeleteUserPolicy", "UserName", "temp", "PolicyName", "p"))
	var keys struct {
		IDs []string `xml:"ListAccessKeysResult>AccessKeyMetadata>member>AccessKeyId"`
	}
	if err := xml.Unmarshal([]byte(f.must("iam", iamForm("ListAccessKeys", "UserName", "temp"))), &keys); err != nil {
		t.Fatal(err)
	}
	for _, id := range keys.IDs {
		f.must("iam", iamForm("DeleteAccessKey", "UserName", "temp", "AccessKeyId", id))
	}
	f.must("iam", iamForm("DeleteUser", "UserName", "temp"))
	f.must("iam", iamForm("CreateUser", "UserName", "temp"))
	f.must("iam", iamForm("PutUserPolicy", "UserName", "temp", "PolicyName", "p", "PolicyDocument", everything))

	params := actionParams(f.aliceKey(), nil)
	checked, stale := 0, 0
	for name, creds := range map[string]sigv4.Credentials{"role session": assumed.C.sigv4(), "user session": fed.C.sigv4()} {
		for _, a := range f.actions {
			if tagGuardExceptions[a] != "" && strings.HasPrefix(a, "sts:AssumeRoleWith") {
				continue // unsigned: no credentials to refuse
			}
			code, body := f.send(a, params, creds)
			invalid := code == 403 && strings.Contains(body, "<Code>InvalidClientTokenId</Code>")
			switch {
			case code == 200:
				t.Errorf("%s with the %s of a deleted and re-created principal succeeded: %.300s", a, name, body)
			case (name == "role session" || a == "sts:GetCallerIdentity") && !invalid && !refusedByKind(body):
				t.Errorf("%s with the %s of a deleted and re-created principal = %d %.300s; want 403 InvalidClientTokenId", a, name, code, body)
			}
			if invalid {
				stale++
			}
			checked++
		}
	}
	if checked < 300 {
		t.Errorf("checked %d requests; want every implemented action, twice", checked)
	}
	if stale < 170 {
		t.Errorf("%d requests refused as InvalidClientTokenId; want every action the role session calls but those its kind refuses first", stale)
	}
	t.Logf("%d actions, with a role session and a user session whose principal was deleted and made again under its name: every request refused, %d as InvalidClientTokenId", checked/2, stale)
}

// refusedByKind reports whether body is a refusal the kind of temporary
// credentials earns before anyone is looked up.
func refusedByKind(body string) bool {
	for _, m := range []string{"with session credentials", "Only IAM users can change their own password", "MultiFactorAuthentication"} {
		if strings.Contains(body, m) {
			return true
		}
	}
	return false
}
