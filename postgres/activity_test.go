package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/postgres/pgtest"
)

func TestStore_Activity(t *testing.T) {
	st := open(t, pgtest.DSN(t))
	t0 := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	alice, bob := "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/Bob"
	rec := func(principal string, when time.Time, region string) {
		t.Helper()
		err := st.RecordActivity(t.Context(), []keyward.Activity{{AccountID: acct, Principal: principal, Service: "iam",
			Action: "GetUser", Region: region, Time: when}})
		if err != nil {
			t.Fatalf("RecordActivity: %v", err)
		}
	}
	rec(alice, t0, "us-east-1")
	rec(alice, t0.Add(time.Hour), "eu-west-1")
	rec(alice, t0.Add(time.Minute), "us-west-2") // older than the row: ignored
	rec(bob, t0, "us-east-1")
	got, err := st.ListActivity(t.Context(), acct)
	if err != nil {
		t.Fatalf("ListActivity: %v", err)
	}
	want := []keyward.Activity{ // byte order: "B" < "a"
		{AccountID: acct, Principal: bob, Service: "iam", Action: "GetUser", Region: "us-east-1", Time: t0},
		{AccountID: acct, Principal: alice, Service: "iam", Action: "GetUser", Region: "eu-west-1", Time: t0.Add(time.Hour)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListActivity (-want +got):\n%s", diff)
	}
	if other, err := st.ListActivity(t.Context(), "444455556666"); err != nil || len(other) != 0 {
		t.Errorf("ListActivity(other account) = %v, %v; want nothing", other, err)
	}
}
