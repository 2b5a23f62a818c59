package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/authn"
	"github.com/keyward/keyward/authz"
	"github.com/keyward/keyward/awsquery"
	"github.com/keyward/keyward/iam"
	"github.com/keyward/keyward/postgres"
	"github.com/keyward/keyward/seal"
	"github.com/keyward/keyward/sqlite"
)

// DefaultAddr is where keyward serve listens without --addr.
const DefaultAddr = "127.0.0.1:4599"

// DefaultAccountID is the account first start creates without
// KEYWARD_ACCOUNT_ID: the account id AWS's documentation uses in examples.
const DefaultAccountID = "123456789012"

type serveConfig struct {
	addr, data, store, kekFile, logLevel string
	// replicaPoll is how often the store's shared generation is read, to
	// see writes made by other replicas (0: authz's default).
	replicaPoll time.Duration
	// rateLimit is requests a second per access key (0: none), rateBurst
	// the bucket's size (ratelimit.go).
	rateLimit, rateBurst float64
	audit                auditConfig // --audit, --audit-sync, --enforcement (audit.go)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keyward serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", DefaultAddr, "address to listen on (HOST:PORT; port 0 picks a free one)")
	fs.StringVar(&cfg.data, "data", "keyward-data", "data directory: the SQLite database, the key-encryption key, the root credentials")
	fs.StringVar(&cfg.store, "store", "", "store URL: sqlite:PATH, sqlite::memory: or postgres://... (default sqlite:DATA/keyward.db)")
	fs.StringVar(&cfg.kekFile, "kek-file", "", "key-encryption key file (default: $KEYWARD_KEK, else DATA/kek, created on first start)")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.DurationVar(&cfg.replicaPoll, "replica-poll", authz.DefaultFollowInterval, "how often to look in the store for writes made by other replicas (PostgreSQL, or a SQLite file shared by several processes)")
	rateLimit := fs.String("rate-limit", "0", "requests a second per access key, as N or N/s; past it AWS's Throttling error (0: no limit)")
	fs.Float64Var(&cfg.rateBurst, "rate-burst", 0, "requests an access key may send at once before --rate-limit applies (default: one second's worth, at least 1)")
	cfg.audit.register(fs)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return usageError("serve: unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.rateLimit, err = parseRateLimit(*rateLimit); err != nil {
		return usageError("serve: --rate-limit: %v", err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return usageError("serve: --log-level: %v", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))

	srv, err := newServer(ctx, cfg, log, stdout)
	if err != nil {
		return err
	}
	defer srv.close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	hs := &http.Server{
		Handler:           srv.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("keyward listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String(), "store", srv.storeDesc, "account", srv.accountID)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Graceful shutdown: in-flight requests finish; new ones are refused.
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	log.Info("keyward stopped")
	return err
}

// server is the assembled service: store, authentication, authorization and
// the IAM and STS actions.
type server struct {
	store     keyward.Store
	storeDesc string
	accountID string
	// The root key first start created, kept (in memory only) for a reset
	// of an in-memory store.
	rootKeyID, rootSecret string
	key                   *seal.Key
	log                   *slog.Logger
	authz                 *authz.Authorizer
	authn                 *authn.Authenticator
	query                 *awsquery.Server
	metrics               *metrics
	stopFollow            context.CancelFunc // ends authz's Follow loop; nil when none
}

func newServer(ctx context.Context, cfg serveConfig, log *slog.Logger, stdout io.Writer) (*server, error) {
	storeURL := cfg.store
	if storeURL == "" {
		storeURL = "sqlite:" + filepath.Join(cfg.data, "keyward.db")
	}
	memory := storeURL == "sqlite::memory:"
	if !memory {
		if err := os.MkdirAll(cfg.data, 0o700); err != nil {
			return nil, fmt.Errorf("serve: data directory: %w", err)
		}
	}
	kek, err := loadKEK(cfg, memory)
	if err != nil {
		return nil, err
	}
	key, err := seal.NewKey(kek)
	if err != nil {
		return nil, err
	}
	store, desc, err := openStore(ctx, storeURL)
	if err != nil {
		return nil, err
	}
	s := &server{store: store, storeDesc: desc, log: log}
	s.key = key
	s.accountID, s.rootKeyID, s.rootSecret, err = bootstrap(ctx, store, key, cfg.data, memory, stdout)
	if err == nil {
		err = seedManagedPolicies(ctx, store, log) // cmd/keyward/catalog.go
	}
	if err != nil {
		store.Close()
		return nil, err
	}
	s.metrics = newMetrics()
	s.authz = authz.New(store)
	s.authz.OnDecision = func(_ context.Context, _ *keyward.Caller, d authz.Decision) {
		s.metrics.decision(d.Result.Decision.String())
	}
	if g, ok := store.(keyward.Generations); ok && !memory {
		// Replicas: IAM writes bump the store's generation, and Follow
		// (started below) invalidates this process's caches when another
		// process bumped it.
		s.authz.Shared = g
		s.authz.OnSharedError = func(err error) { log.Warn("shared generation", "err", err.Error()) }
	}
	s.authn = &authn.Authenticator{Store: store, Key: key, Generation: s.authz.Generation}
	s.query = &awsquery.Server{
		Authenticate: s.authn.Authenticate,
		Log:          log,
		Observe:      s.observe,
		Services: []*awsquery.Service{
			{Name: "iam", Namespace: awsquery.NamespaceIAM, Version: awsquery.VersionIAM, Actions: iamActions(s, key)},
		},
	}
	if err := addSTS(ctx, s, key); err != nil { // cmd/keyward/sts.go
		store.Close()
		return nil, err
	}
	if cfg.rateLimit > 0 {
		burst := cfg.rateBurst
		if burst <= 0 {
			burst = cfg.rateLimit
		}
		s.query.Authenticate = newRateLimiter(cfg.rateLimit, burst).wrap(s.query.Authenticate)
	}
	if s.authz.Shared != nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		s.stopFollow = cancel
		go s.authz.Follow(fctx, cfg.replicaPoll)
	}
	if err := s.startAudit(ctx, cfg.audit, stdout); err != nil { // audit.go
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *server) close() {
	if s.stopFollow != nil {
		s.stopFollow()
	}
	s.store.Close()
}

// observe writes the access log line and counts the request.
func (s *server) observe(o awsquery.Observation) {
	s.metrics.observe(o)
	caller := ""
	if c, ok := o.Caller.(*keyward.Caller); ok && c != nil {
		caller = c.ARN
	}
	s.log.Info("request", "request_id", o.RequestID, "service", o.Service, "action", o.Action,
		"code", o.Code, "caller", caller, "remote", o.Remote, "duration_ms", float64(o.Duration.Microseconds())/1000)
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", s.metrics)
	mux.HandleFunc("POST /keyward/admin/reset", s.reset)
	s.authorizeRoutes(mux) // cmd/keyward/authorize.go
	mux.Handle("/", s.query)
	return mux
}

func openStore(ctx context.Context, u string) (keyward.Store, string, error) {
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		if path == "" {
			return nil, "", usageError("serve: --store sqlite: needs a path or :memory:")
		}
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, "", fmt.Errorf("serve: open %s: %w", u, err)
		}
		return st, "sqlite:" + path, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		desc := u
		if pu, err := url.Parse(u); err == nil {
			desc = pu.Redacted() // the log line must not carry the password
		}
		st, err := postgres.Open(ctx, u)
		if err != nil {
			return nil, "", fmt.Errorf("serve: open %s: %w", desc, err)
		}
		return st, desc, nil
	}
	return nil, "", usageError("serve: unknown store %q: use sqlite:PATH, sqlite::memory: or postgres://...", u)
}

// loadKEK finds the key-encryption key: KEYWARD_KEK, --kek-file, or
// DATA/kek (created on first start). A memory store without one gets a
// random key: nothing outlives the process anyway.
func loadKEK(cfg serveConfig, memory bool) ([]byte, error) {
	if v := os.Getenv("KEYWARD_KEK"); v != "" {
		k, err := seal.ParseKey(v)
		if err != nil {
			return nil, usageError("serve: KEYWARD_KEK: %v", err)
		}
		return k, nil
	}
	if cfg.kekFile != "" {
		data, err := os.ReadFile(cfg.kekFile)
		if err != nil {
			return nil, usageError("serve: --kek-file: %v", err)
		}
		return seal.ParseKey(string(data))
	}
	if memory {
		return seal.GenerateKey(), nil
	}
	k, err := seal.LoadOrCreateKeyFile(filepath.Join(cfg.data, "kek"))
	if err != nil {
		return nil, fmt.Errorf("serve: key-encryption key: %w", err)
	}
	return k, nil
}

// bootstrap creates the default account and its root access key on a store
// with no account, and returns the default account's id.
func bootstrap(ctx context.Context, store keyward.Store, key *seal.Key, dataDir string, memory bool, stdout io.Writer) (accountID, keyID, secret string, err error) {
	accountID = os.Getenv("KEYWARD_ACCOUNT_ID")
	if accountID == "" {
		accountID = DefaultAccountID
	}
	if !isAccountID(accountID) {
		return "", "", "", usageError("serve: KEYWARD_ACCOUNT_ID must be 12 digits, not %q", accountID)
	}
	keyID, secret = os.Getenv("KEYWARD_ROOT_ACCESS_KEY_ID"), os.Getenv("KEYWARD_ROOT_SECRET_ACCESS_KEY")
	if (keyID == "") != (secret == "") {
		return "", "", "", usageError("serve: set both KEYWARD_ROOT_ACCESS_KEY_ID and KEYWARD_ROOT_SECRET_ACCESS_KEY, or neither")
	}
	generated := keyID == ""
	if generated {
		keyID, secret = keyward.NewID(keyward.PrefixAccessKey), keyward.NewSecretAccessKey()
	}
	created := false
	err = store.Update(ctx, func(tx keyward.Tx) error {
		created = false // fn runs again when a replica starting at once wins
		accounts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		if len(accounts) > 0 {
			accountID = accounts[0].ID
			return nil
		}
		created = true
		return createAccount(tx, accountID, keyID, secret, key, time.Now())
	})
	if err != nil {
		return "", "", "", fmt.Errorf("serve: first start: %w", err)
	}
	if !created || !generated {
		return accountID, keyID, secret, nil
	}
	// A generated secret is shown once, and kept in a 0600 file.
	where := "(not kept: the store is in memory)"
	if !memory {
		path := filepath.Join(dataDir, "root-credentials")
		content := fmt.Sprintf("KEYWARD_ACCOUNT_ID=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", accountID, keyID, secret)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return "", "", "", fmt.Errorf("serve: root credentials: %w", err)
		}
		where = "(also written to " + path + ", mode 0600)"
	}
	fmt.Fprintf(stdout, "Created account %s with root credentials %s; the secret is shown only this once:\n  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n", accountID, where, keyID, secret)
	return accountID, keyID, secret, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// iamActions returns the IAM actions, bound to the wire by their method names.
func iamActions(s *server, key *seal.Key) map[string]awsquery.Handler {
	svc := &iam.Service{
		Store: s.store,
		Authz: s.authz,
		Encrypt: func(accessKeyID string, secret []byte) ([]byte, error) {
			return key.Seal(secret, authn.AccessKeyAD(accessKeyID)), nil
		},
	}
	actions := awsquery.Actions(svc)
	// IAM actions Keyward does not implement answer InvalidAction saying
	// so, rather than "Could not find operation", which reads like a typo.
	for _, op := range iam.Operations {
		if _, ok := actions[op.Name]; !ok {
			name := op.Name
			actions[name] = func(context.Context, *awsquery.Request) (any, error) { return nil, iam.Unsupported(name) }
		}
	}
	return actions
}
