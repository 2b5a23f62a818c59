package console

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

// Backend is what the console needs of the server. Every method that acts
// does so as the caller it is given, through the same authorization and
// audit as the API.
type Backend interface {
	// Invoke runs one IAM, STS or IAM Roles Anywhere action ("iam",
	// "CreateRole"; "rolesanywhere", "ListProfiles") for c, its parameters
	// as a Query form (Tags.member.1.Key=...; for Roles Anywhere, its
	// route's and query's members: it sends no body), validated against
	// the action's model and audited as the API's requests are. The
	// result is the action's output (*iam.CreateRoleOutput), nil for
	// actions without one; errors are *keyward.Error values.
	Invoke(ctx context.Context, c *keyward.Caller, service, action string, params url.Values) (any, Trace, error)
	// CheckKey verifies a long-term access key pair and returns the user or
	// root it belongs to; InvalidClientTokenId for a wrong pair.
	CheckKey(ctx context.Context, sourceIP, accessKeyID, secret string) (*keyward.Caller, error)
	// Issue seals the credential of a new console session for c, lasting d.
	Issue(ctx context.Context, c *keyward.Caller, d time.Duration) (Credentials, error)
	// Open returns the caller of credentials (a console session's, or an
	// assumed role's): ExpiredToken once they expired.
	Open(cr Credentials, now time.Time) (*keyward.Caller, error)
	// Decide authorizes c for an action outside IAM and STS, audited.
	Decide(ctx context.Context, c *keyward.Caller, action, resource string) (Trace, error)
}

// Trace is what the console learns of one call besides its result: the
// request id (shown with errors, found in the audit trail) and the
// authorizations it made, with the statements that decided them.
type Trace struct {
	RequestID string
	Decisions []audit.Decision
}

// Credentials are the temporary credentials behind a console session. The
// secret is never kept: the console calls the backend in process and signs
// nothing.
type Credentials struct {
	AccessKeyID  string
	SessionToken string
	Expiration   time.Time
}

// Passwords is where password sign-in plugs in (login profiles, issue 15).
// SignIn checks the user's password, and the MFA code when the user has a
// device, and returns the user's caller. It returns an error wrapping
// ErrPasswordResetRequired, with the caller, when the user must change the
// password first; ErrMFARequired when a code is needed and none was given;
// any other error refuses the sign-in (its message is not shown: the
// form says only that the sign-in failed). The caller is the user's
// long-term identity (Kind CallerUser), MFAPresent set when a code was
// checked: the session's credential carries it, so aws:MultiFactorAuthPresent
// holds on every page. Attempts should be rate-limited by the implementation
// (per user and per SourceIP), as the access key form is by the backend.
type Passwords interface {
	SignIn(ctx context.Context, in PasswordSignIn) (*keyward.Caller, error)
}

// PasswordSignIn is what the sign-in form collects.
type PasswordSignIn struct {
	Account  string // account ID or alias
	UserName string
	Password string
	MFACode  string // "" when the form had none
	SourceIP string
}

// Sign-in outcomes a Passwords implementation reports.
var (
	ErrPasswordResetRequired = errors.New("console: the password must be changed")
	ErrMFARequired           = errors.New("console: an MFA code is required")
)

// Config is what a Console is made of.
type Config struct {
	Backend   Backend // required
	AccountID string  // the default account, shown on the sign-in form
	// AuditFile is the server's audit trail ("" or "-": not readable, the
	// audit page says so).
	AuditFile string
	// Passwords, when set, adds password sign-in to the form.
	Passwords Passwords
	Log       *slog.Logger     // nil discards
	Clock     func() time.Time // nil means time.Now
	// UserSession and RootSession are how long a console session lasts
	// (0: 12 hours and 1 hour, as AWS's console).
	UserSession, RootSession time.Duration
	// Sessions keeps the sessions where every replica finds them (the
	// store, when it can); nil keeps them in this process's memory.
	Sessions keyward.ConsoleSessions
}

// Console is the web console: an http.Handler for Prefix.
type Console struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	pages    *templates
	sessions *sessions
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New returns a Console. It panics if the embedded templates do not parse
// (a build defect, caught by any test).
func New(cfg Config) *Console {
	if cfg.UserSession == 0 {
		cfg.UserSession = 12 * time.Hour
	}
	if cfg.RootSession == 0 {
		cfg.RootSession = time.Hour
	}
	c := &Console{cfg: cfg, log: cfg.Log}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.sessions = newSessions(cfg.Sessions, c.log)
	c.pages = mustTemplates()
	c.routes()
	return c
}

func (c *Console) now() time.Time {
	if c.cfg.Clock != nil {
		return c.cfg.Clock()
	}
	return time.Now()
}

