package main

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/sigv4"
)

// replicas starts n whole servers (real HTTP listeners) on one fresh
// PostgreSQL schema, sharing a key-encryption key as replicas must.
func replicas(t *testing.T, n int) ([]*httptest.Server, sigv4.Credentials) {
	t.Helper()
	return replicasOn(t, pgtest.DSN(t), n)
}

func replicasOn(t *testing.T, store string, n int) ([]*httptest.Server, sigv4.Credentials) {
	t.Helper()
	t.Setenv("KEYWARD_KEK", base64.StdEncoding.EncodeToString(seal.GenerateKey()))
	var hs []*httptest.Server
	var root sigv4.Credentials
	for range n {
		h, r := testServer(t, store)
		hs, root = append(hs, h), r
	}
	return hs, root
}

// mustCall sends a request and fails the test unless it answers 200.
func mustCall(t *testing.T, h *httptest.Server, creds sigv4.Credentials, service string, form url.Values) string {
	t.Helper()
	code, body := call(t, h.Client(), h.URL, creds, service, form)
	if code != 200 {
		t.Fatalf("%s %s: %d %s", service, form.Get("Action"), code, body)
	}
	return body
}

func createKey(t *testing.T, h *httptest.Server, root sigv4.Credentials, user string) sigv4.Credentials {
	t.Helper()
	body := mustCall(t, h, root, "iam", iamForm("CreateAccessKey", "UserName", user))
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(body), &key); err != nil || key.ID == "" {
		t.Fatalf("CreateAccessKey: %v %s", err, body)
	}
	return sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
}

