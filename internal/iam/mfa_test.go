package iam

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/totp"
)

// withSecrets gives s a real sealing key, as the server does.
func withSecrets(t *testing.T, s *Service) {
	t.Helper()
	k, err := seal.NewKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	s.Secrets = k
}

func TestService_VirtualMFADevice(t *testing.T) {
	s, root := newService(t)
	withSecrets(t, s)
	ctx := context.Background()
	now := testClock
	s.Clock = func() time.Time { return now }
	userCaller(t, s, "alice")

	out, err := s.CreateVirtualMFADevice(ctx, root, &CreateVirtualMFADeviceInput{Path: ptr("/team/"), VirtualMFADeviceName: "alice-phone",
		Tags: []keyward.Tag{{Key: "owner", Value: "alice"}}})
	if err != nil {
		t.Fatal(err)
	}
	dev := out.VirtualMFADevice
	serial := "arn:aws:iam::111122223333:mfa/team/alice-phone"
	if dev.SerialNumber != serial || len(dev.Tags) != 1 {
		t.Fatalf("CreateVirtualMFADevice = %+v, want serial %s with its tag", dev, serial)
	}
	b32, _ := base64.StdEncoding.DecodeString(dev.Base32StringSeed)
	seed, err := totp.Encoding.DecodeString(string(b32))
	if err != nil || len(seed) != totp.SeedSize {
		t.Fatalf("Base32StringSeed %q: %v, want a %d-byte seed", b32, err, totp.SeedSize)
	}
	if png, _ := base64.StdEncoding.DecodeString(dev.QRCodePNG); !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("QRCodePNG is not a PNG image")
	}
	_, err = s.CreateVirtualMFADevice(ctx, root, &CreateVirtualMFADeviceInput{Path: ptr("/team/"), VirtualMFADeviceName: "ALICE-phone"})
	wantCode(t, "CreateVirtualMFADevice(same name)", err, keyward.ErrEntityAlreadyExists)

	// The store keeps the seed sealed.
	s.Store.View(ctx, func(tx keyward.Tx) error {
		d, err := tx.GetMFADevice(serial)
		if err != nil || strings.Contains(string(d.SeedCiphertext), string(seed)) || strings.Contains(string(d.SeedCiphertext), string(b32)) {
			t.Errorf("stored device %+v, %v: the seed must be sealed", d, err)
		}
		return nil
	})

	step := totp.Step(now)
	code := func(s int64) string { return totp.Code(seed, s) }
	enable := func(c1, c2 string) error {
		_, err := s.EnableMFADevice(ctx, root, &EnableMFADeviceInput{UserName: "alice", SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2})
		return err
	}
	wantCode(t, "EnableMFADevice(wrong codes)", enable("000000", "111111"), keyward.ErrInvalidAuthenticationCode)
	wantCode(t, "EnableMFADevice(not consecutive)", enable(code(step-2), code(step)), keyward.ErrInvalidAuthenticationCode)
	if err := enable(code(step-1), code(step)); err != nil {
		t.Fatalf("EnableMFADevice: %v", err)
	}
	wantError(t, "EnableMFADevice(again)", enable(code(step), code(step+1)), keyward.ErrEntityAlreadyExists, "MFA Device is already in use.")

	list, err := s.ListMFADevices(ctx, root, &ListMFADevicesInput{UserName: ptr("alice")})
	if err != nil || len(list.MFADevices) != 1 || list.MFADevices[0].SerialNumber != serial || time.Time(list.MFADevices[0].EnableDate) != now.Truncate(time.Second) {
		t.Errorf("ListMFADevices = %+v, %v; want the device enabled now", list, err)
	}
	for _, tt := range []struct {
		status string
		want   int
	}{{"Assigned", 1}, {"Unassigned", 0}, {"Any", 1}} {
		v, err := s.ListVirtualMFADevices(ctx, root, &ListVirtualMFADevicesInput{AssignmentStatus: ptr(tt.status)})
		if err != nil || len(v.VirtualMFADevices) != tt.want {
			t.Errorf("ListVirtualMFADevices(%s) = %+v, %v; want %d", tt.status, v, err, tt.want)
		}
		if tt.want == 1 && (v.VirtualMFADevices[0].User == nil || v.VirtualMFADevices[0].User.UserName != "alice" || v.VirtualMFADevices[0].Base32StringSeed != "") {
			t.Errorf("ListVirtualMFADevices(%s) = %+v; want alice's device without its seed", tt.status, v.VirtualMFADevices[0])
		}
	}
	g, err := s.GetMFADevice(ctx, root, &GetMFADeviceInput{SerialNumber: serial, UserName: ptr("alice")})
	if err != nil || g.UserName != "alice" {
		t.Errorf("GetMFADevice = %+v, %v", g, err)
	}

	// A console sign-in now needs a code, each accepted once.
	if _, err := s.CreateLoginProfile(ctx, root, &CreateLoginProfileInput{UserName: ptr("alice"), Password: ptr("Pass-word-1")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SignIn(ctx, testAccount, "alice", "Pass-word-1", "")
	wantCode(t, "SignIn(no MFA code)", err, keyward.ErrAccessDenied)
	now = now.Add(totp.Period)
	if _, err := s.SignIn(ctx, testAccount, "alice", "Pass-word-1", code(step+1)); err != nil {
		t.Errorf("SignIn(current code): %v", err)
	}
	_, err = s.SignIn(ctx, testAccount, "alice", "Pass-word-1", code(step+1))
	wantCode(t, "SignIn(the same code again)", err, keyward.ErrAccessDenied)

	// Resync takes two consecutive codes further from now.
	now = now.Add(10 * totp.Period)
	_, err = s.ResyncMFADevice(ctx, root, &ResyncMFADeviceInput{UserName: "alice", SerialNumber: serial, AuthenticationCode1: code(step + 20), AuthenticationCode2: code(step + 21)})
	if err != nil {
		t.Errorf("ResyncMFADevice: %v", err)
	}

	_, err = s.DeleteVirtualMFADevice(ctx, root, &DeleteVirtualMFADeviceInput{SerialNumber: serial})
	wantCode(t, "DeleteVirtualMFADevice(assigned)", err, keyward.ErrDeleteConflict)
	if _, err := s.DeleteLoginProfile(ctx, root, &DeleteLoginProfileInput{UserName: ptr("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteUser(ctx, root, &DeleteUserInput{UserName: "alice"})
	wantCode(t, "DeleteUser(with an MFA device)", err, keyward.ErrDeleteConflict)
	if _, err := s.DeactivateMFADevice(ctx, root, &DeactivateMFADeviceInput{UserName: ptr("alice"), SerialNumber: serial}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeactivateMFADevice(ctx, root, &DeactivateMFADeviceInput{UserName: ptr("alice"), SerialNumber: serial})
	wantCode(t, "DeactivateMFADevice(again)", err, keyward.ErrNoSuchEntity)
	if _, err := s.DeleteVirtualMFADevice(ctx, root, &DeleteVirtualMFADeviceInput{SerialNumber: serial}); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListMFADeviceTags(ctx, root, &ListMFADeviceTagsInput{SerialNumber: serial})
	wantCode(t, "ListMFADeviceTags(deleted)", err, keyward.ErrNoSuchEntity)
}
