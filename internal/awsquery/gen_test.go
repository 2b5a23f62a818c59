package awsquery

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

var (
	update = flag.Bool("update", false, "rewrite the generated tables (model_tables.go, ../codes.go) from the models in testdata/botocore")
	vendor = flag.Bool("vendor", false, "with -update: first copy the installed botocore's IAM and STS models into testdata/botocore")
)

// modelsDir holds the vendored models (see its README.md).
const modelsDir = "testdata/botocore"

// Generated files, relative to this package.
const (
	tablesFile = "model_tables.go"
	codesFile  = "../../codes.go"
)

// modelServices are the models read, with the prefix of their Go names.
var modelServices = []struct {
	prefix, dir, version string
}{
	{"iam", "iam/2010-05-08", VersionIAM},
	{"sts", "sts/2011-06-15", VersionSTS},
}

// commonErrors are the errors any AWS Query service may return, which no
// model lists, with their statuses: AWS's "Common Errors" pages of the IAM
// and STS API references (docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html,
// docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html), what
// AWS was seen to answer, and the few codes of Keyward's own.
var commonErrors = []struct {
	code   string
	status int
	source string
}{
	// 403 on IAM and STS; the generic common-errors page lists
	// AccessDeniedException, a different code, as 400.
	{"AccessDenied", 403, "IAM and STS"},
	{"ExpiredToken", 403, "common"},
	{"IncompleteSignature", 400, "common"},
	{"InternalFailure", 500, "common"},
	{"InvalidAction", 400, "common"},
	{"InvalidClientTokenId", 403, "common"},
	{"InvalidParameterCombination", 400, "common"},
	{"InvalidParameterValue", 400, "common"},
	{"InvalidQueryParameter", 400, "common"},
	{"MalformedQueryString", 404, "common"},
	{"MissingAction", 400, "common"},
	{"MissingAuthenticationToken", 403, "common"},
	{"MissingParameter", 400, "common"},
	{"OptInRequired", 403, "common"},
	{"RequestExpired", 400, "common"},
	{"ServiceUnavailable", 503, "common"},
	{"SignatureDoesNotMatch", 403, "common"},
	{"Throttling", 400, "common"},
	{"ValidationError", 400, "common"},
	// STS answers an unparsable number or boolean with it.
	{"MalformedInput", 400, "observed on STS"},
	// Keyward's: AWS sends 413 with no body, and has no 405.
	{"RequestEntityTooLarge", 413, "Keyward: a body over the server's limit"},
	{"MethodNotAllowed", 405, "Keyward: a method other than GET and POST"},
}

// TestGenerated regenerates the tables from the vendored models and fails
// on any difference from the checked-in files; with -update it rewrites
// them (and with -vendor it first refreshes the models from the installed
// botocore). It is the test that the tables say what the models say.
func TestGenerated(t *testing.T) {
	if *vendor {
		if !*update {
			t.Fatal("-vendor needs -update")
		}
		vendorBotocore(t)
	}
	version := botocoreVersion(t)
	var models []*model
	for _, svc := range modelServices {
		models = append(models, readModel(t, svc.prefix, svc.version, filepath.Join(modelsDir, svc.dir, "service-2.json.gz")))
	}
	tables, err := genTables(models, version)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := genCodes(models, version)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		file string
		src  []byte
	}{{tablesFile, tables}, {codesFile, codes}} {
		src, err := format.Source(g.src)
		if err != nil {
			t.Fatalf("generated %s does not parse: %v\n%s", g.file, err, g.src)
		}
		if *update {
			if err := os.WriteFile(g.file, src, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		have, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, src) {
			t.Errorf("%s differs from what botocore %s's models in %s say (first difference at line %d); run go generate ./awsquery",
				g.file, version, modelsDir, firstDiffLine(have, src))
		}
	}
}

func firstDiffLine(a, b []byte) int {
	line := 1
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return line
		}
		if a[i] == '\n' {
			line++
		}
	}
	return line
}

var versionLine = regexp.MustCompile(`(?m)^Version: botocore (\S+)$`)

