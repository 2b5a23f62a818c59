package e2e

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// wantErrorCode fails unless err is an AWS error with code want.
func wantErrorCode(t *testing.T, call string, err error, want string) {
	t.Helper()
	if got := errorCode(err); got != want {
		t.Fatalf("%s: error %v (code %q), want %s", call, err, got, want)
	}
}

func TestIAM_Users(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	out, err := c.CreateUser(cx, &iam.CreateUserInput{
		UserName: aws.String("alice"),
		Path:     aws.String("/eng/"),
		Tags:     []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.User.Arn); got != "arn:aws:iam::"+testAccount+":user/eng/alice" {
		t.Fatalf("CreateUser Arn = %q", got)
	}
	if out.User.CreateDate == nil || out.User.CreateDate.IsZero() || len(out.User.Tags) != 1 {
		t.Fatalf("CreateUser = %+v", out.User)
	}
	_, err = c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	wantErrorCode(t, "CreateUser(ALICE)", err, "EntityAlreadyExists")
	_, err = c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bad/name")})
	wantErrorCode(t, "CreateUser(bad/name)", err, "ValidationError")

	got, err := c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("Alice")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.User.UserName) != "alice" || aws.ToString(got.User.Path) != "/eng/" || len(got.User.Tags) != 1 {
		t.Fatalf("GetUser = %+v", got.User)
	}
	_, err = c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("nobody")})
	wantErrorCode(t, "GetUser(nobody)", err, "NoSuchEntity")

	for _, n := range []string{"bob", "carol", "dave"} {
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	if strings.Join(names, ",") != "alice,bob,carol,dave" || pages != 2 {
		t.Fatalf("ListUsers pages = %v in %d pages", names, pages)
	}

	if _, err := c.UpdateUser(cx, &iam.UpdateUserInput{UserName: aws.String("dave"), NewUserName: aws.String("david")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("david")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("david")})
	wantErrorCode(t, "DeleteUser(david with a key)", err, "DeleteConflict")
	if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
}

