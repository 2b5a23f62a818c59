package sigv4_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/keyward/keyward/sigv4"
)

// A server checks a request in two steps: Parse, a secret lookup of its own,
// then Verify.
func ExampleVerify() {
	// What a client sends (here signed by Sign, as an SDK would).
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	signedAt := time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Host = "sts.amazonaws.com"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	if err := sigv4.Sign(r, []byte(body), creds, "us-east-1", "sts", signedAt); err != nil {
		panic(err)
	}

	// The server, two minutes later.
	now := signedAt.Add(2 * time.Minute)
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s, err := sigv4.Parse(r, now)
	if err != nil {
		fmt.Println(err) // an *sigv4.Error: AWS's code and message
		return
	}
	fmt.Println(s.AccessKeyID, s.Region, s.Service, s.SignedHeaders)
	secret := creds.SecretAccessKey // looked up by s.AccessKeyID
	fmt.Println(sigv4.Verify(r, b, s, secret))
	fmt.Println(sigv4.Verify(r, b, s, "not the secret"))

	// Half an hour later the same request is stale.
	_, err = sigv4.Parse(r, signedAt.Add(30*time.Minute))
	fmt.Println(err)
	// Output:
	// AKIDEXAMPLE us-east-1 sts [content-type host x-amz-date]
	// <nil>
	// SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.
	// SignatureDoesNotMatch: Signature expired: 20261126T230000Z is now earlier than 20261126T231500Z (20261126T233000Z - 15 min.)
}

// Presign makes a URL that anyone holding it may use until it expires. The
// signature is the one botocore's generate_presigned_url gives.
func ExamplePresign() {
	r := httptest.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	u, err := sigv4.Presign(r, nil, creds, "us-east-1", "sts", time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC), time.Minute)
	if err != nil {
		panic(err)
	}
	for q := range strings.SplitSeq(u.RawQuery, "&") {
		fmt.Println(q)
	}
	// Output:
	// Action=GetCallerIdentity
	// Version=2011-06-15
	// X-Amz-Algorithm=AWS4-HMAC-SHA256
	// X-Amz-Credential=AKIDEXAMPLE%2F20261126%2Fus-east-1%2Fsts%2Faws4_request
	// X-Amz-Date=20261126T230000Z
	// X-Amz-SignedHeaders=host
	// X-Amz-Expires=60
	// X-Amz-Signature=e692f963019782620304b317ea2f5403a2376ed1da6766e98a76aa376d91f12d
}
