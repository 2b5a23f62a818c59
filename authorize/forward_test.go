package authorize

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestConfig_Resolve(t *testing.T) {
	c, err := ParseConfig([]byte(`{"service":"kv","routes":[
		{"match":"GET /items/{key...}","action":"kv:GetItem","resource":"arn:aws:kv:::item/{key}"},
		{"match":"GET /items/{$}","action":"kv:ListItems","resource":"arn:aws:kv:::item","context":{"kv:prefix":"{query:prefix}"}},
		{"match":"PUT /t/{table}/{id}","action":"kv:PutItem","resource":"arn:aws:kv:::table/{table}/{id}","context":{"kv:type":["{header:Content-Type}","x"]}},
		{"match":"GET admin.example/","action":"kv:Admin"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, target, host, contentType string
		action, resource                        string
		ctx                                     map[string][]string
		ok                                      bool
	}{
		{"rest wildcard", "GET", "/items/a/b%20c", "x", "", "kv:GetItem", "arn:aws:kv:::item/a/b c", nil, true},
		{"query placeholder", "GET", "/items/?prefix=p%2F", "x", "", "kv:ListItems", "arn:aws:kv:::item", map[string][]string{"kv:prefix": {"p/"}}, true},
		{"header placeholder", "PUT", "/t/users/7", "x", "text/plain", "kv:PutItem", "arn:aws:kv:::table/users/7", map[string][]string{"kv:type": {"text/plain", "x"}}, true},
		{"host pattern, default resource", "GET", "/", "admin.example", "", "kv:Admin", "*", nil, true},
		{"no route for the method", "DELETE", "/items/a", "x", "", "", "", nil, false},
		{"no route for the path", "GET", "/other", "x", "", "", "", nil, false},
		{"a cleaned path is no match", "GET", "/items/../secret", "x", "", "", "", nil, false},
		{"dot segments hidden in escaped slashes", "GET", "/items/alice%2F..%2Fbob", "x", "", "", "", nil, false},
		{"escaped dots", "GET", "/items/alice/%2E%2E/bob", "x", "", "", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(tt.method, "http://"+tt.host+tt.target, nil)
			r.RequestURI = tt.target
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			action, resource, ctx, ok := c.Resolve(r)
			if ok != tt.ok || action != tt.action || resource != tt.resource || !equalContext(ctx, tt.ctx) {
				t.Errorf("resolve(%s %s) = %q, %q, %v, %v; want %q, %q, %v, %v", tt.method, tt.target, action, resource, ctx, ok,
					tt.action, tt.resource, tt.ctx, tt.ok)
			}
		})
	}
}

func equalContext(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestValues_UnmarshalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{`"a"`, []string{"a"}, ""},
		{`["a","b"]`, []string{"a", "b"}, ""},
		{`[]`, []string{}, ""},
		{`3`, nil, "string or a list"},
		{`[1]`, nil, "string or a list"},
	}
	for _, tt := range tests {
		var v Values
		err := json.Unmarshal([]byte(tt.in), &v)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Unmarshal(%s) = %v, %v; want an error containing %q", tt.in, v, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(v, tt.want) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", tt.in, v, err, tt.want)
		}
	}
}
