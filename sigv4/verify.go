package sigv4

import (
	"crypto/hmac"
	"errors"
	"net/http"
)

// Verify checks s.Signature, which Parse read from r, against the signature
// computed with secret, the secret access key of s.AccessKeyID. body is the
// request body, already read (the caller restores r.Body if it needs it).
// A wrong signature gives SignatureDoesNotMatch; errors are *Error, except
// when s did not come from Parse.
func Verify(r *http.Request, body []byte, s *Signed, secret string) error {
	return verify(r, body, s, secret, true)
}

func verify(r *http.Request, body []byte, s *Signed, secret string, normalize bool) error {
	var sg signing
	if err := s.signing(&sg, r, body, normalize); err != nil {
		return err
	}
	var key [32]byte
	signingKey(&key, secret, s.amzDate[:8], s.Region, s.Service)
	var cbuf [1024]byte
	var sbuf [256]byte
	sig, _, _ := sg.sign(r, &key, cbuf[:], sbuf[:])
	var got [64]byte
	if len(s.Signature) != len(got) || !hmac.Equal(sig[:], got[:copy(got[:], s.Signature)]) {
		return errorf(CodeSignatureDoesNotMatch, msgSignatureDoesNotMatch)
	}
	return nil
}

func (s *Signed) signing(sg *signing, r *http.Request, body []byte, normalize bool) error {
	if s == nil || s.scope == "" {
		return errors.New("sigv4: Verify needs the *Signed that Parse returned")
	}
	path, rawQuery := target(r)
	*sg = signing{
		path:             path,
		rawQuery:         rawQuery,
		presigned:        s.Presigned,
		normalize:        normalize,
		signedHeaders:    s.SignedHeaders,
		signedHeadersRaw: s.signedHeadersRaw,
		amzDate:          s.amzDate,
		scope:            s.scope,
	}
	return sg.setPayload(r, body)
}
