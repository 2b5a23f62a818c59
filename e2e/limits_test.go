package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimits_Sizes: the real server refuses a body over 1 MiB (413
// RequestEntityTooLarge, before any signature work), a header block over
// 64 KiB (431), and so any number of headers that does not fit in it.
func TestLimits_Sizes(t *testing.T) {
	p := launch(t, "--store", "sqlite::memory:", "--data", t.TempDir())
	c := &queryClient{HTTP: http.DefaultClient, Creds: rootCreds}
	if code, body, err := c.call(p.URL, "sts", "GetCallerIdentity"); err != nil || code != 200 {
		t.Fatalf("GetCallerIdentity = %d %v %s", code, err, body)
	}
	raw := func(req string) (string, error) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
		if err != nil {
			return "", err
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		go io.WriteString(conn, req) // the server may answer before reading it all
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return fmt.Sprintf("%d %s", resp.StatusCode, b), nil
	}
	host := strings.TrimPrefix(p.URL, "http://")
	form := "Action=CreateUser&Version=2010-05-08&UserName="
	big := form + strings.Repeat("a", 1<<20)
	var many strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&many, "X-Many-%d: v\r\n", i)
	}
	tests := []struct {
		name, req, want string
	}{
		{"body over 1 MiB", "POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + fmt.Sprint(len(big)) + "\r\n\r\n" + big, "413 "},
		{"body over 1 MiB, chunked", "POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big), "413 "},
		{"a 100 KiB header", "GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\r\nHost: " + host + "\r\nX-Big: " + strings.Repeat("b", 100<<10) + "\r\n\r\n", "431 "},
		{"10,000 headers", "GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\r\nHost: " + host + "\r\n" + many.String() + "\r\n", "431 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := raw(tt.req)
			if err != nil || !strings.HasPrefix(got, tt.want) {
				t.Errorf("%s = %.200q, %v; want %s", tt.name, got, err, tt.want)
			}
			if tt.want == "413 " && !strings.Contains(got, "<Code>RequestEntityTooLarge</Code>") {
				t.Errorf("%s = %.300q, want AWS's RequestEntityTooLarge error", tt.name, got)
			}
		})
	}
	// The server is still well.
	if code, body, err := c.call(p.URL, "sts", "GetCallerIdentity"); err != nil || code != 200 {
		t.Fatalf("GetCallerIdentity after the oversized requests = %d %v %s", code, err, body)
	}
}

// TestLimits_SlowLoris: many clients that open connections and send their
// headers a byte at a time do not starve others (each connection costs the
// server a goroutine, not a worker from a pool), and the server drops
// them when ReadHeaderTimeout (10 s) passes.
//
// KEYWARD_SLOWLORIS_CONNS (default 500) sets the number of slow clients.
func TestLimits_SlowLoris(t *testing.T) {
	if testing.Short() {
		t.Skip("slow-loris test (15 s) skipped in -short mode")
	}
	p := launch(t, "--store", "sqlite::memory:", "--data", t.TempDir())
	addr := strings.TrimPrefix(p.URL, "http://")
	conns := envInt("KEYWARD_SLOWLORIS_CONNS", 500)

	var opened, dropped atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	began := time.Now()
	dropTimes := make([]time.Duration, conns)
	for i := range conns {
		wg.Go(func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer conn.Close()
			opened.Add(1)
			req := "POST / HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: " + strings.Repeat("s", 4096)
			for j := 0; j < len(req); j++ {
				conn.SetWriteDeadline(time.Now().Add(time.Second))
				if _, err := conn.Write([]byte{req[j]}); err != nil {
					dropped.Add(1)
					dropTimes[i] = time.Since(began)
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		})
	}
	// Meanwhile, ordinary signed requests on fresh connections.
	time.Sleep(time.Second)
	c := &queryClient{HTTP: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}, Creds: rootCreds}
	var lat []time.Duration
	for time.Since(began) < 8*time.Second {
		start := time.Now()
		code, body, err := c.call(p.URL, "sts", "GetCallerIdentity")
		lat = append(lat, time.Since(start))
		if err != nil || code != 200 {
			t.Errorf("GetCallerIdentity with %d slow clients connected = %d %v %s", opened.Load(), code, err, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100]
	if p99 > time.Second {
		t.Errorf("with %d slow clients, p99 of ordinary requests = %v, want under 1 s", opened.Load(), p99)
	}
	// Past ReadHeaderTimeout the server has closed the slow connections:
	// their writes fail (reset) within a few more seconds.
	deadline := time.Now().Add(10 * time.Second)
	for dropped.Load() < opened.Load() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	first := slices.Min(slices.DeleteFunc(slices.Clone(dropTimes), func(d time.Duration) bool { return d == 0 }))
	t.Logf("%d slow clients: %d ordinary requests answered meanwhile, p50 %v, p99 %v, max %v; %d slow connections dropped by the server, the first after %v",
		opened.Load(), len(lat), lat[len(lat)/2].Round(time.Microsecond), p99.Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond), dropped.Load(), first.Round(100*time.Millisecond))
	if dropped.Load() < opened.Load() {
		t.Errorf("%d of %d slow connections still open 10 s after ReadHeaderTimeout", opened.Load()-dropped.Load(), opened.Load())
	}
	if first < 9*time.Second {
		t.Errorf("a slow connection was dropped after %v, before ReadHeaderTimeout (10 s)", first)
	}
}