// botocoreVersion reads the vendored models' version from the README.
func botocoreVersion(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(modelsDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := versionLine.FindSubmatch(readme)
	if m == nil {
		t.Fatalf("%s/README.md has no line %q", modelsDir, "Version: botocore X.Y.Z")
	}
	return string(m[1])
}

// vendorBotocore copies the installed botocore's models, licence and
// notice into modelsDir and records its version in the README. The data
// directory is $BOTOCORE_DATA or the installed Python package's.
func vendorBotocore(t *testing.T) {
	t.Helper()
	data := os.Getenv("BOTOCORE_DATA")
	version := os.Getenv("BOTOCORE_VERSION")
	var distInfo string
	if data == "" || version == "" {
		out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__));print(botocore.__version__)").Output()
		if err != nil {
			t.Fatalf("finding the installed botocore (or set BOTOCORE_DATA and BOTOCORE_VERSION): %v", err)
		}
		lines := strings.Fields(string(out))
		if len(lines) != 2 {
			t.Fatalf("python3 printed %q, want botocore's directory and version", out)
		}
		if data == "" {
			data = filepath.Join(lines[0], "data")
		}
		if version == "" {
			version = lines[1]
		}
		distInfo = filepath.Join(filepath.Dir(lines[0]), "botocore-"+lines[1]+".dist-info")
	}
	copyFile := func(from, to string) {
		t.Helper()
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, svc := range modelServices {
		copyFile(filepath.Join(data, svc.dir, "service-2.json.gz"), filepath.Join(modelsDir, svc.dir, "service-2.json.gz"))
	}
	for _, name := range []string{"LICENSE.txt", "NOTICE"} {
		if _, err := os.Stat(filepath.Join(distInfo, name)); err == nil {
			copyFile(filepath.Join(distInfo, name), filepath.Join(modelsDir, name))
		} else {
			t.Logf("kept %s: botocore's distribution has none at %s", name, distInfo)
		}
	}
	readmePath := filepath.Join(modelsDir, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme = versionLine.ReplaceAll(readme, []byte("Version: botocore "+version))
	if err := os.WriteFile(readmePath, readme, 0o644); err != nil {
		t.Fatal(err)
	}
}

// model is what the generator reads of one service model.
type model struct {
	prefix, version string
	operations      []operationRef // sorted by name
	shapes          map[string]json.RawMessage
	errors          []modelError
}

type operationRef struct{ name, input string }

type modelError struct {
	code   string
	status int
	shape  string
}

// botoShape is the part of a botocore shape the tables use.
type botoShape struct {
	Type      string      `json:"type"`
	Min       *int64      `json:"min"`
	Max       *int64      `json:"max"`
	Pattern   string      `json:"pattern"`
	Enum      []string    `json:"enum"`
	Sensitive bool        `json:"sensitive"`
	Member    *botoRef    `json:"member"`
	Members   orderedRefs `json:"members"`
	Required  []string    `json:"required"`
	Exception bool        `json:"exception"`
	Error     *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
	} `json:"error"`
}

type botoRef struct {
	Shape string `json:"shape"`
	keys  []string
}

func (r *botoRef) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for k := range raw {
		r.keys = append(r.keys, k)
	}
	type plain botoRef
	return json.Unmarshal(b, (*plain)(r))
}

// orderedRefs are a structure's members in the model's order, which is
// the order AWS checks and reports them in (encoding/json's maps lose it).
type orderedRefs []struct {
	name string
	ref  botoRef
}

func (o *orderedRefs) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("members: want an object, got %v (%v)", tok, err)
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		var ref botoRef
		if err := d.Decode(&ref); err != nil {
			return err
		}
		*o = append(*o, struct {
			name string
			ref  botoRef
		}{tok.(string), ref})
	}
	_, err := d.Token()
	return err
}

