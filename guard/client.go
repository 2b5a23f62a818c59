package guard

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/sigv4"
)

// Client calls Keyward's authorize API with the service's own credentials.
// Its zero TTL disables the cache. It is safe for concurrent use.
type Client struct {
	// Endpoint is Keyward's base URL, such as http://127.0.0.1:4599.
	Endpoint    string
	Credentials sigv4.Credentials
	Region      string // of the service's signature; default us-east-1
	HTTPClient  *http.Client
	// TTL is how long a client's signing key and its decisions are reused.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxEntries bounds the cache (default 10,000); a full cache starts
	// over.
	MaxEntries int

	mu        sync.Mutex
	keys      map[string]keyEntry      // access key, token and scope -> signing key and principal
	decisions map[string]decisionEntry // keys entry, action, resource, context -> decision
}

type keyEntry struct {
	key       []byte
	principal *authorize.Principal
	expires   time.Time
}

type decisionEntry struct {
	d       authorize.Decision
	expires time.Time
}

// Error is an error from the authorize API itself (the service's call was
// refused or failed), with AWS's code.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("keyward authorize: %d %s: %s", e.Status, e.Code, e.Message)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Authorize sends one authorize call, without the cache.
func (c *Client) Authorize(ctx context.Context, in *authorize.Input) (*authorize.Output, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.Endpoint, "/")+authorize.Path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	if err := sigv4.Sign(req, body, c.Credentials, region, authorize.SigningService, c.now()); err != nil {
		return nil, err
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error authorize.Error }
		json.Unmarshal(data, &e)
		return nil, &Error{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	out := new(authorize.Output)
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("keyward authorize: reading the answer: %w", err)
	}
	return out, nil
}

// Check verifies the client's request r (whose body, already read, hashes
// to payloadHash) and decides queries: from the cache when every part of the
// answer is there and the signature checks out with the cached key, else
// through Authorize.
func (c *Client) Check(ctx context.Context, service, pathStyle string, r *http.Request, payloadHash string, queries []authorize.Query) (*authorize.Output, error) {
	now := c.now()
	var keyID string
	if c.TTL > 0 {
		if signed, err := sigv4.Parse(r, now); err == nil && signed.Service == service {
			keyID = signed.AccessKeyID + "\x00" + signed.SessionToken + "\x00" + signed.Scope()
			if out := c.cached(r, signed, keyID, pathStyle, payloadHash, queries, now); out != nil {
				return out, nil
			}
		}
	}
	in := &authorize.Input{Service: service, PathStyle: pathStyle, Request: wireRequest(r, payloadHash), Decisions: queries, SigningKey: c.TTL > 0}
	out, err := c.Authorize(ctx, in)
	if err != nil {
		return nil, err
	}
	if c.TTL > 0 && keyID != "" && out.Authenticated && out.SigningKey != nil {
		c.remember(keyID, out, queries, now)
	}
	return out, nil
}

func (c *Client) cached(r *http.Request, signed *sigv4.Signed, keyID, pathStyle, payloadHash string, queries []authorize.Query, now time.Time) *authorize.Output {
	c.mu.Lock()
	ke, ok := c.keys[keyID]
	if !ok || now.After(ke.expires) {
		c.mu.Unlock()
		return nil
	}
	out := &authorize.Output{Authenticated: true, Principal: ke.principal, Allowed: len(queries) > 0, Decisions: make([]authorize.Decision, len(queries))}
	for i := range queries {
		de, ok := c.decisions[decisionKey(keyID, &queries[i])]
		if !ok || now.After(de.expires) {
			c.mu.Unlock()
			return nil
		}
		out.Decisions[i] = de.d
		out.Allowed = out.Allowed && de.d.Decision == "allowed"
	}
	c.mu.Unlock()
	o := sigv4.Options{Payload: sigv4.PayloadHash, Hash: payloadHash, S3: pathStyle == "s3"}
	if sigv4.VerifyKey(r, nil, signed, ke.key, o) != nil {
		return nil // let Keyward say what is wrong
	}
	out.SigningKey = &authorize.Key{Key: hex.EncodeToString(ke.key), SeedSignature: signed.Signature, Date: signed.AmzDate(), Scope: signed.Scope()}
	return out
}

func (c *Client) remember(keyID string, out *authorize.Output, queries []authorize.Query, now time.Time) {
	key, err := hex.DecodeString(out.SigningKey.Key)
	if err != nil || len(key) != 32 {
		return
	}
	exp := now.Add(c.TTL)
	max := c.MaxEntries
	if max <= 0 {
		max = 10000
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= max || len(c.decisions) >= max {
		c.keys, c.decisions = make(map[string]keyEntry), make(map[string]decisionEntry)
	}
	c.keys[keyID] = keyEntry{key: key, principal: out.Principal, expires: exp}
	for i := range queries {
		if i < len(out.Decisions) {
			c.decisions[decisionKey(keyID, &queries[i])] = decisionEntry{d: out.Decisions[i], expires: exp}
		}
	}
}

// decisionKey identifies a query for one signing identity. Resource
// policies are part of it: the same request may be decided differently
// under another policy.
func decisionKey(keyID string, q *authorize.Query) string {
	var b strings.Builder
	b.WriteString(keyID)
	b.WriteByte(0)
	b.WriteString(q.Action)
	b.WriteByte(0)
	b.WriteString(q.Resource)
	b.WriteByte(0)
	keys := make([]string, 0, len(q.Context))
	for k := range q.Context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k)
		for _, v := range q.Context[k] {
			b.WriteByte(1)
			b.WriteString(v)
		}
		b.WriteByte(0)
	}
	b.Write(q.ResourcePolicy)
	return b.String()
}

// wireRequest describes a request a server received, as the authorize API
// wants it.
func wireRequest(r *http.Request, payloadHash string) authorize.ClientRequest {
	path, query, _ := strings.Cut(r.RequestURI, "?")
	if path == "" || path[0] != '/' {
		path, query = r.URL.EscapedPath(), r.URL.RawQuery
	}
	h := make(map[string]authorize.Values, len(r.Header)+1)
	for k, vs := range r.Header {
		h[k] = vs
	}
	if _, ok := h["Content-Length"]; !ok && r.ContentLength > 0 {
		h["Content-Length"] = authorize.Values{fmt.Sprint(r.ContentLength)}
	}
	cr := authorize.ClientRequest{Method: r.Method, Path: path, Query: query, Host: r.Host, Headers: h,
		PayloadHash: payloadHash, SecureTransport: r.TLS != nil}
	if host, _, err := splitHostPort(r.RemoteAddr); err == nil {
		cr.SourceIP = host
	}
	return cr
}
