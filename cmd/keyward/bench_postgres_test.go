package main

import (
	"net/url"
	"testing"

	"github.com/keyward/keyward/internal/postgres/pgtest"
)

// BenchmarkStack_Postgres is BenchmarkStack's signed requests through the
// whole server on the PostgreSQL store (KEYWARD_TEST_POSTGRES). With warm
// caches GetCallerIdentity touches no store at all; GetUser reads the user.
func BenchmarkStack_Postgres(b *testing.B) {
	hs, root := testServer(b, pgtest.DSN(b))
	client := hs.Client()
	if code, body := call(b, client, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "alice")); code != 200 {
		b.Fatalf("CreateUser: %d %s", code, body)
	}
	for _, bc := range []struct {
		name, service string
		form          url.Values
	}{
		{"sts-GetCallerIdentity", "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}},
		{"iam-GetUser", "iam", iamForm("GetUser", "UserName", "alice")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code, body := call(b, client, hs.URL, root, bc.service, bc.form); code != 200 {
					b.Fatalf("%d %s", code, body)
				}
			}
		})
	}
}
