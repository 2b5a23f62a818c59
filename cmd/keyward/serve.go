package main

import (
	"context"
	"errors"
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
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/outbound"
	"github.com/keyward/keyward/internal/postgres"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/internal/sqlite"
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
	// the bucket's size.
	rateLimit, rateBurst float64
	audit                auditConfig
	// console serves the web console under /console/.
	console bool
	// publicURL is the base URL clients and outside verifiers reach the
	// server at ("": http://ADDR as listened), the start of outbound
	// federation's issuers.
	publicURL string
}

// auditConfig holds keyward serve's audit and enforcement flags.
type auditConfig struct {
	file        string // "" none, "-" stdout, else a path
	sync        bool
	enforcement string
}

func (c *auditConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "audit", "", "write the audit trail, one JSON line per request, to FILE (- for stdout); SIGHUP reopens it after rotation")
	fs.BoolVar(&c.sync, "audit-sync", false, "fsync each audit line before the response is sent, so no acknowledged request is missing after a crash")
	fs.StringVar(&c.enforcement, "enforcement", "enforce", "enforce: deny what policies deny; log: decide every request, log and audit what would be denied, and let it through. Log softens the decisions of IAM's actions and of STS's GetFederationToken, GetAccessKeyInfo and DecodeAuthorizationMessage; never authentication, nor sts:AssumeRole*, whose trust-policy checks stay enforced")
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
	fs.BoolVar(&cfg.console, "console", true, "serve the web console at /console/ on the same listener (sign in with an access key); --console=false turns it off")
	fs.StringVar(&cfg.publicURL, "public-url", os.Getenv("KEYWARD_PUBLIC_URL"), "base URL this server is reached at from outside, e.g. https://iam.example.com ($KEYWARD_PUBLIC_URL; default http://ADDR as listened): outbound web identity federation's issuers are URL/keyward/outbound/UUID, whose keys outside services fetch")
	cfg.audit.register(fs)
	if err := fs.Parse(args); err != nil {
		return flagError(err)
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
	defer srv.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.publicURL == "" {
		srv.Config().Outbound.SetBase("http://" + ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("keyward listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String(), "store", srv.Config().StoreDesc, "account", srv.Config().AccountID)
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

// settings is what serve reads from flags and the environment, every value
// checked before anything is written to disk.
type settings struct {
	storeURL    string
	memory      bool
	enforcement authz.Mode
	rotation    time.Duration
	accountID   string
	rootKeyID   string
	rootSecret  string
	generated   bool // the root key is generated, not given
	kek         []byte
	forward     *authorize.Config
	forwardErr  error
}

// check reads and checks the configuration: flags, KEYWARD_* variables and
// the forward-auth route map. It writes nothing.
func (cfg serveConfig) check(log *slog.Logger) (*settings, error) {
	st := &settings{storeURL: cfg.store}
	if st.storeURL == "" {
		st.storeURL = "sqlite:" + filepath.Join(cfg.data, "keyward.db")
	}
	st.memory = st.storeURL == "sqlite::memory:"
	if err := checkStoreURL(st.storeURL); err != nil {
		return nil, err
	}
	switch cfg.audit.enforcement {
	case "", "enforce":
	case "log":
		st.enforcement = authz.LogOnly
	default:
		return nil, usageError("serve: --enforcement must be enforce or log, not %q", cfg.audit.enforcement)
	}
	if cfg.audit.sync && cfg.audit.file == "" {
		return nil, usageError("serve: --audit-sync needs --audit FILE")
	}
	if err := checkPublicURL(cfg.publicURL); err != nil {
		return nil, err
	}
	if v := os.Getenv("KEYWARD_TOKEN_KEY_ROTATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return nil, usageError("serve: KEYWARD_TOKEN_KEY_ROTATION must be a duration of at least 1m, not %q", v)
		}
		st.rotation = d
	}
	st.accountID = os.Getenv("KEYWARD_ACCOUNT_ID")
	if st.accountID == "" {
		st.accountID = DefaultAccountID
	}
	if !arn.IsAccountID(st.accountID) {
		return nil, usageError("serve: KEYWARD_ACCOUNT_ID must be 12 digits, not %q", st.accountID)
	}
	st.rootKeyID, st.rootSecret = os.Getenv("KEYWARD_ROOT_ACCESS_KEY_ID"), os.Getenv("KEYWARD_ROOT_SECRET_ACCESS_KEY")
	if (st.rootKeyID == "") != (st.rootSecret == "") {
		return nil, usageError("serve: set both KEYWARD_ROOT_ACCESS_KEY_ID and KEYWARD_ROOT_SECRET_ACCESS_KEY, or neither")
	}
	if st.generated = st.rootKeyID == ""; st.generated {
		st.rootKeyID, st.rootSecret = keyward.NewID(keyward.PrefixAccessKey), keyward.NewSecretAccessKey()
	}
	if v := os.Getenv("KEYWARD_KEK"); v != "" {
		k, err := seal.ParseKey(v)
		if err != nil {
			return nil, usageError("serve: KEYWARD_KEK: %v", err)
		}
		st.kek = k
	} else if cfg.kekFile != "" {
		data, err := os.ReadFile(cfg.kekFile)
		if err != nil {
			return nil, usageError("serve: --kek-file: %v", err)
		}
		if st.kek, err = seal.ParseKey(string(data)); err != nil {
			return nil, usageError("serve: --kek-file %s: %v", cfg.kekFile, err)
		}
	}
	// KEYWARD_FORWARD_AUTH_CONFIG names the forward-auth route map (see
	// authorize.Config). One that does not load is logged, and the endpoint
	// then answers 500 to every request: it fails closed.
	if path := os.Getenv("KEYWARD_FORWARD_AUTH_CONFIG"); path != "" {
		st.forward, st.forwardErr = authorize.LoadConfig(path)
		if st.forwardErr != nil {
			log.Error("forward auth disabled: its configuration does not load", "file", path, "err", st.forwardErr)
		}
	}
	return st, nil
}

// newServer checks the configuration, then opens the store (creating the
// data directory and, on a new store, the key-encryption key), runs the
// first start, and assembles the server.
func newServer(ctx context.Context, cfg serveConfig, log *slog.Logger, stdout io.Writer) (*server.Server, error) {
	st, err := cfg.check(log)
	if err != nil {
		return nil, err
	}
	if !st.memory && strings.HasPrefix(st.storeURL, "sqlite:") {
		if err := os.MkdirAll(filepath.Dir(strings.TrimPrefix(st.storeURL, "sqlite:")), 0o700); err != nil {
			return nil, fmt.Errorf("serve: data directory: %w", err)
		}
	}
	store, desc, err := openStore(ctx, st.storeURL)
	if err != nil {
		return nil, err
	}
	srv, err := assemble(ctx, cfg, st, store, desc, log, stdout)
	if err != nil {
		store.Close()
		return nil, err
	}
	return srv, nil
}

func assemble(ctx context.Context, cfg serveConfig, st *settings, store keyward.Store, desc string, log *slog.Logger, stdout io.Writer) (*server.Server, error) {
	empty, err := storeIsEmpty(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if st.kek == nil {
		if st.kek, err = loadKEK(cfg.data, st.memory, empty); err != nil {
			return nil, err
		}
	}
	key, err := seal.NewKey(st.kek)
	if err != nil {
		return nil, err
	}
	account, created, err := server.Bootstrap(ctx, store, key, st.accountID, st.rootKeyID, st.rootSecret)
	if err != nil {
		return nil, fmt.Errorf("serve: first start: %w", err)
	}
	if created && st.generated {
		if err := showRootCredentials(account, st.rootKeyID, st.rootSecret, cfg.data, st.memory, stdout); err != nil {
			return nil, err
		}
	}
	if !created {
		warnSettingsIgnored(ctx, store, account, st, log)
	}
	if err := server.SeedManagedPolicies(ctx, store, log); err != nil {
		return nil, err
	}
	rootKeyID, rootSecret := "", ""
	if created {
		rootKeyID, rootSecret = st.rootKeyID, st.rootSecret
	}
	return server.New(ctx, server.Config{
		Store: store, StoreDesc: desc, KEK: key, Log: log,
		AccountID: account, RootKeyID: rootKeyID, RootSecret: rootSecret, Resettable: st.memory,
		// Replicas: PostgreSQL, or a SQLite file shared by several processes.
		Follow: !st.memory, FollowInterval: cfg.replicaPoll,
		RateLimit: cfg.rateLimit, RateBurst: cfg.rateBurst,
		AuditFile: cfg.audit.file, AuditSync: cfg.audit.sync, Enforcement: st.enforcement, Stdout: stdout,
		TokenKeyRotation: st.rotation,
		ForwardAuth:      st.forward, ForwardAuthErr: st.forwardErr,
		Console:  cfg.console,
		Outbound: outbound.NewIssuers(cfg.publicURL),
	})
}

// checkPublicURL refuses a --public-url that cannot start an issuer: it
// must be an absolute http or https URL with a host and no query or
// fragment (a path is kept, for a server behind a proxy's prefix).
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return usageError("serve: --public-url (KEYWARD_PUBLIC_URL) must be an http or https URL such as https://iam.example.com, not %q", s)
	}
	return nil
}

// storeIsEmpty reports whether the store has no account yet: a first start.
func storeIsEmpty(ctx context.Context, store keyward.Store) (bool, error) {
	var n int
	err := store.View(ctx, func(tx keyward.Tx) error {
		accounts, err := tx.ListAccounts()
		n = len(accounts)
		return err
	})
	return n == 0, err
}

// warnSettingsIgnored says so when KEYWARD_ACCOUNT_ID or the root key
// variables name something other than what the store holds: they only
// apply to a first start, and a client using them would be refused.
func warnSettingsIgnored(ctx context.Context, store keyward.Store, account string, st *settings, log *slog.Logger) {
	if id := os.Getenv("KEYWARD_ACCOUNT_ID"); id != "" && id != account {
		log.Warn("KEYWARD_ACCOUNT_ID is ignored: it applies to a first start, and this store's default account is another",
			"KEYWARD_ACCOUNT_ID", id, "account", account)
	}
	if st.generated {
		return
	}
	err := store.View(ctx, func(tx keyward.Tx) error {
		k, err := tx.GetAccessKey(st.rootKeyID)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity || (err == nil && (k.AccountID != account || k.UserName != "")) {
			log.Warn("KEYWARD_ROOT_ACCESS_KEY_ID is ignored: it applies to a first start, and this store has no such root key; requests signed with it will be refused",
				"KEYWARD_ROOT_ACCESS_KEY_ID", st.rootKeyID, "account", account)
			return nil
		}
		return err
	})
	if err != nil {
		log.Warn("checking KEYWARD_ROOT_ACCESS_KEY_ID", "err", err.Error())
	}
}

// showRootCredentials prints a generated root secret, once, and keeps it
// in a 0600 file of the data directory.
func showRootCredentials(account, keyID, secret, dataDir string, memory bool, stdout io.Writer) error {
	where := "(not kept: the store is in memory)"
	if !memory {
		path := filepath.Join(dataDir, "root-credentials")
		content := fmt.Sprintf("KEYWARD_ACCOUNT_ID=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", account, keyID, secret)
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return fmt.Errorf("serve: data directory: %w", err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return fmt.Errorf("serve: root credentials: %w", err)
		}
		where = "(also written to " + path + ", mode 0600)"
	}
	fmt.Fprintf(stdout, "Created account %s with root credentials %s; the secret is shown only this once:\n  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n", account, where, keyID, secret)
	return nil
}

// checkStoreURL checks a --store URL's form without opening it.
func checkStoreURL(u string) error {
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		if strings.TrimPrefix(u, "sqlite:") == "" {
			return usageError("serve: --store sqlite: needs a path or :memory:")
		}
		return nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return nil
	}
	return usageError("serve: unknown store %q: use sqlite:PATH, sqlite::memory: or postgres://...", u)
}

func openStore(ctx context.Context, u string) (keyward.Store, string, error) {
	if err := checkStoreURL(u); err != nil {
		return nil, "", err
	}
	if strings.HasPrefix(u, "sqlite:") {
		path := strings.TrimPrefix(u, "sqlite:")
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, "", fmt.Errorf("open %s: %w", u, err)
		}
		return st, "sqlite:" + path, nil
	}
	desc := u
	if pu, err := url.Parse(u); err == nil {
		desc = pu.Redacted() // the log line must not carry the password
	}
	st, err := postgres.Open(ctx, u)
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", desc, err)
	}
	return st, desc, nil
}

// loadKEK reads DATA/kek, the key-encryption key when neither KEYWARD_KEK
// nor --kek-file gives one. First start on an empty store creates it; on a
// store that already holds secrets, a missing key file is an error, and
// nothing is written: a new key would open none of them. A memory store
// without one gets a random key: nothing outlives the process anyway.
func loadKEK(dataDir string, memory, emptyStore bool) ([]byte, error) {
	if memory {
		return seal.GenerateKey(), nil
	}
	path := filepath.Join(dataDir, "kek")
	if !emptyStore {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, usageError("serve: the store holds secrets sealed with a key-encryption key, and there is none at %s: give the one it was created with (KEYWARD_KEK, --kek-file, or copy the kek file of its first server); see docs/scale-out.md", path)
		}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("serve: data directory: %w", err)
	}
	k, err := seal.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("serve: key-encryption key: %w", err)
	}
	return k, nil
}
