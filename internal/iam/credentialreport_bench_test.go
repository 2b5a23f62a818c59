package iam

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// BenchmarkGenerateCredentialReport: the report of an account of 10,000
// users, each with an access key, half with a password and an MFA device,
// a fifth with a signing certificate, made anew at every iteration (the
// kept report forgotten first).
func BenchmarkGenerateCredentialReport(b *testing.B) {
	s, root := newService(b)
	ctx := context.Background()
	now := testClock.Truncate(time.Second)
	err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		for i := range 10000 {
			name := fmt.Sprintf("user%05d", i)
			if err := tx.CreateUser(keyward.User{AccountID: testAccount, ID: keyward.NewUniqueID(keyward.PrefixUser), Name: name, Path: "/",
				ARN: "arn:aws:iam::" + testAccount + ":user/" + name, CreateDate: now}); err != nil {
				return err
			}
			if err := tx.CreateAccessKey(keyward.AccessKey{AccountID: testAccount, UserName: name, AccessKeyID: fmt.Sprintf("AKIA%016d", i),
				SecretCiphertext: []byte("x"), Status: keyward.StatusActive, CreateDate: now}); err != nil {
				return err
			}
			if i%5 == 0 {
				if err := tx.CreateUserCredential(keyward.UserCredential{Kind: keyward.CredentialSigningCertificate, AccountID: testAccount,
					UserName: name, ID: fmt.Sprintf("CERT%016d", i), Status: keyward.StatusActive, CreateDate: now}); err != nil {
					return err
				}
			}
			if i%2 == 1 {
				continue
			}
			if err := tx.CreateLoginProfile(keyward.LoginProfile{AccountID: testAccount, UserName: name, PasswordHash: "h",
				CreateDate: now, PasswordChangedDate: now}); err != nil {
				return err
			}
			if err := tx.CreateMFADevice(keyward.MFADevice{AccountID: testAccount, SerialNumber: "arn:aws:iam::" + testAccount + ":mfa/" + name,
				Path: "/", Name: name, SeedCiphertext: []byte("x"), UserName: name, EnableDate: now, CreateDate: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.ForgetReports()
		out, err := s.GenerateCredentialReport(ctx, root, nil)
		if err != nil || out.State != "STARTED" {
			b.Fatalf("GenerateCredentialReport = %+v, %v; want STARTED", out, err)
		}
	}
}