func readModel(t *testing.T, prefix, version, path string) *model {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Metadata struct {
			APIVersion string `json:"apiVersion"`
			Protocol   string `json:"protocol"`
		} `json:"metadata"`
		Operations map[string]struct {
			Input *struct {
				Shape string `json:"shape"`
			} `json:"input"`
		} `json:"operations"`
		Shapes map[string]json.RawMessage `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	if doc.Metadata.APIVersion != version || doc.Metadata.Protocol != "query" {
		t.Fatalf("%s: API version %s, protocol %s; want %s over query", path, doc.Metadata.APIVersion, doc.Metadata.Protocol, version)
	}
	m := &model{prefix: prefix, version: version, shapes: doc.Shapes}
	for name, op := range doc.Operations {
		ref := operationRef{name: name}
		if op.Input != nil {
			ref.input = op.Input.Shape
		}
		m.operations = append(m.operations, ref)
	}
	sort.Slice(m.operations, func(i, j int) bool { return m.operations[i].name < m.operations[j].name })
	for name, rawShape := range doc.Shapes {
		var s botoShape
		if err := json.Unmarshal(rawShape, &s); err != nil {
			t.Fatalf("%s: shape %s: %v", path, name, err)
		}
		if !s.Exception {
			continue
		}
		// A shape without an error trait has its name as its code and
		// status 400, as the Query protocol reads it.
		e := modelError{code: name, status: 400, shape: name}
		if s.Error != nil {
			if s.Error.Code != "" {
				e.code = s.Error.Code
			}
			if s.Error.HTTPStatusCode != 0 {
				e.status = s.Error.HTTPStatusCode
			}
		}
		m.errors = append(m.errors, e)
	}
	return m
}

// Traits the tables use or may ignore; any other trait on an input shape
// or member (locationName, flattened, a new constraint) stops generation,
// so that a model upgrade cannot slip a rule past the tables unnoticed.
var (
	shapeTraits  = set("type", "min", "max", "pattern", "enum", "sensitive", "member", "members", "required", "documentation", "box", "deprecated", "deprecatedMessage")
	memberTraits = set("shape", "documentation", "box", "deprecated", "deprecatedMessage")
)

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// genTables writes model_tables.go: the input shapes reachable from the
// operations of each model, one Go variable per model shape, and the
// patterns they use, compiled once.
func genTables(models []*model, version string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by \"go test -run TestGenerated -update\" from botocore %s's IAM and STS models. DO NOT EDIT.\n\n", version)
	b.WriteString("package awsquery\n\n")
	patterns := map[string]string{} // text -> variable
	var body bytes.Buffer
	seenOp := map[string]string{}
	for _, m := range models {
		g := &tableGen{m: m, vars: map[string]string{}, patterns: patterns, defs: map[string]string{}}
		fmt.Fprintf(&body, "// %sOperations holds the input shape of each %s (%s) operation (noInput for\n// those that take none).\n", m.prefix, strings.ToUpper(m.prefix), m.version)
		fmt.Fprintf(&body, "var %sOperations = map[string]*shape{\n", m.prefix)
		for _, op := range m.operations {
			if other, dup := seenOp[op.name]; dup {
				return nil, fmt.Errorf("operation %s is in both the %s and the %s model: the binder finds operations by name alone", op.name, other, m.prefix)
			}
			seenOp[op.name] = m.prefix
			if op.input == "" {
				fmt.Fprintf(&body, "\t%q: noInput,\n", op.name)
				continue
			}
			v, err := g.shape(op.input)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", m.prefix, op.name, err)
			}
			fmt.Fprintf(&body, "\t%q: %s,\n", op.name, v)
		}
		body.WriteString("}\n\n")
		names := make([]string, 0, len(g.defs))
		for v := range g.defs {
			names = append(names, v)
		}
		sort.Strings(names)
		body.WriteString("var (\n")
		for _, v := range names {
			fmt.Fprintf(&body, "\t%s = %s\n", v, g.defs[v])
		}
		body.WriteString(")\n\n")
	}
	texts := make([]string, len(patterns))
	for text, v := range patterns {
		n, _ := strconv.Atoi(strings.TrimPrefix(v, "pattern"))
		texts[n-1] = text
	}
	b.WriteString("// The models' patterns, as AWS's messages print them.\nvar (\n")
	for _, text := range texts {
		lit := "`" + text + "`"
		if strings.Contains(text, "`") {
			lit = strconv.Quote(text)
		}
		fmt.Fprintf(&b, "\t%s = MustPattern(%s)\n", patterns[text], lit)
	}
	b.WriteString(")\n\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// tableGen generates the shapes of one model.
type tableGen struct {
	m        *model
	vars     map[string]string // model shape name -> Go variable
	defs     map[string]string // Go variable -> its definition
	patterns map[string]string // shared by all models
}

// shape returns the Go variable of the model shape name, defining it (and
// what it refers to) on first use.
func (g *tableGen) shape(name string) (string, error) {
	if v, ok := g.vars[name]; ok {
		return v, nil
	}
	raw, ok := g.m.shapes[name]
	if !ok {
		return "", fmt.Errorf("no shape %s", name)
	}
	var traits map[string]json.RawMessage
	if err := json.Unmarshal(raw, &traits); err != nil {
		return "", err
	}
	for k := range traits {
		if !shapeTraits[k] {
			return "", fmt.Errorf("shape %s has trait %q, which the tables do not express", name, k)
		}
	}
	var s botoShape
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("shape %s: %w", name, err)
	}
	v := g.m.prefix + string(unicode.ToUpper(rune(name[0]))) + name[1:]
	if _, taken := g.defs[v]; taken {
		return "", fmt.Errorf("shapes %s and another both become %s", name, v)
	}
	g.vars[name] = v
	g.defs[v] = "" // reserved while its members are generated
	var fields []string
	add := func(format string, args ...any) { fields = append(fields, fmt.Sprintf(format, args...)) }
	boundsOf := func() {
		var has []string
		var mm []string
		if s.Min != nil {
			has = append(has, "hasMin")
			mm = append(mm, fmt.Sprintf("min: %d", *s.Min))
		}
		if s.Max != nil {
			has = append(has, "hasMax")
			mm = append(mm, fmt.Sprintf("max: %d", *s.Max))
		}
		if has != nil {
			add("bounds: bounds{has: %s, %s}", strings.Join(has, " | "), strings.Join(mm, ", "))
		}
	}
	switch s.Type {
	case "string":
		add("kind: kindString")
		boundsOf()
		if s.Pattern != "" {
			p, err := g.pattern(s.Pattern)
			if err != nil {
				return "", fmt.Errorf("shape %s: %w", name, err)
			}
			add("pattern: %s", p)
		}
		if s.Enum != nil {
			q := make([]string, len(s.Enum))
			for i, e := range s.Enum {
				q[i] = strconv.Quote(e)
			}
			add("enum: []string{%s}", strings.Join(q, ", "))
		}
		if s.Sensitive {
			add("sensitive: true")
		}
	case "integer":
		add("kind: kindInteger")
		boundsOf()
	case "boolean":
		add("kind: kindBoolean")
	case "list":
		add("kind: kindList")
		boundsOf()
		if err := checkRef(name, "member", s.Member); err != nil {
			return "", err
		}
		elem, err := g.shape(s.Member.Shape)
		if err != nil {
			return "", err
		}
		if k := g.kind(s.Member.Shape); k == "list" {
			return "", fmt.Errorf("shape %s is a list of lists, which the Query binder does not read", name)
		}
		add("elem: %s", elem)
	case "structure":
		add("kind: kindStructure")
		add("name: %q", name)
		var ms []string
		for _, m := range s.Members {
			if err := checkRef(name, m.name, &m.ref); err != nil {
				return "", err
			}
			sv, err := g.shape(m.ref.Shape)
			if err != nil {
				return "", err
			}
			req := ""
			if slices.Contains(s.Required, m.name) {
				req = " required: true,"
			}
			ms = append(ms, fmt.Sprintf("\t\t{wire: %q, name: %q,%s shape: %s},\n", m.name, lowerFirst(m.name), req, sv))
		}
		add("members: []member{\n%s\t}", strings.Join(ms, ""))
	default:
		return "", fmt.Errorf("shape %s is a %s, which no IAM or STS input had when the tables were written", name, s.Type)
	}
	g.defs[v] = "&shape{" + strings.Join(fields, ", ") + "}"
	return v, nil
}

