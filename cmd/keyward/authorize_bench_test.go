package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/sigv4"
)

// authorizeInput is one warm client request with n decisions (alternating
// allowed and denied items of alice's).
func authorizeInput(tb testing.TB, f *authzFixture, n int) *authorize.Input {
	in := &authorize.Input{Service: "kvstore", Request: signedRequest(tb, f.alice, "GET", "/items/alice/a", "", time.Now())}
	for i := range n {
		owner := "alice"
		if i%2 == 1 {
			owner = "bob"
		}
		in.Decisions = append(in.Decisions, getItem(fmt.Sprintf("%s/item-%d", owner, i)))
	}
	return in
}

// BenchmarkAuthorize: one authorize call for a warm principal against the
// signed sts:GetCallerIdentity path over the same loopback server, side by
// side (both sign their request each time), and the batch: 10 decisions in
// one call.
func BenchmarkAuthorize(b *testing.B) {
	f := newAuthzFixture(b, "")
	client := f.hs.Client()
	svc := f.client(f.svc)
	gci := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	b.Run("sts-GetCallerIdentity", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if code, body := call(b, client, f.hs.URL, f.alice, "sts", gci); code != 200 {
				b.Fatalf("%d %s", code, body)
			}
		}
	})
	for _, n := range []int{1, 10} {
		in := authorizeInput(b, f, n)
		b.Run(fmt.Sprintf("authorize-%d-decisions", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := svc.Authorize(context.Background(), in)
				if err != nil || !out.Authenticated || len(out.Decisions) != n {
					b.Fatalf("Authorize = %+v, %v", out, err)
				}
			}
		})
	}
}

// TestAuthorize_Load runs a bounded loopback load (KEYWARD_LOAD=DURATION,
// e.g. 5s; skipped without it) of authorize calls, and of signed
// GetCallerIdentity for comparison, from 8 workers, and logs requests per
// second with p50 and p99 latency.
func TestAuthorize_Load(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("KEYWARD_LOAD"))
	if err != nil {
		t.Skip("set KEYWARD_LOAD to a duration (e.g. 5s) to run the load test")
	}
	f := newAuthzFixture(t, "")
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	svc := f.client(f.svc)
	svc.HTTPClient = hc
	in1, in10 := authorizeInput(t, f, 1), authorizeInput(t, f, 10)
	gci := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	runs := []struct {
		name string
		do   func() error
	}{
		{"sts-GetCallerIdentity", func() error {
			if code, body := call(t, hc, f.hs.URL, f.alice, "sts", gci); code != 200 {
				return fmt.Errorf("%d %s", code, body)
			}
			return nil
		}},
		{"authorize, 1 decision", func() error { _, err := svc.Authorize(context.Background(), in1); return err }},
		{"authorize, 10 decisions", func() error { _, err := svc.Authorize(context.Background(), in10); return err }},
		{"guard, no cache", guardedGet(t, f, hc, 0)},
		{"guard, cache (TTL 1m)", guardedGet(t, f, hc, time.Minute)},
	}
	for _, r := range runs {
		const workers = 8
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		start := time.Now()
		deadline := start.Add(d / time.Duration(len(runs)))
		for range workers {
			wg.Go(func() {
				var mine []time.Duration
				for time.Now().Before(deadline) {
					t0 := time.Now()
					if err := r.do(); err != nil {
						t.Error(err)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(lat)
		if len(lat) == 0 {
			t.Fatalf("%s: no request completed", r.name)
		}
		t.Logf("%-24s %7.0f req/s  p50 %v  p99 %v  (%d requests, %d workers, %v)", r.name, float64(len(lat))/elapsed.Seconds(),
			lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), len(lat), workers, elapsed.Round(time.Millisecond))
	}
}

// guardedGet returns a function that sends one signed GET through a
// service behind guard.Guard.
func guardedGet(t *testing.T, f *authzFixture, hc *http.Client, ttl time.Duration) func() error {
	svc, _ := guardedService(t, f, ttl, nil)
	req, _ := http.NewRequest("GET", svc.URL+"/items/alice/a", nil)
	if err := sigv4.Sign(req, nil, f.alice, "us-east-1", "kvstore", time.Now()); err != nil {
		t.Fatal(err)
	}
	return func() error {
		r := req.Clone(context.Background())
		resp, err := hc.Do(r)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("guarded GET: %d", resp.StatusCode)
		}
		return nil
	}
}
