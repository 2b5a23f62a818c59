package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/authn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/awsquery"
	"github.com/keyward/keyward/internal/console"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/internal/outbound"
	"github.com/keyward/keyward/internal/rolesanywhere"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/sts"
)

// Config is what a Server is made of. cmd/keyward fills it from flags and
// the environment, after checking every one of them.
type Config struct {
	Store     keyward.Store // required; the Server closes it
	StoreDesc string        // how logs name the store (no password)
	KEK       *seal.Key     // required: seals access-key secrets and token keys
	Log       *slog.Logger  // nil discards

	// AccountID is the default account, made by Bootstrap. RootKeyID and
	// RootSecret are its root key, kept in memory only so that Reset can
	// make the first-start state again; Resettable allows Reset (an
	// in-memory store).
	AccountID             string
	RootKeyID, RootSecret string
	Resettable            bool

	// Follow watches the store's shared generation every FollowInterval
	// (authz.DefaultFollowInterval when 0), so that writes made by other
	// replicas reach this one's caches.
	Follow         bool
	FollowInterval time.Duration

	// RateLimit is requests a second per access key (0: none), RateBurst
	// the bucket (0: one second's worth, at least 1).
	RateLimit, RateBurst float64

	// AuditFile is where the audit trail goes ("" none, "-" Stdout);
	// AuditSync fsyncs each line before the response; Enforcement is
	// authz.Enforce or authz.LogOnly.
	AuditFile   string
	AuditSync   bool
	Enforcement authz.Mode
	Stdout      io.Writer

	// TokenKeyRotation is how long a session-token key signs (0: 24h).
	TokenKeyRotation time.Duration
	// ForwardAuth is the forward-auth route map (nil: the endpoint answers
	// 404); ForwardAuthErr, when set, makes it answer 500 (fail closed).
	ForwardAuth    *authorize.Config
	ForwardAuthErr error

	// Outbound gives the issuers of outbound web identity federation
	// (sts:GetWebIdentityToken): {its base}/keyward/outbound/UUID, whose
	// discovery documents the server serves. nil: no base, and issuers are
	// told as stored (AWS's form), which nobody can fetch keys from.
	Outbound *outbound.Issuers

	// Clock is the time IAM's and STS's actions and the outbound discovery
	// documents read (nil: time.Now), so that tests can move it (a month
	// on, for outbound signing keys' rotation). Authentication and the
	// session-token key ring keep the real time.
	Clock func() time.Time

	// MaxBodyBytes bounds a Query request's body (0: awsquery's default).
	MaxBodyBytes int64

	// Console serves the web console under /console/ (package console),
	// acting through the same chain as the Query API. ConsolePasswords,
	// when set, adds password (and MFA) sign-in to its form: the seam for
	// login profiles.
	Console          bool
	ConsolePasswords console.Passwords
}

// Server is Keyward's HTTP face: the AWS Query API for IAM and STS, the
// authorize API and forward authentication, health, metrics and the admin
// reset. Make one with New; Handler serves it; Close releases it.
type Server struct {
	cfg      Config
	store    keyward.Store
	log      *slog.Logger
	authz    *authz.Authorizer
	authn    *authn.Authenticator
	ring     *sts.KeyRing
	tokens   *sts.Tokens
	iam      *iam.Service // its in-memory reports are forgotten by reset
	services []*service
	limiter  *rateLimiter // nil: no limit
	metrics  *metrics
	trail    *audit.Writer // nil: no audit trail
	tracker  *audit.Tracker
	ra       *rolesanywhere.Service
	console  *console.Console   // nil: no console
	stop     context.CancelFunc // ends the background loops
}

// New assembles a Server over cfg.Store. ctx bounds the start-up work (the
// token key ring's first load); the background loops (replica following,
// SIGHUP for the audit trail) run until Close.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.KEK == nil {
		return nil, errors.New("server: Config needs a Store and a KEK")
	}
	if cfg.AuditSync && cfg.AuditFile == "" {
		return nil, errors.New("server: AuditSync needs an AuditFile")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: log, metrics: newMetrics()}
	s.authz = authz.New(cfg.Store)
	s.authz.Mode = cfg.Enforcement
	if g, ok := cfg.Store.(keyward.Generations); ok && cfg.Follow {
		// Replicas: IAM writes bump the store's generation, and Follow
		// invalidates this process's caches when another process bumped it.
		s.authz.Shared = g
		s.authz.OnSharedError = func(err error) { log.Warn("shared generation", "err", err.Error()) }
	}
	s.authn = &authn.Authenticator{Store: cfg.Store, Key: cfg.KEK, Generation: s.authz.Generation}
	ring, err := sts.NewKeyRing(ctx, sts.KeyRingConfig{Store: cfg.Store, KEK: cfg.KEK, Rotation: cfg.TokenKeyRotation})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.ring = ring
	tokens := sts.NewTokens(ring)
	s.tokens = tokens
	s.authn.Sessions = tokens
	if cfg.RateLimit > 0 {
		s.limiter = newRateLimiter(cfg.RateLimit, cfg.RateBurst)
	}
	s.tracker = &audit.Tracker{Store: cfg.Store}
	s.wireDecisions()
	if cfg.AuditFile != "" {
		if s.trail, err = audit.Open(cfg.AuditFile, cfg.AuditSync, cfg.Stdout); err != nil {
			return nil, fmt.Errorf("server: audit trail: %w", err)
		}
	}
	s.services = []*service{
		newService("iam", awsquery.NamespaceIAM, awsquery.VersionIAM, iamActions(s), nil),
		newService("sts", awsquery.NamespaceSTS, awsquery.VersionSTS,
			awsquery.Actions(&sts.Service{Store: cfg.Store, Authz: s.authz, Tokens: tokens, Secrets: cfg.KEK, Outbound: s.outbound(), Clock: cfg.Clock}), sts.UnsignedActions),
	}
	// The delegation notification feed, Keyward's stand-in for the SNS
	// topics AWS publishes delegation requests' notifications to.
	s.services = append(s.services, newService("keyward", iam.FeedNamespace, iam.FeedVersion, awsquery.Actions(s.iam.DelegationFeed()), nil))
	s.ra = &rolesanywhere.Service{Store: cfg.Store, Authz: s.authz, Tokens: tokens, Limit: s.limit, Log: s.log}

	if cfg.Console {
		s.console = s.newConsole()
	}

	loops, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	if s.authz.Shared != nil {
		go s.authz.Follow(loops, cfg.FollowInterval)
	}
	if s.trail != nil {
		go s.reopenOnHUP(loops)
	}
	return s, nil
}

