package authorize

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
)

// Config maps the requests a reverse proxy asks about to decisions. It is
// read from a JSON file (LoadConfig):
//
//	{
//	  "service": "kvstore",
//	  "routes": [
//	    {"match": "GET /kv/{key...}", "action": "kvstore:GetItem",
//	     "resource": "arn:aws:kvstore:::item/{key}"},
//	    {"match": "PUT /kv/{key...}", "action": "kvstore:PutItem",
//	     "resource": "arn:aws:kvstore:::item/{key}",
//	     "context": {"kvstore:ContentType": "{header:Content-Type}"}}
//	  ]
//	}
//
// Match is a net/http ServeMux pattern ("[METHOD ][HOST]/PATH", with
// {name} and {name...} wildcards; the most specific pattern wins). Resource
// and context values may use the pattern's wildcards as {name}, and
// {header:Name} and {query:name} for a header or query value of the
// original request. A request no route matches is denied (403).
type Config struct {
	// Service is the credential scope service clients sign for.
	Service string `json:"service"`
	// PathStyle "s3": clients sign the path as S3 does.
	PathStyle string  `json:"pathStyle,omitempty"`
	Routes    []Route `json:"routes"`

	mux *http.ServeMux
}

// Route maps requests that Match matches to one decision.
type Route struct {
	Match    string            `json:"match"`
	Action   string            `json:"action"`
	Resource string            `json:"resource"`
	Context  map[string]Values `json:"context,omitempty"`
}

// LoadConfig reads and checks a forward-auth configuration file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(data)
}

var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// ParseConfig reads and checks a forward-auth configuration.
func ParseConfig(data []byte) (c *Config, err error) {
	c = new(Config)
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("forward-auth config: %w", err)
	}
	if c.Service == "" {
		return nil, errors.New(`forward-auth config: "service" (the service clients sign for) is required`)
	}
	if c.PathStyle != "" && c.PathStyle != "s3" {
		return nil, errors.New(`forward-auth config: "pathStyle" must be "s3" or absent`)
	}
	c.mux = http.NewServeMux()
	defer func() {
		// ServeMux panics on malformed or conflicting patterns.
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("forward-auth config: %v", p)
		}
	}()
	for i := range c.Routes {
		rt := &c.Routes[i]
		if rt.Action == "" || !strings.Contains(rt.Action, ":") {
			return nil, fmt.Errorf("forward-auth config: routes[%d] (%q): action must be service:Action", i, rt.Match)
		}
		if rt.Resource == "" {
			rt.Resource = "*"
		}
		c.mux.Handle(rt.Match, routeHandler(i))
	}
	return c, nil
}

// routeHandler reports which route matched, with its wildcards.
type routeHandler int

type routeMatch struct {
	route int
	r     *http.Request
}

// matchWriter receives what the mux writes for no match (404 or 405),
// and discards it.
type matchWriter struct {
	m *routeMatch
	h http.Header
}

func (w *matchWriter) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header)
	}
	return w.h
}
func (w *matchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *matchWriter) WriteHeader(int)             {}

func (i routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if mw, ok := w.(*matchWriter); ok {
		mw.m.route, mw.m.r = int(i), r
	}
}

// resolve finds the route for r and fills its placeholders.
func (c *Config) Resolve(r *http.Request) (action, resource string, ctx map[string][]string, ok bool) {
	m := routeMatch{route: -1}
	c.mux.ServeHTTP(&matchWriter{m: &m}, r)
	if m.route < 0 {
		return "", "", nil, false
	}
	rt := &c.Routes[m.route]
	dotted := false
	fill := func(s string) string {
		if !strings.Contains(s, "{") {
			return s
		}
		return placeholder.ReplaceAllStringFunc(s, func(p string) string {
			name := p[1 : len(p)-1]
			switch {
			case strings.HasPrefix(name, "header:"):
				return r.Header.Get(name[len("header:"):])
			case strings.HasPrefix(name, "query:"):
				return r.URL.Query().Get(name[len("query:"):])
			}
			v := m.r.PathValue(name)
			dotted = dotted || hasDotSegment(v)
			return v
		})
	}
	if len(rt.Context) > 0 {
		ctx = make(map[string][]string, len(rt.Context))
		for k, vs := range rt.Context {
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = fill(v)
			}
			ctx[k] = out
		}
	}
	resource = fill(rt.Resource)
	if dotted {
		// "%2E%2E" or ".." inside an escaped slash ("a%2F..%2Fb") would name
		// another resource than the one an upstream that normalizes paths
		// serves: refuse rather than guess.
		return "", "", nil, false
	}
	return rt.Action, resource, ctx, true
}

func hasDotSegment(v string) bool {
	for seg := range strings.SplitSeq(v, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// Response headers of an allowed forward-auth request, for the proxy to
// pass to the upstream (nginx: auth_request_set).
const (
	HeaderPrincipalARN  = "X-Keyward-Principal-Arn"
	HeaderPrincipalType = "X-Keyward-Principal-Type"
	HeaderAccountID     = "X-Keyward-Account-Id"
	HeaderUserID        = "X-Keyward-User-Id"
	HeaderAccessKeyID   = "X-Keyward-Access-Key-Id"
	HeaderSessionName   = "X-Keyward-Session-Name"
	HeaderAction        = "X-Keyward-Action"
	HeaderResource      = "X-Keyward-Resource"
	HeaderErrorCode     = "X-Keyward-Error-Code"
)
