package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/awsquery"
	"github.com/keyward/keyward/seal"
	"github.com/keyward/keyward/sts"
)

// unsignedSTSActions are the STS actions AWS serves without credentials:
// the caller proves who it is with a token from its identity provider.
var unsignedSTSActions = map[string]bool{
	"AssumeRoleWithWebIdentity": true,
	"AssumeRoleWithSAML":        true,
}

// addSTS adds the STS service to s.query: it loads the key ring that seals
// session tokens (creating its first key on a new store), lets the
// authenticator open session tokens, and lets the unsigned actions through.
//
// KEYWARD_TOKEN_KEY_ROTATION (a Go duration, default 24h) sets how long a
// token key signs before the next one replaces it.
func addSTS(ctx context.Context, s *server, key *seal.Key) error {
	cfg := sts.KeyRingConfig{Store: s.store, KEK: key}
	if v := os.Getenv("KEYWARD_TOKEN_KEY_ROTATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return usageError("serve: KEYWARD_TOKEN_KEY_ROTATION must be a duration of at least 1m, not %q", v)
		}
		cfg.Rotation = d
	}
	ring, err := sts.NewKeyRing(ctx, cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	tokens := sts.NewTokens(ring)
	s.authn.Sessions = tokens
	svc := &sts.Service{Store: s.store, Authz: s.authz, Tokens: tokens}
	actions := awsquery.Actions(svc)
	for name := range unsignedSTSActions {
		actions[name] = anonymousCaller(actions[name])
	}
	s.query.Services = append(s.query.Services, &awsquery.Service{
		Name: "sts", Namespace: awsquery.NamespaceSTS, Version: awsquery.VersionSTS, Actions: actions,
	})
	s.query.Authenticate = allowUnsigned(s.query.Authenticate)
	return nil
}

// allowUnsigned wraps auth so that a request carrying no signature at all
// (no Authorization header, no presigned X-Amz-Signature) for one of the
// unsigned STS actions passes with a nil caller. Every other request, and
// a signed request for those actions, is authenticated by auth.
func allowUnsigned(auth awsquery.Authenticator) awsquery.Authenticator {
	return func(r *http.Request, body []byte, service string) (any, error) {
		if service == "sts" && r.Header.Get("Authorization") == "" && !r.URL.Query().Has("X-Amz-Signature") && unsignedSTSActions[requestAction(r, body)] {
			return nil, nil
		}
		return auth(r, body, service)
	}
}

// requestAction reads the Action field of a request, from the body when it
// is a form and else from the URL.
func requestAction(r *http.Request, body []byte) string {
	if len(body) > 0 {
		if vs, err := url.ParseQuery(string(body)); err == nil && vs.Has("Action") {
			return vs.Get("Action")
		}
	}
	return r.URL.Query().Get("Action")
}

// anonymousCaller gives a handler that needs a *keyward.Caller one for an
// unsigned request: no principal, only what the request itself says.
func anonymousCaller(h awsquery.Handler) awsquery.Handler {
	return func(ctx context.Context, req *awsquery.Request) (any, error) {
		if c, ok := req.Caller.(*keyward.Caller); !ok || c == nil {
			anon := &keyward.Caller{RequestTime: time.Now(), RequestID: req.ID}
			if req.HTTP != nil {
				anon.SourceIP = req.HTTP.RemoteAddr
				if host, _, err := net.SplitHostPort(req.HTTP.RemoteAddr); err == nil {
					anon.SourceIP = host
				}
				anon.SecureTransport = req.HTTP.TLS != nil
				anon.UserAgent = req.HTTP.UserAgent()
			}
			req.Caller = anon
		}
		return h(ctx, req)
	}
}