// ServeHTTP implements http.Handler: every response carries the console's
// security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No inline script or style anywhere: everything comes from
	// /console/static/. Images alone may be data: URLs: a new MFA
	// device's QR code encodes its secret, which IAM returns once, so the
	// page carries the PNG itself rather than keeping the secret on the
	// server (in the store, or in one replica's memory) until the browser
	// asks for an image. An image runs no script and a data: URL loads
	// nothing, so this opens no way to run or send anything.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", http.FileServerFS(static)))
	m.HandleFunc("GET "+Prefix+"signin", c.signInForm)
	m.HandleFunc("POST "+Prefix+"signin", c.signIn)
	m.Handle("POST "+Prefix+"signout", c.page(c.signOut))
	m.Handle("GET "+Prefix+"password", c.page(c.passwordForm))
	m.Handle("POST "+Prefix+"password", c.page(c.changePassword))
	m.Handle("GET "+Prefix+"switch-role", c.page(c.switchRoleForm))
	m.Handle("POST "+Prefix+"switch-role", c.page(c.switchRole))
	m.Handle("POST "+Prefix+"switch-back", c.page(c.switchBack))

	m.Handle("GET "+Prefix+"{$}", c.page(c.dashboard))

	m.Handle("GET "+Prefix+"users", c.page(c.users))
	m.Handle("GET "+Prefix+"users/new", c.page(c.newUserForm))
	m.Handle("POST "+Prefix+"users/new", c.page(c.newUser))
	m.Handle("GET "+Prefix+"users/{name}", c.page(c.user))
	m.Handle("POST "+Prefix+"users/{name}/{op}", c.page(c.userOp))

	m.Handle("GET "+Prefix+"groups", c.page(c.groups))
	m.Handle("POST "+Prefix+"groups/new", c.page(c.newGroup))
	m.Handle("GET "+Prefix+"groups/{name}", c.page(c.group))
	m.Handle("POST "+Prefix+"groups/{name}/{op}", c.page(c.groupOp))

	m.Handle("GET "+Prefix+"roles", c.page(c.roles))
	m.Handle("GET "+Prefix+"roles/new", c.page(c.wizard))
	m.Handle("POST "+Prefix+"roles/new", c.page(c.wizard))
	m.Handle("GET "+Prefix+"roles/{name}", c.page(c.role))
	m.Handle("GET "+Prefix+"roles/{name}/trust", c.page(c.trustForm))
	m.Handle("POST "+Prefix+"roles/{name}/trust", c.page(c.saveTrust))
	m.Handle("POST "+Prefix+"roles/{name}/{op}", c.page(c.roleOp))

	m.Handle("GET "+Prefix+"inline/{kind}/{owner}", c.page(c.inlineForm))
	m.Handle("POST "+Prefix+"inline/{kind}/{owner}", c.page(c.saveInline))

	m.Handle("GET "+Prefix+"policies", c.page(c.policies))
	m.Handle("GET "+Prefix+"policies/new", c.page(c.newPolicyForm))
	m.Handle("POST "+Prefix+"policies/new", c.page(c.newPolicy))
	m.Handle("GET "+Prefix+"policy", c.page(c.policy))
	m.Handle("GET "+Prefix+"policy/edit", c.page(c.editPolicyForm))
	m.Handle("POST "+Prefix+"policy/edit", c.page(c.editPolicy))
	m.Handle("POST "+Prefix+"policy/{op}", c.page(c.policyOp))

	m.Handle("GET "+Prefix+"providers", c.page(c.providers))
	m.Handle("GET "+Prefix+"providers/saml", c.page(c.samlProvider))
	m.Handle("POST "+Prefix+"providers/{op}", c.page(c.providerOp))
	m.Handle("GET "+Prefix+"account", c.page(c.account))
	m.Handle("POST "+Prefix+"account/{op}", c.page(c.accountOp))

	m.Handle("GET "+Prefix+"simulator", c.page(c.simulator))
	m.Handle("POST "+Prefix+"simulator", c.page(c.simulator))
	m.Handle("GET "+Prefix+"audit", c.page(c.auditTrail))
	m.Handle("GET "+Prefix+"graph", c.page(c.trustGraph))
	m.Handle("GET "+Prefix+"rolesanywhere", c.page(c.rolesAnywhere))
	m.Handle("GET "+Prefix+"rolesanywhere/subjects/{id}", c.page(c.raSubject))
	m.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		c.renderStatus(w, r, nil, http.StatusNotFound, "notfound", nil)
	})
	c.mux = m
}

// sourceIP is the address a console request came from.
func sourceIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
