package iam

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
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
