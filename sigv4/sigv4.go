package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// Algorithm is the only signing algorithm accepted.
	Algorithm = "AWS4-HMAC-SHA256"
	// TimeFormat is ISO 8601 basic format, as in X-Amz-Date.
	TimeFormat = "20060102T150405Z"
	// MaxSkew is how far a request's time may be from the server's clock.
	MaxSkew = 15 * time.Minute
	// MaxExpires is the longest X-Amz-Expires of a presigned request.
	MaxExpires = 7 * 24 * time.Hour
	// DefaultExpires is the lifetime of a presigned request without
	// X-Amz-Expires: STS ignores the parameter and allows 15 minutes.
	DefaultExpires = 15 * time.Minute
	// UnsignedPayload in x-amz-content-sha256 leaves the body out of the
	// signature; Verify accepts it only for an empty body.
	UnsignedPayload = "UNSIGNED-PAYLOAD"

	terminator = "aws4_request"
	dateFormat = "20060102"
)

// AWS error codes this package returns, AWS's names unchanged.
const (
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeRequestExpired             = "RequestExpired"
)

// Error is a verification failure whose Code (AWS's error code) and Message
// are safe to show to the client. It never holds a secret or the expected
// signature.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, msg string) *Error { return &Error{Code: code, Message: msg} }

// msgSignatureDoesNotMatch is AWS's text for a wrong signature.
const msgSignatureDoesNotMatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// Credentials sign a request: an access key and, for temporary credentials,
// the session token.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Signed is what Parse reads from a signed request before any secret is
// known: enough to look the secret up by AccessKeyID (and SessionToken) and
// then call Verify.
type Signed struct {
	AccessKeyID string
	// Date is the request's signing time (X-Amz-Date, else Date), in UTC.
	Date time.Time
	// Region and Service come from the credential scope; Parse accepts any
	// non-empty region, and checks no service (see CheckService).
	Region  string
	Service string
	// SignedHeaders are the header names the signature covers, as the
	// client listed them (lower-case and sorted, from every AWS SDK).
	SignedHeaders []string
	// Signature is the hex signature the client sent.
	Signature string
	// SessionToken is X-Amz-Security-Token (header or query), empty for
	// long-term keys. Its validity is the caller's to check.
	SessionToken string
	// Presigned is true for the query-string form.
	Presigned bool
	// Expires is the presigned request's lifetime from Date (zero for the
	// header form).
	Expires time.Duration

	algorithm        string // an X.509 algorithm as sent; "" for Algorithm
	amzDate          string // Date in TimeFormat, as signed
	scope            string // date/region/service/aws4_request
	signedHeadersRaw string // the SignedHeaders value as sent
	headersBuf       [8]string
}

// CheckService returns AWS's error when the credential scope names a
// service other than want.
func (s *Signed) CheckService(want string) error {
	if s.Service != want {
		return errorf(CodeSignatureDoesNotMatch, "Credential should be scoped to correct service: '"+want+"'. ")
	}
	return nil
}

// The query parameters of the presigned form.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSecurityToken = "X-Amz-Security-Token"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
)

