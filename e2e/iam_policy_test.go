package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// allowDoc is an identity policy allowing action on resource.
func allowDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func TestIAM_ManagedPolicies(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	doc := allowDoc("s3:GetObject", "*")
	out, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{
		PolicyName:     aws.String("ReadS3"),
		Path:           aws.String("/team/"),
		PolicyDocument: aws.String(doc),
		Description:    aws.String("reads"),
		Tags:           []types.Tag{{Key: aws.String("owner"), Value: aws.String("data")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.Policy.Arn)
	if arn != "arn:aws:iam::"+testAccount+":policy/team/ReadS3" || aws.ToString(out.Policy.DefaultVersionId) != "v1" ||
		!out.Policy.IsAttachable || out.Policy.CreateDate == nil || len(out.Policy.Tags) != 1 {
		t.Fatalf("CreatePolicy = %+v", out.Policy)
	}
	_, err = c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("reads3"), PolicyDocument: aws.String(doc)})
	wantErrorCode(t, "CreatePolicy(reads3)", err, "EntityAlreadyExists")
	_, err = c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":`)})
	wantErrorCode(t, "CreatePolicy(broken JSON)", err, "MalformedPolicyDocument")
	_, err = c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("bad name"), PolicyDocument: aws.String(doc)})
	wantErrorCode(t, "CreatePolicy(bad name)", err, "ValidationError")

	g, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(g.Policy.Description) != "reads" || aws.ToInt32(g.Policy.AttachmentCount) != 0 {
		t.Fatalf("GetPolicy = %+v", g.Policy)
	}
	_, err = c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/nope")})
	wantErrorCode(t, "GetPolicy(nope)", err, "NoSuchEntity")
	_, err = c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String("not-an-arn-at-all-really")})
	wantErrorCode(t, "GetPolicy(not an ARN)", err, "InvalidInput")

	for i := 2; i <= 5; i++ {
		v, err := c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{
			PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowDoc(fmt.Sprintf("s3:Action%d", i), "*")), SetAsDefault: i == 4,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(v.PolicyVersion.VersionId); got != fmt.Sprintf("v%d", i) || v.PolicyVersion.IsDefaultVersion != (i == 4) {
			t.Fatalf("CreatePolicyVersion #%d = %+v", i, v.PolicyVersion)
		}
	}
	_, err = c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc)})
	wantErrorCode(t, "CreatePolicyVersion(sixth)", err, "LimitExceeded")

	var versions []string
	vp := iam.NewListPolicyVersionsPaginator(c, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(2)})
	for vp.HasMorePages() {
		page, err := vp.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			versions = append(versions, aws.ToString(v.VersionId))
		}
	}
	if strings.Join(versions, ",") != "v5,v4,v3,v2,v1" {
		t.Fatalf("ListPolicyVersions = %v", versions)
	}
	gv, err := c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	// The Go SDK leaves IAM's URL-encoding of documents to the caller.
	if got, err := url.QueryUnescape(aws.ToString(gv.PolicyVersion.Document)); err != nil || got != doc {
		t.Fatalf("GetPolicyVersion(v1) document = %q (%v), want %q encoded", aws.ToString(gv.PolicyVersion.Document), err, doc)
	}
	_, err = c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v4")})
	wantErrorCode(t, "DeletePolicyVersion(default)", err, "DeleteConflict")
	if _, err := c.SetDefaultPolicyVersion(cx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v2", "v3", "v4", "v5"} {
		if _, err := c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)}); err != nil {
			t.Fatalf("DeletePolicyVersion(%s): %v", v, err)
		}
	}

	for _, n := range []string{"b", "c", "d"} {
		if _, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String(n), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	lp := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(3)})
	for lp.HasMorePages() {
		page, err := lp.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Policies {
			names = append(names, aws.ToString(p.PolicyName))
		}
	}
	if strings.Join(names, ",") != "b,c,d,ReadS3" {
		t.Fatalf("ListPolicies = %v", names)
	}

	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantErrorCode(t, "DeletePolicy(attached)", err, "DeleteConflict")
	ents, err := c.ListEntitiesForPolicy(cx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents.PolicyUsers) != 1 || aws.ToString(ents.PolicyUsers[0].UserName) != "alice" || len(ents.PolicyGroups) != 0 || len(ents.PolicyRoles) != 0 {
		t.Fatalf("ListEntitiesForPolicy = %+v", ents)
	}
	if _, err := c.DetachUserPolicy(cx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
}

