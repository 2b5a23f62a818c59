package audit

import (
	"context"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// Record is one line of the trail. Decision, Resource, Matched and Reason
// are those of the authorization that decided the request: the first denial
// (let through or not), else the last allow. Decisions lists every
// authorization when there was more than one (sts:AssumeRole checks the
// trust policy and the caller's policies).
type Record struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
	// Via is "authorize" for a decision made for another service through
	// Keyward's authorize endpoints rather than for an IAM or STS request.
	Via          string     `json:"via,omitempty"`
	Service      string     `json:"service,omitempty"` // iam, sts
	Action       string     `json:"action,omitempty"`  // the API action, service:Name
	Caller       string     `json:"caller,omitempty"`  // the caller's ARN
	PrincipalARN string     `json:"principalArn,omitempty"`
	AccountID    string     `json:"account,omitempty"`
	AccessKeyID  string     `json:"accessKeyId,omitempty"` // an ID, never a secret
	Resource     string     `json:"resource,omitempty"`
	Decision     string     `json:"decision,omitempty"`    // allowed, explicitDeny, implicitDeny
	Enforcement  string     `json:"enforcement,omitempty"` // "log": a denial was let through
	Matched      []Match    `json:"matched,omitempty"`
	Missing      []string   `json:"missingContextValues,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	Decisions    []Decision `json:"decisions,omitempty"`
	SourceIP     string     `json:"sourceIp,omitempty"`
	UserAgent    string     `json:"userAgent,omitempty"`
	Region       string     `json:"region,omitempty"`
	ErrorCode    string     `json:"errorCode,omitempty"`
	DurationMS   float64    `json:"durationMs"`
	// X509 is the certificate of an IAM Roles Anywhere CreateSession,
	// which has no signing principal: who asked is the certificate.
	X509 *X509 `json:"x509,omitempty"`
}

// X509 describes an IAM Roles Anywhere CreateSession: the certificate
// (never its key), the trust anchor and profile it came through, and the
// session it got, whose temporary access key id ties the session's own
// requests to it.
type X509 struct {
	Subject        string `json:"subject,omitempty"`
	Issuer         string `json:"issuer,omitempty"`
	Serial         string `json:"serial,omitempty"` // hex, as the session's name
	TrustAnchorARN string `json:"trustAnchorArn,omitempty"`
	ProfileARN     string `json:"profileArn,omitempty"`
	RoleARN        string `json:"roleArn,omitempty"`
	SessionARN     string `json:"sessionArn,omitempty"`
	AccessKeyID    string `json:"issuedAccessKeyId,omitempty"`
}

// Decision is one authorization of a request.
type Decision struct {
	Action      string   `json:"action"`
	Resource    string   `json:"resource"`
	Decision    string   `json:"decision"`
	Enforcement string   `json:"enforcement,omitempty"`
	Matched     []Match  `json:"matched,omitempty"`
	Missing     []string `json:"missingContextValues,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

// Match names a statement that decided: policy id (an inline policy's name
// or a managed policy's ARN), type, Sid and position.
type Match struct {
	PolicyID string `json:"policyId"`
	Type     string `json:"type"`
	Sid      string `json:"sid,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

// DecisionOf converts an authorizer's decision.
func DecisionOf(d authz.Decision) Decision {
	out := Decision{Action: d.Action, Resource: d.Resource, Decision: d.Result.Decision.String()}
	for _, m := range d.Result.Matched {
		out.Matched = append(out.Matched, Match{PolicyID: m.PolicyID, Type: m.Type.String(), Sid: m.Sid, Line: m.Start.Line, Column: m.Start.Column})
	}
	if len(d.Result.Missing) > 0 {
		out.Missing = append([]string(nil), d.Result.Missing...)
	}
	if d.Result.Decision == policy.Allowed && len(d.Result.Matched) == 0 {
		// Only the root user is allowed without a statement.
		out.Reason = "allowed: the account's root user is not limited by IAM policies"
		return out
	}
	req := policy.Request{Action: d.Action, Resource: d.Resource}
	out.Reason = policy.Summary(&req, &d.Result)
	return out
}

// Pending collects one request's authorizations while it runs.
type Pending struct {
	RequestID string // for log lines about the request

	mu        sync.Mutex
	decisions []Decision
}

// Add records an authorization.
func (p *Pending) Add(d authz.Decision) {
	p.mu.Lock()
	p.decisions = append(p.decisions, DecisionOf(d))
	p.mu.Unlock()
}

// LetThrough marks the last recorded denial of action on resource as let
// through by soft enforcement (authz's OnWouldDeny follows its
// OnDecision).
func (p *Pending) LetThrough(d authz.Decision) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.decisions) - 1; i >= 0; i-- {
		x := &p.decisions[i]
		if x.Action == d.Action && x.Resource == d.Resource && x.Decision != "allowed" {
			x.Enforcement = "log"
			return
		}
	}
	x := DecisionOf(d)
	x.Enforcement = "log"
	p.decisions = append(p.decisions, x)
}

// Decisions returns what was recorded.
func (p *Pending) Decisions() []Decision {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Decision(nil), p.decisions...)
}

type pendingKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Pending) context.Context {
	return context.WithValue(ctx, pendingKey{}, p)
}

// FromContext returns the Pending of ctx, or nil.
func FromContext(ctx context.Context) *Pending {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	return p
}

// SetCaller fills the caller's fields of r. It copies identifiers only:
// a Caller holds no secret, and the session token is never copied.
func (r *Record) SetCaller(c *keyward.Caller) {
	if c == nil {
		return
	}
	r.Caller = c.ARN
	r.AccountID = c.AccountID
	r.AccessKeyID = c.AccessKeyID
	if c.RoleARN != "" && c.RoleARN != c.ARN {
		r.PrincipalARN = c.RoleARN
	}
	if r.SourceIP == "" {
		r.SourceIP = c.SourceIP
	}
	if r.UserAgent == "" {
		r.UserAgent = c.UserAgent
	}
}

// SetDecisions sets the deciding authorization's fields from ds, and
// Decisions when there is more than one or the one authorized another
// action than r.Action.
func (r *Record) SetDecisions(ds []Decision) {
	if len(ds) == 0 {
		return
	}
	pick := ds[len(ds)-1]
	for _, d := range ds {
		if d.Decision != "allowed" {
			pick = d
			break
		}
	}
	r.Resource, r.Decision, r.Enforcement, r.Matched, r.Missing, r.Reason = pick.Resource, pick.Decision, pick.Enforcement, pick.Matched, pick.Missing, pick.Reason
	for _, d := range ds {
		if d.Enforcement != "" {
			r.Enforcement = d.Enforcement
		}
	}
	if len(ds) > 1 || ds[0].Action != r.Action {
		r.Decisions = ds
	}
}

// All returns the record's authorizations: Decisions, or the one the
// top-level fields describe.
func (r *Record) All() []Decision {
	if len(r.Decisions) > 0 {
		return r.Decisions
	}
	if r.Decision == "" {
		return nil
	}
	return []Decision{{Action: r.Action, Resource: r.Resource, Decision: r.Decision, Enforcement: r.Enforcement, Matched: r.Matched, Missing: r.Missing, Reason: r.Reason}}
}
