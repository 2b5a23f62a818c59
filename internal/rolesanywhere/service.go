package rolesanywhere

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/sts"
)

// Service implements IAM Roles Anywhere. Store, Authz and Tokens are
// required; the other fields have defaults.
type Service struct {
	Store  keyward.Store
	Authz  *authz.Authorizer
	Tokens *sts.Tokens
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Limit, when set, is asked once a CreateSession's signature checked
	// out, with a key naming the certificate (its issuer and serial): an
	// error (Throttling) refuses the request, as the server's rate limit
	// refuses an access key's.
	Limit func(key string) error
	// Log receives what a request cannot report to its client (a subject
	// that could not be recorded); nil discards it.
	Log *slog.Logger

	trust sts.TrustPolicies
	used  sts.RoleUse
	seen  subjectSeen
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Service) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// action is one operation's implementation, its input decoded by decode.
type action func(s *Service, ctx context.Context, r *Request) (any, error)

// bind makes the action of a method taking its own input type.
func bind[I, O any](f func(*Service, context.Context, *Request, *I) (*O, error)) action {
	return func(s *Service, ctx context.Context, r *Request) (any, error) {
		in := new(I)
		if err := decode(r.Op, r.HTTP, r.Body, in); err != nil {
			return nil, err
		}
		return f(s, ctx, r, in)
	}
}

var actions = map[string]action{
	"CreateTrustAnchor":         bind((*Service).CreateTrustAnchor),
	"GetTrustAnchor":            bind((*Service).GetTrustAnchor),
	"UpdateTrustAnchor":         bind((*Service).UpdateTrustAnchor),
	"DeleteTrustAnchor":         bind((*Service).DeleteTrustAnchor),
	"EnableTrustAnchor":         bind((*Service).EnableTrustAnchor),
	"DisableTrustAnchor":        bind((*Service).DisableTrustAnchor),
	"ListTrustAnchors":          bind((*Service).ListTrustAnchors),
	"PutNotificationSettings":   bind((*Service).PutNotificationSettings),
	"ResetNotificationSettings": bind((*Service).ResetNotificationSettings),
	"CreateProfile":             bind((*Service).CreateProfile),
	"GetProfile":                bind((*Service).GetProfile),
	"UpdateProfile":             bind((*Service).UpdateProfile),
	"DeleteProfile":             bind((*Service).DeleteProfile),
	"EnableProfile":             bind((*Service).EnableProfile),
	"DisableProfile":            bind((*Service).DisableProfile),
	"ListProfiles":              bind((*Service).ListProfiles),
	"PutAttributeMapping":       bind((*Service).PutAttributeMapping),
	"DeleteAttributeMapping":    bind((*Service).DeleteAttributeMapping),
	"ImportCrl":                 bind((*Service).ImportCrl),
	"GetCrl":                    bind((*Service).GetCrl),
	"UpdateCrl":                 bind((*Service).UpdateCrl),
	"DeleteCrl":                 bind((*Service).DeleteCrl),
	"EnableCrl":                 bind((*Service).EnableCrl),
	"DisableCrl":                bind((*Service).DisableCrl),
	"ListCrls":                  bind((*Service).ListCrls),
	"TagResource":               bind((*Service).TagResource),
	"UntagResource":             bind((*Service).UntagResource),
	"ListTagsForResource":       bind((*Service).ListTagsForResource),
	"ListSubjects":              bind((*Service).ListSubjects),
	"GetSubject":                bind((*Service).GetSubject),
	"CreateSession": func(s *Service, ctx context.Context, r *Request) (any, error) {
		return s.CreateSession(ctx, r)
	},
}

// Call runs the request's operation. The caller (the server) has
// authenticated control-plane requests (r.Caller); CreateSession
// authenticates its own.
func (s *Service) Call(ctx context.Context, r *Request) (any, error) {
	a := actions[r.Op.Name]
	if a == nil {
		return nil, fmt.Errorf("rolesanywhere: no action for operation %s", r.Op.Name)
	}
	if r.Op.Signed && r.Caller == nil {
		return nil, errors.New("rolesanywhere: a control-plane request without a caller")
	}
	return a(s, ctx, r)
}

// op is one action's store transaction, with the caller it acts for, as
// in iam: the action finds the entity it acts on, authorizes the caller on
// what it found (the stored ARN and tags), checks the service's rules and
// writes, in one transaction. A retried transaction decides again.
type op struct {
	tx        keyward.Tx
	ctx       context.Context
	s         *Service
	r         *Request
	c         *keyward.Caller
	decisions []authz.Decision
}

func (s *Service) view(ctx context.Context, r *Request, fn func(o *op) error) error {
	return s.run(ctx, r, false, fn)
}

func (s *Service) update(ctx context.Context, r *Request, fn func(o *op) error) error {
	return s.run(ctx, r, true, fn)
}

func (s *Service) run(ctx context.Context, r *Request, write bool, fn func(o *op) error) error {
	o := &op{ctx: ctx, s: s, r: r, c: r.Caller}
	body := func(tx keyward.Tx) error {
		o.tx = tx
		o.decisions = o.decisions[:0]
		return fn(o)
	}
	var err error
	if write {
		err = s.Store.Update(ctx, body)
	} else {
		err = s.Store.View(ctx, body)
	}
	s.Authz.Report(ctx, r.Caller, o.decisions...)
	return err
}

// authorize decides whether the caller may perform action on resource in
// the op's transaction; extra holds the action's condition keys.
func (o *op) authorize(action, resource string, extra map[string][]string) error {
	d, err := o.s.Authz.Decide(o.ctx, o.tx, o.c, authz.Query{Action: action, Resource: resource, Extra: extra})
	if err != nil {
		return err
	}
	err = o.s.Authz.Enforce(o.c, &d)
	o.decisions = append(o.decisions, d)
	if err != nil {
		return convertDenial(err)
	}
	return nil
}

// convertDenial words authz's AccessDenied as this API's.
func convertDenial(err error) error {
	var e *keyward.Error
	if errors.As(err, &e) && e.Code == keyward.ErrAccessDenied {
		return &keyward.Error{Code: ErrAccessDenied, Message: e.Message}
	}
	return err
}

// arn is the ARN of an entity of the caller's account the request names
// by ID, in the request's region: what an absent entity is authorized on.
func (o *op) arn(kind, id string) string { return arnOf(o.r.Region, o.c.AccountID, kind, id) }

// resourceTags adds tags to extra as aws:ResourceTag/KEY.
func resourceTags(extra map[string][]string, tags []keyward.Tag) map[string][]string {
	if extra == nil {
		extra = make(map[string][]string, len(tags))
	}
	for _, t := range tags {
		extra["aws:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return extra
}
