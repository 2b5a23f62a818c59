package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCrash_SQLite: writers run against the real server on a file-backed
// SQLite store while the server is killed with SIGKILL at random moments
// and restarted on the same data directory. Every write the server
// acknowledged (200) must be there afterwards, and no entity may be half
// made: a user created with tags has all of them, a managed policy has
// exactly one default version and every acknowledged version.
//
// KEYWARD_CRASH_KILLS (default 10) sets the number of kills.
func TestCrash_SQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("SIGKILL crash test skipped in -short mode")
	}
	data := t.TempDir()
	runCrash(t, func(t *testing.T) *proc {
		return launch(t, "--data", data, "--store", "sqlite:"+filepath.Join(data, "keyward.db"))
	})
}

// TestCrash_PostgreSQL is TestCrash_SQLite on PostgreSQL, when
// KEYWARD_TEST_POSTGRES names a database (a fresh schema in it is used).
func TestCrash_PostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("SIGKILL crash test skipped in -short mode")
	}
	dsn := postgresDSN(t)
	data := t.TempDir()
	runCrash(t, func(t *testing.T) *proc {
		return launch(t, "--data", data, "--store", dsn)
	})
}

// crashLedger is what the writers were told, per entity. An operation in
// flight when the server died may or may not have happened; one that was
// acknowledged must have.
type crashLedger struct {
	mu       sync.Mutex
	users    map[string]bool            // acknowledged CreateUser (with tags)
	deleted  map[string]bool            // acknowledged DeleteUser
	deleting map[string]bool            // DeleteUser sent: the user may be gone
	inline   map[string]bool            // acknowledged PutUserPolicy, by user
	attached map[string]string          // AttachUserPolicy sent (maybe done), policy name by user
	attachOK map[string]bool            // acknowledged AttachUserPolicy, by user
	versions map[string]map[string]bool // acknowledged versions, by policy name
	defaults map[string]string          // the default version after the last acknowledged write
	acks     atomic.Int64
	failures atomic.Int64 // requests that got no answer or a 5xx while the server died
}

func userTags(name string) []string {
	return []string{"owner=" + name, "shard=" + name[len(name)-1:], "team=crash"}
}

const crashPolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}}`

// crashWriter runs one writer's loop until stop closes. Each writer owns
// the entities it names, so its operations on one entity are in order.
func crashWriter(id int, base *atomic.Pointer[string], l *crashLedger, stop <-chan struct{}) {
	c := &queryClient{HTTP: &http.Client{Timeout: 10 * time.Second}, Creds: rootCreds}
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	var mine []string // acknowledged, not deleted users
	policies := 0
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		u := *base.Load()
		ok := func(code int, body string, err error) bool {
			if err != nil || code >= 500 {
				l.failures.Add(1)
				time.Sleep(20 * time.Millisecond) // the server is down: wait for the next one
				return false
			}
			return code == 200
		}
		switch op := rng.IntN(10); {
		case op < 4: // a user with three tags, in one request
			name := fmt.Sprintf("w%d-u%d", id, n)
			params := []string{"UserName", name}
			for i, kv := range userTags(name) {
				k, v, _ := strings.Cut(kv, "=")
				params = append(params, fmt.Sprintf("Tags.member.%d.Key", i+1), k, fmt.Sprintf("Tags.member.%d.Value", i+1), v)
			}
			if ok(c.call(u, "iam", "CreateUser", params...)) {
				l.mu.Lock()
				l.users[name] = true
				l.mu.Unlock()
				l.acks.Add(1)
				mine = append(mine, name)
			}
		case op < 6 && len(mine) > 0: // an inline policy on one of ours
			name := mine[rng.IntN(len(mine))]
			if ok(c.call(u, "iam", "PutUserPolicy", "UserName", name, "PolicyName", "inline", "PolicyDocument", fmt.Sprintf(crashPolicy, name))) {
				l.mu.Lock()
				l.inline[name] = true
				l.mu.Unlock()
				l.acks.Add(1)
			}
		case op < 7 && len(mine) > 0: // delete one of ours (no inline policy, or DeleteConflict)
			i := rng.IntN(len(mine))
			name := mine[i]
			l.mu.Lock()
			hasInline := l.inline[name]
			_, hasAttached := l.attached[name]
			l.mu.Unlock()
			if hasInline || hasAttached {
				continue
			}
			l.mu.Lock()
			l.deleting[name] = true
			l.mu.Unlock()
			code, body, err := c.call(u, "iam", "DeleteUser", "UserName", name)
			if ok(code, body, err) || code == 404 { // 404: an earlier, unanswered try did it
				l.mu.Lock()
				l.deleted[name] = true
				l.mu.Unlock()
				l.acks.Add(1)
				mine = slices.Delete(mine, i, i+1)
			}
		case op < 8 && len(mine) > 0 && policies > 0: // attach one of ours to one of our users, once
			name := mine[rng.IntN(len(mine))]
			pol := fmt.Sprintf("w%d-p%d", id, policies-1)
			l.mu.Lock()
			_, done := l.attached[name]
			if !done {
				l.attached[name] = pol
			}
			l.mu.Unlock()
			if done {
				continue
			}
			if ok(c.call(u, "iam", "AttachUserPolicy", "UserName", name, "PolicyArn", "arn:aws:iam::"+testAccount+":policy/"+pol)) {
				l.mu.Lock()
				l.attachOK[name] = true
				l.mu.Unlock()
				l.acks.Add(1)
			}
		default: // a managed policy, then new default versions of it
			name := fmt.Sprintf("w%d-p%d", id, policies)
			l.mu.Lock()
			_, exists := l.versions[name]
			l.mu.Unlock()
			if !exists {
				code, body, err := c.call(u, "iam", "CreatePolicy", "PolicyName", name, "PolicyDocument", fmt.Sprintf(crashPolicy, "v1"))
				if ok(code, body, err) || code == 409 {
					l.mu.Lock()
					if code == 200 {
						l.versions[name] = map[string]bool{"v1": true}
						l.defaults[name] = "v1"
					} else { // made by an unanswered try: its state is unknown to us
						l.versions[name] = map[string]bool{}
						l.defaults[name] = ""
					}
					l.mu.Unlock()
					l.acks.Add(1)
				}
				continue
			}
			code, body, err := c.call(u, "iam", "CreatePolicyVersion", "PolicyArn", "arn:aws:iam::"+testAccount+":policy/"+name,
				"PolicyDocument", fmt.Sprintf(crashPolicy, fmt.Sprint(n)), "SetAsDefault", "true")
			if ok(code, body, err) {
				v := between(body, "<VersionId>", "</VersionId>")
				l.mu.Lock()
				l.versions[name][v] = true
				l.defaults[name] = v
				l.mu.Unlock()
				l.acks.Add(1)
			} else if code == 409 { // five versions: start another policy
				policies++
			}
		}
	}
}

func between(s, open, close string) string {
	_, rest, _ := strings.Cut(s, open)
	v, _, _ := strings.Cut(rest, close)
	return v
}

func runCrash(t *testing.T, start func(*testing.T) *proc) {
	kills := envInt("KEYWARD_CRASH_KILLS", 10)
	writers := envInt("KEYWARD_CRASH_WRITERS", 8)
	l := &crashLedger{users: map[string]bool{}, deleted: map[string]bool{}, deleting: map[string]bool{}, inline: map[string]bool{},
		attached: map[string]string{}, attachOK: map[string]bool{},
		versions: map[string]map[string]bool{}, defaults: map[string]string{}}

	p := start(t)
	var base atomic.Pointer[string]
	base.Store(&p.URL)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { crashWriter(i, &base, l, stop) })
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	began := time.Now()
	for k := range kills {
		// Random moments: from 0.2 s to 3 s of writing.
		// Each server acknowledges some writes before it dies.
		atStart := l.acks.Load()
		time.Sleep(time.Duration(200+rng.IntN(2800)) * time.Millisecond)
		for wait := time.Now(); l.acks.Load() == atStart; time.Sleep(10 * time.Millisecond) {
			if time.Since(wait) > 20*time.Second {
				t.Fatalf("no write acknowledged in 20 s before kill %d:\n%s", k+1, p.Log())
			}
		}
		before := l.acks.Load()
		p.kill()
		t.Logf("kill %d at %v: %d writes acknowledged so far", k+1, time.Since(began).Round(time.Millisecond), before)
		p = start(t)
		base.Store(&p.URL)
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	p.kill() // the last one too: nothing may depend on a clean stop
	p = start(t)
	t.Logf("%d kills, %d writers: %d writes acknowledged, %d requests unanswered while the server was down, in %v",
		kills, writers, l.acks.Load(), l.failures.Load(), time.Since(began).Round(time.Second))
	checkCrashLedger(t, p.URL, l)
}

// checkCrashLedger compares the store with the ledger: acknowledged writes
// present, and every entity whole.
func checkCrashLedger(t *testing.T, base string, l *crashLedger) {
	c := &queryClient{HTTP: http.DefaultClient, Creds: rootCreds}
	// Every user in the store, with the writers' names.
	present := map[string]bool{}
	marker := ""
	for {
		params := []string{"MaxItems", "1000"}
		if marker != "" {
			params = append(params, "Marker", marker)
		}
		var out struct {
			Users       []string `xml:"ListUsersResult>Users>member>UserName"`
			IsTruncated bool     `xml:"ListUsersResult>IsTruncated"`
			Marker      string   `xml:"ListUsersResult>Marker"`
		}
		decode(t, c.must(t, base, "iam", "ListUsers", params...), &out)
		for _, u := range out.Users {
			present[u] = true
		}
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	missing, resurrected, partial := 0, 0, 0
	for name := range l.users {
		if l.deleted[name] {
			if present[name] {
				resurrected++
				t.Errorf("user %s: DeleteUser was acknowledged, but the user is there", name)
			}
			continue
		}
		if !present[name] && !l.deleting[name] {
			missing++
			t.Errorf("user %s: CreateUser was acknowledged, but the user is missing", name)
		}
	}
	checked := 0
	for name := range present {
		if !strings.HasPrefix(name, "w") {
			continue
		}
		checked++
		var tags struct {
			Keys   []string `xml:"ListUserTagsResult>Tags>member>Key"`
			Values []string `xml:"ListUserTagsResult>Tags>member>Value"`
		}
		decode(t, c.must(t, base, "iam", "ListUserTags", "UserName", name), &tags)
		var got []string
		for i := range tags.Keys {
			got = append(got, tags.Keys[i]+"="+tags.Values[i])
		}
		sort.Strings(got)
		if want := userTags(name); !slices.Equal(got, want) {
			partial++
			t.Errorf("user %s has tags %v, want all of %v: CreateUser with tags is one write", name, got, want)
		}
		if pol := l.attached[name]; pol != "" {
			var att struct {
				Names []string `xml:"ListAttachedUserPoliciesResult>AttachedPolicies>member>PolicyName"`
			}
			decode(t, c.must(t, base, "iam", "ListAttachedUserPolicies", "UserName", name), &att)
			if l.attachOK[name] && !slices.Contains(att.Names, pol) {
				missing++
				t.Errorf("user %s: AttachUserPolicy %s was acknowledged, but the user has %v", name, pol, att.Names)
			}
		}
		if l.inline[name] {
			code, body, err := c.call(base, "iam", "GetUserPolicy", "UserName", name, "PolicyName", "inline")
			if err != nil || code != 200 {
				missing++
				t.Errorf("user %s: PutUserPolicy was acknowledged, but GetUserPolicy = %d %v %s", name, code, err, body)
			} else if doc, _ := url.QueryUnescape(between(body, "<PolicyDocument>", "</PolicyDocument>")); !strings.Contains(doc, name) {
				partial++
				t.Errorf("user %s: inline policy %q is not the one written", name, doc)
			}
		}
	}
	versions, attachments := 0, 0
	for name, acked := range l.versions {
		arn := "arn:aws:iam::" + testAccount + ":policy/" + name
		var pol struct {
			Default     string `xml:"GetPolicyResult>Policy>DefaultVersionId"`
			Attachments int    `xml:"GetPolicyResult>Policy>AttachmentCount"`
		}
		code, body, err := c.call(base, "iam", "GetPolicy", "PolicyArn", arn)
		if err != nil || code != 200 {
			missing++
			t.Errorf("policy %s: CreatePolicy was acknowledged, but GetPolicy = %d %v %s", name, code, err, body)
			continue
		}
		decode(t, body, &pol)
		var list struct {
			IDs      []string `xml:"ListPolicyVersionsResult>Versions>member>VersionId"`
			Defaults []bool   `xml:"ListPolicyVersionsResult>Versions>member>IsDefaultVersion"`
		}
		decode(t, c.must(t, base, "iam", "ListPolicyVersions", "PolicyArn", arn), &list)
		have := map[string]bool{}
		var defaults []string
		for i, id := range list.IDs {
			have[id] = true
			if list.Defaults[i] {
				defaults = append(defaults, id)
			}
		}
		versions += len(list.IDs)
		var ents struct {
			Users []string `xml:"ListEntitiesForPolicyResult>PolicyUsers>member>UserName"`
		}
		decode(t, c.must(t, base, "iam", "ListEntitiesForPolicy", "PolicyArn", arn), &ents)
		attachments += len(ents.Users)
		if pol.Attachments != len(ents.Users) {
			partial++
			t.Errorf("policy %s: AttachmentCount %d, but attached to %v", name, pol.Attachments, ents.Users)
		}
		if len(defaults) != 1 || defaults[0] != pol.Default {
			partial++
			t.Errorf("policy %s: default versions %v in the list, %q in GetPolicy: want exactly one, the same", name, defaults, pol.Default)
		}
		for v := range acked {
			if !have[v] {
				missing++
				t.Errorf("policy %s: version %s was acknowledged, but the policy has %v", name, v, list.IDs)
			}
		}
		// The default is the last acknowledged one, or a later one whose
		// answer was lost in a crash.
		if want := l.defaults[name]; want != "" && pol.Default != want && acked[pol.Default] {
			t.Errorf("policy %s: default %s, want %s (the last acknowledged)", name, pol.Default, want)
		}
	}
	t.Logf("checked %d users, %d policies with %d versions and %d attachments: %d acknowledged writes missing, %d deleted users back, %d partial entities",
		checked, len(l.versions), versions, attachments, missing, resurrected, partial)
	if checked == 0 || len(l.versions) == 0 {
		t.Errorf("the writers made %d users and %d policies: too few to show anything", checked, len(l.versions))
	}
}

// postgresDSN gives the test a fresh schema in KEYWARD_TEST_POSTGRES's
// database, or skips it.
func postgresDSN(t *testing.T) string {
	base := os.Getenv("KEYWARD_TEST_POSTGRES")
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set KEYWARD_TEST_POSTGRES to a database DSN, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	return freshSchema(t, base)
}

// freshSchema creates a schema in the database base names, with psql, and
// returns base with its connections' search_path set to it; the schema is
// dropped when the test ends.
func freshSchema(t *testing.T, base string) string {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("PostgreSQL tests skipped: psql, used to make a fresh schema, is not installed")
	}
	schema := fmt.Sprintf("kwe2e_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	psql := func(sql string) error {
		out, err := exec.Command("psql", base, "-v", "ON_ERROR_STOP=1", "-qc", sql).CombinedOutput()
		if err != nil {
			return fmt.Errorf("psql %q: %v: %s", sql, err, out)
		}
		return nil
	}
	if err := psql("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := psql("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KEYWARD_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
