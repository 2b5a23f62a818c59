package authorize

import (
	"net/http"
	"net/url"
	"testing"
)

// FuzzForward: no configuration or original request makes the forward-auth
// parsing panic, and a resolved route never carries a dot segment.
func FuzzForward(f *testing.F) {
	f.Add(`{"service":"s","routes":[{"match":"GET /items/{key...}","action":"s:Get","resource":"arn:aws:s:::item/{key}"}]}`, "GET", "/items/a/b?x=1")
	f.Add(`{"service":"s","routes":[{"match":"/{a}/{b}","action":"s:X","context":{"k":["{query:q}","{header:H}"]}}]}`, "PUT", "/x/%2E%2E?q=%zz")
	f.Add(`{"service":"s","routes":[{"match":"h.example/{$}","action":"s:X"}]}`, "GET", "/")
	f.Fuzz(func(t *testing.T, config, method, uri string) {
		c, err := ParseConfig([]byte(config))
		if err != nil {
			return
		}
		u, err := url.ParseRequestURI(uri)
		if err != nil || !validMethod(method) {
			return
		}
		r := &http.Request{Method: method, URL: u, RequestURI: uri, Host: "h.example", Header: http.Header{"H": {"v"}}}
		if _, resource, _, ok := c.Resolve(r); ok && resource == "" {
			t.Errorf("resolve(%s %s) = ok with an empty resource", method, uri)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
