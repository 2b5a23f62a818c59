package e2e

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward/sigv4"
)

// TestLoad runs one load generator, for the same time and with the same
// mix, against keyward serve (SQLite file store, synchronous=FULL) and,
// when it is installed, moto's server, and reports throughput, latency
// percentiles, errors and the server's resident memory each second, side
// by side. Keyward must answer every request (zero errors) and its memory
// must stay flat.
//
// The mix, from 16 concurrent clients over loopback: 50% reads by an IAM
// user whose managed policy allows them (GetUser, ListUsers, GetPolicy:
// each authenticated and authorized by the policy engine), 20%
// sts:GetCallerIdentity by that user, 30% writes by the root (CreateUser
// with a tag, TagUser, DeleteUser).
//
// KEYWARD_LOAD_DURATION (default 10s per server) sets the length of each
// run, KEYWARD_LOAD_CLIENTS (default 16) the clients; KEYWARD_LOAD_REPORT
// names a file to append the report to; KEYWARD_LOAD_SKIP_MOTO=1 runs
// Keyward alone (a long soak).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load run skipped in -short mode")
	}
	d := envDuration("KEYWARD_LOAD_DURATION", 10*time.Second)
	clients := envInt("KEYWARD_LOAD_CLIENTS", 16)

	loadavg, _ := os.ReadFile("/proc/loadavg") // other work on the machine, before ours
	data := t.TempDir()
	kw := launch(t, "--data", data, "--store", "sqlite:"+filepath.Join(data, "keyward.db"))
	results := []*loadResult{runLoad(t, "keyward", kw.URL, kw.cmd.Process.Pid, testAccount, rootCreds, d, clients)}
	kw.stop()

	if os.Getenv("KEYWARD_LOAD_SKIP_MOTO") != "" {
		t.Log("KEYWARD_LOAD_SKIP_MOTO is set: no reference figures")
	} else if moto, pid, ok := startMoto(t); ok {
		results = append(results, runLoad(t, "moto", moto, pid, "123456789012",
			sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, d, clients))
	}

	report := fmt.Sprintf("machine: %d CPUs, load average before the run %s\n", runtime.NumCPU(), strings.Join(strings.Fields(string(loadavg))[:min(3, len(strings.Fields(string(loadavg))))], " ")) +
		loadReport(results, d, clients)
	t.Log("\n" + report)
	if f := os.Getenv("KEYWARD_LOAD_REPORT"); f != "" {
		out, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(out, report)
			out.Close()
		}
	}
	k := results[0]
	if k.errors > 0 {
		t.Errorf("keyward: %d errors under load, want 0; first: %s", k.errors, k.firstError)
	}
	if k.requests == 0 {
		t.Fatal("keyward answered no request")
	}
	// Flat memory: after the first quarter (caches and pools warm), the
	// resident set grows by less than half, and by less than 64 MiB.
	if n := len(k.rss); n >= 4 {
		warm, last := k.rss[n/4], slices.Max(k.rss[n/4:])
		if last > warm*3/2 && last-warm > 64<<20 {
			t.Errorf("keyward's memory grew from %d MiB to %d MiB under steady load", warm>>20, last>>20)
		}
	}
}

type loadResult struct {
	name       string
	requests   int64
	errors     int64
	firstError string
	latencies  []time.Duration            // sorted
	classes    map[string][]time.Duration // by kind of request, sorted
	elapsed    time.Duration
	rss        []int64 // bytes, one sample a second
}

func (r *loadResult) pct(p float64) time.Duration { return pct(r.latencies, p) }

// pct is the p-th percentile of sorted latencies.
func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(lat)))
	return lat[min(i, len(lat)-1)]
}

