package storetest

import (
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// testActivityLog checks keyward.ActivityLog: the later use of a row wins
// (in one call or across calls), rows are per account and listed in byte
// order.
func testActivityLog(t *testing.T, s keyward.Store) {
	log, ok := s.(keyward.ActivityLog)
	if !ok {
		t.Skipf("%T does not implement keyward.ActivityLog: nothing to test", s)
	}
	alice, bob := "arn:aws:iam::"+acct+":user/alice", "arn:aws:iam::"+acct+":user/Bob"
	use := func(principal, action, region string, at time.Time) keyward.Activity {
		return keyward.Activity{AccountID: acct, Principal: principal, Service: "iam", Action: action, Region: region, Time: at}
	}
	record := func(acts ...keyward.Activity) {
		t.Helper()
		if err := log.RecordActivity(t.Context(), acts); err != nil {
			t.Fatalf("RecordActivity: %v", err)
		}
	}
	record() // nothing to record is no error
	record(use(alice, "GetUser", "us-east-1", t0))
	record(use(alice, "GetUser", "eu-west-1", t0.Add(time.Hour)))
	record(use(alice, "GetUser", "us-west-2", t0.Add(time.Minute))) // older than the row: ignored
	record(use(bob, "ListUsers", "us-east-1", t0), use(bob, "ListUsers", "ap-south-1", t0.Add(2*time.Hour)),
		use(bob, "ListUsers", "sa-east-1", t0.Add(time.Hour)))
	record(keyward.Activity{AccountID: acct2, Principal: "arn:aws:iam::" + acct2 + ":root", Service: "sts",
		Action: "GetCallerIdentity", Region: "us-east-1", Time: t0})

	// Times are kept to the second.
	sec := func(d time.Duration) time.Time { return t0.Add(d).Truncate(time.Second) }
	got, err := log.ListActivity(t.Context(), acct)
	wantOK(t, "ListActivity", err)
	diff(t, "ListActivity", []keyward.Activity{ // byte order: "B" < "a"
		use(bob, "ListUsers", "ap-south-1", sec(2*time.Hour)),
		use(alice, "GetUser", "eu-west-1", sec(time.Hour)),
	}, got)
	got, err = log.ListActivity(t.Context(), "999988887777")
	wantOK(t, "ListActivity(no activity)", err)
	diff(t, "ListActivity(no activity)", []keyward.Activity(nil), got)
}
