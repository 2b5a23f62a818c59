package iam

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// ListVirtualMFADevices reads one page of devices from the store: each
// page, followed by its markers, must be the part of the whole list that
// AWS's index markers name, with each assigned device's user as GetUser
// reads it; a marker past the end or not an index is InvalidInput.
func TestService_ListVirtualMFADevices_Pages(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	now := testClock.Truncate(time.Second)
	users := map[string]keyward.User{}
	sameTime := cmp.Comparer(func(a, b Time) bool { return time.Time(a).Equal(time.Time(b)) })
	err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		for i := range 7 {
			name := fmt.Sprintf("User%d", i)
			u := keyward.User{AccountID: testAccount, ID: keyward.NewUniqueID(keyward.PrefixUser), Name: name, Path: "/p" + name + "/",
				ARN: "arn:aws:iam::" + testAccount + ":user/p" + name + "/" + name, CreateDate: now.Add(time.Duration(i) * time.Hour)}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
			users[name] = u
			d := keyward.MFADevice{AccountID: testAccount, SerialNumber: fmt.Sprintf("arn:aws:iam::%s:mfa/d%d", testAccount, 9-i), Path: "/",
				Name: fmt.Sprint("d", 9-i), SeedCiphertext: []byte("x"), CreateDate: now}
			if i%3 != 0 { // users 1, 2, 4, 5 hold one
				d.UserName, d.EnableDate = name, now.Add(time.Minute)
			}
			if err := tx.CreateMFADevice(d); err != nil {
				return err
			}
		}
		return tx.CreateMFADevice(keyward.MFADevice{AccountID: testAccount, SerialNumber: "arn:aws:iam::" + testAccount + ":mfa/root",
			Path: "/", Name: "root", SeedCiphertext: []byte("x"), Root: true, EnableDate: now, CreateDate: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		status string
		want   int
	}{{"Any", 8}, {"Assigned", 5}, {"Unassigned", 3}} {
		whole, err := s.ListVirtualMFADevices(ctx, root, &ListVirtualMFADevicesInput{AssignmentStatus: ptr(tt.status), MaxItems: ptr(int32(1000))})
		if err != nil || len(whole.VirtualMFADevices) != tt.want || whole.IsTruncated {
			t.Fatalf("ListVirtualMFADevices(%s) = %+v, %v; want %d devices on one page", tt.status, whole, err, tt.want)
		}
		for _, v := range whole.VirtualMFADevices {
			switch {
			case strings.HasSuffix(v.SerialNumber, "/root"):
				if v.User == nil || v.User.ARN != "arn:aws:iam::"+testAccount+":root" || v.User.UserID != testAccount {
					t.Errorf("ListVirtualMFADevices(%s): root's device's user = %+v, want the root user", tt.status, v.User)
				}
			case time.Time(v.EnableDate).IsZero():
				if v.User != nil {
					t.Errorf("ListVirtualMFADevices(%s): unassigned %s has user %+v, want none", tt.status, v.SerialNumber, v.User)
				}
			default:
				if v.User == nil {
					t.Fatalf("ListVirtualMFADevices(%s): assigned %s has no user", tt.status, v.SerialNumber)
				}
				u := users[v.User.UserName]
				want := User{UserName: u.Name, UserID: u.ID, ARN: u.ARN, Path: u.Path, CreateDate: Time(u.CreateDate)}
				if diff := cmp.Diff(want, *v.User, sameTime); diff != "" {
					t.Errorf("ListVirtualMFADevices(%s): %s's user (-want +got):\n%s", tt.status, v.SerialNumber, diff)
				}
			}
		}
		var paged Members[VirtualMFADevice]
		var marker *string
		for range tt.want {
			page, err := s.ListVirtualMFADevices(ctx, root, &ListVirtualMFADevicesInput{AssignmentStatus: ptr(tt.status), MaxItems: ptr(int32(2)), Marker: marker})
			if err != nil {
				t.Fatalf("ListVirtualMFADevices(%s, marker %v) = %v", tt.status, marker, err)
			}
			paged = append(paged, page.VirtualMFADevices...)
			if want := fmt.Sprint(len(paged)); page.IsTruncated != (len(paged) < tt.want) || (page.IsTruncated && page.Marker != want) {
				t.Errorf("ListVirtualMFADevices(%s) after %d devices: IsTruncated %v, Marker %q; want the marker %q while devices remain", tt.status, len(paged), page.IsTruncated, page.Marker, want)
			}
			if !page.IsTruncated {
				break
			}
			marker = &page.Marker
		}
		if diff := cmp.Diff(whole.VirtualMFADevices, paged, sameTime); diff != "" {
			t.Errorf("ListVirtualMFADevices(%s) by pages of 2 (-whole +paged):\n%s", tt.status, diff)
		}
		end, err := s.ListVirtualMFADevices(ctx, root, &ListVirtualMFADevicesInput{AssignmentStatus: ptr(tt.status), Marker: ptr(fmt.Sprint(tt.want))})
		if err != nil || len(end.VirtualMFADevices) != 0 || end.IsTruncated {
			t.Errorf("ListVirtualMFADevices(%s, marker at the end) = %+v, %v; want an empty last page", tt.status, end, err)
		}
		for _, m := range []string{fmt.Sprint(tt.want + 1), "-1", "x", ""} {
			_, err := s.ListVirtualMFADevices(ctx, root, &ListVirtualMFADevicesInput{AssignmentStatus: ptr(tt.status), Marker: ptr(m)})
			wantError(t, fmt.Sprintf("ListVirtualMFADevices(%s, marker %q)", tt.status, m), err, keyward.ErrInvalidInput, "Invalid Marker.")
		}
	}
}
