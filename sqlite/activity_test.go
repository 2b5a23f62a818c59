package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/sqlite"
)

func TestStore_Activity(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	alice := "arn:aws:iam::111122223333:user/alice"
	rec := func(when time.Time, region string) {
		t.Helper()
		err := st.RecordActivity(ctx, []keyward.Activity{{AccountID: "111122223333", Principal: alice, Service: "iam", Action: "GetUser", Region: region, Time: when}})
		if err != nil {
			t.Fatal(err)
		}
	}
	rec(t0, "us-east-1")
	rec(t0.Add(time.Hour), "eu-west-1")
	rec(t0.Add(time.Minute), "us-west-2") // older than the row: ignored
	got, err := st.ListActivity(ctx, "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	want := []keyward.Activity{{AccountID: "111122223333", Principal: alice, Service: "iam", Action: "GetUser", Region: "eu-west-1", Time: t0.Add(time.Hour)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListActivity (-want +got):\n%s", diff)
	}
	if other, err := st.ListActivity(ctx, "444455556666"); err != nil || len(other) != 0 {
		t.Errorf("ListActivity(other account) = %v, %v; want nothing", other, err)
	}
}
