package iam

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

func TestService_AccountAliases(t *testing.T) {
	s, root := newService(t)
	aliases := func(c *keyward.Caller) []string {
		t.Helper()
		out, err := s.ListAccountAliases(ctxb, c, &ListAccountAliasesInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.AccountAliases
	}
	if got := aliases(root); len(got) != 0 {
		t.Fatalf("ListAccountAliases on a new account = %q", got)
	}
	out, _ := s.ListAccountAliases(ctxb, root, &ListAccountAliasesInput{})
	if got, want := marshal(t, "ListAccountAliases", out), `<ListAccountAliasesResult><AccountAliases></AccountAliases><IsTruncated>false</IsTruncated></ListAccountAliasesResult>`; got != want {
		t.Fatalf("ListAccountAliases XML = %s, want %s", got, want)
	}
	if _, err := s.CreateAccountAlias(ctxb, root, &CreateAccountAliasInput{AccountAlias: "acme"}); err != nil {
		t.Fatal(err)
	}
	// A new alias replaces the old one.
	if _, err := s.CreateAccountAlias(ctxb, root, &CreateAccountAliasInput{AccountAlias: "acme-prod"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"acme-prod"}, aliases(root)); diff != "" {
		t.Fatalf("ListAccountAliases (-want +got):\n%s", diff)
	}
	other := rootOf(otherAccount)
	_, err := s.CreateAccountAlias(ctxb, other, &CreateAccountAliasInput{AccountAlias: "acme-prod"})
	wantError(t, "CreateAccountAlias(taken)", err, keyward.ErrEntityAlreadyExists, "The account alias acme-prod already exists.")
	if _, err := s.CreateAccountAlias(ctxb, other, &CreateAccountAliasInput{AccountAlias: "acme"}); err != nil {
		t.Fatalf("CreateAccountAlias(released alias): %v", err)
	}

	_, err = s.DeleteAccountAlias(ctxb, root, &DeleteAccountAliasInput{AccountAlias: "acme"})
	wantError(t, "DeleteAccountAlias(another's)", err, keyward.ErrNoSuchEntity, "The account alias acme cannot be found.")
	if _, err := s.DeleteAccountAlias(ctxb, root, &DeleteAccountAliasInput{AccountAlias: "acme-prod"}); err != nil {
		t.Fatal(err)
	}
	if got := aliases(root); len(got) != 0 {
		t.Fatalf("ListAccountAliases after delete = %q", got)
	}
	_, err = s.DeleteAccountAlias(ctxb, root, &DeleteAccountAliasInput{AccountAlias: "acme-prod"})
	wantCode(t, "DeleteAccountAlias(again)", err, keyward.ErrNoSuchEntity)

	bob := userCaller(t, s, "bob", allow("iam:ListAccountAliases", "*"))
	if _, err := s.ListAccountAliases(ctxb, bob, &ListAccountAliasesInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateAccountAlias(ctxb, bob, &CreateAccountAliasInput{AccountAlias: "bobs"})
	wantError(t, "CreateAccountAlias(bob)", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:CreateAccountAlias on resource: * because no identity-based policy allows the iam:CreateAccountAlias action")
}

func TestService_GetAccountSummary(t *testing.T) {
	s, root := newService(t)
	p := newPolicy(t, s, root, "p", "/").ARN
	managed := awsPolicy(t, s, "ReadOnlyAccess", true)
	for _, n := range []string{"a", "b"} {
		if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachUserPolicy(ctxb, root, &AttachUserPolicyInput{UserName: n, PolicyARN: managed}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AttachUserPolicy(ctxb, root, &AttachUserPolicyInput{UserName: "a", PolicyARN: p}); err != nil {
		t.Fatal(err)
	}
	// Another account's use of the AWS-managed policy is not counted.
	other := rootOf(otherAccount)
	if _, err := s.CreateUser(ctxb, other, &CreateUserInput{UserName: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachUserPolicy(ctxb, other, &AttachUserPolicyInput{UserName: "x", PolicyARN: managed}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateGroup(ctxb, root, &CreateGroupInput{GroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRole(ctxb, root, &CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustEC2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{URL: "https://idp.example.com"}); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetAccountSummary(ctxb, root, &GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "Providers": 1, "InstanceProfiles": 0,
		"PolicyVersionsInUse": 3, "AccountAccessKeysPresent": 0, "AccountMFAEnabled": 0,
		"UsersQuota": 5000, "PolicySizeQuota": 6144, "VersionsPerPolicyQuota": 5, "AttachedPoliciesPerUserQuota": 10,
		"UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240,
		"AccessKeysPerUserQuota": 2, "GroupsPerUserQuota": 10, "AssumeRolePolicySizeQuota": 2048,
	}
	for k, v := range want {
		if got, ok := out.Get(k); !ok || got != v {
			t.Errorf("GetAccountSummary[%s] = %d (present %v), want %d", k, got, ok, v)
		}
	}
	// Every key is one of the model's, once.
	seen := map[string]bool{}
	for _, e := range out.SummaryMap {
		if seen[e.Key] {
			t.Errorf("GetAccountSummary repeats %s", e.Key)
		}
		seen[e.Key] = true
	}
	if len(seen) != 34 {
		t.Errorf("GetAccountSummary has %d keys, want the model's 34", len(seen))
	}
	x := marshal(t, "GetAccountSummary", out)
	if !strings.HasPrefix(x, `<GetAccountSummaryResult><SummaryMap><entry><key>Users</key><value>2</value></entry><entry><key>UsersQuota</key>`) {
		t.Fatalf("GetAccountSummary XML = %s", x)
	}
}

func TestService_GetAccountAuthorizationDetails(t *testing.T) {
	s, root := newService(t)
	local := newPolicy(t, s, root, "local", "/").ARN
	managed := awsPolicy(t, s, "ReadOnlyAccess", true)
	awsPolicy(t, s, "UnusedAccess", true)
	if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: "alice", Tags: []keyward.Tag{{Key: "team", Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateGroup(ctxb, root, &CreateGroupInput{GroupName: "devs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUserToGroup(ctxb, root, &AddUserToGroupInput{GroupName: "devs", UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	doc := allow("s3:*", "*")
	if _, err := s.PutUserPolicy(ctxb, root, &PutUserPolicyInput{UserName: "alice", PolicyName: "inline", PolicyDocument: doc}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachUserPolicy(ctxb, root, &AttachUserPolicyInput{UserName: "alice", PolicyARN: local}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "alice", PermissionsBoundary: local}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachGroupPolicy(ctxb, root, &AttachGroupPolicyInput{GroupName: "devs", PolicyARN: managed}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRole(ctxb, root, &CreateRoleInput{RoleName: "worker", AssumeRolePolicyDocument: trustEC2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRolePolicy(ctxb, root, &PutRolePolicyInput{RoleName: "worker", PolicyName: "rp", PolicyDocument: doc}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInstanceProfile(ctxb, root, &CreateInstanceProfileInput{InstanceProfileName: "web"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRoleToInstanceProfile(ctxb, root, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "worker"}); err != nil {
		t.Fatal(err)
	}
	// Another account's entities never show.
	if _, err := s.CreateUser(ctxb, rootOf(otherAccount), &CreateUserInput{UserName: "mallory"}); err != nil {
		t.Fatal(err)
	}

	out, err := s.GetAccountAuthorizationDetails(ctxb, root, &GetAccountAuthorizationDetailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UserDetailList) != 1 || len(out.GroupDetailList) != 1 || len(out.RoleDetailList) != 1 || len(out.Policies) != 2 || out.IsTruncated {
		t.Fatalf("GetAccountAuthorizationDetails = %d users, %d groups, %d roles, %d policies, truncated %v; want 1, 1, 1, 2, false",
			len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies), out.IsTruncated)
	}
	u := out.UserDetailList[0]
	if u.UserName != "alice" || len(u.UserPolicyList) != 1 || len(u.GroupList) != 1 || u.GroupList[0] != "devs" ||
		len(u.AttachedManagedPolicies) != 1 || u.AttachedManagedPolicies[0].PolicyARN != local ||
		u.PermissionsBoundary == nil || u.PermissionsBoundary.PermissionsBoundaryARN != local || len(u.Tags) != 1 {
		t.Fatalf("UserDetail = %+v", u)
	}
	if got, _ := url.QueryUnescape(u.UserPolicyList[0].PolicyDocument); got != doc {
		t.Fatalf("UserPolicyList document = %q, want %q encoded", u.UserPolicyList[0].PolicyDocument, doc)
	}
	g := out.GroupDetailList[0]
	if g.GroupName != "devs" || len(g.AttachedManagedPolicies) != 1 || g.AttachedManagedPolicies[0].PolicyARN != managed {
		t.Fatalf("GroupDetail = %+v", g)
	}
	r := out.RoleDetailList[0]
	if r.RoleName != "worker" || len(r.RolePolicyList) != 1 || len(r.InstanceProfileList) != 1 ||
		r.InstanceProfileList[0].InstanceProfileName != "web" || r.AssumeRolePolicyDocument == "" {
		t.Fatalf("RoleDetail = %+v", r)
	}
	var policies []string
	for _, p := range out.Policies {
		policies = append(policies, p.ARN)
		if len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion || p.PolicyVersionList[0].Document == "" {
			t.Fatalf("ManagedPolicyDetail %s versions = %+v", p.ARN, p.PolicyVersionList)
		}
	}
	// Sorted by name; the unused AWS-managed policy is left out.
	if diff := cmp.Diff([]string{local, managed}, policies); diff != "" {
		t.Fatalf("Policies (-want +got):\n%s", diff)
	}

	tests := []struct {
		filter []string
		want   string
	}{
		{[]string{"User"}, "1 0 0 0"},
		{[]string{"Role", "Group"}, "0 1 1 0"},
		{[]string{"LocalManagedPolicy"}, "0 0 0 1"},
		{[]string{"AWSManagedPolicy"}, "0 0 0 1"},
	}
	for _, tt := range tests {
		out, err := s.GetAccountAuthorizationDetails(ctxb, root, &GetAccountAuthorizationDetailsInput{Filter: tt.filter})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join([]string{strconv.Itoa(len(out.UserDetailList)), strconv.Itoa(len(out.GroupDetailList)), strconv.Itoa(len(out.RoleDetailList)), strconv.Itoa(len(out.Policies))}, " ")
		if got != tt.want {
			t.Errorf("GetAccountAuthorizationDetails(Filter %q) counts = %s, want %s", tt.filter, got, tt.want)
		}
	}

	// Pages of two across the lists: 5 items in all.
	var seen []string
	var marker *string
	for pages := 1; ; pages++ {
		out, err := s.GetAccountAuthorizationDetails(ctxb, root, &GetAccountAuthorizationDetailsInput{MaxItems: ptr(int32(2)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.UserDetailList {
			seen = append(seen, "user:"+u.UserName)
		}
		for _, g := range out.GroupDetailList {
			seen = append(seen, "group:"+g.GroupName)
		}
		for _, r := range out.RoleDetailList {
			seen = append(seen, "role:"+r.RoleName)
		}
		for _, p := range out.Policies {
			seen = append(seen, "policy:"+p.PolicyName)
		}
		if !out.IsTruncated {
			if pages != 3 {
				t.Fatalf("GetAccountAuthorizationDetails took %d pages, want 3", pages)
			}
			break
		}
		marker = &out.Marker
	}
	if diff := cmp.Diff([]string{"user:alice", "group:devs", "role:worker", "policy:local", "policy:ReadOnlyAccess"}, seen); diff != "" {
		t.Fatalf("GetAccountAuthorizationDetails pages (-want +got):\n%s", diff)
	}
}

func TestService_AccountPasswordPolicy(t *testing.T) {
	s, root := newService(t)
	_, err := s.GetAccountPasswordPolicy(ctxb, root, &GetAccountPasswordPolicyInput{})
	wantError(t, "GetAccountPasswordPolicy(none)", err, keyward.ErrNoSuchEntity, "The Password Policy with domain name 111122223333 cannot be found.")
	_, err = s.DeleteAccountPasswordPolicy(ctxb, root, &DeleteAccountPasswordPolicyInput{})
	wantCode(t, "DeleteAccountPasswordPolicy(none)", err, keyward.ErrNoSuchEntity)

	if _, err := s.UpdateAccountPasswordPolicy(ctxb, root, &UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: ptr(int32(12)), RequireSymbols: ptr(true), MaxPasswordAge: ptr(int32(90)), PasswordReusePrevention: ptr(int32(5)),
	}); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetAccountPasswordPolicy(ctxb, root, &GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := marshal(t, "GetAccountPasswordPolicy", out)
	want := `<GetAccountPasswordPolicyResult><PasswordPolicy><MinimumPasswordLength>12</MinimumPasswordLength>` +
		`<RequireSymbols>true</RequireSymbols><RequireNumbers>false</RequireNumbers>` +
		`<RequireUppercaseCharacters>false</RequireUppercaseCharacters><RequireLowercaseCharacters>false</RequireLowercaseCharacters>` +
		`<AllowUsersToChangePassword>false</AllowUsersToChangePassword><ExpirePasswords>true</ExpirePasswords>` +
		`<MaxPasswordAge>90</MaxPasswordAge><PasswordReusePrevention>5</PasswordReusePrevention>` +
		`</PasswordPolicy></GetAccountPasswordPolicyResult>`
	if got != want {
		t.Fatalf("GetAccountPasswordPolicy XML =\n%s\nwant\n%s (no HardExpiry: it was not given)", got, want)
	}
	// HardExpiry given, even false, is answered.
	for _, hard := range []bool{false, true} {
		if _, err := s.UpdateAccountPasswordPolicy(ctxb, root, &UpdateAccountPasswordPolicyInput{HardExpiry: ptr(hard)}); err != nil {
			t.Fatal(err)
		}
		out, err := s.GetAccountPasswordPolicy(ctxb, root, &GetAccountPasswordPolicyInput{})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("<HardExpiry>%t</HardExpiry>", hard); !strings.Contains(marshal(t, "GetAccountPasswordPolicy", out), want) {
			t.Errorf("GetAccountPasswordPolicy after HardExpiry=%t = %s; want %s", hard, marshal(t, "GetAccountPasswordPolicy", out), want)
		}
	}

	// An update replaces the whole policy; members left out take defaults.
	if _, err := s.UpdateAccountPasswordPolicy(ctxb, root, &UpdateAccountPasswordPolicyInput{RequireNumbers: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	out, err = s.GetAccountPasswordPolicy(ctxb, root, &GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantPolicy := PasswordPolicy{MinimumPasswordLength: 6, RequireNumbers: true}
	if diff := cmp.Diff(wantPolicy, out.PasswordPolicy); diff != "" {
		t.Fatalf("GetAccountPasswordPolicy after second update (-want +got):\n%s", diff)
	}
	// Other accounts have their own.
	_, err = s.GetAccountPasswordPolicy(ctxb, rootOf(otherAccount), &GetAccountPasswordPolicyInput{})
	wantCode(t, "GetAccountPasswordPolicy(other account)", err, keyward.ErrNoSuchEntity)

	if _, err := s.DeleteAccountPasswordPolicy(ctxb, root, &DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetAccountPasswordPolicy(ctxb, root, &GetAccountPasswordPolicyInput{})
	wantCode(t, "GetAccountPasswordPolicy(deleted)", err, keyward.ErrNoSuchEntity)

	dana := userCaller(t, s, "dana", allow("iam:GetAccountPasswordPolicy", "*"))
	_, err = s.UpdateAccountPasswordPolicy(ctxb, dana, &UpdateAccountPasswordPolicyInput{})
	wantCode(t, "UpdateAccountPasswordPolicy(dana)", err, keyward.ErrAccessDenied)
	_, err = s.GetAccountPasswordPolicy(ctxb, dana, &GetAccountPasswordPolicyInput{})
	wantCode(t, "GetAccountPasswordPolicy(dana, none set)", err, keyward.ErrNoSuchEntity)
}
