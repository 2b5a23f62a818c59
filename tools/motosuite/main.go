// Command motosuite runs Keyward where moto's server would be, so that
// moto's own IAM and STS tests (boto3, TEST_SERVER_MODE=true) can be run
// against Keyward unchanged.
//
// It starts `keyward serve --store sqlite::memory:` on a free port and
// listens in front of it. Every request goes to Keyward, with two changes:
//
//   - moto's tests sign with fake credentials (FOOBARKEY, testing, ...).
//     A request signed with an access key that Keyward did not issue is
//     signed again with the root user's key, so that it acts as moto's
//     default caller, the account's root. Keys Keyward issued (seen in an
//     AccessKeyId of a response: CreateAccessKey, AssumeRole*,
//     GetSessionToken, GetFederationToken) pass through unchanged, with
//     their own signature, so the tests that act as a user or a role session
//     are authorized by Keyward as such. Unsigned requests pass unchanged.
//   - POST /moto-api/reset (moto's reset between tests) calls Keyward's
//     POST /keyward/admin/reset, signed by the root user, and forgets the
//     issued keys; POST /moto-api/reset-auth is answered as moto does (the
//     count is moto's switch for its own authorization, which Keyward always
//     applies).
//
// Usage (see the README's "moto's suite" section):
//
//	go build -o /tmp/keyward ./cmd/keyward
//	go run ./tools/motosuite -keyward /tmp/keyward -listen 127.0.0.1:5000
//	TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT=http://127.0.0.1:5000 pytest tests/test_iam tests/test_sts
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/sigv4"
)

// The account and root key Keyward is started with: moto's default account
// (tests compare ARNs with 123456789012), and a root key that only this
// proxy uses.
const (
	accountID  = "123456789012"
	rootKeyID  = "AKIAMOTOSUITEROOT000"
	rootSecret = "motosuite/root/secret/key/for/tests/0000"
)

func main() {
	bin := flag.String("keyward", "keyward", "the keyward binary to run")
	listen := flag.String("listen", "127.0.0.1:5000", "address moto's tests call (TEST_SERVER_MODE_ENDPOINT)")
	logFile := flag.String("log", "", "file for Keyward's log (default: discarded)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *bin, *listen, *logFile); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

func run(ctx context.Context, bin, listen, logFile string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	var logw io.Writer = io.Discard
	if logFile != "" {
		f, err := os.Create(logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		logw = f
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--store", "sqlite::memory:", "--addr", addr, "--data", os.TempDir()+"/motosuite-keyward")
	cmd.Env = append(os.Environ(),
		"KEYWARD_ACCOUNT_ID="+accountID,
		"KEYWARD_ROOT_ACCESS_KEY_ID="+rootKeyID,
		"KEYWARD_ROOT_SECRET_ACCESS_KEY="+rootSecret)
	cmd.Stdout, cmd.Stderr = logw, logw
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	upstream := "http://" + addr
	if err := waitHealthy(ctx, upstream); err != nil {
		return err
	}
	p := &proxy{upstream: upstream, issued: map[string]bool{}}
	srv := &http.Server{Addr: listen, Handler: p}
	go func() { <-ctx.Done(); srv.Close() }()
	log.Printf("motosuite: Keyward at %s, moto's tests at http://%s", upstream, listen)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return ctx.Err()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(ctx context.Context, upstream string) error {
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(upstream + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("keyward at %s did not become healthy", upstream)
}

type proxy struct {
	upstream string
	mu       sync.Mutex
	issued   map[string]bool // access key IDs Keyward issued since the last reset
	// moto is the key of the IAM user "moto", which STS requests signed
	// with fake keys are signed with (made at the first, after each reset).
	moto *sigv4.Credentials
}

var root = sigv4.Credentials{AccessKeyID: rootKeyID, SecretAccessKey: rootSecret}

var (
	credentialRE  = regexp.MustCompile(`Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request`)
	accessKeyIDRE = regexp.MustCompile(`<AccessKeyId>([A-Z0-9]+)</AccessKeyId>`)
)

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/moto-api/reset":
		p.reset(w)
		return
	case "/moto-api/reset-auth":
		// moto's switch for its own authorization; Keyward always authorizes.
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "inf"}`)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range r.Header {
		out.Header[k] = v
	}
	out.Host = r.Host
	if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		p.mu.Lock()
		known := p.issued[m[1]]
		p.mu.Unlock()
		if !known {
			// A fake key: act as the root user (IAM) or the user moto (STS),
			// in the same region and service.
			creds := root
			if m[3] == "sts" {
				if creds, err = p.motoUser(); err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
			}
			out.Host = strings.TrimPrefix(p.upstream, "http://")
			out.Header.Del("X-Amz-Security-Token")
			out.Header.Del("X-Amz-Content-Sha256")
			if err := sigv4.Sign(out, body, creds, m[2], m[3], time.Now()); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	rbody, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if ms := accessKeyIDRE.FindAllSubmatch(rbody, -1); ms != nil {
		p.mu.Lock()
		for _, m := range ms {
			p.issued[string(m[1])] = true
		}
		p.mu.Unlock()
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(rbody)
}

// motoUser returns the key of the IAM user moto (path /, with
// AdministratorAccess), creating both at the first call after a reset. STS
// refuses AssumeRole to the root user, as AWS does, so moto's default
// caller is, for STS, this user: the nearest to moto's own, which calls
// itself arn:aws:sts::123456789012:user/moto.
func (p *proxy) motoUser() (sigv4.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.moto != nil {
		return *p.moto, nil
	}
	steps := []string{
		"Action=CreateUser&UserName=moto",
		"Action=AttachUserPolicy&UserName=moto&PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess",
		"Action=CreateAccessKey&UserName=moto",
	}
	var last []byte
	for _, form := range steps {
		b, err := p.rootIAM(form + "&Version=2010-05-08")
		if err != nil {
			return sigv4.Credentials{}, err
		}
		last = b
	}
	id := regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`).FindSubmatch(last)
	secret := regexp.MustCompile(`<SecretAccessKey>([^<]+)</SecretAccessKey>`).FindSubmatch(last)
	if id == nil || secret == nil {
		return sigv4.Credentials{}, fmt.Errorf("CreateAccessKey for moto: %s", last)
	}
	p.moto = &sigv4.Credentials{AccessKeyID: string(id[1]), SecretAccessKey: string(secret[1])}
	return *p.moto, nil
}

// rootIAM sends one IAM request as the root user.
func (p *proxy) rootIAM(form string) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, p.upstream+"/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(form), root, "us-east-1", "iam", time.Now()); err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", form, b)
	}
	return b, err
}

// reset empties Keyward's store (its first-start state again) and forgets
// the keys it had issued.
func (p *proxy) reset(w http.ResponseWriter) {
	req, _ := http.NewRequest(http.MethodPost, p.upstream+"/keyward/admin/reset", nil)
	if err := sigv4.Sign(req, nil, root, "us-east-1", "iam", time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		http.Error(w, "keyward reset: "+string(b), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	clear(p.issued)
	p.moto = nil
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"status": "ok"}`)
}
