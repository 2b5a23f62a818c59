package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keyward/keyward/policy"
)

// The conformance corpus: testdata/cases/*.json, one case per file, run by
// this one loop. An evaluation case holds a `keyward policy eval` request and
// the decision, matched statements and missing context values AWS would give;
// a parse case holds a policy text and the error it must draw (or null).
type corpusCase struct {
	Description string          `json:"description"`
	Doc         string          `json:"doc"`
	Request     json.RawMessage `json:"request"`
	Want        *struct {
		Decision          string        `json:"decision"`
		MatchedStatements []matchedJSON `json:"matchedStatements"`
		Missing           []string      `json:"missingContextValues"`
	} `json:"want"`
	PolicyType string          `json:"policyType"`
	Policy     *string         `json:"policy"`
	WantError  json.RawMessage `json:"wantError"`
}

type matchedJSON struct {
	SourcePolicyID   string `json:"sourcePolicyId"`
	SourcePolicyType string `json:"sourcePolicyType"`
	Sid              string `json:"sid"`
}

func loadCorpus(t *testing.T) map[string]corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := make(map[string]corpusCase, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c corpusCase
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases[strings.TrimSuffix(filepath.Base(f), ".json")] = c
	}
	return cases
}

func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 300 {
		t.Errorf("the corpus has %d cases, want at least 300", len(cases))
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			switch {
			case c.Policy != nil:
				runParseCase(t, c)
			case c.Request != nil && c.Want != nil:
				runEvalCase(t, c)
			default:
				t.Fatalf("case has neither request+want nor policy+wantError")
			}
		})
	}
}

func runEvalCase(t *testing.T, c corpusCase) {
	in, err := policy.DecodeInput(c.Request)
	if err != nil {
		t.Fatalf("DecodeInput: %v", err)
	}
	var res policy.Result
	in.Policies.Evaluate(&in.Request, &res)
	if got := res.Decision.String(); got != c.Want.Decision {
		t.Errorf("decision = %s, want %s (%s)", got, c.Want.Decision, c.Description)
	}
	var got []matchedJSON
	for _, m := range res.Matched {
		got = append(got, matchedJSON{m.PolicyID, m.Type.String(), m.Sid})
	}
	key := func(m matchedJSON) string { return m.SourcePolicyType + "/" + m.SourcePolicyID + "/" + m.Sid }
	cmpSet := func(a, b []matchedJSON) bool {
		ka, kb := make([]string, 0, len(a)), make([]string, 0, len(b))
		for _, m := range a {
			ka = append(ka, key(m))
		}
		for _, m := range b {
			kb = append(kb, key(m))
		}
		slices.Sort(ka)
		slices.Sort(kb)
		return slices.Equal(ka, kb)
	}
	if !cmpSet(got, c.Want.MatchedStatements) {
		t.Errorf("matchedStatements = %+v, want %+v", got, c.Want.MatchedStatements)
	}
	gotMissing := slices.Clone(res.Missing)
	wantMissing := slices.Clone(c.Want.Missing)
	slices.Sort(gotMissing)
	slices.Sort(wantMissing)
	if !slices.Equal(gotMissing, wantMissing) {
		t.Errorf("missingContextValues = %q, want %q", gotMissing, wantMissing)
	}
	// The simulator, the server and the CLI share one engine; Decide must agree.
	if d := in.Policies.Decide(&in.Request); d != res.Decision {
		t.Errorf("Decide = %s, Evaluate = %s", d, res.Decision)
	}
}

func runParseCase(t *testing.T, c corpusCase) {
	typ, ok := policy.ParseType(c.PolicyType)
	if !ok {
		t.Fatalf("unknown policyType %q", c.PolicyType)
	}
	doc, err := policy.Parse([]byte(*c.Policy), typ)
	var want *struct {
		Path     string `json:"path"`
		Contains string `json:"contains"`
	}
	if len(c.WantError) > 0 && string(c.WantError) != "null" {
		if err := json.Unmarshal(c.WantError, &want); err != nil {
			t.Fatalf("wantError: %v", err)
		}
	}
	if want == nil {
		if err != nil {
			t.Fatalf("Parse = %v, want no error (%s)", err, c.Description)
		}
		return
	}
	if err == nil {
		t.Fatalf("Parse = %d statements and no error, want an error at %s containing %q (%s)", len(doc.Statements), want.Path, want.Contains, c.Description)
	}
	if doc != nil {
		t.Errorf("Parse returned a document with its error")
	}
	pe, ok := err.(*policy.ParseError)
	if !ok {
		t.Fatalf("Parse error is %T, want *policy.ParseError", err)
	}
	if want.Path != "" && pe.Path != want.Path {
		t.Errorf("error path = %q, want %q (error: %v)", pe.Path, want.Path, err)
	}
	if !strings.Contains(strings.ToLower(pe.Error()), strings.ToLower(want.Contains)) {
		t.Errorf("error = %q, want it to contain %q", pe.Error(), want.Contains)
	}
	if pe.Line < 1 || pe.Column < 1 {
		t.Errorf("error position = %d:%d, want a real line and column", pe.Line, pe.Column)
	}
}
