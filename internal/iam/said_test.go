package iam

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// samlMetadataFor is an IdP's metadata with the signing certificate cert
// (PEM), what CreateSAMLProvider accepts.
func samlMetadataFor(t *testing.T, cert string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(cert))
	if block == nil {
		t.Fatal("samlMetadataFor: no PEM block")
	}
	return `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/">` +
		`<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing">` +
		`<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` + base64.StdEncoding.EncodeToString(block.Bytes) +
		`</X509Certificate></X509Data></KeyInfo></KeyDescriptor></IDPSSODescriptor></EntityDescriptor>`
}

// TestService_StoreErrorsInAWSWords provokes every NoSuchEntity,
// EntityAlreadyExists and bad marker the store answers an IAM action
// with, and checks the sentence the client reads: AWS's, which iam writes
// (the store's own messages are neutral, for logs).
func TestService_StoreErrorsInAWSWords(t *testing.T) {
	s, root := newService(t)
	withSecrets(t, s)
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, n := range []string{"alice", "bob"} {
		must("CreateUser "+n, second(s.CreateUser(ctx, root, &CreateUserInput{UserName: n})))
	}
	for _, n := range []string{"devs", "ops"} {
		must("CreateGroup "+n, second(s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: n})))
	}
	must("AddUserToGroup", second(s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: "alice"})))
	must("CreateRole", second(s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: ec2Trust})))
	must("CreateInstanceProfile", second(s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "ip"})))
	pol, err := s.CreatePolicy(ctx, root, &CreatePolicyInput{PolicyName: "reads3", PolicyDocument: allow("s3:GetObject", "*")})
	must("CreatePolicy", err)
	policyARN := pol.Policy.ARN
	const oidcURL = "https://oidc.example.com"
	must("CreateOpenIDConnectProvider", second(s.CreateOpenIDConnectProvider(ctx, root, &CreateOpenIDConnectProviderInput{URL: oidcURL,
		ClientIDList: []string{"app"}, ThumbprintList: []string{strings.Repeat("a", 40)}})))
	must("CreateAccountAlias(other)", second(s.CreateAccountAlias(ctx, rootOf(otherAccount), &CreateAccountAliasInput{AccountAlias: "acme"})))
	must("CreateLoginProfile", second(s.CreateLoginProfile(ctx, root, &CreateLoginProfileInput{UserName: ptr("alice"), Password: ptr("First-pass-1")})))
	must("CreateVirtualMFADevice", second(s.CreateVirtualMFADevice(ctx, root, &CreateVirtualMFADeviceInput{VirtualMFADeviceName: "phone"})))
	cert, key := testCertificate(t, "www.example.com", testClock.Add(-time.Hour), testClock.Add(24*time.Hour))
	for _, n := range []string{"web", "www"} {
		must("UploadServerCertificate "+n, second(s.UploadServerCertificate(ctx, root, &UploadServerCertificateInput{ServerCertificateName: n,
			CertificateBody: cert, PrivateKey: key})))
	}
	metadata := samlMetadataFor(t, cert)
	must("CreateSAMLProvider", second(s.CreateSAMLProvider(ctx, root, &CreateSAMLProviderInput{Name: "idp", SAMLMetadataDocument: metadata})))

	const (
		noKey    = "AKIAAAAAAAAAAAAAAAAA"
		noSSHKey = "APKAAAAAAAAAAAAAAAAA"
		noCert   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
		noCred   = "ACCAAAAAAAAAAAAAAAAAA"
		noTask   = "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/2c8b5f3e-1234-4d6f-9abc-0123456789ab"
	)
	tests := []struct {
		name string
		call func() error
		code string
		want string
	}{
		{"CreateUser taken", func() error { return second(s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"})) },
			keyward.ErrEntityAlreadyExists, "User with name alice already exists."},
		{"UpdateUser onto another", func() error {
			return second(s.UpdateUser(ctx, root, &UpdateUserInput{UserName: "bob", NewUserName: ptr("ALICE")}))
		}, keyward.ErrEntityAlreadyExists, "User with name ALICE already exists."},
		{"AddUserToGroup no user", func() error {
			return second(s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: "carol"}))
		}, keyward.ErrNoSuchEntity, "The user with name carol cannot be found."},
		{"RemoveUserFromGroup no user", func() error {
			return second(s.RemoveUserFromGroup(ctx, root, &RemoveUserFromGroupInput{GroupName: "devs", UserName: "carol"}))
		}, keyward.ErrNoSuchEntity, "The user with name carol cannot be found."},
		{"RemoveUserFromGroup not a member", func() error {
			return second(s.RemoveUserFromGroup(ctx, root, &RemoveUserFromGroupInput{GroupName: "DEVS", UserName: "bob"}))
		}, keyward.ErrNoSuchEntity, "User bob is not in group devs."},
		{"CreateGroup taken", func() error { return second(s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "Devs"})) },
			keyward.ErrEntityAlreadyExists, "Group with name Devs already exists."},
		{"UpdateGroup onto another", func() error {
			return second(s.UpdateGroup(ctx, root, &UpdateGroupInput{GroupName: "ops", NewGroupName: ptr("DEVS")}))
		}, keyward.ErrEntityAlreadyExists, "Group with name DEVS already exists."},
		{"GetGroup bad marker", func() error {
			return second(s.GetGroup(ctx, root, &GetGroupInput{GroupName: "devs", Marker: ptr("bad")}))
		}, keyward.ErrInvalidInput, "Invalid Marker."},
		{"CreateRole taken", func() error {
			return second(s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: ec2Trust}))
		}, keyward.ErrEntityAlreadyExists, "Role with name app already exists."},
		{"RemoveRoleFromInstanceProfile no role", func() error {
			return second(s.RemoveRoleFromInstanceProfile(ctx, root, &RemoveRoleFromInstanceProfileInput{InstanceProfileName: "ip", RoleName: "ghost"}))
		}, keyward.ErrNoSuchEntity, "The role with name ghost cannot be found."},
		{"RemoveRoleFromInstanceProfile not in it", func() error {
			return second(s.RemoveRoleFromInstanceProfile(ctx, root, &RemoveRoleFromInstanceProfileInput{InstanceProfileName: "IP", RoleName: "app"}))
		}, keyward.ErrNoSuchEntity, "Role app is not in instance profile ip."},
		{"CreateInstanceProfile taken", func() error {
			return second(s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "IP"}))
		}, keyward.ErrEntityAlreadyExists, "Instance Profile IP already exists."},
		{"CreatePolicy taken", func() error {
			return second(s.CreatePolicy(ctx, root, &CreatePolicyInput{PolicyName: "reads3", PolicyDocument: allow("s3:GetObject", "*")}))
		}, keyward.ErrEntityAlreadyExists, "A policy called reads3 already exists. Duplicate names are not allowed."},
		{"ListPolicies bad marker", func() error { return second(s.ListPolicies(ctx, root, &ListPoliciesInput{Marker: ptr("bad")})) },
			keyward.ErrInvalidInput, "Invalid Marker."},
		{"GetPolicyVersion no version", func() error {
			return second(s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: policyARN, VersionID: "v9"}))
		}, keyward.ErrNoSuchEntity, "Policy " + policyARN + " version v9 does not exist or is not attachable."},
		{"GetUserPolicy no policy", func() error {
			return second(s.GetUserPolicy(ctx, root, &GetUserPolicyInput{UserName: "alice", PolicyName: "nope"}))
		}, keyward.ErrNoSuchEntity, "The user policy with name nope cannot be found."},
		{"DeleteGroupPolicy no policy", func() error {
			return second(s.DeleteGroupPolicy(ctx, root, &DeleteGroupPolicyInput{GroupName: "devs", PolicyName: "nope"}))
		}, keyward.ErrNoSuchEntity, "The group policy with name nope cannot be found."},
		{"GetRolePolicy no policy", func() error {
			return second(s.GetRolePolicy(ctx, root, &GetRolePolicyInput{RoleName: "app", PolicyName: "nope"}))
		}, keyward.ErrNoSuchEntity, "The role policy with name nope cannot be found."},
		{"CreateOpenIDConnectProvider taken", func() error {
			return second(s.CreateOpenIDConnectProvider(ctx, root, &CreateOpenIDConnectProviderInput{URL: oidcURL,
				ClientIDList: []string{"app"}, ThumbprintList: []string{strings.Repeat("b", 40)}}))
		}, keyward.ErrEntityAlreadyExists, "Provider with url " + oidcURL + " already exists."},
		{"GetAccountPasswordPolicy none", func() error {
			return second(s.GetAccountPasswordPolicy(ctx, root, &GetAccountPasswordPolicyInput{}))
		}, keyward.ErrNoSuchEntity, "The Password Policy with domain name " + testAccount + " cannot be found."},
		{"DeleteAccountPasswordPolicy none", func() error {
			return second(s.DeleteAccountPasswordPolicy(ctx, root, &DeleteAccountPasswordPolicyInput{}))
		}, keyward.ErrNoSuchEntity, "The account policy with name PasswordPolicy cannot be found."},
		{"CreateAccountAlias taken by another account", func() error {
			return second(s.CreateAccountAlias(ctx, root, &CreateAccountAliasInput{AccountAlias: "acme"}))
		}, keyward.ErrEntityAlreadyExists, "The account alias acme already exists."},
		{"GetAccessKeyLastUsed no key", func() error {
			return second(s.GetAccessKeyLastUsed(ctx, root, &GetAccessKeyLastUsedInput{AccessKeyID: noKey}))
		}, keyward.ErrNoSuchEntity, "The Access Key with id " + noKey + " cannot be found."},
		{"UpdateAccessKey no key", func() error {
			return second(s.UpdateAccessKey(ctx, root, &UpdateAccessKeyInput{UserName: ptr("alice"), AccessKeyID: noKey, Status: "Inactive"}))
		}, keyward.ErrNoSuchEntity, "The Access Key with id " + noKey + " cannot be found."},
		{"ListUsers bad marker", func() error { return second(s.ListUsers(ctx, root, &ListUsersInput{Marker: ptr("bad")})) },
			keyward.ErrInvalidInput, "Invalid Marker."},
		{"GetLoginProfile none", func() error { return second(s.GetLoginProfile(ctx, root, &GetLoginProfileInput{UserName: ptr("bob")})) },
			keyward.ErrNoSuchEntity, "Login Profile for User bob cannot be found."},
		{"DeleteLoginProfile none", func() error {
			return second(s.DeleteLoginProfile(ctx, root, &DeleteLoginProfileInput{UserName: ptr("bob")}))
		}, keyward.ErrNoSuchEntity, "Login Profile for User bob cannot be found."},
		{"CreateLoginProfile again", func() error {
			return second(s.CreateLoginProfile(ctx, root, &CreateLoginProfileInput{UserName: ptr("alice"), Password: ptr("First-pass-1")}))
		}, keyward.ErrEntityAlreadyExists, "Login Profile for user alice already exists."},
		{"CreateVirtualMFADevice taken", func() error {
			return second(s.CreateVirtualMFADevice(ctx, root, &CreateVirtualMFADeviceInput{VirtualMFADeviceName: "PHONE"}))
		}, keyward.ErrEntityAlreadyExists, "MFADevice entity at the same path and name already exists."},
		{"UpdateSSHPublicKey no key", func() error {
			return second(s.UpdateSSHPublicKey(ctx, root, &UpdateSSHPublicKeyInput{UserName: "alice", SSHPublicKeyID: noSSHKey, Status: "Inactive"}))
		}, keyward.ErrNoSuchEntity, "The Public Key with id " + noSSHKey + " cannot be found."},
		{"DeleteSigningCertificate no certificate", func() error {
			return second(s.DeleteSigningCertificate(ctx, root, &DeleteSigningCertificateInput{UserName: ptr("alice"), CertificateID: noCert}))
		}, keyward.ErrNoSuchEntity, "The Certificate with id " + noCert + " cannot be found."},
		{"ResetServiceSpecificCredential no credential", func() error {
			return second(s.ResetServiceSpecificCredential(ctx, root, &ResetServiceSpecificCredentialInput{UserName: ptr("alice"),
				ServiceSpecificCredentialID: noCred}))
		}, keyward.ErrNoSuchEntity, "No such credential " + noCred + " exists"},
		{"UploadServerCertificate taken", func() error {
			return second(s.UploadServerCertificate(ctx, root, &UploadServerCertificateInput{ServerCertificateName: "WEB",
				CertificateBody: cert, PrivateKey: key}))
		}, keyward.ErrEntityAlreadyExists, "The Server Certificate with name WEB already exists."},
		{"UpdateServerCertificate onto another", func() error {
			return second(s.UpdateServerCertificate(ctx, root, &UpdateServerCertificateInput{ServerCertificateName: "www",
				NewServerCertificateName: ptr("Web")}))
		}, keyward.ErrEntityAlreadyExists, "The Server Certificate with name Web already exists."},
		{"CreateSAMLProvider taken", func() error {
			return second(s.CreateSAMLProvider(ctx, root, &CreateSAMLProviderInput{Name: "idp", SAMLMetadataDocument: metadata}))
		}, keyward.ErrEntityAlreadyExists, "SAMLProvider idp already exists."},
		{"GetServiceLinkedRoleDeletionStatus no task", func() error {
			return second(s.GetServiceLinkedRoleDeletionStatus(ctx, root, &GetServiceLinkedRoleDeletionStatusInput{DeletionTaskID: noTask}))
		}, keyward.ErrNoSuchEntity, "Deletion task " + noTask + " cannot be found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if code, msg := keyward.ErrorCode(err), keyward.ErrorMessage(err); code != tt.code || msg != tt.want {
				t.Errorf("%s = %s %q, want %s %q", tt.name, code, msg, tt.code, tt.want)
			}
		})
	}
}
