package iam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
)

var timeEqual = cmp.Comparer(func(a, b Time) bool { return time.Time(a).Equal(time.Time(b)) })

func TestServiceLastAccessed(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	alice := userCaller(t, s, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","s3:GetObject"],"Resource":"*"}]}`)
	bob := userCaller(t, s, "bob")
	mustDo(t, "CreateGroup", func() error { _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "devs"}); return err })
	for _, u := range []string{"alice", "bob"} {
		mustDo(t, "AddUserToGroup", func() error {
			_, err := s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: u})
			return err
		})
	}
	mustDo(t, "PutGroupPolicy", func() error {
		_, err := s.PutGroupPolicy(ctx, root, &PutGroupPolicyInput{GroupName: "devs", PolicyName: "tokens",
			PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:Get*","Resource":"*"}]}`})
		return err
	})
	used := testClock.Add(-time.Hour).UTC().Truncate(time.Second)
	log := s.Store.(keyward.ActivityLog)
	err := log.RecordActivity(ctx, []keyward.Activity{
		{AccountID: testAccount, Principal: alice.ARN, Service: "iam", Action: "GetUser", Region: "us-east-1", Time: used},
		{AccountID: testAccount, Principal: bob.ARN, Service: "sts", Action: "GetCallerIdentity", Region: "eu-west-1", Time: used.Add(time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}

	gen, err := s.GenerateServiceLastAccessedDetails(ctx, root, &GenerateServiceLastAccessedDetailsInput{ARN: alice.ARN, Granularity: ptr("ACTION_LEVEL")})
	if err != nil {
		t.Fatal(err)
	}
	if len(gen.JobID) != 36 {
		t.Fatalf("JobId = %q, want a UUID", gen.JobID)
	}
	out, err := s.GetServiceLastAccessedDetails(ctx, root, &GetServiceLastAccessedDetailsInput{JobID: gen.JobID})
	if err != nil {
		t.Fatal(err)
	}
	want := Members[ServiceLastAccessed]{
		{ServiceName: "AWS Identity and Access Management", ServiceNamespace: "iam", LastAuthenticated: Time(used), LastAuthenticatedEntity: alice.ARN,
			LastAuthenticatedRegion: "us-east-1", TotalAuthenticatedEntities: 1,
			TrackedActionsLastAccessed: Members[TrackedActionLastAccessed]{{ActionName: "GetUser", LastAccessedEntity: alice.ARN, LastAccessedTime: Time(used), LastAccessedRegion: "us-east-1"}}},
		{ServiceName: "Amazon S3", ServiceNamespace: "s3"},
		{ServiceName: "AWS Security Token Service", ServiceNamespace: "sts"}, // the group's policy; bob's use is not alice's
	}
	if out.JobStatus != "COMPLETED" || out.JobType != "ACTION_LEVEL" {
		t.Errorf("JobStatus, JobType = %s, %s; want COMPLETED, ACTION_LEVEL", out.JobStatus, out.JobType)
	}
	if diff := cmp.Diff(want, out.ServicesLastAccessed, timeEqual); diff != "" {
		t.Errorf("ServicesLastAccessed (-want +got):\n%s", diff)
	}

	// A group's report counts its members.
	gen, err = s.GenerateServiceLastAccessedDetails(ctx, root, &GenerateServiceLastAccessedDetailsInput{ARN: "arn:aws:iam::111122223333:group/devs"})
	if err != nil {
		t.Fatal(err)
	}
	ents, err := s.GetServiceLastAccessedDetailsWithEntities(ctx, root, &GetServiceLastAccessedDetailsWithEntitiesInput{JobID: gen.JobID, ServiceNamespace: "sts"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents.EntityDetailsList) != 2 || ents.EntityDetailsList[0].EntityInfo.Name != "bob" || time.Time(ents.EntityDetailsList[0].LastAuthenticated).IsZero() ||
		!time.Time(ents.EntityDetailsList[1].LastAuthenticated).IsZero() {
		t.Errorf("EntityDetailsList(sts) = %+v, want bob (used) then alice (not)", ents.EntityDetailsList)
	}
	_, err = s.GetServiceLastAccessedDetails(ctx, rootOf(otherAccount), &GetServiceLastAccessedDetailsInput{JobID: gen.JobID})
	wantCode(t, "GetServiceLastAccessedDetails(another account's job)", err, keyward.ErrNoSuchEntity)
	_, err = s.GenerateServiceLastAccessedDetails(ctx, root, &GenerateServiceLastAccessedDetailsInput{ARN: "arn:aws:iam::111122223333:user/nobody"})
	wantCode(t, "GenerateServiceLastAccessedDetails(nobody)", err, keyward.ErrNoSuchEntity)

	grants, err := s.ListPoliciesGrantingServiceAccess(ctx, root, &ListPoliciesGrantingServiceAccessInput{ARN: alice.ARN, ServiceNamespaces: []string{"iam", "sts", "ec2"}})
	if err != nil {
		t.Fatal(err)
	}
	wantGrants := Members[ListPoliciesGrantingServiceAccessEntry]{
		{ServiceNamespace: "iam", Policies: Members[PolicyGrantingServiceAccess]{{PolicyName: "p0", PolicyType: "INLINE", EntityType: "USER", EntityName: "alice"}}},
		{ServiceNamespace: "sts", Policies: Members[PolicyGrantingServiceAccess]{{PolicyName: "tokens", PolicyType: "INLINE", EntityType: "GROUP", EntityName: "devs"}}},
		{ServiceNamespace: "ec2", Policies: Members[PolicyGrantingServiceAccess]{}},
	}
	if diff := cmp.Diff(wantGrants, grants.PoliciesGrantingServiceAccess); diff != "" {
		t.Errorf("ListPoliciesGrantingServiceAccess (-want +got):\n%s", diff)
	}
}

func TestCredentialReport(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	_, err := s.GetCredentialReport(ctx, root, &struct{}{})
	wantCode(t, "GetCredentialReport before Generate", err, "ReportNotPresent")
	userCaller(t, s, "alice")
	key, err := s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{UserName: ptr("alice")})
	if err != nil {
		t.Fatal(err)
	}
	used := testClock.Add(-time.Minute).UTC().Truncate(time.Second)
	s.Store.Update(ctx, func(tx keyward.Tx) error {
		return tx.SetAccessKeyLastUsed(key.AccessKey.AccessKeyID, keyward.AccessKeyLastUsed{Date: used, Service: "iam", Region: "us-east-1"})
	})
	gen, err := s.GenerateCredentialReport(ctx, root, &struct{}{})
	if err != nil || gen.State != "STARTED" {
		t.Fatalf("GenerateCredentialReport = %+v, %v; want STARTED", gen, err)
	}
	gen, err = s.GenerateCredentialReport(ctx, root, &struct{}{})
	if err != nil || gen.State != "COMPLETE" {
		t.Fatalf("GenerateCredentialReport again = %+v, %v; want COMPLETE", gen, err)
	}
	rep, err := s.GetCredentialReport(ctx, root, &struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(rep.Content)
	if err != nil {
		t.Fatalf("Content is not base64: %v", err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(credentialColumns, ",") {
		t.Fatalf("report rows = %q", rows)
	}
	if rows[1][0] != "<root_account>" || rows[1][1] != "arn:aws:iam::111122223333:root" {
		t.Errorf("root row = %q", rows[1])
	}
	alice := map[string]string{}
	for i, col := range rows[0] {
		alice[col] = rows[2][i]
	}
	for col, want := range map[string]string{
		"user": "alice", "password_enabled": "false", "access_key_1_active": "true",
		"access_key_1_last_used_date": used.Format("2006-01-02T15:04:05+00:00"), "access_key_1_last_used_service": "iam",
		"access_key_1_last_used_region": "us-east-1", "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
	} {
		if alice[col] != want {
			t.Errorf("alice's %s = %q, want %q", col, alice[col], want)
		}
	}
	if rep.ReportFormat != "text/csv" {
		t.Errorf("ReportFormat = %q", rep.ReportFormat)
	}
}

// TestReports_JobsBounded: last-accessed jobs are kept in memory, so their
// number is bounded: the newest maxJobs, none older than jobTTL.
func TestReports_JobsBounded(t *testing.T) {
	var r reports
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxJobs + 50 {
		r.addJob(fmt.Sprint(i), &accessJob{created: t0.Add(time.Duration(i) * time.Second)})
	}
	if len(r.jobs) != maxJobs || len(r.order) != maxJobs {
		t.Errorf("after %d jobs, %d kept (%d in order), want %d", maxJobs+50, len(r.jobs), len(r.order), maxJobs)
	}
	if _, ok := r.jobs["0"]; ok {
		t.Errorf("the oldest job is still kept")
	}
	r.addJob("late", &accessJob{created: t0.Add(jobTTL + 2*time.Hour)})
	if len(r.jobs) >= maxJobs {
		t.Errorf("a job %v after the others kept %d jobs, want the expired ones dropped", jobTTL+2*time.Hour, len(r.jobs))
	}
}

// TestService_ForgetReports: a server's reset empties the store, and the
// credential report of the old store goes with it.
func TestService_ForgetReports(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.GenerateCredentialReport(ctx, root, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetCredentialReport(ctx, root, nil); err != nil {
		t.Fatalf("GetCredentialReport after generating = %v", err)
	}
	s.ForgetReports()
	_, err := s.GetCredentialReport(ctx, root, nil)
	wantCode(t, "GetCredentialReport after ForgetReports", err, "ReportNotPresent")
}

// TestCredentialReport_SameAsPerUserReads: the report, made from a few
// account-wide reads, is byte for byte the one the reads of each user's
// keys, certificates and login profile made (credentialCSVPerUser, the
// earlier code, kept here as the reference), over an account with a bit of
// everything: root's keys and certificate, users with none, one, two
// keys, inactive ones, keys never used, a renamed user, passwords with an
// expiry policy, MFA, and another account's users of the same names.
func TestCredentialReport_SameAsPerUserReads(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	now := testClock.Truncate(time.Second)
	at := func(h int) time.Time { return now.Add(time.Duration(-h) * time.Hour) }
	err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		if err := tx.PutPasswordPolicy(keyward.PasswordPolicy{AccountID: testAccount, MinimumPasswordLength: 8, MaxPasswordAge: 90}); err != nil {
			return err
		}
		n := 0
		for _, account := range []string{testAccount, otherAccount} {
			for i, name := range []string{"alice", "Bob", "carol", "dave", "Erin", "frank", "zed"} {
				u := keyward.User{AccountID: account, ID: keyward.NewUniqueID(keyward.PrefixUser), Name: name, Path: "/",
					ARN: "arn:aws:iam::" + account + ":user/" + name, CreateDate: at(1000 + i)}
				if i%3 == 1 {
					u.PasswordLastUsed = at(i)
				}
				if err := tx.CreateUser(u); err != nil {
					return err
				}
				for k := range i % 4 { // 0 to 3 keys: the report shows the first two
					n++
					key := keyward.AccessKey{AccountID: account, UserName: name, AccessKeyID: fmt.Sprintf("AKIA%016d", n),
						SecretCiphertext: []byte("x"), Status: keyward.StatusActive, CreateDate: at(500 - 10*k - i)}
					if k == 1 {
						key.Status = keyward.StatusInactive
					}
					if k == 0 && i%2 == 0 {
						key.LastUsedDate, key.LastUsedService, key.LastUsedRegion = at(i), "s3", "eu-west-1"
					}
					if err := tx.CreateAccessKey(key); err != nil {
						return err
					}
				}
				for c := range i % 3 {
					n++
					if err := tx.CreateUserCredential(keyward.UserCredential{Kind: keyward.CredentialSigningCertificate, AccountID: account,
						UserName: name, ID: fmt.Sprintf("CERT%016d", n), Status: keyward.StatusActive, CreateDate: at(300 - c)}); err != nil {
						return err
					}
				}
				if i%2 == 1 {
					if err := tx.CreateLoginProfile(keyward.LoginProfile{AccountID: account, UserName: name, PasswordHash: "h",
						CreateDate: at(200), PasswordChangedDate: at(100 + i)}); err != nil {
						return err
					}
				}
				if i == 4 {
					serial := "arn:aws:iam::" + account + ":mfa/" + name
					if err := tx.CreateMFADevice(keyward.MFADevice{AccountID: account, SerialNumber: serial, Path: "/", Name: name,
						SeedCiphertext: []byte("x"), UserName: name, EnableDate: at(1), CreateDate: at(1)}); err != nil {
						return err
					}
				}
			}
			// root's: two keys, a certificate, an MFA device.
			for k := range 2 {
				n++
				if err := tx.CreateAccessKey(keyward.AccessKey{AccountID: account, AccessKeyID: fmt.Sprintf("AKIA%016d", n),
					SecretCiphertext: []byte("x"), Status: keyward.StatusActive, CreateDate: at(700 - k)}); err != nil {
					return err
				}
			}
			n++
			if err := tx.CreateUserCredential(keyward.UserCredential{Kind: keyward.CredentialSigningCertificate, AccountID: account,
				ID: fmt.Sprintf("CERT%016d", n), Status: keyward.StatusInactive, CreateDate: at(600)}); err != nil {
				return err
			}
			if err := tx.CreateMFADevice(keyward.MFADevice{AccountID: account, SerialNumber: "arn:aws:iam::" + account + ":mfa/root",
				Path: "/", Name: "root", SeedCiphertext: []byte("x"), Root: true, EnableDate: at(2), CreateDate: at(2)}); err != nil {
				return err
			}
		}
		// A renamed user: its keys, certificates and profile follow it.
		u, err := tx.GetUser(testAccount, "dave")
		if err != nil {
			return err
		}
		u.Name, u.ARN = "Dave2", "arn:aws:iam::"+testAccount+":user/Dave2"
		return tx.UpdateUser(u)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, account := range []string{testAccount, otherAccount} {
		want, err := credentialCSVPerUser(ctx, s.Store, account)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.credentialCSV(ctx, account)
		if err != nil {
			t.Fatalf("credentialCSV(%s) = %v", account, err)
		}
		if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
			t.Errorf("credentialCSV(%s) differs from the per-user reads (-want +got):\n%s", account, diff)
		}
		if lines := strings.Count(string(got), "\n"); lines != 9 {
			t.Errorf("credentialCSV(%s) has %d lines, want 9 (header, root, seven users)", account, lines)
		}
	}
}

// credentialCSVPerUser is credentialCSV as it was, reading each user's
// keys, certificates and login profile one by one: the reference.
func credentialCSVPerUser(ctx context.Context, store keyward.Store, accountID string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(credentialColumns)
	err := store.View(ctx, func(tx keyward.Tx) error {
		acct, err := tx.GetAccount(accountID)
		if err != nil {
			return err
		}
		keys, err := tx.ListAccessKeys(accountID, "")
		if err != nil {
			return err
		}
		devices, err := tx.ListMFADevices(accountID)
		if err != nil {
			return err
		}
		mfa := map[string]bool{} // folded user name, "" for root
		for _, d := range devices {
			if !d.EnableDate.IsZero() {
				mfa[strings.ToLower(d.UserName)] = true
			}
		}
		pol, err := passwordPolicy(tx, accountID)
		if err != nil {
			return err
		}
		certs, err := tx.ListUserCredentials(keyward.CredentialSigningCertificate, accountID, "")
		if err != nil {
			return err
		}
		row := []string{"<root_account>", arn.RootARN(accountID), reportTime(acct.CreateDate), "not_supported", "no_information", "not_supported", "not_supported", fmt.Sprint(mfa[""])}
		row = append(append(append(append(row, keyColumns(keys, 0)...), keyColumns(keys, 1)...), certColumns(certs, 0)...), certColumns(certs, 1)...)
		w.Write(row)
		users, _, err := tx.ListUsers(accountID, keyward.ListOptions{})
		if err != nil {
			return err
		}
		for _, u := range users {
			keys, err := tx.ListAccessKeys(accountID, u.Name)
			if err != nil {
				return err
			}
			certs, err := tx.ListUserCredentials(keyward.CredentialSigningCertificate, accountID, u.Name)
			if err != nil {
				return err
			}
			enabled, pwUsed, pwChanged, pwNext := "false", "N/A", "N/A", "N/A"
			p, err := tx.GetLoginProfile(accountID, u.Name)
			switch {
			case err == nil:
				enabled, pwUsed, pwChanged = "true", "no_information", reportTime(p.PasswordChangedDate)
				if !u.PasswordLastUsed.IsZero() {
					pwUsed = reportTime(u.PasswordLastUsed)
				}
				if pol != nil && pol.MaxPasswordAge > 0 {
					pwNext = reportTime(p.PasswordChangedDate.AddDate(0, 0, pol.MaxPasswordAge))
				}
			case keyward.ErrorCode(err) != keyward.ErrNoSuchEntity:
				return err
			case !u.PasswordLastUsed.IsZero():
				pwUsed = reportTime(u.PasswordLastUsed)
			}
			row := []string{u.Name, u.ARN, reportTime(u.CreateDate), enabled, pwUsed, pwChanged, pwNext, fmt.Sprint(mfa[strings.ToLower(u.Name)])}
			row = append(append(append(append(row, keyColumns(keys, 0)...), keyColumns(keys, 1)...), certColumns(certs, 0)...), certColumns(certs, 1)...)
			w.Write(row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
