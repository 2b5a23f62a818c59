package main

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authn"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/sigv4"
)

// The scale test: KEYWARD_SCALE users and as many roles, each with an inline
// policy, every tenth user in a group with a group policy, access keys for
// a sample of users; then ListUsers and ListRoles page by page through the
// HTTP API, signed GetUser calls as random sampled users, and the process's
// memory. It reports figures rather than asserting speed: the assertions
// are about correctness at scale (every entity listed once, in order; every
// decision right).
//
//	KEYWARD_SCALE=100000 go test ./cmd/keyward -run TestScale -v -timeout 60m
//
// adds the PostgreSQL run with KEYWARD_TEST_POSTGRES set, and writes the
// table to a file too with KEYWARD_SCALE_REPORT=FILE.
const (
	scaleEnv       = "KEYWARD_SCALE"
	scaleReportEnv = "KEYWARD_SCALE_REPORT"
	scaleAccount   = "111122223333"
	scaleBatch     = 1000 // entities of each kind per Update
	scaleKeyed     = 1000 // users given an access key
	scaleRequests  = 2000 // signed GetUser calls, two per keyed user
	scalePageSize  = 1000 // ListUsers/ListRoles MaxItems (IAM's maximum)
)

func TestScale(t *testing.T) {
	v := os.Getenv(scaleEnv)
	if v == "" {
		t.Skipf("scale test skipped: set %s to the number of users and roles to run it, e.g. %s=100000 go test ./cmd/keyward -run TestScale -v -timeout 60m (with %s set it runs on PostgreSQL too; %s=FILE writes the report to FILE)",
			scaleEnv, scaleEnv, pgtest.Env, scaleReportEnv)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 10 {
		t.Fatalf("%s=%q: want a number of users and roles, at least 10", scaleEnv, v)
	}
	var rows []scaleRow
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "scale.db")
		rows = append(rows, runScale(t, "sqlite", "sqlite:"+path, n, func() string {
			return fmt.Sprintf("file %s (with WAL)", mib(fileSize(path)+fileSize(path+"-wal")))
		})...)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		rows = append(rows, runScale(t, "postgres", dsn, n, func() string {
			return "schema " + pgSchemaSize(t, dsn)
		})...)
	})
	if len(rows) == 0 {
		return
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "store\tN\tphase\tcount\ttotal\tp50\tp99\tnotes\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.store, r.n, r.phase, r.count, r.total, r.p50, r.p99, r.notes)
	}
	tw.Flush()
	t.Logf("scale report (GOMAXPROCS %d, %s/%s):\n%s", runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, b.String())
	if path := os.Getenv(scaleReportEnv); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// scaleRow is one line of the report; empty cells are "-".
type scaleRow struct {
	store                         string
	n                             int
	phase, count, total, p50, p99 string
	notes                         string
}

func scaleUser(i int) string  { return fmt.Sprintf("scale-user-%07d", i) }
func scaleRole(i int) string  { return fmt.Sprintf("scale-role-%07d", i) }
func scaleGroup(b int) string { return fmt.Sprintf("scale-group-%05d", b) }

