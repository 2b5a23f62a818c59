package authn

import (
	"net/http"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/sigv4"
)

// Verified is what VerifyService learns from a client's request.
type Verified struct {
	Caller *keyward.Caller
	Signed *sigv4.Signed
	// SigningKey, when asked for, is the key derived for the request's
	// day, region and service (never the secret): with it a service checks
	// the chunk signatures of a streamed payload, and that client's later
	// requests of the same day. Whether to hand it out is the caller's
	// decision.
	SigningKey []byte
}

// VerifyService verifies a request that a client sent to another service
// (credential scope service), with that service's path and payload rules
// (sigv4.Options): the authorize API and forward authentication use it.
// wantKey asks for the signing key. Errors are *keyward.Error with AWS's
// codes.
func (a *Authenticator) VerifyService(r *http.Request, body []byte, service string, o sigv4.Options, wantKey bool) (*Verified, error) {
	now := a.now()
	signed, err := sigv4.Parse(r, now)
	if err != nil {
		return nil, convert(err)
	}
	if err := signed.CheckService(service); err != nil {
		return nil, convert(err)
	}
	caller, secret, err := a.lookup(r, signed, service, now)
	if err != nil {
		return nil, err
	}
	if err := sigv4.VerifyOptions(r, body, signed, secret, o); err != nil {
		return nil, convert(err)
	}
	v := &Verified{Caller: a.finish(r, signed, service, now, caller), Signed: signed}
	if wantKey {
		v.SigningKey = sigv4.SigningKey(secret, signed.AmzDate()[:8], signed.Region, signed.Service)
	}
	return v, nil
}