// Parse reads the SigV4 fields of r, from the Authorization header or the
// query string, and checks everything that needs no secret: the algorithm,
// the credential scope and its date, that host and every x-amz-* header are
// signed, X-Amz-Expires, and the time against now (±MaxSkew; a presigned
// request until Date+Expires). Errors are *Error.
//
// A request with no signature at all gives MissingAuthenticationToken; the
// caller decides whether the action may be called anonymously (STS's
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML).
func Parse(r *http.Request, now time.Time) (*Signed, error) {
	_, rawQuery := target(r)
	var q authQuery
	if err := q.scan(rawQuery); err != nil {
		return nil, err
	}
	auth := r.Header.Values("Authorization")
	presigned := q[iAlgorithm].set || q[iCredential].set || q[iSignature].set
	switch {
	case len(auth) > 0 && presigned:
		return nil, errorf(CodeIncompleteSignature, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "+
			"or the Authorization header should be specified")
	case len(auth) > 1:
		return nil, errorf(CodeIncompleteSignature, "Only one Authorization header is allowed")
	case len(auth) == 0 && !presigned:
		return nil, errorf(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	var s *Signed
	var err error
	if presigned {
		s, err = parseQuery(&q)
	} else {
		s, err = parseHeader(r, auth[0], &q, isHMAC)
	}
	if err != nil {
		return nil, err
	}
	if err := checkSignedHeaders(r, s); err != nil {
		return nil, err
	}
	if err := checkTime(s, now, MaxSkew); err != nil {
		return nil, err
	}
	return s, nil
}

func isHMAC(alg string) bool { return alg == Algorithm }

// parseHeader reads an Authorization header whose algorithm accept
// takes: AWS4-HMAC-SHA256, or the X.509 algorithms (ParseX509).
func parseHeader(r *http.Request, auth string, q *authQuery, accept func(alg string) bool) (*Signed, error) {
	alg, rest, _ := strings.Cut(auth, " ")
	var cred, signedHeaders, signature string
	if accept(alg) {
		// AWS splits on spaces too: "Credential=AKID /2015..." leaves a
		// stray "/2015..." that is reported.
		for rest != "" {
			i := 0
			for i < len(rest) && rest[i] != ',' && rest[i] != ' ' {
				i++
			}
			part := rest[:i]
			rest = rest[min(i+1, len(rest)):]
			if part == "" {
				continue
			}
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				return nil, errorf(CodeIncompleteSignature, "'"+part+"' not a valid key=value pair (missing equal-sign) in Authorization header: '"+auth+"'.")
			}
			switch k {
			case "Credential":
				cred = v
			case "SignedHeaders":
				signedHeaders = v
			case "Signature":
				signature = v
			}
		}
	} else if strings.HasPrefix(alg, "AWS4-") {
		return nil, errorf(CodeIncompleteSignature, "Unsupported AWS 'algorithm': '"+alg+"'.")
	}

	amzDate := r.Header.Get("X-Amz-Date")
	httpDate := r.Header.Get("Date")
	var missing []string
	if cred == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if amzDate == "" && httpDate == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if missing != nil {
		return nil, errorf(CodeIncompleteSignature, strings.Join(missing, " ")+" Authorization="+auth)
	}

	s := &Signed{Signature: signature, signedHeadersRaw: signedHeaders}
	if alg != Algorithm {
		s.algorithm = alg
	}
	var err error
	if amzDate != "" {
		s.Date, err = parseAmzDate(amzDate)
	} else {
		s.Date, err = http.ParseTime(httpDate)
		if err != nil {
			err = errorf(CodeIncompleteSignature, "Date must be an HTTP date (RFC 1123). Got '"+httpDate+"'.")
		}
	}
	if err != nil {
		return nil, err
	}
	s.Date = s.Date.UTC()
	s.setAmzDate(amzDate)
	if err := s.setCredential(cred); err != nil {
		return nil, err
	}
	s.SignedHeaders = splitAppend(s.headersBuf[:0], signedHeaders, ';')
	s.SessionToken = r.Header.Get("X-Amz-Security-Token")
	if s.SessionToken == "" {
		// A token in the query of a header-signed request is covered by the
		// canonical query string.
		s.SessionToken = q[iSecurityToken].value
	}
	return s, nil
}

func parseQuery(q *authQuery) (*Signed, error) {
	var missing []string
	for _, i := range []int{iAlgorithm, iCredential, iSignature, iSignedHeaders, iDate} {
		if q[i].value == "" {
			missing = append(missing, "AWS query-string parameters must include '"+authQueryNames[i]+"'.")
		}
	}
	if missing != nil {
		return nil, errorf(CodeIncompleteSignature, strings.Join(missing, " ")+" Re-examine the query-string parameters.")
	}
	if alg := q[iAlgorithm].value; alg != Algorithm {
		return nil, errorf(CodeIncompleteSignature, "Unsupported AWS 'algorithm': '"+alg+"'.")
	}
	s := &Signed{
		Presigned:        true,
		Signature:        q[iSignature].value,
		signedHeadersRaw: q[iSignedHeaders].value,
		SessionToken:     q[iSecurityToken].value,
		Expires:          DefaultExpires,
	}
	var err error
	if s.Date, err = parseAmzDate(q[iDate].value); err != nil {
		return nil, err
	}
	s.setAmzDate(q[iDate].value)
	if q[iExpires].set {
		v := q[iExpires].value
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err == nil && n > int64(MaxExpires/time.Second):
			return nil, errorf(CodeIncompleteSignature, "X-Amz-Expires must be less than a week (in seconds) that is; 604800")
		case err != nil || n < 1:
			return nil, errorf(CodeIncompleteSignature, "X-Amz-Expires must be a whole number of seconds from 1 to 604800, got '"+v+"'")
		}
		s.Expires = time.Duration(n) * time.Second
	}
	if err := s.setCredential(q[iCredential].value); err != nil {
		return nil, err
	}
	s.SignedHeaders = splitAppend(s.headersBuf[:0], s.signedHeadersRaw, ';')
	return s, nil
}