// runScale seeds, lists, authorizes and measures one store.
func runScale(t *testing.T, storeName, storeURL string, n int, size func() string) []scaleRow {
	row := func(phase, count, total, p50, p99, notes string) scaleRow {
		dash := func(s string) string {
			if s == "" {
				return "-"
			}
			return s
		}
		return scaleRow{storeName, n, phase, dash(count), dash(total), dash(p50), dash(p99), dash(notes)}
	}
	var rows []scaleRow
	ctx := context.Background()
	s, hs, root := scaleServer(t, storeURL)
	client := hs.Client()

	// 1. Seed through the store, a batch of users and roles per Update.
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	keyed := rng.Perm(n)[:min(scaleKeyed, n)]
	keys := make(map[int]sigv4.Credentials, len(keyed))
	sealed := make(map[int][]byte, len(keyed))
	for _, i := range keyed {
		id, secret := keyward.NewID(keyward.PrefixAccessKey), keyward.NewSecretAccessKey()
		keys[i] = sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret}
		sealed[i] = s.Config().KEK.Seal([]byte(secret), authn.AccessKeyAD(id))
	}
	now := time.Now().UTC().Truncate(time.Second)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + scaleAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	var batchTimes []time.Duration
	seedStart := time.Now()
	for start := 0; start < n; start += scaleBatch {
		end := min(start+scaleBatch, n)
		group := scaleGroup(start / scaleBatch)
		bt := time.Now()
		err := s.Store().Update(ctx, func(tx keyward.Tx) error {
			groupARN := "arn:aws:iam::" + scaleAccount + ":group/" + group
			if err := tx.CreateGroup(keyward.Group{AccountID: scaleAccount, ID: keyward.NewID(keyward.PrefixGroup), Name: group, Path: "/", ARN: groupARN, CreateDate: now}); err != nil {
				return err
			}
			if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.GroupRef(scaleAccount, group), PolicyName: "group-read",
				Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetGroup","iam:ListGroupPolicies"],"Resource":"` + groupARN + `"},{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`}); err != nil {
				return err
			}
			for i := start; i < end; i++ {
				user, role := scaleUser(i), scaleRole(i)
				userARN := "arn:aws:iam::" + scaleAccount + ":user/" + user
				if err := tx.CreateUser(keyward.User{AccountID: scaleAccount, ID: keyward.NewID(keyward.PrefixUser), Name: user, Path: "/", ARN: userARN, CreateDate: now}); err != nil {
					return err
				}
				// Each user's document is its own (explicit ARN), so no two
				// principals share a compiled policy.
				if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.UserRef(scaleAccount, user), PolicyName: "self",
					Document: `{"Version":"2012-10-17","Statement":[{"Sid":"ReadSelf","Effect":"Allow","Action":"iam:GetUser","Resource":"` + userARN + `"},` +
						`{"Sid":"OwnKeys","Effect":"Allow","Action":["iam:ListAccessKeys","iam:CreateAccessKey","iam:UpdateAccessKey","iam:DeleteAccessKey"],"Resource":"arn:aws:iam::` + scaleAccount + `:user/${aws:username}"}]}`}); err != nil {
					return err
				}
				if i%10 == 0 {
					if err := tx.AddUserToGroup(scaleAccount, group, user); err != nil {
						return err
					}
				}
				if c, ok := keys[i]; ok {
					if err := tx.CreateAccessKey(keyward.AccessKey{AccountID: scaleAccount, UserName: user, AccessKeyID: c.AccessKeyID,
						SecretCiphertext: sealed[i], Status: keyward.StatusActive, CreateDate: now}); err != nil {
						return err
					}
				}
				if err := tx.CreateRole(keyward.Role{AccountID: scaleAccount, ID: keyward.NewID(keyward.PrefixRole), Name: role, Path: "/",
					ARN: "arn:aws:iam::" + scaleAccount + ":role/" + role, AssumeRolePolicyDocument: trust, MaxSessionDuration: 3600, CreateDate: now}); err != nil {
					return err
				}
				if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.RoleRef(scaleAccount, role), PolicyName: "bucket",
					Document: fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::scale-bucket-%07d/*"}]}`, i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("seeding users %d-%d: %v", start, end-1, err)
		}
		batchTimes = append(batchTimes, time.Since(bt))
	}
	seedTime := time.Since(seedStart)
	groups := (n + scaleBatch - 1) / scaleBatch
	p50, p99 := percentiles(batchTimes)
	rows = append(rows, row("seed (store, 1 Update per batch)", fmt.Sprintf("%d Updates", len(batchTimes)), round(seedTime), p50, p99,
		fmt.Sprintf("%d users+%d roles+%d groups, %d inline policies, %d keys, %.0f entities/s",
			n, n, groups, 2*n+groups, len(keyed), float64(2*n+groups)/seedTime.Seconds())))
	heap, sys, rss := memory()
	rows = append(rows, row("memory after seeding", "", "", "", "", fmt.Sprintf("HeapInuse %s, Sys %s, VmRSS %s; %s", mib(heap), mib(sys), rss, size())))

	// 2. List everything through the HTTP API as root, page by page.
	for _, kind := range []string{"User", "Role"} {
		names, pages, total := scaleList(t, client, hs.URL, root, kind)
		if len(names) != n {
			t.Errorf("List%ss returned %d %ss over %d pages, want %d", kind, len(names), strings.ToLower(kind), len(pages), n)
		}
		for i := 1; i < len(names); i++ {
			if strings.ToLower(names[i-1]) >= strings.ToLower(names[i]) {
				t.Errorf("List%ss: %q then %q: not unique and sorted", kind, names[i-1], names[i])
				break
			}
		}
		p50, p99 := percentiles(pages)
		rows = append(rows, row("List"+kind+"s MaxItems=1000 to the end", fmt.Sprintf("%d pages", len(pages)), round(total), p50, p99,
			fmt.Sprintf("%d %ss, %.0f items/s", len(names), strings.ToLower(kind), float64(len(names))/total.Seconds())))
	}

	// 3. Signed GetUser calls as random keyed users: each makes two, in a
	// shuffled order; half the calls are for the caller itself (allowed
	// by its inline policy), half for another user (AccessDenied). A
	// principal's first call is cold: its secret is unsealed and its
	// policies loaded from the store and compiled; the second is warm.
	order := make([]int, 0, 2*len(keyed))
	order = append(order, keyed...)
	order = append(order, keyed...)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	seen := make(map[int]bool, len(keyed))
	var cold, warm, allowed, denied []time.Duration
	authStart := time.Now()
	for j, i := range order {
		target, own := i, j%2 == 0
		if !own {
			for target == i {
				target = rng.IntN(n)
			}
		}
		form := iamForm("GetUser", "UserName", scaleUser(target))
		st := time.Now()
		code, body := call(t, client, hs.URL, keys[i], "iam", form)
		d := time.Since(st)
		switch {
		case own && (code != 200 || !strings.Contains(body, "<UserName>"+scaleUser(target)+"</UserName>")):
			t.Fatalf("GetUser %s as itself = %d %s, want 200", scaleUser(target), code, body)
		case !own && (code != 403 || !strings.Contains(body, "AccessDenied")):
			t.Fatalf("GetUser %s as %s = %d %s, want 403 AccessDenied", scaleUser(target), scaleUser(i), code, body)
		}
		if seen[i] {
			warm = append(warm, d)
		} else {
			cold = append(cold, d)
			seen[i] = true
		}
		if own {
			allowed = append(allowed, d)
		} else {
			denied = append(denied, d)
		}
	}
	authTime := time.Since(authStart)
	for _, r := range []struct {
		phase string
		ds    []time.Duration
		notes string
	}{
		{"GetUser as random user, cold", cold, "first call of a principal: key unsealed, policies loaded and compiled"},
		{"GetUser as random user, warm", warm, "second call: cached principal and policies"},
		{"  of which allowed (own user)", allowed, ""},
		{"  of which denied (other user)", denied, "AccessDenied"},
	} {
		p50, p99 := percentiles(r.ds)
		rows = append(rows, row(r.phase, strconv.Itoa(len(r.ds)), "", p50, p99, r.notes))
	}
	rows = append(rows, row("authorization phase, sequential", strconv.Itoa(len(order)), round(authTime), "", "",
		fmt.Sprintf("%.0f requests/s over one keep-alive connection", float64(len(order))/authTime.Seconds())))
	heap2, sys2, rss2 := memory()
	rows = append(rows, row("memory after authorization", "", "", "", "", fmt.Sprintf("HeapInuse %s (%+.1f MiB), Sys %s, VmRSS %s; %d principals cached",
		mib(heap2), float64(int64(heap2)-int64(heap))/(1<<20), mib(sys2), rss2, len(seen))))
	return rows
}

// scaleServer is testServer returning the server too, for its store and key.
func scaleServer(t *testing.T, storeURL string) (*server.Server, *httptest.Server, sigv4.Credentials) {
	t.Helper()
	t.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	t.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", "root-secret-for-benchmarks")
	t.Setenv("KEYWARD_ACCOUNT_ID", scaleAccount)
	s, err := newServer(context.Background(), serveConfig{data: t.TempDir(), store: storeURL}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	return s, hs, sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root-secret-for-benchmarks"}
}

// scaleList follows ListUsers or ListRoles (kind "User" or "Role") to the
// end and returns the names, each page's latency and the total time.
func scaleList(t *testing.T, client *http.Client, base string, root sigv4.Credentials, kind string) (names []string, pages []time.Duration, total time.Duration) {
	t.Helper()
	type result struct {
		Users       []string `xml:"Users>member>UserName"`
		Roles       []string `xml:"Roles>member>RoleName"`
		IsTruncated bool     `xml:"IsTruncated"`
		Marker      string   `xml:"Marker"`
	}
	marker := ""
	start := time.Now()
	for {
		form := iamForm("List"+kind+"s", "MaxItems", strconv.Itoa(scalePageSize))
		if marker != "" {
			form.Set("Marker", marker)
		}
		st := time.Now()
		code, body := call(t, client, base, root, "iam", form)
		pages = append(pages, time.Since(st))
		if code != 200 {
			t.Fatalf("List%ss page %d: %d %s", kind, len(pages), code, body)
		}
		var out struct {
			Users result `xml:"ListUsersResult"`
			Roles result `xml:"ListRolesResult"`
		}
		if err := xml.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("List%ss page %d: %v", kind, len(pages), err)
		}
		r := out.Users
		if kind == "Role" {
			r = out.Roles
		}
		names = append(names, r.Users...)
		names = append(names, r.Roles...)
		if !r.IsTruncated {
			break
		}
		if r.Marker == "" || r.Marker == marker {
			t.Fatalf("List%ss page %d: IsTruncated with marker %q after %q", kind, len(pages), r.Marker, marker)
		}
		marker = r.Marker
	}
	return names, pages, time.Since(start)
}

// percentiles returns the p50 and p99 of ds, nearest rank, rounded.
func percentiles(ds []time.Duration) (p50, p99 string) {
	if len(ds) == 0 {
		return "", ""
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) string {
		i := int(p*float64(len(s))+0.5) - 1
		return round(s[max(0, min(i, len(s)-1))])
	}
	return at(0.50), at(0.99)
}

func round(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}

// memory returns the Go heap in use and obtained from the OS after a GC,
// and the process's resident set (which also holds SQLite's page cache,
// allocated outside the Go heap), for the whole test process: server and
// client.
func memory() (heapInuse, sys uint64, rss string) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss = "?"
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
				if kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil {
					rss = mib(kb << 10)
				}
			}
		}
	}
	return m.HeapInuse, m.Sys, rss
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func fileSize(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return uint64(fi.Size())
}

// pgSchemaSize is the size of the test schema's tables with their indexes
// and TOAST.
func pgSchemaSize(t *testing.T, dsn string) string {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Logf("schema size: %v", err)
		return "?"
	}
	defer conn.Close(ctx)
	var size int64
	err = conn.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
		FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
		WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&size)
	if err != nil {
		t.Logf("schema size: %v", err)
		return "?"
	}
	return mib(uint64(size))
}
