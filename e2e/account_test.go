package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestAccounts_Isolated: `keyward account create` makes a second account
// beside the first, on the same store, and neither sees the other's entities.
func TestAccounts_Isolated(t *testing.T) {
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "keyward.db")
	s := startServer(t, "--data", dir, "--store", store)
	a := s.IAM(s.Root)
	if _, err := a.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command(binary, "account", "create", "--id", "444455556666", "--data", dir, "--store", store).CombinedOutput()
	if err != nil {
		t.Fatalf("keyward account create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+)\s+export AWS_SECRET_ACCESS_KEY=(\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("keyward account create printed no credentials:\n%s", out)
	}
	b := s.IAM(Creds{ID: string(m[1]), Secret: string(m[2])})

	id, err := s.STS(Creds{ID: string(m[1]), Secret: string(m[2])}).GetCallerIdentity(ctx(t), nil)
	if err != nil || aws.ToString(id.Account) != "444455556666" {
		t.Fatalf("GetCallerIdentity as the new root = %v, %v", id, err)
	}
	users, err := b.ListUsers(ctx(t), &iam.ListUsersInput{})
	if err != nil || len(users.Users) != 0 {
		t.Errorf("the new account's ListUsers = %v, %v; want none of the first account's", users, err)
	}
	if _, err := b.GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("alice")}); errorCode(err) != "NoSuchEntity" {
		t.Errorf("the new account's GetUser alice = %v, want NoSuchEntity", err)
	}
	// Names are unique per account, not across accounts.
	created, err := b.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatalf("CreateUser alice in the new account: %v", err)
	}
	if got, want := aws.ToString(created.User.Arn), "arn:aws:iam::444455556666:user/alice"; got != want {
		t.Errorf("CreateUser().Arn = %q, want %q", got, want)
	}
	if _, err := exec.Command(binary, "account", "create", "--id", "444455556666", "--data", dir, "--store", store).CombinedOutput(); err == nil {
		t.Errorf("creating account 444455556666 twice succeeded")
	}
}
