package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Streaming payload markers: x-amz-content-sha256 values with which S3
// clients sign an aws-chunked body chunk by chunk. The seed signature (the
// request's) covers the marker; each chunk's signature chains from it.
const (
	StreamingPayload        = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsigned       = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// Payload says how the body enters a signature that VerifyOptions checks.
type Payload uint8

// Payloads.
const (
	// PayloadBody: the body is given, as for Verify; x-amz-content-sha256,
	// when sent, must match it, except the streaming markers and
	// UNSIGNED-PAYLOAD, which services such as S3 accept with a body.
	PayloadBody Payload = iota
	// PayloadHash: Options.Hash is the hex SHA-256 of the body, computed by
	// the verifier's caller; x-amz-content-sha256, when sent as a hash,
	// must equal it.
	PayloadHash
	// PayloadDeclared: the verifier never sees the body (a reverse proxy's
	// auth subrequest). The signature covers whatever x-amz-content-sha256
	// declares, which nobody here can check against the body; without the
	// header the body is taken to be empty.
	PayloadDeclared
)

// Options adapt verification to services other than IAM and STS.
type Options struct {
	Payload Payload
	Hash    string // the body's hex SHA-256, for PayloadHash
	// S3 signs the path as S3 does: encoded once, dot segments and
	// duplicate slashes kept; and a presigned URL's payload is
	// UNSIGNED-PAYLOAD. Other services (IAM, STS, API Gateway, most of AWS)
	// normalize the path and encode it twice.
	S3 bool
}

// VerifyOptions is Verify with the path and payload rules of o. body is used
// only with PayloadBody.
func VerifyOptions(r *http.Request, body []byte, s *Signed, secret string, o Options) error {
	if s == nil || s.scope == "" {
		return errors.New("sigv4: VerifyOptions needs the *Signed that Parse returned")
	}
	var key [32]byte
	signingKey(&key, secret, s.amzDate[:8], s.Region, s.Service)
	return verifyKey(r, body, s, &key, o)
}

// VerifyKey is VerifyOptions with the signing key of s's scope
// (SigningKey(secret, date, region, service)) instead of the secret: a
// service that holds the derived key for a client's day, region and service
// checks that client's signatures itself, as AWS's services do.
func VerifyKey(r *http.Request, body []byte, s *Signed, signingKey []byte, o Options) error {
	if s == nil || s.scope == "" {
		return errors.New("sigv4: VerifyKey needs the *Signed that Parse returned")
	}
	if len(signingKey) != 32 {
		return errors.New("sigv4: a signing key has 32 bytes")
	}
	return verifyKey(r, body, s, (*[32]byte)(signingKey), o)
}

func verifyKey(r *http.Request, body []byte, s *Signed, key *[32]byte, o Options) error {
	path, rawQuery := target(r)
	sg := signing{
		path:             path,
		rawQuery:         rawQuery,
		presigned:        s.Presigned,
		normalize:        !o.S3,
		signedHeaders:    s.SignedHeaders,
		signedHeadersRaw: s.signedHeadersRaw,
		amzDate:          s.amzDate,
		scope:            s.scope,
	}
	if o.S3 {
		p, err := url.PathUnescape(sg.path)
		if err != nil {
			return errorf(CodeSignatureDoesNotMatch, msgSignatureDoesNotMatch)
		}
		if p == "" {
			p = "/"
		}
		sg.path = p // appendCanonicalURI encodes it once
	}
	if o.S3 && s.Presigned && r.Header.Get("X-Amz-Content-Sha256") == "" {
		// S3's presigned URLs never sign a body: their payload hash is
		// UNSIGNED-PAYLOAD.
		sg.payloadHash = UnsignedPayload
	} else if err := sg.setPayloadOptions(r, body, o); err != nil {
		return err
	}
	var cbuf [1024]byte
	var sbuf [256]byte
	sig, _, _ := sg.sign(r, key, cbuf[:], sbuf[:])
	if !equalSignature(s.Signature, &sig) {
		return errorf(CodeSignatureDoesNotMatch, msgSignatureDoesNotMatch)
	}
	return nil
}

// AmzDate returns the request's signing time as signed (X-Amz-Date format),
// which chunk signatures of a streaming upload repeat.
func (s *Signed) AmzDate() string { return s.amzDate }

// Scope returns the credential scope, DATE/REGION/SERVICE/aws4_request.
func (s *Signed) Scope() string { return s.scope }

func equalSignature(sent string, sig *[64]byte) bool {
	if len(sent) != len(sig) {
		return false
	}
	var v byte
	for i := range sig {
		v |= sent[i] ^ sig[i]
	}
	return v == 0
}

func isStreaming(h string) bool {
	return h == StreamingPayload || h == StreamingPayloadTrailer || h == StreamingUnsigned
}

func (sg *signing) setPayloadOptions(r *http.Request, body []byte, o Options) error {
	h := r.Header.Get("X-Amz-Content-Sha256")
	switch o.Payload {
	case PayloadBody:
		if h == UnsignedPayload || isStreaming(h) {
			sg.payloadHash = h
			return nil
		}
		return sg.setPayload(r, body)
	case PayloadHash:
		if len(o.Hash) != 64 || !isHex(o.Hash) {
			return errorf(CodeIncompleteSignature, "the payload hash must be 64 hex digits")
		}
		switch {
		case h == "":
			sg.payloadHash = strings.ToLower(o.Hash)
		case h == UnsignedPayload || isStreaming(h):
			sg.payloadHash = h
		case len(h) == 64 && isHex(h):
			if !strings.EqualFold(h, o.Hash) {
				return errorf(CodeSignatureDoesNotMatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
			}
			sg.payloadHash = h
		default:
			return errorf(CodeIncompleteSignature, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a streaming marker or the hex SHA-256 of the body, got '"+h+"'.")
		}
		return nil
	case PayloadDeclared:
		switch {
		case h == "":
			sg.payloadHash = emptySHA256
		case h == UnsignedPayload || isStreaming(h) || len(h) == 64 && isHex(h):
			sg.payloadHash = h
		default:
			return errorf(CodeIncompleteSignature, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a streaming marker or the hex SHA-256 of the body, got '"+h+"'.")
		}
		return nil
	}
	return errorf(CodeIncompleteSignature, "unknown payload mode")
}

// emptySHA256 is the hex SHA-256 of nothing.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
