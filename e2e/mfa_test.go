package e2e

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	bin "encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// totpCode computes an RFC 6238 code (SHA-1, 30 s, 6 digits) here, apart
// from the server's implementation, as an authenticator app would.
func totpCode(seed []byte, step int64) string {
	var msg [8]byte
	bin.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, seed)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 0xf
	return fmt.Sprintf("%06d", (bin.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// TestMFA_EndToEnd: a virtual MFA device enabled from its seed; codes
// computed here get a GetSessionToken session and an AssumeRole session
// with MFA, into a role whose trust policy requires it; a reused or wrong
// code is refused, a session without MFA is refused by that trust policy
// and by IAM, and a "deny everything unless MFA" policy lets only MFA
// sessions through.
func TestMFA_EndToEnd(t *testing.T) {
	s := startServer(t)
	root := s.IAM(s.Root)
	alice := newUserWithKey(t, s, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","sts:AssumeRole"],"Resource":"*"}]}`)
	_, err := root.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("needs-mfa"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("needs-mfa"), PolicyName: aws.String("list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}`)}); err != nil {
		t.Fatal(err)
	}

	dev, err := root.CreateVirtualMFADevice(ctx(t), &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	if err != nil {
		t.Fatal(err)
	}
	serial := aws.ToString(dev.VirtualMFADevice.SerialNumber)
	if serial != "arn:aws:iam::"+testAccount+":mfa/alice-phone" || !strings.HasPrefix(string(dev.VirtualMFADevice.QRCodePNG), "\x89PNG") {
		t.Fatalf("CreateVirtualMFADevice = %s with a %d-byte QR code, want the device's ARN and a PNG", serial, len(dev.VirtualMFADevice.QRCodePNG))
	}
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(dev.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatalf("Base32StringSeed %q: %v", dev.VirtualMFADevice.Base32StringSeed, err)
	}
	step := time.Now().Unix() / 30
	code := func(s int64) *string { return aws.String(totpCode(seed, s)) }
	if _, err := root.EnableMFADevice(ctx(t), &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: code(step - 2), AuthenticationCode2: code(step - 1)}); err != nil {
		t.Fatalf("EnableMFADevice: %v", err)
	}
	list, err := s.IAM(alice).ListMFADevices(ctx(t), &iam.ListMFADevicesInput{})
	if err != nil || len(list.MFADevices) != 1 || aws.ToString(list.MFADevices[0].SerialNumber) != serial {
		t.Fatalf("ListMFADevices as alice = %+v, %v", list, err)
	}

	// Without MFA: a session that cannot call IAM nor assume the role.
	plain, err := s.STS(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	plainCreds := Creds{ID: aws.ToString(plain.Credentials.AccessKeyId), Secret: aws.ToString(plain.Credentials.SecretAccessKey), Token: aws.ToString(plain.Credentials.SessionToken)}
	_, err = s.IAM(plainCreds).GetUser(ctx(t), &iam.GetUserInput{})
	wantErrorCode(t, "GetUser with a GetSessionToken session without MFA", err, "AccessDenied")
	roleARN := aws.String("arn:aws:iam::" + testAccount + ":role/needs-mfa")
	_, err = s.STS(plainCreds).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("s1")})
	wantErrorCode(t, "AssumeRole(MFA-required trust) without MFA", err, "AccessDenied")
	_, err = s.STS(alice).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("s1")})
	wantErrorCode(t, "AssumeRole(MFA-required trust) with a long-term key and no MFA", err, "AccessDenied")

	// With MFA: a session that calls IAM, and assumes the role.
	_, err = s.STS(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("000000")})
	wantErrorCode(t, "GetSessionToken(wrong code)", err, "AccessDenied")
	mfa, err := s.STS(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: code(step)})
	if err != nil {
		t.Fatalf("GetSessionToken with MFA: %v", err)
	}
	_, err = s.STS(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: code(step)})
	wantErrorCode(t, "GetSessionToken(the code again)", err, "AccessDenied")
	mfaCreds := Creds{ID: aws.ToString(mfa.Credentials.AccessKeyId), Secret: aws.ToString(mfa.Credentials.SecretAccessKey), Token: aws.ToString(mfa.Credentials.SessionToken)}
	if _, err := s.IAM(mfaCreds).GetUser(ctx(t), &iam.GetUserInput{}); err != nil {
		t.Errorf("GetUser with an MFA session: %v", err)
	}
	chained, err := s.STS(mfaCreds).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("from-mfa-session")})
	if err != nil {
		t.Fatalf("AssumeRole(MFA-required trust) with an MFA session: %v", err)
	}
	roleCreds := Creds{ID: aws.ToString(chained.Credentials.AccessKeyId), Secret: aws.ToString(chained.Credentials.SecretAccessKey), Token: aws.ToString(chained.Credentials.SessionToken)}
	if _, err := s.IAM(roleCreds).ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers in a role session with MFA (policy needs aws:MultiFactorAuthPresent and Age < 3600): %v", err)
	}
	_, err = s.STS(alice).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("s1"), SerialNumber: aws.String(serial), TokenCode: aws.String("123456")})
	wantErrorCode(t, "AssumeRole(wrong code)", err, "AccessDenied")
	direct, err := s.STS(alice).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("direct"), SerialNumber: aws.String(serial), TokenCode: code(step + 1)})
	if err != nil {
		t.Fatalf("AssumeRole with SerialNumber and TokenCode: %v", err)
	}
	_, err = s.STS(alice).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("s1"), SerialNumber: aws.String(serial), TokenCode: code(step + 1)})
	wantErrorCode(t, "AssumeRole(the code again)", err, "AccessDenied")
	directCreds := Creds{ID: aws.ToString(direct.Credentials.AccessKeyId), Secret: aws.ToString(direct.Credentials.SecretAccessKey), Token: aws.ToString(direct.Credentials.SessionToken)}
	if _, err := s.IAM(directCreds).ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers in the MFA role session: %v", err)
	}

	// AWS's "deny everything unless MFA" policy.
	if _, err := root.PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("force-mfa"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyAllExceptListedIfNoMFA","Effect":"Deny","NotAction":["iam:ListMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.IAM(alice).ListUsers(ctx(t), &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers with a long-term key under deny-unless-MFA", err, "AccessDenied")
	if _, err := s.IAM(alice).ListMFADevices(ctx(t), &iam.ListMFADevicesInput{}); err != nil {
		t.Errorf("ListMFADevices (excepted) under deny-unless-MFA: %v", err)
	}
	if _, err := s.IAM(mfaCreds).ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers with the MFA session under deny-unless-MFA: %v", err)
	}

	// Deactivated, the device gives no more sessions.
	if _, err := root.DeactivateMFADevice(ctx(t), &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.STS(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: code(step + 2)})
	wantErrorCode(t, "GetSessionToken(deactivated device)", err, "AccessDenied")
	if _, err := root.DeleteVirtualMFADevice(ctx(t), &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
}
