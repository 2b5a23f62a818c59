package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// testAccountWideReads: the reads of all an account's access keys,
// signing certificates, login profiles, and of users by a set of names,
// that the credential report and ListVirtualMFADevices make in one
// statement instead of one per user. Each must answer what the per-user
// reads answer, and nothing of another account.
func testAccountWideReads(t *testing.T, s keyward.Store) {
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	keyAt := func(account, user string, sec int) keyward.AccessKey {
		k := newKey(account, user)
		k.CreateDate = at(sec)
		return k
	}
	certAt := func(kind keyward.CredentialKind, account, user string, sec int) keyward.UserCredential {
		return keyward.UserCredential{Kind: kind, AccountID: account, UserName: user, ID: newID("CERT"),
			Status: keyward.StatusActive, CreateDate: at(sec), Body: "body of " + user}
	}
	profile := func(account, user string, sec int) keyward.LoginProfile {
		return keyward.LoginProfile{AccountID: account, UserName: user, PasswordHash: "hash of " + user,
			CreateDate: at(sec), PasswordChangedDate: at(sec)}
	}
	keys := []keyward.AccessKey{keyAt(acct, "alice", 3), keyAt(acct, "", 2), keyAt(acct, "bob", 1),
		keyAt(acct, "alice", 0), keyAt(acct, "bob", 5), keyAt(acct2, "alice", 0), keyAt(acct2, "", 1)}
	keys[4].CreateDate = time.Time{} // no date sorts first, as ListAccessKeys sorts it
	certs := []keyward.UserCredential{certAt(keyward.CredentialSigningCertificate, acct, "bob", 2),
		certAt(keyward.CredentialSigningCertificate, acct, "", 1), certAt(keyward.CredentialSigningCertificate, acct, "alice", 0),
		certAt(keyward.CredentialSSHPublicKey, acct, "alice", 0), certAt(keyward.CredentialSigningCertificate, acct2, "alice", 0)}
	profiles := []keyward.LoginProfile{profile(acct, "Carol", 1), profile(acct, "alice", 2), profile(acct2, "alice", 3)}
	update(t, s, func(tx keyward.Tx) error {
		for _, u := range []keyward.User{newUser(acct, "alice"), newUser(acct, "bob"), newUser(acct, "Carol"), newUser(acct2, "alice")} {
			wantOK(t, "CreateUser("+u.Name+")", tx.CreateUser(u))
		}
		for _, k := range keys {
			wantOK(t, "CreateAccessKey", tx.CreateAccessKey(k))
		}
		for _, c := range certs {
			wantOK(t, "CreateUserCredential", tx.CreateUserCredential(c))
		}
		for _, p := range profiles {
			wantOK(t, "CreateLoginProfile", tx.CreateLoginProfile(p))
		}
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.ListAccountAccessKeys(acct)
		wantOK(t, "ListAccountAccessKeys", err)
		diff(t, "ListAccountAccessKeys", []keyward.AccessKey{keys[4], keys[3], keys[2], keys[1], keys[0]}, got)
		gotCerts, err := tx.ListAccountUserCredentials(keyward.CredentialSigningCertificate, acct)
		wantOK(t, "ListAccountUserCredentials", err)
		diff(t, "ListAccountUserCredentials", []keyward.UserCredential{certs[2], certs[1], certs[0]}, gotCerts)
		// Each user's share (root's is "") is what the per-user reads return.
		for _, user := range []string{"", "alice", "bob", "Carol"} {
			want, err := tx.ListAccessKeys(acct, user)
			wantOK(t, fmt.Sprintf("ListAccessKeys(%q)", user), err)
			diff(t, fmt.Sprintf("ListAccountAccessKeys's keys of %q", user), want,
				filter(got, func(k keyward.AccessKey) bool { return k.UserName == user }))
			wantCerts, err := tx.ListUserCredentials(keyward.CredentialSigningCertificate, acct, user)
			wantOK(t, fmt.Sprintf("ListUserCredentials(%q)", user), err)
			diff(t, fmt.Sprintf("ListAccountUserCredentials's of %q", user), wantCerts,
				filter(gotCerts, func(c keyward.UserCredential) bool { return c.UserName == user }))
		}
		gotProfiles, err := tx.ListLoginProfiles(acct)
		wantOK(t, "ListLoginProfiles", err)
		diff(t, "ListLoginProfiles", []keyward.LoginProfile{profiles[1], profiles[0]}, gotProfiles)
		for _, account := range []string{"999999999999"} {
			k, err := tx.ListAccountAccessKeys(account)
			wantOK(t, "ListAccountAccessKeys(empty account)", err)
			c, err2 := tx.ListAccountUserCredentials(keyward.CredentialSigningCertificate, account)
			wantOK(t, "ListAccountUserCredentials(empty account)", err2)
			p, err3 := tx.ListLoginProfiles(account)
			wantOK(t, "ListLoginProfiles(empty account)", err3)
			if len(k)+len(c)+len(p) != 0 {
				t.Errorf("an account with nothing has %d keys, %d certificates, %d profiles, want none", len(k), len(c), len(p))
			}
		}
		return nil
	})
}