// iamActions binds IAM's actions; the ones Keyward does not implement
// answer InvalidAction saying so, rather than "Could not find operation",
// which reads like a typo.
func iamActions(s *Server) map[string]awsquery.Handler {
	svc := &iam.Service{
		Store: s.store,
		Authz: s.authz,
		Encrypt: func(accessKeyID string, secret []byte) ([]byte, error) {
			return s.cfg.KEK.Seal(secret, authn.AccessKeyAD(accessKeyID)), nil
		},
		Secrets:  s.cfg.KEK,
		Outbound: s.outbound(),
		Clock:    s.cfg.Clock,
	}
	s.iam = svc
	actions := awsquery.Actions(svc)
	for _, op := range iam.Operations {
		if _, ok := actions[op.Name]; !ok {
			name := op.Name
			actions[name] = func(context.Context, *awsquery.Request) (any, error) { return nil, iam.Unsupported(name) }
		}
	}
	return actions
}

// outbound returns the issuers of outbound federation, made once.
func (s *Server) outbound() *outbound.Issuers {
	if s.cfg.Outbound == nil {
		s.cfg.Outbound = outbound.NewIssuers("")
	}
	return s.cfg.Outbound
}

// wireDecisions routes the authorizer's decisions to the metrics and to the
// audit record of the request that asked for them (the request's context
// carries it); decisions made outside a request of this server's own API
// (the authorize endpoints deciding for another service) get their own
// audit line.
func (s *Server) wireDecisions() {
	s.authz.OnDecision = func(ctx context.Context, c *keyward.Caller, d authz.Decision) {
		s.metrics.decision(d.Result.Decision.String())
		if p := audit.FromContext(ctx); p != nil {
			p.Add(d)
		} else if c != nil {
			s.auditDecision(ctx, c, d)
		}
	}
	s.authz.OnWouldDeny = func(ctx context.Context, c *keyward.Caller, d authz.Decision, err error) {
		id := ""
		if p := audit.FromContext(ctx); p != nil {
			p.LetThrough(d)
			id = p.RequestID
		}
		s.log.Warn("would deny (enforcement=log)", "request_id", id, "caller", c.ARN, "action", d.Action, "resource", d.Resource, "reason", keyward.ErrorMessage(err))
	}
}

// reopenOnHUP reopens the audit trail on SIGHUP, after log rotation.
func (s *Server) reopenOnHUP(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := s.trail.Reopen(); err != nil {
				s.log.Error("audit: reopen", "err", err)
			}
		}
	}
}

// Handler returns the server's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", s.metrics)
	mux.HandleFunc("POST /keyward/admin/reset", s.reset)
	s.authorizeRoutes(mux)
	// Outbound federation's discovery documents: unauthenticated, as
	// outside verifiers fetch them.
	mux.Handle(outbound.Pattern, &outbound.Handler{Store: s.store, Issuers: s.outbound(), Log: s.log, Clock: s.cfg.Clock})
	s.rolesAnywhereRoutes(mux)
	if s.console != nil {
		s.consoleRoutes(mux)
	}
	mux.HandleFunc("/", s.serveQuery)
	return mux
}

// Close stops the background loops, closes the audit trail and the store.
func (s *Server) Close() error {
	s.stop()
	var err error
	if s.trail != nil {
		err = s.trail.Close()
	}
	return errors.Join(err, s.store.Close())
}

// Config is the configuration the server was made with.
func (s *Server) Config() Config { return s.cfg }

// Handlers returns every action's handler, by service name and action.
func (s *Server) Handlers() map[string]map[string]awsquery.Handler {
	out := make(map[string]map[string]awsquery.Handler, len(s.services))
	for _, svc := range s.services {
		out[svc.name] = svc.actions
	}
	return out
}

// Store is the server's store.
func (s *Server) Store() keyward.Store { return s.store }

// Authorizer is the server's authorizer.
func (s *Server) Authorizer() *authz.Authorizer { return s.authz }

// RolesAnywhere is the server's IAM Roles Anywhere service.
func (s *Server) RolesAnywhere() *rolesanywhere.Service { return s.ra }

// Authenticator is the server's authenticator.
func (s *Server) Authenticator() *authn.Authenticator { return s.authn }