func TestIAM_InlineAndAttachedPolicies(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}"
	if _, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutGroupPolicy(cx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	gu, err := c.GetUserPolicy(cx, &iam.GetUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := url.QueryUnescape(aws.ToString(gu.PolicyDocument)); got != doc || aws.ToString(gu.UserName) != "u" {
		t.Fatalf("GetUserPolicy = %q, %q", aws.ToString(gu.UserName), aws.ToString(gu.PolicyDocument))
	}
	gg, err := c.GetGroupPolicy(cx, &iam.GetGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p")})
	if err != nil || aws.ToString(gg.GroupName) != "g" {
		t.Fatalf("GetGroupPolicy = %+v, %v", gg, err)
	}
	gr, err := c.GetRolePolicy(cx, &iam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p")})
	if err != nil || aws.ToString(gr.RoleName) != "r" {
		t.Fatalf("GetRolePolicy = %+v, %v", gr, err)
	}
	lu, err := c.ListUserPolicies(cx, &iam.ListUserPoliciesInput{UserName: aws.String("u")})
	if err != nil || strings.Join(lu.PolicyNames, ",") != "p" || lu.IsTruncated {
		t.Fatalf("ListUserPolicies = %+v, %v", lu, err)
	}
	lg, err := c.ListGroupPolicies(cx, &iam.ListGroupPoliciesInput{GroupName: aws.String("g")})
	if err != nil || len(lg.PolicyNames) != 1 {
		t.Fatalf("ListGroupPolicies = %+v, %v", lg, err)
	}
	lr, err := c.ListRolePolicies(cx, &iam.ListRolePoliciesInput{RoleName: aws.String("r")})
	if err != nil || len(lr.PolicyNames) != 1 {
		t.Fatalf("ListRolePolicies = %+v, %v", lr, err)
	}
	_, err = c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("big"),
		PolicyDocument: aws.String(allowDoc("s3:GetObject", "arn:aws:s3:::"+strings.Repeat("a", 2048)))})
	wantErrorCode(t, "PutUserPolicy(over 2048)", err, "LimitExceeded")
	_, err = c.GetRolePolicy(cx, &iam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("nope")})
	wantErrorCode(t, "GetRolePolicy(nope)", err, "NoSuchEntity")
	_, err = c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("u")})
	wantErrorCode(t, "DeleteUser(with inline policy)", err, "DeleteConflict")
	if _, err := c.DeleteUserPolicy(cx, &iam.DeleteUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteGroupPolicy(cx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRolePolicy(cx, &iam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}

	var arns []string
	for i := range 11 {
		out, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%02d", i)), PolicyDocument: aws.String(allowDoc("s3:*", "*"))})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.Policy.Arn))
	}
	for _, a := range arns[:10] {
		if _, err := c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arns[10])})
	wantErrorCode(t, "AttachRolePolicy(eleventh)", err, "LimitExceeded")
	var attached []string
	ap := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(4)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.AttachedPolicies {
			attached = append(attached, aws.ToString(p.PolicyName))
		}
	}
	if len(attached) != 10 || attached[0] != "p00" || attached[9] != "p09" {
		t.Fatalf("ListAttachedRolePolicies = %v", attached)
	}
	if _, err := c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(arns[10])}); err != nil {
		t.Fatal(err)
	}
	la, err := c.ListAttachedGroupPolicies(cx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g")})
	if err != nil || len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyArn) != arns[10] {
		t.Fatalf("ListAttachedGroupPolicies = %+v, %v", la, err)
	}
	if _, err := c.DetachGroupPolicy(cx, &iam.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(arns[10])}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DetachGroupPolicy(cx, &iam.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(arns[10])})
	wantErrorCode(t, "DetachGroupPolicy(again)", err, "NoSuchEntity")
	_, err = c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/nope")})
	wantErrorCode(t, "AttachUserPolicy(nope)", err, "NoSuchEntity")
	lau, err := c.ListAttachedUserPolicies(cx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u")})
	if err != nil || len(lau.AttachedPolicies) != 0 {
		t.Fatalf("ListAttachedUserPolicies = %+v, %v", lau, err)
	}

	// Permissions boundaries.
	if _, err := c.PutUserPermissionsBoundary(cx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: aws.String(arns[0])}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String(arns[0])}); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("u")})
	if err != nil || u.User.PermissionsBoundary == nil || aws.ToString(u.User.PermissionsBoundary.PermissionsBoundaryArn) != arns[0] ||
		u.User.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
		t.Fatalf("GetUser boundary = %+v, %v", u, err)
	}
	b, err := c.ListEntitiesForPolicy(cx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arns[0]), PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary})
	if err != nil || len(b.PolicyUsers) != 1 || len(b.PolicyRoles) != 1 {
		t.Fatalf("ListEntitiesForPolicy(PermissionsBoundary) = %+v, %v", b, err)
	}
	if _, err := c.DeleteUserPermissionsBoundary(cx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRolePermissionsBoundary(cx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
}

// A user without permission is refused, and allowed once a policy is
// attached to a group it belongs to.
func TestIAM_PolicyGrantsAccess(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	bob := s.IAM(Creds{ID: aws.ToString(key.AccessKey.AccessKeyId), Secret: aws.ToString(key.AccessKey.SecretAccessKey)})
	_, err = bob.ListPolicies(cx, &iam.ListPoliciesInput{})
	wantErrorCode(t, "ListPolicies(bob, no policy)", err, "AccessDenied")
	if !strings.Contains(err.Error(), "User: arn:aws:iam::"+testAccount+":user/bob is not authorized to perform: iam:ListPolicies on resource: *") {
		t.Fatalf("denial message: %v", err)
	}

	p, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("ListPolicies"), PolicyDocument: aws.String(allowDoc("iam:ListPolicies", "*"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("readers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListPolicies(cx, &iam.ListPoliciesInput{}); err != nil {
		t.Fatalf("ListPolicies(bob, through group): %v", err)
	}
	_, err = bob.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(allowDoc("*", "*"))})
	wantErrorCode(t, "CreatePolicy(bob)", err, "AccessDenied")
}

func TestIAM_OpenIDConnectProviders(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	thumb := "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	out, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{
		Url:            aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList:   []string{"sts.amazonaws.com"},
		ThumbprintList: []string{thumb},
		Tags:           []types.Tag{{Key: aws.String("ci"), Value: aws.String("gh")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.OpenIDConnectProviderArn)
	if arn != "arn:aws:iam::"+testAccount+":oidc-provider/token.actions.githubusercontent.com" || len(out.Tags) != 1 {
		t.Fatalf("CreateOpenIDConnectProvider = %+v", out)
	}
	_, err = c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com")})
	wantErrorCode(t, "CreateOpenIDConnectProvider(again)", err, "EntityAlreadyExists")
	if _, err := c.AddClientIDToOpenIDConnectProvider(cx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveClientIDFromOpenIDConnectProvider(cx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("sts.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateOpenIDConnectProviderThumbprint(cx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{thumb, strings.Repeat("0", 40)}}); err != nil {
		t.Fatal(err)
	}
	g, err := c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(g.Url) != "token.actions.githubusercontent.com" || strings.Join(g.ClientIDList, ",") != "app" ||
		len(g.ThumbprintList) != 2 || g.CreateDate == nil || len(g.Tags) != 1 {
		t.Fatalf("GetOpenIDConnectProvider = %+v", g)
	}
	l, err := c.ListOpenIDConnectProviders(cx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(l.OpenIDConnectProviderList) != 1 || aws.ToString(l.OpenIDConnectProviderList[0].Arn) != arn {
		t.Fatalf("ListOpenIDConnectProviders = %+v, %v", l, err)
	}
	if _, err := c.DeleteOpenIDConnectProvider(cx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantErrorCode(t, "GetOpenIDConnectProvider(deleted)", err, "NoSuchEntity")
}

func TestIAM_Account(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-dev")}); err != nil {
		t.Fatal(err)
	}
	al, err := c.ListAccountAliases(cx, &iam.ListAccountAliasesInput{})
	if err != nil || strings.Join(al.AccountAliases, ",") != "acme-dev" {
		t.Fatalf("ListAccountAliases = %+v, %v", al, err)
	}
	_, err = c.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("Acme--Dev")})
	wantErrorCode(t, "CreateAccountAlias(Acme--Dev)", err, "ValidationError")
	if _, err := c.DeleteAccountAlias(cx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-dev")}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.GetAccountSummary(cx, &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.SummaryMap["Users"] != 1 || sum.SummaryMap["PolicySizeQuota"] != 6144 || sum.SummaryMap["AccountAccessKeysPresent"] != 1 {
		t.Fatalf("GetAccountSummary = %v", sum.SummaryMap)
	}

	det, err := c.GetAccountAuthorizationDetails(cx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeUser}})
	if err != nil || len(det.UserDetailList) != 1 || aws.ToString(det.UserDetailList[0].UserName) != "u" || len(det.Policies) != 0 {
		t.Fatalf("GetAccountAuthorizationDetails = %+v, %v", det, err)
	}

	_, err = c.GetAccountPasswordPolicy(cx, &iam.GetAccountPasswordPolicyInput{})
	wantErrorCode(t, "GetAccountPasswordPolicy(none)", err, "NoSuchEntity")
	if _, err := c.UpdateAccountPasswordPolicy(cx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, MaxPasswordAge: aws.Int32(90),
	}); err != nil {
		t.Fatal(err)
	}
	pp, err := c.GetAccountPasswordPolicy(cx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(pp.PasswordPolicy.MinimumPasswordLength) != 14 || !pp.PasswordPolicy.RequireSymbols ||
		!pp.PasswordPolicy.ExpirePasswords || aws.ToInt32(pp.PasswordPolicy.MaxPasswordAge) != 90 {
		t.Fatalf("GetAccountPasswordPolicy = %+v", pp.PasswordPolicy)
	}
	_, err = c.UpdateAccountPasswordPolicy(cx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(3)})
	wantErrorCode(t, "UpdateAccountPasswordPolicy(3)", err, "ValidationError")
	if _, err := c.DeleteAccountPasswordPolicy(cx, &iam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
}