func TestIAM_Groups(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	g, err := c.GetGroup(cx, &iam.GetGroupInput{GroupName: aws.String("devs")})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Users) != 1 || aws.ToString(g.Users[0].UserName) != "alice" || g.IsTruncated {
		t.Fatalf("GetGroup = %+v", g)
	}
	fu, err := c.ListGroupsForUser(cx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if len(fu.Groups) != 1 || aws.ToString(fu.Groups[0].GroupName) != "devs" {
		t.Fatalf("ListGroupsForUser = %+v", fu.Groups)
	}
	_, err = c.DeleteGroup(cx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	wantErrorCode(t, "DeleteGroup(with a member)", err, "DeleteConflict")
	if _, err := c.RemoveUserFromGroup(cx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteGroup(cx, &iam.DeleteGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	lg, err := c.ListGroups(cx, &iam.ListGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lg.Groups) != 0 {
		t.Fatalf("ListGroups after delete = %+v", lg.Groups)
	}
}

func TestIAM_AccessKeys(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	alice := Creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
	id, err := s.STS(alice).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the new key: %v", err)
	}
	if aws.ToString(id.Arn) != "arn:aws:iam::"+testAccount+":user/alice" {
		t.Fatalf("GetCallerIdentity = %q", aws.ToString(id.Arn))
	}
	if _, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantErrorCode(t, "CreateAccessKey(third)", err, "LimitExceeded")

	lu, err := c.GetAccessKeyLastUsed(cx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(alice.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(lu.UserName) != "alice" || lu.AccessKeyLastUsed == nil {
		t.Fatalf("GetAccessKeyLastUsed = %+v", lu)
	}

	if _, err := c.UpdateAccessKey(cx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(alice.ID), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListAccessKeys(cx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys = %+v", list.AccessKeyMetadata)
	}
	for _, m := range list.AccessKeyMetadata {
		if aws.ToString(m.AccessKeyId) == alice.ID && m.Status != types.StatusTypeInactive {
			t.Fatalf("status after UpdateAccessKey = %q", m.Status)
		}
	}
	_, err = s.STS(alice).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Fatal("an Inactive key still signs requests")
	}
	if _, err := c.DeleteAccessKey(cx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(alice.ID)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAccessKey(cx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(alice.ID)})
	wantErrorCode(t, "DeleteAccessKey again", err, "NoSuchEntity")
}

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestIAM_RolesAndInstanceProfiles(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	r, err := c.CreateRole(cx, &iam.CreateRoleInput{
		RoleName:                 aws.String("app"),
		AssumeRolePolicyDocument: aws.String(ec2Trust),
		MaxSessionDuration:       aws.Int32(7200),
		Description:              aws.String("the app"),
	})
	if err != nil {
		t.Fatal(err)
	}
	// AWS's CreateRole leaves MaxSessionDuration out; GetRole shows it.
	if r.Role.MaxSessionDuration != nil {
		t.Fatalf("CreateRole = %+v, want no MaxSessionDuration", r.Role)
	}
	got, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(got.Role.MaxSessionDuration) != 7200 {
		t.Fatalf("GetRole = %+v, want MaxSessionDuration 7200", got.Role)
	}
	// The Go SDK leaves the document URL-encoded, as AWS sends it.
	doc, err := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if err != nil || doc != ec2Trust {
		t.Fatalf("GetRole document decodes to %q, %v", doc, err)
	}
	if got.Role.RoleLastUsed == nil || aws.ToString(got.Role.Description) != "the app" {
		t.Fatalf("GetRole = %+v", got.Role)
	}
	_, err = c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
	wantErrorCode(t, "CreateRole(no principal)", err, "MalformedPolicyDocument")
	if _, err := c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: aws.String("app"), Description: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAssumeRolePolicy(cx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(strings.Replace(ec2Trust, "ec2", "lambda", 1))}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	ip, err := c.GetInstanceProfile(cx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ip.InstanceProfile.Roles) != 1 || aws.ToString(ip.InstanceProfile.Roles[0].RoleName) != "app" {
		t.Fatalf("GetInstanceProfile = %+v", ip.InstanceProfile)
	}
	_, err = c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	wantErrorCode(t, "DeleteRole(in a profile)", err, "DeleteConflict")
	if _, err := c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInstanceProfile(cx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
}

func TestIAM_ServiceLinkedRole(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	out, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	name := aws.ToString(out.Role.RoleName)
	if name != "AWSServiceRoleForElasticBeanstalk" || aws.ToString(out.Role.Path) != "/aws-service-role/elasticbeanstalk.amazonaws.com/" {
		t.Fatalf("CreateServiceLinkedRole = %+v", out.Role)
	}
	_, err = c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	wantErrorCode(t, "DeleteRole(service-linked)", err, "UnmodifiableEntity")
	del, err := c.DeleteServiceLinkedRole(cx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.GetServiceLinkedRoleDeletionStatus(cx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("deletion status = %q", st.Status)
	}
}

func TestIAM_Tags(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.TagRole(cx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{
		{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListRoleTags(cx, &iam.ListRoleTagsInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lt.Tags) != 2 || aws.ToString(lt.Tags[0].Key) != "a" || lt.IsTruncated {
		t.Fatalf("ListRoleTags = %+v", lt)
	}
	if _, err := c.UntagRole(cx, &iam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.TagRole(cx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{
		{Key: aws.String("x"), Value: aws.String("1")}, {Key: aws.String("X"), Value: aws.String("2")},
	}})
	wantErrorCode(t, "TagRole(duplicate keys)", err, "InvalidInput")
	lt, err = c.ListRoleTags(cx, &iam.ListRoleTagsInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Key) != "b" {
		t.Fatalf("ListRoleTags after untag = %+v", lt.Tags)
	}
}

// TestIAM_CLI_RoleDocument checks that the AWS CLI shows a role's trust
// policy decoded: it URL-decodes documents as they come from AWS.
func TestIAM_CLI_RoleDocument(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	s := startServer(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", args...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+s.Root.ID, "AWS_SECRET_ACCESS_KEY="+s.Root.Secret,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_ENDPOINT_URL="+s.URL,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("iam", "create-role", "--role-name", "app", "--assume-role-policy-document", ec2Trust)
	var got struct {
		Role struct {
			AssumeRolePolicyDocument struct {
				Statement []struct{ Principal struct{ Service string } }
			}
		}
	}
	out := run("iam", "get-role", "--role-name", "app")
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("aws iam get-role: %v\n%s", err, out)
	}
	if st := got.Role.AssumeRolePolicyDocument.Statement; len(st) != 1 || st[0].Principal.Service != "ec2.amazonaws.com" {
		t.Fatalf("aws iam get-role document = %s", out)
	}
	if out := run("iam", "list-users"); !strings.Contains(out, `"Users": []`) {
		t.Fatalf("aws iam list-users on an empty account = %s", out)
	}
}