func (g *tableGen) kind(name string) string {
	var s struct {
		Type string `json:"type"`
	}
	json.Unmarshal(g.m.shapes[name], &s)
	return s.Type
}

func checkRef(shape, member string, r *botoRef) error {
	if r == nil || r.Shape == "" {
		return fmt.Errorf("shape %s: member %s names no shape", shape, member)
	}
	for _, k := range r.keys {
		if !memberTraits[k] {
			return fmt.Errorf("shape %s: member %s has trait %q, which the tables do not express", shape, member, k)
		}
	}
	return nil
}

// pattern returns the variable of a pattern, checking that it compiles.
func (g *tableGen) pattern(text string) (v string, err error) {
	if v, ok := g.patterns[text]; ok {
		return v, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pattern %s does not compile in Go and has no hand-written matcher (javaOnly): %v", text, p)
		}
	}()
	MustPattern(text)
	v = "pattern" + strconv.Itoa(len(g.patterns)+1)
	g.patterns[text] = v
	return v, nil
}

// lowerFirst is AWS's name for a member in messages: the member's name
// with its first letter in lower case ("AWSServiceName" is
// "aWSServiceName").
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// genCodes writes the root package's codes.go: a constant for every
// error code of the models and the common errors, and the one table of
// their HTTP statuses.
func genCodes(models []*model, version string) ([]byte, error) {
	type code struct {
		status int
		source string
	}
	codes := map[string]code{}
	for _, m := range models {
		for _, e := range m.errors {
			src := strings.ToUpper(m.prefix) + " " + e.shape
			if c, dup := codes[e.code]; dup {
				if c.status != e.status {
					return nil, fmt.Errorf("code %s is %d in %s and %d in %s", e.code, c.status, c.source, e.status, src)
				}
				continue
			}
			codes[e.code] = code{e.status, src}
		}
	}
	for _, c := range commonErrors {
		if m, dup := codes[c.code]; dup {
			if m.status != c.status {
				return nil, fmt.Errorf("common error %s is %d, but %s says %d", c.code, c.status, m.source, m.status)
			}
			continue
		}
		codes[c.code] = code{c.status, c.source}
	}
	names := make([]string, 0, len(codes))
	consts := map[string]string{}
	for c := range codes {
		n := "Err" + goName(c)
		if other, dup := consts[n]; dup {
			return nil, fmt.Errorf("codes %s and %s are both %s", c, other, n)
		}
		consts[n] = c
		names = append(names, c)
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by \"go test ./awsquery -run TestGenerated -update\" from botocore %s's IAM and STS models. DO NOT EDIT.\n\n", version)
	b.WriteString("package keyward\n\n")
	fmt.Fprintf(&b, "// Error codes: every error of IAM's and STS's models (botocore %s) and\n", version)
	b.WriteString("// the errors any AWS Query service may return. The values are AWS's codes;\n")
	b.WriteString("// the names add Go's initialisms. Each comment gives the HTTP status and\n// where the code comes from.\n")
	b.WriteString("const (\n")
	for _, c := range names {
		fmt.Fprintf(&b, "\tErr%s = %q // %d, %s\n", goName(c), c, codes[c].status, codes[c].source)
	}
	b.WriteString(")\n\n")
	b.WriteString("// httpStatus is AWS's HTTP status for each code: the model's httpStatusCode\n")
	b.WriteString("// (400 where the model gives none, as the Query protocol reads it), or the\n// status AWS's common-errors pages give.\n")
	b.WriteString("var httpStatus = map[string]int{\n")
	for _, c := range names {
		fmt.Fprintf(&b, "\tErr%s: %d,\n", goName(c), codes[c].status)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// goName spells a code as a Go name: "Id" at the end of a word becomes
// "ID" (InvalidClientTokenId is ErrInvalidClientTokenID).
func goName(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		if strings.HasPrefix(code[i:], "Id") && (i+2 == len(code) || unicode.IsUpper(rune(code[i+2]))) {
			b.WriteString("ID")
			i++
			continue
		}
		b.WriteByte(code[i])
	}
	return b.String()
}