func parseAmzDate(v string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, v)
	if err != nil {
		return t, errorf(CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '"+v+"'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	return t, nil
}

// setAmzDate sets the time as signed, reusing the X-Amz-Date text.
func (s *Signed) setAmzDate(sent string) {
	var buf [len(TimeFormat)]byte
	if b := s.Date.AppendFormat(buf[:0], TimeFormat); string(b) == sent {
		s.amzDate = sent
	} else {
		s.amzDate = string(b)
	}
}

func splitAppend(dst []string, s string, sep byte) []string {
	for {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

// setCredential checks AKID/YYYYMMDD/region/service/aws4_request against
// s.amzDate and fills in the key and the scope.
func (s *Signed) setCredential(cred string) error {
	if strings.Count(cred, "/") != 4 {
		return errorf(CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+cred+"'")
	}
	var parts [5]string
	splitAppend(parts[:0], cred, '/')
	date, region, service, term := parts[1], parts[2], parts[3], parts[4]
	switch {
	case term != terminator:
		return errorf(CodeSignatureDoesNotMatch, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+term+"'. ")
	case region == "":
		return errorf(CodeSignatureDoesNotMatch, "Credential should be scoped to a valid region, not ''. ")
	case date != s.amzDate[:8]:
		return errorf(CodeSignatureDoesNotMatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			date+"' != '"+s.amzDate[:8]+"', from '"+s.amzDate+"'.")
	}
	s.AccessKeyID, s.Region, s.Service = parts[0], region, service
	s.scope = cred[len(parts[0])+1:]
	return nil
}

// checkSignedHeaders requires host and every x-amz-* header to be signed.
func checkSignedHeaders(r *http.Request, s *Signed) error {
	signed := func(name string) bool {
		for _, h := range s.SignedHeaders {
			if strings.EqualFold(h, name) {
				return true
			}
		}
		return false
	}
	if !signed("host") {
		return errorf(CodeIncompleteSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	for k := range r.Header {
		if len(k) > 6 && strings.EqualFold(k[:6], "x-amz-") && !signed(k) {
			return errorf(CodeIncompleteSignature, "'"+strings.ToLower(k)+"' must be a 'SignedHeader' in the AWS Authorization.")
		}
	}
	return nil
}

// checkTime applies AWS's clock-skew window (skew either way), and a
// presigned request's expiry. Times have whole seconds, so now is
// truncated to the second.
func checkTime(s *Signed, now time.Time, skew time.Duration) error {
	now = now.UTC().Truncate(time.Second)
	ts := s.amzDate
	mins := strconv.Itoa(int(skew / time.Minute))
	if late := now.Add(skew); s.Date.After(late) {
		return errorf(CodeSignatureDoesNotMatch, "Signature not yet current: "+ts+" is still later than "+
			late.Format(TimeFormat)+" ("+now.Format(TimeFormat)+" + "+mins+" min.)")
	}
	if s.Presigned {
		if exp := s.Date.Add(s.Expires); now.After(exp) {
			return errorf(CodeRequestExpired, "Request has expired: it was valid until "+exp.Format(TimeFormat)+
				" (X-Amz-Date "+ts+" + X-Amz-Expires "+strconv.FormatInt(int64(s.Expires/time.Second), 10)+
				" s) and it is now "+now.Format(TimeFormat)+".")
		}
		return nil
	}
	if early := now.Add(-skew); s.Date.Before(early) {
		return errorf(CodeSignatureDoesNotMatch, "Signature expired: "+ts+" is now earlier than "+
			early.Format(TimeFormat)+" ("+now.Format(TimeFormat)+" - "+mins+" min.)")
	}
	return nil
}

// The SigV4 query parameters, indexed.
const (
	iAlgorithm = iota
	iCredential
	iDate
	iExpires
	iSecurityToken
	iSignedHeaders
	iSignature
	nAuthQuery
)

var authQueryNames = [nAuthQuery]string{qAlgorithm, qCredential, qDate, qExpires, qSecurityToken, qSignedHeaders, qSignature}

type authQuery [nAuthQuery]struct {
	value string
	set   bool
}

// scan picks the SigV4 parameters out of a raw query string. A parameter
// given twice is refused: which one counts would be ambiguous.
func (q *authQuery) scan(raw string) error {
	if !strings.Contains(raw, "X-Amz-") {
		return nil
	}
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		k = unescape(k)
		for i, name := range authQueryNames {
			if k != name {
				continue
			}
			if q[i].set {
				return errorf(CodeIncompleteSignature, "The query-string parameter '"+name+"' must not appear more than once.")
			}
			q[i].value, q[i].set = unescape(v), true
		}
	}
	return nil
}
