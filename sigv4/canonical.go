package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// signing is everything that goes into a signature besides the request's
// method and headers.
type signing struct {
	path, rawQuery   string // as on the wire
	presigned        bool   // leave X-Amz-Signature out of the canonical query
	normalize        bool   // remove dot segments and duplicate slashes
	signedHeaders    []string
	signedHeadersRaw string
	payloadHash      string   // x-amz-content-sha256 as sent, or "" for bodySum
	bodySum          [32]byte // SHA-256 of the body
	amzDate          string
	scope            string
	algorithm        string // "" is Algorithm
}

// target returns the path and query as the client sent them. On a server
// that is r.RequestURI; on a client it is what the transport will send.
func target(r *http.Request) (path, rawQuery string) {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		path, rawQuery, _ = strings.Cut(u, "?")
		return path, rawQuery
	}
	if r.URL == nil {
		return "/", ""
	}
	if r.URL.Opaque != "" {
		return r.URL.Opaque, r.URL.RawQuery
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

// appendCanonicalRequest appends the canonical request: method, URI, query,
// headers, signed header list and payload hash, one per line.
func (sg *signing) appendCanonicalRequest(b []byte, r *http.Request) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, sg.path, sg.normalize)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, sg.rawQuery, sg.presigned)
	b = append(b, '\n')
	for _, name := range sg.signedHeaders {
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, r, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, sg.signedHeadersRaw...)
	b = append(b, '\n')
	if sg.payloadHash != "" {
		return append(b, sg.payloadHash...)
	}
	return hex.AppendEncode(b, sg.bodySum[:])
}

// appendStringToSign appends the string to sign for a canonical request.
func (sg *signing) appendStringToSign(b, canonicalRequest []byte) []byte {
	if sg.algorithm != "" {
		b = append(b, sg.algorithm...)
	} else {
		b = append(b, Algorithm...)
	}
	b = append(b, '\n')
	b = append(b, sg.amzDate...)
	b = append(b, '\n')
	b = append(b, sg.scope...)
	b = append(b, '\n')
	sum := sha256.Sum256(canonicalRequest)
	return hex.AppendEncode(b, sum[:])
}

// sign computes the hex signature with a signing key. It returns the
// canonical request and string to sign as well, in cbuf and sbuf, for tests.
func (sg *signing) sign(r *http.Request, key *[32]byte, cbuf, sbuf []byte) (sig [64]byte, canonicalRequest, stringToSign []byte) {
	canonicalRequest = sg.appendCanonicalRequest(cbuf[:0], r)
	stringToSign = sg.appendStringToSign(sbuf[:0], canonicalRequest)
	var mac [32]byte
	hmacSum(&mac, key[:], stringToSign)
	hex.Encode(sig[:], mac[:])
	return sig, canonicalRequest, stringToSign
}

// SigningKey derives the key that signs requests for one day, region and
// service: HMAC-SHA256 chained over "AWS4"+secret, date (YYYYMMDD), region,
// service and "aws4_request". It signs that day's requests only, so callers
// may cache it per key, day, region and service.
func SigningKey(secret, date, region, service string) []byte {
	k := new([32]byte)
	signingKey(k, secret, date, region, service)
	return k[:]
}

func signingKey(k *[32]byte, secret, date, region, service string) {
	var buf [128]byte
	hmacSum(k, append(append(buf[:0], "AWS4"...), secret...), []byte(date))
	hmacSum(k, k[:], []byte(region))
	hmacSum(k, k[:], []byte(service))
	hmacSum(k, k[:], []byte(terminator))
}

