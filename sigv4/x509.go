package sigv4

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// The X.509 variant of SigV4, which IAM Roles Anywhere's CreateSession
// takes: the client signs the string to sign with the private key of an
// X.509 certificate instead of an HMAC key. The canonical request is
// SigV4's; what differs is
//
//   - the algorithm, AWS4-X509-RSA-SHA256 (RSA PKCS #1 v1.5 over SHA-256)
//     or AWS4-X509-ECDSA-SHA256 (ECDSA over SHA-256, the signature
//     ASN.1-encoded), named in the Authorization header and first in the
//     string to sign;
//   - the credential scope, which begins with the certificate's serial
//     number in decimal where SigV4 has an access key id;
//   - the certificate itself, base64 DER in the X-Amz-X509 header, and its
//     chain (intermediate CAs, comma-separated base64 DER) in
//     X-Amz-X509-Chain; both are x-amz-* headers, so both are signed;
//   - the signature, the hex of the signature's bytes;
//   - the clock skew: ±5 minutes (X509MaxSkew).
//
// ParseX509 reads and checks all that needs no trust decision; VerifyX509
// checks the signature with the certificate's public key. Whether the
// certificate is to be trusted (path validation to a trust anchor,
// validity, key usage, revocation) is the caller's: this package does no
// I/O and knows no trust store.

// X.509 signing algorithms.
const (
	AlgorithmX509RSA   = "AWS4-X509-RSA-SHA256"
	AlgorithmX509ECDSA = "AWS4-X509-ECDSA-SHA256"
	// X509MaxSkew is how far an X.509-signed request's time may be from
	// the server's clock, either way.
	X509MaxSkew = 5 * time.Minute
	// MaxX509Chain is the most certificates X-Amz-X509-Chain may carry.
	MaxX509Chain = 8
)

// The headers of the X.509 variant.
const (
	HeaderX509      = "X-Amz-X509"
	HeaderX509Chain = "X-Amz-X509-Chain"
)

func isX509(alg string) bool { return alg == AlgorithmX509RSA || alg == AlgorithmX509ECDSA }

// X509Signed is what ParseX509 reads from an X.509-signed request.
type X509Signed struct {
	// Algorithm is AlgorithmX509RSA or AlgorithmX509ECDSA; the
	// certificate's key is of its kind.
	Algorithm string
	// Serial is the serial number the credential scope names, which is
	// the certificate's.
	Serial *big.Int
	// Date is the request's signing time, in UTC.
	Date time.Time
	// Region and Service come from the credential scope (see
	// Signed.CheckService).
	Region, Service string
	// Certificate is the end-entity certificate of X-Amz-X509, and Chain
	// the certificates of X-Amz-X509-Chain in the order sent; neither is
	// verified.
	Certificate *x509.Certificate
	Chain       []*x509.Certificate

	signed *Signed
}

// CheckService returns AWS's error when the credential scope names a
// service other than want.
func (s *X509Signed) CheckService(want string) error { return s.signed.CheckService(want) }

