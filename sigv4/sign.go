package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// trace is what a signature was computed from, for tests.
type trace struct {
	canonicalRequest, stringToSign []byte
	signature                      string
}

// Sign signs r in the Authorization header at time t: it sets X-Amz-Date,
// X-Amz-Security-Token (for temporary credentials) and Authorization, and
// signs host and every other header already set, except a few that proxies
// and transports change (User-Agent, Expect, Connection, Transfer-Encoding,
// X-Amzn-Trace-Id). body is the request body, which Sign does not read
// from r. The path is normalized as IAM and STS do.
func Sign(r *http.Request, body []byte, creds Credentials, region, service string, t time.Time) error {
	_, err := sign(r, body, creds, region, service, t, true)
	return err
}

func sign(r *http.Request, body []byte, creds Credentials, region, service string, t time.Time, normalize bool) (*trace, error) {
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" || region == "" || service == "" {
		return nil, errors.New("sigv4: signing needs an access key, a secret, a region and a service")
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	amzDate := t.UTC().Format(TimeFormat)
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	if creds.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	}
	names := headersToSign(r)
	path, rawQuery := target(r)
	scope := amzDate[:8] + "/" + region + "/" + service + "/" + terminator
	sg := signing{
		path:             path,
		rawQuery:         rawQuery,
		normalize:        normalize,
		signedHeaders:    names,
		signedHeadersRaw: strings.Join(names, ";"),
		amzDate:          amzDate,
		scope:            scope,
	}
	if err := sg.setPayload(r, body); err != nil {
		return nil, err
	}
	var key [32]byte
	signingKey(&key, creds.SecretAccessKey, amzDate[:8], region, service)
	sig, creq, sts := sg.sign(r, &key, nil, nil)
	r.Header.Set("Authorization", Algorithm+" Credential="+creds.AccessKeyID+"/"+scope+
		", SignedHeaders="+sg.signedHeadersRaw+", Signature="+string(sig[:]))
	return &trace{creq, sts, string(sig[:])}, nil
}

// Presign returns r's URL signed in the query string at time t, valid for
// expires (1 s to 7 days, whole seconds). It signs host and the headers
// already set on r (as Sign does), which the caller must then send
// unchanged; body is hashed as the payload. r is not modified.
func Presign(r *http.Request, body []byte, creds Credentials, region, service string, t time.Time, expires time.Duration) (*url.URL, error) {
	u, _, err := presign(r, body, creds, region, service, t, expires, true)
	return u, err
}

func presign(r *http.Request, body []byte, creds Credentials, region, service string, t time.Time, expires time.Duration, normalize bool) (*url.URL, *trace, error) {
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" || region == "" || service == "" {
		return nil, nil, errors.New("sigv4: presigning needs an access key, a secret, a region and a service")
	}
	if expires < time.Second || expires > MaxExpires || expires%time.Second != 0 {
		return nil, nil, errors.New("sigv4: a presigned request expires after a whole number of seconds from 1 to 604800, not " + expires.String())
	}
	amzDate := t.UTC().Format(TimeFormat)
	scope := amzDate[:8] + "/" + region + "/" + service + "/" + terminator
	names := headersToSign(r)
	signedHeaders := strings.Join(names, ";")
	path, rawQuery := target(r)

	// Keep the caller's parameters as they are, minus any earlier signature.
	var q []byte
	for part := range strings.SplitSeq(rawQuery, "&") {
		k, _, _ := strings.Cut(part, "=")
		if part == "" || slices.Contains(authQueryNames[:], unescape(k)) {
			continue
		}
		q = append(q, part...)
		q = append(q, '&')
	}
	q = append(q, qAlgorithm+"="+Algorithm+"&"+qCredential+"="...)
	q = appendEscaped(q, creds.AccessKeyID+"/"+scope, false)
	q = append(q, "&"+qDate+"="+amzDate+"&"+qSignedHeaders+"="...)
	q = appendEscaped(q, signedHeaders, false)
	q = append(q, "&"+qExpires+"="...)
	q = strconv.AppendInt(q, int64(expires/time.Second), 10)
	if creds.SessionToken != "" {
		q = append(q, "&"+qSecurityToken+"="...)
		q = appendEscaped(q, creds.SessionToken, false)
	}
	sg := signing{
		path:             path,
		rawQuery:         string(q),
		presigned:        true,
		normalize:        normalize,
		signedHeaders:    names,
		signedHeadersRaw: signedHeaders,
		amzDate:          amzDate,
		scope:            scope,
	}
	if err := sg.setPayload(r, body); err != nil {
		return nil, nil, err
	}
	var key [32]byte
	signingKey(&key, creds.SecretAccessKey, amzDate[:8], region, service)
	sig, creq, sts := sg.sign(r, &key, nil, nil)
	u := new(url.URL)
	if r.URL != nil {
		*u = *r.URL
	}
	u.RawQuery = sg.rawQuery + "&" + qSignature + "=" + string(sig[:])
	u.ForceQuery = false
	return u, &trace{creq, sts, string(sig[:])}, nil
}

// unsignedHeaders are left out by Sign and Presign: proxies and transports
// add or change them.
var unsignedHeaders = []string{"authorization", "connection", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"}

// headersToSign lists host and r's headers, lower-case and sorted.
func headersToSign(r *http.Request) []string {
	names := []string{"host"}
	for k := range r.Header {
		k = strings.ToLower(k)
		if k != "host" && !slices.Contains(unsignedHeaders, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