// runLoad sets up the reader user and its policy at base, then runs the
// mix for d from clients goroutines.
func runLoad(t *testing.T, name, base string, pid int, account string, root sigv4.Credentials, d time.Duration, clients int) *loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	rc := &queryClient{HTTP: hc, Creds: root}
	policyArn := "arn:aws:iam::" + account + ":policy/load-read"
	rc.must(t, base, "iam", "CreateUser", "UserName", "load-reader")
	rc.must(t, base, "iam", "CreatePolicy", "PolicyName", "load-read", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::*:user/secret-*"}]}`)
	rc.must(t, base, "iam", "AttachUserPolicy", "UserName", "load-reader", "PolicyArn", policyArn)
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	decode(t, rc.must(t, base, "iam", "CreateAccessKey", "UserName", "load-reader"), &key)
	reader := &queryClient{HTTP: hc, Creds: sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}}
	const users = 50
	for i := range users {
		rc.must(t, base, "iam", "CreateUser", "UserName", fmt.Sprintf("load-u%d", i))
	}

	res := &loadResult{name: name, classes: map[string][]time.Duration{}}
	var mu sync.Mutex
	var requests, errors atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if rss := processRSS(pid); rss > 0 {
					res.rss = append(res.rss, rss)
				}
			}
		}
	})
	began := time.Now()
	deadline := began.Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			lat := make([]time.Duration, 0, 4096)
			classes := map[string][]time.Duration{}
			var made []string
			for n := 0; time.Now().Before(deadline); n++ {
				var code int
				var body string
				var err error
				start := time.Now()
				op := rng.IntN(10)
				switch {
				case op < 2:
					code, body, err = reader.call(base, "iam", "GetUser", "UserName", fmt.Sprintf("load-u%d", rng.IntN(users)))
				case op < 4:
					code, body, err = reader.call(base, "iam", "ListUsers", "MaxItems", "20")
				case op < 5:
					code, body, err = reader.call(base, "iam", "GetPolicy", "PolicyArn", policyArn)
				case op < 7:
					code, body, err = reader.call(base, "sts", "GetCallerIdentity")
				case op < 8 || len(made) == 0:
					u := fmt.Sprintf("load-w%d-%d", w, n)
					code, body, err = rc.call(base, "iam", "CreateUser", "UserName", u, "Tags.member.1.Key", "run", "Tags.member.1.Value", "load")
					if code == 200 {
						made = append(made, u)
					}
				case op < 9:
					code, body, err = rc.call(base, "iam", "TagUser", "UserName", made[rng.IntN(len(made))], "Tags.member.1.Key", "n", "Tags.member.1.Value", fmt.Sprint(n))
				default:
					u := made[len(made)-1]
					made = made[:len(made)-1]
					code, body, err = rc.call(base, "iam", "DeleteUser", "UserName", u)
				}
				took := time.Since(start)
				lat = append(lat, took)
				class := "writes by root"
				if op < 5 {
					class = "authorized reads"
				} else if op < 7 {
					class = "GetCallerIdentity"
				}
				classes[class] = append(classes[class], took)
				requests.Add(1)
				if err != nil || code != 200 {
					if errors.Add(1) == 1 {
						mu.Lock()
						res.firstError = fmt.Sprintf("%d %v %.300s", code, err, body)
						mu.Unlock()
					}
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			for k, v := range classes {
				res.classes[k] = append(res.classes[k], v...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(began)
	close(stop)
	sampler.Wait()
	slices.Sort(res.latencies)
	for _, v := range res.classes {
		slices.Sort(v)
	}
	res.requests, res.errors = requests.Load(), errors.Load()
	return res
}

// processRSS reads a process's resident set size from /proc, in bytes; 0
// when it cannot.
func processRSS(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}

// startMoto runs moto_server on a free port, if it is installed.
func startMoto(t *testing.T) (string, int, bool) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Log("moto_server is not installed (pip install 'moto[server]'): no reference figures")
		return "", 0, false
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Logf("moto_server did not start: %v", err)
		return "", 0, false
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for range 300 {
		if resp, err := http.Get(base + "/moto-api/"); err == nil {
			resp.Body.Close()
			// moto_server is often a shim (pyenv) that execs python: the
			// pid is the same process after exec.
			return base, cmd.Process.Pid, true
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Log("moto_server did not answer within 30 s: no reference figures")
	return "", 0, false
}

func loadReport(rs []*loadResult, d time.Duration, clients int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "load: %v per server, %d clients over loopback; mix 50%% authorized IAM reads by a user, 20%% sts:GetCallerIdentity, 30%% IAM writes by root\n", d, clients)
	fmt.Fprintf(&b, "%-8s %10s %10s %9s %9s %9s %9s %7s  %s\n", "server", "requests", "req/s", "p50", "p99", "p99.9", "max", "errors", "RSS MiB: first, max, last second")
	for _, r := range rs {
		var rss []string
		for _, v := range r.rss {
			rss = append(rss, fmt.Sprint(v>>20))
		}
		summary := "-"
		if len(r.rss) > 0 {
			summary = fmt.Sprintf("%d, %d, %d", r.rss[0]>>20, slices.Max(r.rss)>>20, r.rss[len(r.rss)-1]>>20)
		}
		fmt.Fprintf(&b, "%-8s %10d %10.0f %9s %9s %9s %9s %7d  %s\n", r.name, r.requests, float64(r.requests)/r.elapsed.Seconds(),
			r.pct(50).Round(time.Microsecond*10), r.pct(99).Round(time.Microsecond*10), r.pct(99.9).Round(time.Microsecond*10),
			r.pct(100).Round(time.Microsecond*10), r.errors, summary)
		for _, class := range []string{"authorized reads", "GetCallerIdentity", "writes by root"} {
			l := r.classes[class]
			fmt.Fprintf(&b, "  %-18s %9d %9s %9s %9s %9s\n", class, len(l),
				pct(l, 50).Round(time.Microsecond*10), pct(l, 99).Round(time.Microsecond*10), pct(l, 99.9).Round(time.Microsecond*10), pct(l, 100).Round(time.Microsecond*10))
		}
		fmt.Fprintf(&b, "  RSS MiB each second: %s\n", strings.Join(rss, " "))
	}
	if len(rs) == 2 && rs[1].requests > 0 {
		fmt.Fprintf(&b, "keyward/moto: %.1f× the throughput, p50 %.1f× lower, p99 %.1f× lower\n",
			(float64(rs[0].requests)/rs[0].elapsed.Seconds())/(float64(rs[1].requests)/rs[1].elapsed.Seconds()),
			float64(rs[1].pct(50))/float64(max(rs[0].pct(50), 1)), float64(rs[1].pct(99))/float64(max(rs[0].pct(99), 1)))
	}
	return b.String()
}