// ParseX509 reads the X.509 SigV4 fields of r (the Authorization header
// form only: there is no presigned X.509 request) and checks everything
// that needs no trust decision: the algorithm; a five-part credential
// scope whose date is the day of X-Amz-Date and whose serial number is the
// certificate's; host and every x-amz-* header signed; X-Amz-X509 (and
// X-Amz-X509-Chain, when sent) holding parseable certificates; the
// certificate's key matching the algorithm; the signature hex; and the
// time against now, ±X509MaxSkew. Errors are *Error: IncompleteSignature
// for what is malformed or missing, SignatureDoesNotMatch for a scope or
// a time that does not hold, MissingAuthenticationToken for no
// Authorization header.
func ParseX509(r *http.Request, now time.Time) (*X509Signed, error) {
	auth := r.Header.Values("Authorization")
	switch {
	case len(auth) > 1:
		return nil, errorf(CodeIncompleteSignature, "Only one Authorization header is allowed")
	case len(auth) == 0:
		return nil, errorf(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	alg, _, _ := strings.Cut(auth[0], " ")
	if !isX509(alg) {
		return nil, errorf(CodeIncompleteSignature, "Unsupported AWS 'algorithm': '"+alg+"': this API takes "+
			AlgorithmX509RSA+" or "+AlgorithmX509ECDSA+".")
	}
	var q authQuery
	sg, err := parseHeader(r, auth[0], &q, isX509)
	if err != nil {
		return nil, err
	}
	if err := checkSignedHeaders(r, sg); err != nil {
		return nil, err
	}
	if err := checkTime(sg, now, X509MaxSkew); err != nil {
		return nil, err
	}
	s := &X509Signed{Algorithm: alg, Date: sg.Date, Region: sg.Region, Service: sg.Service, signed: sg}
	serial, ok := new(big.Int).SetString(sg.AccessKeyID, 10)
	if !ok || serial.Sign() < 0 {
		return nil, errorf(CodeIncompleteSignature, "The credential must begin with the certificate's serial number in decimal, got '"+
			sg.AccessKeyID+"'.")
	}
	s.Serial = serial
	certs := r.Header.Values(HeaderX509)
	if len(certs) != 1 || certs[0] == "" {
		return nil, errorf(CodeIncompleteSignature, "The request must carry exactly one X-Amz-X509 header: the signing certificate.")
	}
	if s.Certificate, err = parseCertHeader(certs[0]); err != nil {
		return nil, errorf(CodeIncompleteSignature, "X-Amz-X509 does not hold an X.509 certificate (base64 DER): "+err.Error())
	}
	if chain := r.Header.Values(HeaderX509Chain); len(chain) > 0 {
		parts := strings.Split(strings.Join(chain, ","), ",")
		if len(parts) > MaxX509Chain {
			return nil, errorf(CodeIncompleteSignature, "X-Amz-X509-Chain carries more than 8 certificates.")
		}
		for _, p := range parts {
			c, err := parseCertHeader(strings.TrimSpace(p))
			if err != nil {
				return nil, errorf(CodeIncompleteSignature, "X-Amz-X509-Chain does not hold X.509 certificates (base64 DER, comma-separated): "+err.Error())
			}
			s.Chain = append(s.Chain, c)
		}
	}
	if s.Certificate.SerialNumber.Cmp(s.Serial) != 0 {
		return nil, errorf(CodeSignatureDoesNotMatch, "The serial number in the credential scope, "+s.Serial.String()+
			", is not the signing certificate's, "+s.Certificate.SerialNumber.String()+".")
	}
	switch s.Certificate.PublicKey.(type) {
	case *rsa.PublicKey:
		if alg != AlgorithmX509RSA {
			return nil, errorf(CodeIncompleteSignature, "The signing certificate holds an RSA key: sign with "+AlgorithmX509RSA+".")
		}
	case *ecdsa.PublicKey:
		if alg != AlgorithmX509ECDSA {
			return nil, errorf(CodeIncompleteSignature, "The signing certificate holds an EC key: sign with "+AlgorithmX509ECDSA+".")
		}
	default:
		return nil, errorf(CodeIncompleteSignature, "The signing certificate's key is neither RSA nor EC.")
	}
	if len(sg.Signature)%2 != 0 || !isHex(sg.Signature) {
		return nil, errorf(CodeIncompleteSignature, "The signature must be hex.")
	}
	return s, nil
}

func parseCertHeader(v string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, errors.New("not base64")
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errors.New("not a certificate")
	}
	return c, nil
}

// VerifyX509 checks the signature ParseX509 read from r with the
// certificate's public key. body is the request body, already read. A
// wrong signature gives SignatureDoesNotMatch; errors are *Error, except
// when s did not come from ParseX509.
func VerifyX509(r *http.Request, body []byte, s *X509Signed) error {
	if s == nil || s.Certificate == nil || s.signed == nil {
		return errors.New("sigv4: VerifyX509 needs the *X509Signed that ParseX509 returned")
	}
	var sg signing
	if err := s.signed.signing(&sg, r, body, true); err != nil {
		return err
	}
	sg.algorithm = s.Algorithm
	digest := sg.x509Digest(r)
	sig, _ := hex.DecodeString(s.signed.Signature) // checked by ParseX509
	ok := false
	switch k := s.Certificate.PublicKey.(type) {
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig) == nil
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, digest[:], sig)
	}
	if !ok {
		return errorf(CodeSignatureDoesNotMatch, "The request signature does not verify with the public key of the signing certificate. "+
			"Check the private key and the signing method.")
	}
	return nil
}

// x509Digest is the SHA-256 of the string to sign, what the key signs.
func (sg *signing) x509Digest(r *http.Request) [32]byte {
	var cbuf [2048]byte
	var sbuf [256]byte
	creq := sg.appendCanonicalRequest(cbuf[:0], r)
	sts := sg.appendStringToSign(sbuf[:0], creq)
	return sha256.Sum256(sts)
}

// SignX509 signs r with key, the private key of cert, at time t, in the
// region's rolesanywhere scope: it sets X-Amz-Date, X-Amz-X509 (and
// X-Amz-X509-Chain, with chain) and Authorization, and signs host and
// every other header already set, as Sign does. body is the request body.
// It is for tests and clients; AWS's credential helper signs the same way.
func SignX509(r *http.Request, body []byte, key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, region string, t time.Time) error {
	if key == nil || cert == nil || region == "" {
		return errors.New("sigv4: X.509 signing needs a key, its certificate and a region")
	}
	var alg string
	switch key.Public().(type) {
	case *rsa.PublicKey:
		alg = AlgorithmX509RSA
	case *ecdsa.PublicKey:
		alg = AlgorithmX509ECDSA
	default:
		return errors.New("sigv4: X.509 signing takes an RSA or ECDSA key")
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	amzDate := t.UTC().Format(TimeFormat)
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set(HeaderX509, base64.StdEncoding.EncodeToString(cert.Raw))
	if len(chain) > 0 {
		parts := make([]string, len(chain))
		for i, c := range chain {
			parts[i] = base64.StdEncoding.EncodeToString(c.Raw)
		}
		r.Header.Set(HeaderX509Chain, strings.Join(parts, ","))
	}
	names := headersToSign(r)
	path, rawQuery := target(r)
	scope := amzDate[:8] + "/" + region + "/rolesanywhere/" + terminator
	sg := signing{
		path:             path,
		rawQuery:         rawQuery,
		normalize:        true,
		signedHeaders:    names,
		signedHeadersRaw: strings.Join(names, ";"),
		amzDate:          amzDate,
		scope:            scope,
		algorithm:        alg,
	}
	if err := sg.setPayload(r, body); err != nil {
		return err
	}
	digest := sg.x509Digest(r)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", alg+" Credential="+cert.SerialNumber.String()+"/"+scope+
		", SignedHeaders="+sg.signedHeadersRaw+", Signature="+hex.EncodeToString(sig))
	return nil
}