// hmacSum sets out to HMAC-SHA256(key, msg) as RFC 2104 defines it, on the
// stack: crypto/hmac allocates two hash states per call, and each request
// needs five HMACs. A test holds it to crypto/hmac.
func hmacSum(out *[32]byte, key, msg []byte) {
	const block = 64
	var k [block]byte
	if len(key) > block {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var buf [block + 256]byte
	in := buf[:block]
	for i := range in {
		in[i] = k[i] ^ 0x36
	}
	inner := sha256.Sum256(append(in, msg...))
	outer := buf[:block]
	for i := range outer {
		outer[i] = k[i] ^ 0x5c
	}
	*out = sha256.Sum256(append(outer, inner[:]...))
}

// appendCanonicalURI appends the path URI-encoded once more. The path is
// already percent-encoded on the wire, so "%20" becomes "%2520": AWS
// services other than S3 encode twice.
func appendCanonicalURI(b []byte, path string, normalize bool) []byte {
	if normalize {
		path = normalizePath(path)
	} else if path == "" {
		path = "/"
	}
	return appendEscaped(b, path, true)
}

// normalizePath removes "." and ".." segments and empty segments (runs of
// slashes), keeping a trailing slash, as IAM and STS do.
func normalizePath(p string) string {
	if p == "/" || p == "" {
		return "/"
	}
	if !needsNormalizing(p) {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "/"
	}
	n := "/" + strings.Join(out, "/")
	if last := segs[len(segs)-1]; last == "" || last == "." || last == ".." {
		n += "/"
	}
	return n
}

func needsNormalizing(p string) bool {
	if p[0] != '/' || strings.Contains(p, "//") {
		return true
	}
	for s := range strings.SplitSeq(p[1:], "/") {
		if s == "." || s == ".." {
			return true
		}
	}
	return false
}

// appendCanonicalQuery appends the query's parameters decoded and encoded
// again the one AWS way, sorted by key and then value.
func appendCanonicalQuery(b []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return b
	}
	type pair struct{ k, v string }
	var buf [16]pair
	pairs := buf[:0]
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = unescape(k), unescape(v)
		if presigned && k == qSignature {
			continue
		}
		pairs = append(pairs, pair{escape(k), escape(v)})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

// unescape decodes a query component as url.ParseQuery does ("+" is a
// space), so the signature covers what the form parser will read. A
// malformed escape is kept literally.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

func escape(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return string(appendEscaped(make([]byte, 0, len(s)+16), s, false))
		}
	}
	return s
}

// appendEscaped percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (and
// "/" when keepSlash), with upper-case hex, as SigV4 requires.
func appendEscaped(b []byte, s string, keepSlash bool) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
		}
	}
	return b
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// appendHeaderValue appends a header's canonical value: each value trimmed,
// runs of whitespace collapsed to one space, values joined by commas.
func appendHeaderValue(b []byte, r *http.Request, name string) []byte {
	if strings.EqualFold(name, "host") {
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		return appendTrimmed(b, host)
	}
	values := headerValues(r.Header, name)
	if len(values) == 0 && strings.EqualFold(name, "content-length") && r.ContentLength > 0 {
		// A client's transport writes Content-Length from r.ContentLength.
		return strconv.AppendInt(b, r.ContentLength, 10)
	}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v)
	}
	return b
}

// headerValues is r.Header.Values(name) without allocating a canonical key
// for a lower-case name.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) > len(buf) {
		return h.Values(name)
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !unreserved(c) && strings.IndexByte("!#$%&'*+^`|", c) < 0 {
			return h.Values(name) // not a token: textproto keeps it as is
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
		upper = c == '-'
	}
	return h[string(buf[:len(name)])]
}

// appendTrimmed appends v trimmed, with runs of whitespace as one space.
// Whitespace is ASCII's, as botocore splits it; net/http sends a newline in
// a header value as a space.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.Trim(v, asciiSpace)
	if !strings.Contains(v, "  ") && !strings.ContainsAny(v, asciiSpace[1:]) {
		return append(b, v...)
	}
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if strings.IndexByte(asciiSpace, c) >= 0 {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

const asciiSpace = " \t\n\v\f\r"

// setPayload hashes the body; a client's x-amz-content-sha256 is signed
// as sent, once it is checked against the body.
func (sg *signing) setPayload(r *http.Request, body []byte) error {
	sg.bodySum = sha256.Sum256(body)
	sg.payloadHash = ""
	h := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case h == "":
		return nil
	case h == UnsignedPayload:
		if len(body) > 0 {
			// For IAM and STS the body holds the action and its parameters.
			return errorf(CodeIncompleteSignature, "x-amz-content-sha256 UNSIGNED-PAYLOAD is not accepted for a request with a body: "+
				"sign the body")
		}
	case len(h) == 64 && isHex(h):
		var sum [32]byte
		hex.Decode(sum[:], []byte(h))
		if sum != sg.bodySum {
			return errorf(CodeSignatureDoesNotMatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	default:
		return errorf(CodeIncompleteSignature, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body, got '"+h+"'.")
	}
	sg.payloadHash = h
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