// waitFor calls until the answer's status is want and returns how long that
// took; it fails the test after limit.
func waitFor(t *testing.T, h *httptest.Server, creds sigv4.Credentials, service string, form url.Values, want int, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		code, body := call(t, h.Client(), h.URL, creds, service, form)
		if code == want {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("%s %s still answers %d %s after %v, want %d", service, form.Get("Action"), code, body, limit, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// propagationBound is what the test asserts; the design's target is one
// second, and with --replica-poll at its default (250ms) the measured
// delays are a fraction of it.
const propagationBound = 3 * time.Second

// TestReplicas_Propagation measures how long a write through replica A
// takes to change what replica B decides: granting and revoking a
// permission (B's compiled-policy cache) and deactivating an access key
// (B's cached secret). B is asked first, so that its caches hold the old
// answer.
func TestReplicas_Propagation(t *testing.T) {
	hs, root := replicas(t, 2)
	propagation(t, hs[0], hs[1], root)
}

// TestReplicas_PropagationSQLite: two servers on one SQLite file (two
// processes sharing a disk) are replicas too.
func TestReplicas_PropagationSQLite(t *testing.T) {
	hs, root := replicasOn(t, "sqlite:"+filepath.Join(t.TempDir(), "shared.db"), 2)
	propagation(t, hs[0], hs[1], root)
}

func propagation(t *testing.T, a, b *httptest.Server, root sigv4.Credentials) {
	mustCall(t, a, root, "iam", iamForm("CreateUser", "UserName", "alice"))
	alice := createKey(t, a, root, "alice")
	getUser := iamForm("GetUser", "UserName", "alice")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`

	var delays []time.Duration
	for round := range 4 {
		// B has the denial cached.
		if code, body := call(t, b.Client(), b.URL, alice, "iam", getUser); code != 403 {
			t.Fatalf("round %d: GetUser on B before the grant = %d %s, want 403", round, code, body)
		}
		mustCall(t, a, root, "iam", iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument", doc))
		delays = append(delays, waitFor(t, b, alice, "iam", getUser, 200, propagationBound))
		mustCall(t, a, root, "iam", iamForm("DeleteUserPolicy", "UserName", "alice", "PolicyName", "p"))
		delays = append(delays, waitFor(t, b, alice, "iam", getUser, 403, propagationBound))
	}
	// B has alice's secret cached; A deactivates the key.
	mustCall(t, b, alice, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	mustCall(t, a, root, "iam", iamForm("UpdateAccessKey", "UserName", "alice", "AccessKeyId", alice.AccessKeyID, "Status", "Inactive"))
	delays = append(delays, waitFor(t, b, alice, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, 403, propagationBound))

	slices.Sort(delays)
	t.Logf("write through A seen by B: %d changes, median %v, max %v (bound %v, --replica-poll %v)",
		len(delays), delays[len(delays)/2], delays[len(delays)-1], propagationBound, authz.DefaultFollowInterval)
}

// TestReplicas_SessionTokenAcrossReplicas: a session token issued by A
// (sealed with a key of the ring A keeps in the store) is accepted by B.
func TestReplicas_SessionTokenAcrossReplicas(t *testing.T) {
	hs, root := replicas(t, 2)
	a, b := hs[0], hs[1]
	mustCall(t, a, root, "iam", iamForm("CreateUser", "UserName", "bob"))
	bob := createKey(t, a, root, "bob")
	body := mustCall(t, a, bob, "sts", url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}, "DurationSeconds": {"900"}})
	var out struct {
		ID     string `xml:"GetSessionTokenResult>Credentials>AccessKeyId"`
		Secret string `xml:"GetSessionTokenResult>Credentials>SecretAccessKey"`
		Token  string `xml:"GetSessionTokenResult>Credentials>SessionToken"`
	}
	if err := xml.Unmarshal([]byte(body), &out); err != nil || out.Token == "" {
		t.Fatalf("GetSessionToken: %v %s", err, body)
	}
	session := sigv4.Credentials{AccessKeyID: out.ID, SecretAccessKey: out.Secret, SessionToken: out.Token}
	for i, h := range []*httptest.Server{a, b} {
		body := mustCall(t, h, session, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
		if !strings.Contains(body, ":user/bob<") {
			t.Errorf("GetCallerIdentity with A's session token on replica %d = %s, want bob", i, body)
		}
	}
}

// TestReplicas_QuotasUnderRace races writers through two replicas on one
// database: 20 CreatePolicyVersion on one policy (quota 5 versions), 20
// CreateAccessKey for one user (quota 2 keys) and 20 AttachUserPolicy of
// different policies to one user (quota 10). SERIALIZABLE transactions,
// retried on conflict, must keep every quota.
func TestReplicas_QuotasUnderRace(t *testing.T) {
	hs, root := replicas(t, 2)
	a := hs[0]
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	mustCall(t, a, root, "iam", iamForm("CreatePolicy", "PolicyName", "raced", "PolicyDocument", doc))
	mustCall(t, a, root, "iam", iamForm("CreateUser", "UserName", "carol"))
	policyARN := "arn:aws:iam::111122223333:policy/raced"

	const writers = 20
	race := func(form func(i int) url.Values) (ok, limited int, others []string) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range writers {
			h := hs[i%len(hs)]
			wg.Go(func() {
				<-start
				code, body := call(t, h.Client(), h.URL, root, "iam", form(i))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case code == 200:
					ok++
				case code == http.StatusConflict && strings.Contains(body, "LimitExceeded"):
					limited++
				default:
					others = append(others, fmt.Sprintf("%d %s", code, body))
				}
			})
		}
		close(start)
		wg.Wait()
		return ok, limited, others
	}

	same := func(form url.Values) func(int) url.Values { return func(int) url.Values { return form } }
	ok, limited, others := race(same(iamForm("CreatePolicyVersion", "PolicyArn", policyARN, "PolicyDocument", doc)))
	if len(others) > 0 {
		t.Errorf("CreatePolicyVersion race: unexpected answers: %v", others)
	}
	if ok != 4 || limited != writers-4 {
		t.Errorf("CreatePolicyVersion race: %d created, %d LimitExceeded; want 4 (v1 + 4 = 5 versions) and %d", ok, limited, writers-4)
	}
	body := mustCall(t, hs[1], root, "iam", iamForm("ListPolicyVersions", "PolicyArn", policyARN))
	if n := strings.Count(body, "<VersionId>"); n != 5 {
		t.Errorf("ListPolicyVersions after the race = %d versions, want 5", n)
	}

	ok, limited, others = race(same(iamForm("CreateAccessKey", "UserName", "carol")))
	if len(others) > 0 {
		t.Errorf("CreateAccessKey race: unexpected answers: %v", others)
	}
	if ok != 2 || limited != writers-2 {
		t.Errorf("CreateAccessKey race: %d created, %d LimitExceeded; want 2 and %d", ok, limited, writers-2)
	}
	body = mustCall(t, hs[1], root, "iam", iamForm("ListAccessKeys", "UserName", "carol"))
	if n := strings.Count(body, "<AccessKeyId>"); n != 2 {
		t.Errorf("ListAccessKeys after the race = %d keys, want 2", n)
	}

	// 20 different policies attached to one user at once: 10 fit.
	for i := range writers {
		mustCall(t, a, root, "iam", iamForm("CreatePolicy", "PolicyName", fmt.Sprintf("p%d", i), "PolicyDocument", doc))
	}
	ok, limited, others = race(func(i int) url.Values {
		return iamForm("AttachUserPolicy", "UserName", "carol", "PolicyArn", fmt.Sprintf("arn:aws:iam::111122223333:policy/p%d", i))
	})
	if len(others) > 0 {
		t.Errorf("AttachUserPolicy race: unexpected answers: %v", others)
	}
	if ok != 10 || limited != writers-10 {
		t.Errorf("AttachUserPolicy race: %d attached, %d LimitExceeded; want 10 and %d", ok, limited, writers-10)
	}
	body = mustCall(t, hs[1], root, "iam", iamForm("ListAttachedUserPolicies", "UserName", "carol"))
	if n := strings.Count(body, "<PolicyArn>"); n != 10 {
		t.Errorf("ListAttachedUserPolicies after the race = %d policies, want 10", n)
	}
}

// TestReplicas_StartTogether starts three servers on one empty database at
// the same moment, as a deployment does: each must come up (one migrates,
// one creates the first account, one seeds the AWS-managed policies; the
// others find the work done), and all three answer for the same account.
// Every start-up step that writes must decide inside its Update (which may
// run again), not from a read made before it.
func TestReplicas_StartTogether(t *testing.T) {
	dsn := pgtest.DSN(t)
	t.Setenv("KEYWARD_KEK", base64.StdEncoding.EncodeToString(seal.GenerateKey()))
	t.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	t.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", "root-secret-for-benchmarks")
	t.Setenv("KEYWARD_ACCOUNT_ID", "111122223333")
	root := sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root-secret-for-benchmarks"}
	const n = 3
	servers := make([]*server.Server, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		cfg := serveConfig{data: t.TempDir(), store: dsn}
		wg.Go(func() {
			<-start
			servers[i], errs[i] = newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
		})
	}
	close(start)
	wg.Wait()
	for i, s := range servers {
		if errs[i] != nil {
			t.Errorf("replica %d did not start: %v", i, errs[i])
			continue
		}
		hs := httptest.NewServer(s.Handler())
		t.Cleanup(func() { hs.Close(); s.Close() })
		body := mustCall(t, hs, root, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
		if !strings.Contains(body, "<Account>111122223333</Account>") {
			t.Errorf("replica %d: GetCallerIdentity = %s, want account 111122223333", i, body)
		}
	}
}
