package guard_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/guard"
	"github.com/keyward/keyward/sigv4"
)

// A service whose clients sign for "notes" puts its handler behind Guard:
// GET /notes/NAME needs notes:GetNote on the note's ARN.
func ExampleGuard() {
	g := &guard.Guard{
		Client: &guard.Client{
			Endpoint:    "http://127.0.0.1:4599",
			Credentials: sigv4.Credentials{AccessKeyID: "AKIA...", SecretAccessKey: "..."}, // the service's own
			TTL:         5 * time.Second,
		},
		Service: "notes",
		Map: func(r *http.Request) ([]authorize.Query, error) {
			name, ok := strings.CutPrefix(r.URL.Path, "/notes/")
			if !ok || r.Method != http.MethodGet {
				return nil, fmt.Errorf("unknown operation %s %s", r.Method, r.URL.Path)
			}
			return []authorize.Query{{Action: "notes:GetNote", Resource: "arn:aws:notes:::note/" + name}}, nil
		},
	}
	notes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s\n", guard.Principal(r.Context()).ARN)
	})
	_ = http.ListenAndServe // http.ListenAndServe("127.0.0.1:8080", g.Wrap(notes))
	_ = g.Wrap(notes)
}
