package e2e

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/sigv4"
)

// proc is a keyward serve process the test controls: unlike startServer's,
// it can be killed with SIGKILL and started again on the same data.
type proc struct {
	URL  string
	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	log  strings.Builder
}

// launch starts keyward serve with args (after serve --addr 127.0.0.1:0)
// and the test's root credentials, and waits until it listens.
func launch(t testing.TB, args ...string) *proc {
	t.Helper()
	return launchBinary(t, binary, args...)
}

// launchBinary is launch with another keyward binary.
func launchBinary(t testing.TB, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append(os.Environ(),
		"KEYWARD_ACCOUNT_ID="+testAccount,
		"KEYWARD_ROOT_ACCESS_KEY_ID="+rootCreds.AccessKeyID,
		"KEYWARD_ROOT_SECRET_ACCESS_KEY="+rootCreds.SecretAccessKey,
	)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			var rec struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "keyward listening" {
				ready <- rec.URL
			}
			if rec.Msg != "request" { // access log lines would flood the record
				p.mu.Lock()
				p.log.WriteString(line + "\n")
				p.mu.Unlock()
			}
		}
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop() })
	select {
	case p.URL = <-ready:
	case <-p.done:
		t.Fatalf("keyward serve %v exited before listening:\n%s", args, p.Log())
	case <-time.After(30 * time.Second):
		p.kill()
		t.Fatalf("keyward serve did not start:\n%s", p.Log())
	}
	return p
}

// Log returns what the process wrote to stderr, but the access log.
func (p *proc) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// stop asks for a graceful stop, then kills.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.kill()
	}
}

// rootCreds are the root credentials launch gives every server.
var rootCreds = sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root/secret/for/tests/0123456789abcdefghij"}

// queryClient sends signed AWS Query requests without an SDK, so that
// tests see every status and body and control the transport.
type queryClient struct {
	HTTP  *http.Client
	Creds sigv4.Credentials
}

// call sends action to base for service ("iam" or "sts") with params as
// key, value pairs.
func (c *queryClient) call(base, service, action string, params ...string) (int, string, error) {
	form := url.Values{"Action": {action}, "Version": {map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}[service]}}
	for i := 0; i+1 < len(params); i += 2 {
		form.Add(params[i], params[i+1])
	}
	body := form.Encode()
	req, err := http.NewRequest("POST", base+"/", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), c.Creds, "us-east-1", service, time.Now()); err != nil {
		return 0, "", err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// must is call for set-up and checks: anything but 200 fails the test.
func (c *queryClient) must(t testing.TB, base, service, action string, params ...string) string {
	t.Helper()
	code, body, err := c.call(base, service, action, params...)
	if err != nil || code != 200 {
		t.Fatalf("%s %v = %d %v %s", action, params, code, err, body)
	}
	return body
}

// decode unmarshals an XML response into v, failing the test on error.
func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := xml.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
}

// envInt reads a positive integer from the environment, def when unset.
func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil && n > 0 {
			return n
		}
	}
	return def
}

// envDuration reads a duration from the environment, def when unset.
func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return def
}