// testGetUsers: users by a set of names, any case, more names than one
// statement of the SQL core looks up (it batches them).
func testGetUsers(t *testing.T, s keyward.Store) {
	var names []string
	update(t, s, func(tx keyward.Tx) error {
		for i := range 130 {
			u := newUser(acct, fmt.Sprintf("User%03d", i))
			names = append(names, u.Name)
			wantOK(t, "CreateUser", tx.CreateUser(u))
		}
		wantOK(t, "CreateUser(other account)", tx.CreateUser(newUser(acct2, "User001")))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		all, _, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		got, err := tx.GetUsers(acct, names)
		wantOK(t, "GetUsers(all)", err)
		diff(t, "GetUsers(all 130)", all, got)
		// Out of order, in other cases, twice, and names of no user.
		ask := []string{"user129", "nope", "USER007", "User007", "user007", "User051", "", "user050"}
		got, err = tx.GetUsers(acct, ask)
		wantOK(t, "GetUsers(some)", err)
		want := filter(all, func(u keyward.User) bool {
			return slices.Contains([]string{"User007", "User050", "User051", "User129"}, u.Name)
		})
		diff(t, fmt.Sprintf("GetUsers(%q)", ask), want, got)
		got, err = tx.GetUsers(acct, nil)
		wantOK(t, "GetUsers(none)", err)
		diff(t, "GetUsers(none)", []keyward.User(nil), got)
		got, err = tx.GetUsers("999999999999", []string{"User001"})
		wantOK(t, "GetUsers(account without users)", err)
		diff(t, "GetUsers(account without users)", []keyward.User(nil), got)
		got, err = tx.GetUsers(acct2, []string{"user001", "User002"})
		wantOK(t, "GetUsers(other account)", err)
		if len(got) != 1 || got[0].AccountID != acct2 || got[0].Name != "User001" {
			t.Errorf("GetUsers(%s, user001, User002) = %v, want that account's User001 only", acct2, got)
		}
		return nil
	})
}

// testMFADevicePage: every part ListMFADevicePage cuts is the same part
// of ListMFADevices' list, filtered as asked.
func testMFADevicePage(t *testing.T, s keyward.Store) {
	device := func(account, name string) keyward.MFADevice {
		return keyward.MFADevice{AccountID: account, SerialNumber: "arn:aws:iam::" + account + ":mfa/" + name, Path: "/",
			Name: name, SeedCiphertext: []byte("seed of " + name), CreateDate: t0}
	}
	update(t, s, func(tx keyward.Tx) error {
		for _, n := range []string{"alice", "bob", "Carol"} {
			wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, n)))
		}
		for i, n := range []string{"d-alice", "B-free", "root", "c-bob", "a-free", "Carol", "e-free"} {
			d := device(acct, n)
			switch n {
			case "root":
				d.Root, d.EnableDate = true, t0.Add(time.Minute)
			case "d-alice", "c-bob", "Carol":
				d.UserName, d.EnableDate = strings.TrimPrefix(strings.TrimPrefix(n, "d-"), "c-"), t0.Add(time.Duration(i)*time.Minute)
			}
			wantOK(t, "CreateMFADevice("+n+")", tx.CreateMFADevice(d))
		}
		wantOK(t, "CreateMFADevice(other account)", tx.CreateMFADevice(device(acct2, "a-free")))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		all, err := tx.ListMFADevices(acct)
		wantOK(t, "ListMFADevices", err)
		if len(all) != 7 {
			t.Fatalf("ListMFADevices = %d devices, want 7", len(all))
		}
		yes, no := true, false
		for _, assigned := range []*bool{nil, &yes, &no} {
			kept := filter(all, func(d keyward.MFADevice) bool { return assigned == nil || *assigned == !d.EnableDate.IsZero() })
			for offset := range len(kept) + 2 {
				for limit := range len(kept) + 2 {
					opts := keyward.MFADeviceListOptions{Assigned: assigned, Offset: offset, Limit: limit}
					got, err := tx.ListMFADevicePage(acct, opts)
					wantOK(t, "ListMFADevicePage", err)
					want := kept[min(offset, len(kept)):]
					if limit > 0 {
						want = want[:min(limit, len(want))]
					}
					diff(t, fmt.Sprintf("ListMFADevicePage(%+v, assigned %v)", opts, assigned != nil && *assigned), want, got)
				}
			}
		}
		got, err := tx.ListMFADevicePage(acct, keyward.MFADeviceListOptions{Assigned: &yes})
		wantOK(t, "ListMFADevicePage(assigned)", err)
		if len(got) != 4 {
			t.Errorf("ListMFADevicePage(assigned) = %d devices, want 4 (three users' and root's)", len(got))
		}
		return nil
	})
}
