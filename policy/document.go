package policy

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/keyward/keyward/arn"
)

// Policy language versions.
const (
	Version2012 = "2012-10-17" // the current language: policy variables are substituted
	Version2008 = "2008-10-17" // the original language; also what an absent Version means
)

// Document is a parsed policy document. It is the document as written, checked
// against the grammar and AWS's rules for its Type; NewSet compiles it.
type Document struct {
	Type       Type
	Version    string // as written: Version2012, Version2008, or "" when absent
	ID         string
	Statements []Statement
}

// Statement is one statement of a Document. A statement names its actions with
// either Action or NotAction (NotAction set), and likewise for resources and
// principals. Resource is nil when the statement has neither Resource nor
// NotResource (trust policies, and SCPs where it defaults to "*").
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal // nil when absent; with NotPrincipal set it is the NotPrincipal element
	NotPrincipal bool
	Action       []string
	NotAction    bool
	Resource     []string
	NotResource  bool
	Condition    []Condition
	Start, End   Position // where the statement's object begins and ends
	// Lead is where IAM's policy simulator says the statement starts: just
	// after the token before it (the Statement array's '[' for the first,
	// the previous statement's '}' for the others), so that white space
	// and a comma before the '{' belong to it. Start for a lone statement.
	Lead Position
}

// Principal is the value of a Principal or NotPrincipal element. All is the
// bare "*"; the lists keep the values of each key as written.
type Principal struct {
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one key of one operator of a Condition block:
// {"Operator": {"Key": Values}}. Values are strings, as AWS compares them;
// JSON numbers and booleans keep their text.
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// Position is a 1-based line and column (counted in characters) in a document.
type Position struct{ Line, Column int }

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// ParseError says where a document breaks the grammar or AWS's rules, and how.
// Path names the element (Statement[1].Condition.StringEquals.aws:username),
// Line and Column where it starts, and Message explains the problem.
// AWSMessage is the text of the MalformedPolicyDocument error IAM returns for
// this problem ("Syntax errors in policy.", "The policy failed legacy
// parsing", ...): IAM names one problem per document, with a fixed sentence
// for each kind, and gives no position.
type ParseError struct {
	Path       string
	Line       int
	Column     int
	Message    string
	AWSMessage string
	stage      stage
}

func (e *ParseError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("%s: line %d, column %d: %s", e.Path, e.Line, e.Column, e.Message)
}

// ParseErrors is every problem Validate found in one document.
type ParseErrors []*ParseError

func (es ParseErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// stage orders IAM's checks. IAM validates a document in stages and reports
// the first stage that fails, with that stage's sentence; the order is the one
// moto's tests of IAM record (each case checked against AWS when written): the
// JSON grammar, the Version, the legacy parser (Effect's case, dates, resource
// ARNs), statement ids (their characters before their uniqueness, as a user
// saw IAM report), the presence of actions, the format of resource ARNs,
// action prefixes, then the rules of the policy's type.
type stage uint8

const (
	stageJSON           stage = iota // not JSON at all
	stageSyntax                      // not the policy grammar
	stageVersion                     // a managed policy older than 2012-10-17
	stageLegacy                      // refused by IAM's legacy parser
	stageSidChars                    // a statement id with other than letters and digits
	stageSidUnique                   // a statement id used twice
	stageActions                     // a statement without actions
	stageResourceFormat              // a resource that is not an ARN IAM accepts
	stageVendor                      // an action without a valid service prefix
	stageResources                   // a statement without resources
	stagePrincipal                   // a principal where none belongs, or none where one must be
	stageTrust                       // what a role's trust policy must not hold
	stageKeyward                     // rules Keyward adds where IAM's answer is not on record
)

// IAM's MalformedPolicyDocument messages, word for word (see
// testdata/awsmessages for where each was seen).
const (
	awsInvalidJSON      = "This policy contains invalid Json"
	awsSyntax           = "Syntax errors in policy."
	awsVersion          = "Policy document must be version 2012-10-17 or greater."
	awsLegacy           = "The policy failed legacy parsing"
	awsSidChars         = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	awsSidUnique        = "Statement IDs (SID) in a single policy must be unique."
	awsNoActions        = "Policy statement must contain actions."
	awsNoResources      = "Policy statement must contain resources."
	awsVendor           = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	awsOneColon         = "Actions/Condition can contain only one colon."
	awsNoPrincipalHere  = "Policy document should not specify a principal."
	awsTrustNoPrincipal = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
	awsNoPrincipal      = "Missing required field Principal"
	awsTrustActions     = "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity"
	awsTrustResource    = "Has prohibited field Resource."
)

// Options refine what Parse accepts for a Type.
type Options struct {
	// Managed holds the document to IAM's rules for managed policies
	// (CreatePolicy, CreatePolicyVersion): Version must be 2012-10-17.
	// Inline policies, trust policies and session policies may omit it.
	Managed bool
	// Stored reads a document that was accepted when it was written: it
	// skips the checks IAM makes only then, which do not change what a
	// document means (the actions a trust policy may name, the form of
	// Resource ARNs), so that documents an earlier, more lenient Keyward
	// stored still evaluate.
	Stored bool
}

// Parse reads a policy document of type t. On error it returns no document and
// a *ParseError naming the problem IAM would report: the first of AWS's stages
// that fails (see ParseError.AWSMessage); Validate lists every problem.
func Parse(data []byte, t Type) (*Document, error) {
	return ParseWith(data, t, Options{})
}

// ParseWith is Parse with Options, such as those of a managed policy.
func ParseWith(data []byte, t Type, o Options) (*Document, error) {
	d, errs := parse(data, t, o)
	if len(errs) > 0 {
		return nil, errs.first()
	}
	return d, nil
}

// Validate reads a policy document of type t and returns every problem found,
// in the order they stand in the document, or nil when the document is valid.
func Validate(data []byte, t Type) ParseErrors {
	return ValidateWith(data, t, Options{})
}

// ValidateWith is Validate with Options, such as those of a managed policy.
func ValidateWith(data []byte, t Type, o Options) ParseErrors {
	_, errs := parse(data, t, o)
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
	})
	return errs
}

// first returns the problem IAM reports: the earliest stage, and within a
// stage the first found, which is the order IAM checks in.
func (es ParseErrors) first() *ParseError {
	best := es[0]
	for _, e := range es[1:] {
		if e.stage < best.stage {
			best = e
		}
	}
	return best
}

type parser struct {
	data  []byte
	t     Type
	o     Options
	errs  ParseErrors
	doc   *Document
	sids  map[string]bool
	lines *lines
	res   []resourceList // every Resource and NotResource, checked once all statements are read
}

// resourceList is the value of one statement's Resource or NotResource.
type resourceList struct {
	not  bool
	path string
	vals []string
	offs []int
}

// fail records a problem: where, the stage of IAM's checks it belongs to and
// IAM's sentence for it, and Keyward's explanation.
func (p *parser) fail(off int, path string, st stage, aws, format string, args ...any) {
	pos := p.position(off)
	p.errs = append(p.errs, &ParseError{Path: path, Line: pos.Line, Column: pos.Column, Message: fmt.Sprintf(format, args...), AWSMessage: aws, stage: st})
}

// syntax records a problem with the grammar itself.
func (p *parser) syntax(off int, path, format string, args ...any) {
	p.fail(off, path, stageSyntax, awsSyntax, format, args...)
}

func parse(data []byte, t Type, o Options) (*Document, ParseErrors) {
	p := &parser{data: data, t: t, o: o}
	root, jerr := parseJSON(data)
	if jerr != nil {
		switch {
		case jerr.path != "":
			// A key written twice is valid JSON that IAM would read as
			// its last value; Keyward refuses it (a security document must
			// not mean two things), under IAM's grammar sentence.
			p.syntax(jerr.off, jerr.path, "%s", "invalid JSON: "+jerr.msg)
		case t == Trust:
			// CreateRole and UpdateAssumeRolePolicy word it differently
			// from the policy actions.
			p.fail(jerr.off, "", stageJSON, awsInvalidJSON, "%s", "invalid JSON: "+jerr.msg)
		default:
			p.fail(jerr.off, "", stageJSON, awsSyntax, "%s", "invalid JSON: "+jerr.msg)
		}
		return nil, p.errs
	}
	if root.kind != jObject {
		p.syntax(root.off, "", "a policy must be a JSON object, not %s", root.kind)
		return nil, p.errs
	}
	d := &Document{Type: t}
	p.doc = d
	var stmts *node
	for _, m := range root.keys {
		switch m.key {
		case "Version":
			if s, ok := p.str(m.val, "Version"); ok {
				if s != Version2012 && s != Version2008 {
					p.syntax(m.val.off, "Version", "%q is not a policy language version: use %q", s, Version2012)
				}
				d.Version = s
			}
		case "Id":
			d.ID, _ = p.str(m.val, "Id")
		case "Statement":
			stmts = m.val
		default:
			p.syntax(m.keyOff, m.key, "unknown element %q%s", m.key, suggest(m.key, "Version", "Id", "Statement"))
		}
	}
	if o.Managed && d.Version != Version2012 {
		off, what := root.off, "the policy has no Version"
		if v := root.get("Version"); v != nil {
			off, what = v.off, fmt.Sprintf("Version %q", d.Version)
		}
		p.fail(off, "Version", stageVersion, awsVersion, "%s: a managed policy must be version %q (inline policies may omit Version)", what, Version2012)
	}
	switch {
	case stmts == nil:
		p.syntax(root.off, "Statement", "the policy has no Statement")
	case stmts.kind == jObject:
		p.statement(stmts, "Statement")
	case stmts.kind == jArray:
		if len(stmts.elems) == 0 {
			p.syntax(stmts.off, "Statement", "Statement must not be empty")
		}
		for i, e := range stmts.elems {
			path := "Statement[" + strconv.Itoa(i) + "]"
			if e.kind != jObject {
				p.syntax(e.off, path, "a statement must be an object, not %s", e.kind)
				continue
			}
			n := len(p.doc.Statements)
			p.statement(e, path)
			if len(p.doc.Statements) > n {
				lead := stmts.off + 1 // after the '['
				if i > 0 {
					lead = stmts.elems[i-1].end
				}
				p.doc.Statements[n].Lead = p.position(lead)
			}
		}
	default:
		p.syntax(stmts.off, "Statement", "Statement must be an object or an array of objects, not %s", stmts.kind)
	}
	if !o.Stored {
		p.checkResources()
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return d, nil
}

func (p *parser) position(off int) Position {
	if p.lines == nil {
		p.lines = newLines(p.data)
	}
	return p.lines.position(off)
}

func (p *parser) str(n *node, path string) (string, bool) {
	if n.kind != jString {
		p.syntax(n.off, path, "%s must be a string, not %s", lastElem(path), n.kind)
		return "", false
	}
	return n.str, true
}

// strings reads a string or an array of strings; a single value may drop its
// array. An empty array is reported at stage empty with IAM's sentence aws,
// and nulls in an array are skipped when skipNull is set (IAM accepts
// "Resource": ["arn:...", null]).
func (p *parser) strings(n *node, path string, empty stage, aws string, skipNull bool) ([]string, []int, bool) {
	if n.kind == jString {
		return []string{n.str}, []int{n.off}, true
	}
	if n.kind != jArray {
		p.syntax(n.off, path, "%s must be a string or an array of strings, not %s", lastElem(path), n.kind)
		return nil, nil, false
	}
	out := make([]string, 0, len(n.elems))
	offs := make([]int, 0, len(n.elems))
	ok := true
	for i, e := range n.elems {
		if e.kind == jNull && skipNull {
			continue
		}
		if e.kind != jString {
			p.syntax(e.off, path+"["+strconv.Itoa(i)+"]", "%s values must be strings, not %s", lastElem(path), e.kind)
			ok = false
			continue
		}
		out = append(out, e.str)
		offs = append(offs, e.off)
	}
	if ok && len(out) == 0 {
		what := "an empty array"
		if len(n.elems) > 0 {
			what = "an array of nulls"
		}
		p.fail(n.off, path, empty, aws, "%s must not be %s", lastElem(path), what)
		return nil, nil, false
	}
	return out, offs, ok
}

func lastElem(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}

var statementKeys = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

func (p *parser) statement(n *node, path string) {
	s := Statement{Start: p.position(n.off), End: p.position(n.end)}
	s.Lead = s.Start
	var action, notAction, resource, notResource, principal, notPrincipal, effect *node
	for _, m := range n.keys {
		sub := path + "." + m.key
		switch m.key {
		case "Sid":
			if sid, ok := p.str(m.val, sub); ok {
				if p.t != Resource && p.t != Trust && !isAlnum(sid) {
					p.fail(m.val.off, sub, stageSidChars, awsSidChars, "Sid %q must contain only letters and digits ([A-Za-z0-9]) in %s policies", sid, p.t)
				}
				if sid != "" && p.sids[sid] {
					p.fail(m.val.off, sub, stageSidUnique, awsSidUnique, "statement ids (Sid) must be unique within a policy: %q appears more than once", sid)
				}
				if p.sids == nil {
					p.sids = map[string]bool{}
				}
				p.sids[sid] = true
				s.Sid = sid
			}
		case "Effect":
			effect = m.val
		case "Principal":
			principal = m.val
		case "NotPrincipal":
			notPrincipal = m.val
		case "Action":
			action = m.val
		case "NotAction":
			notAction = m.val
		case "Resource":
			resource = m.val
		case "NotResource":
			notResource = m.val
		case "Condition":
			s.Condition = p.conditions(m.val, sub)
		default:
			p.syntax(m.keyOff, sub, "unknown element %q%s", m.key, suggest(m.key, statementKeys...))
		}
	}

	switch {
	case effect == nil:
		p.syntax(n.off, path+".Effect", "the statement has no Effect")
	default:
		if e, ok := p.str(effect, path+".Effect"); ok {
			switch e {
			case "Allow":
				s.Effect = Allow
			case "Deny":
				s.Effect = Deny
			default:
				// IAM's grammar reads Effect in any case, but its legacy
				// parser then refuses all but Allow and Deny.
				st, aws := stageSyntax, awsSyntax
				if strings.EqualFold(e, "Allow") || strings.EqualFold(e, "Deny") {
					st, aws = stageLegacy, awsLegacy
				}
				p.fail(effect.off, path+".Effect", st, aws, "Effect must be \"Allow\" or \"Deny\" (case-sensitive), not %q", e)
			}
		}
	}

	switch {
	case action != nil && notAction != nil:
		p.syntax(notAction.off, path+".NotAction", "a statement cannot have both Action and NotAction")
	case action == nil && notAction == nil:
		p.fail(n.off, path+".Action", stageActions, awsNoActions, "the statement has neither Action nor NotAction")
	case action != nil:
		s.Action = p.actions(action, path+".Action", false)
	default:
		s.NotAction = true
		s.Action = p.actions(notAction, path+".NotAction", true)
	}

	switch {
	case resource != nil && notResource != nil:
		p.syntax(notResource.off, path+".NotResource", "a statement cannot have both Resource and NotResource")
	case p.t == Trust && (resource != nil || notResource != nil):
		r, name := resource, "Resource"
		if r == nil {
			r, name = notResource, "NotResource"
		}
		p.fail(r.off, path+"."+name, stageTrust, awsTrustResource, "a trust policy must not have Resource or NotResource: its resource is the role")
	case resource == nil && notResource == nil:
		if p.t != Trust && p.t != SCP {
			p.fail(n.off, path+".Resource", stageResources, awsNoResources, "the statement has neither Resource nor NotResource")
		}
	case resource != nil:
		s.Resource = p.resources(resource, path+".Resource", false)
	default:
		s.NotResource = true
		s.Resource = p.resources(notResource, path+".NotResource", true)
	}

	switch {
	case principal != nil && notPrincipal != nil:
		p.syntax(notPrincipal.off, path+".NotPrincipal", "a statement cannot have both Principal and NotPrincipal")
	case p.t != Resource && p.t != Trust && (principal != nil || notPrincipal != nil):
		r, name := principal, "Principal"
		if r == nil {
			r, name = notPrincipal, "NotPrincipal"
		}
		p.fail(r.off, path+"."+name, stagePrincipal, awsNoPrincipalHere, "%s is not allowed in %s policies: the principal is whoever the policy is attached to", name, p.t)
	case notPrincipal != nil && p.t == Trust:
		p.fail(notPrincipal.off, path+".NotPrincipal", stageKeyward, awsSyntax, "NotPrincipal is not allowed in trust policies: name who may assume the role with Principal")
	case principal == nil && notPrincipal == nil:
		switch p.t {
		case Trust:
			p.fail(n.off, path+".Principal", stagePrincipal, awsTrustNoPrincipal, "the statement has no Principal: trust policies must name who may assume the role")
		case Resource:
			p.fail(n.off, path+".Principal", stagePrincipal, awsNoPrincipal, "the statement has no Principal: resource policies must name one")
		}
	case principal != nil:
		s.Principal = p.principal(principal, path+".Principal")
	default:
		s.NotPrincipal = true
		s.Principal = p.principal(notPrincipal, path+".NotPrincipal")
	}
	p.doc.Statements = append(p.doc.Statements, s)
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func (p *parser) actions(n *node, path string, not bool) []string {
	vals, offs, _ := p.strings(n, path, stageActions, awsNoActions, false)
	for i, a := range vals {
		if aws, msg := checkAction(a); msg != "" {
			p.fail(offs[i], path, stageVendor, aws, "%s", msg)
			continue
		}
		if p.t == Trust && !p.o.Stored {
			if msg := checkTrustAction(a, not); msg != "" {
				p.fail(offs[i], path, stageTrust, awsTrustActions, "%s", msg)
			}
		}
	}
	return vals
}

// checkAction returns IAM's sentence and Keyward's explanation of what is
// wrong with an action pattern, or "", "". IAM checks only the service
// prefix (its vendor): letters, digits, '-' and '.', or "*" alone; the name
// after the colon is free text ("iam: asdf safdsf af " is a valid action that
// matches nothing).
func checkAction(a string) (aws, msg string) {
	if a == "*" {
		return "", ""
	}
	svc, name, ok := strings.Cut(a, ":")
	switch {
	case !ok || svc == "":
		return awsVendor, fmt.Sprintf("action %q has no service prefix: actions must be prefaced by a vendor, e.g., iam, sdb, ec2 (\"s3:GetObject\")", a)
	case strings.IndexByte(name, ':') >= 0:
		return awsOneColon, fmt.Sprintf("action %q has more than one colon: write service:action (\"s3:GetObject\")", a)
	case svc == "*":
		return "", ""
	}
	for _, c := range svc {
		if !(c == '-' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return "Vendor " + svc + " is not valid", fmt.Sprintf("action %q has an invalid service prefix %q: a prefix is letters, digits, '-' and '.', or \"*\" alone", a, svc)
		}
	}
	return "", ""
}

// trustActions are the actions a role's trust policy may name: those a
// principal performs on the role itself.
var trustActions = []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"}

// checkTrustAction returns what is wrong with an action in a trust policy,
// or "". A wildcard is accepted when it is an STS pattern that matches one
// of trustActions ("sts:AssumeRole*", "sts:*").
func checkTrustAction(a string, not bool) string {
	list := strings.Join(trustActions, ", ")
	if not {
		return "trust policies name their actions with Action, not NotAction: " + list
	}
	svc, _, _ := strings.Cut(a, ":")
	if strings.EqualFold(svc, "sts") {
		pat := compilePattern(strings.ToLower(a), true, false)
		for _, t := range trustActions {
			if pat.match(t, nil, lowerASCII) {
				return ""
			}
		}
	}
	msg := fmt.Sprintf("action %q cannot be in a trust policy: a trust policy allows only %s", a, list)
	if near := nearest(a, trustActions); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

// nearest returns the name in names within two edits of s (case aside), or "".
func nearest(s string, names []string) string {
	s = strings.ToLower(s)
	for _, n := range names {
		if editDistance(s, strings.ToLower(n), 2) <= 2 {
			return n
		}
	}
	return ""
}

// editDistance is Levenshtein's distance between a and b, or max+1 once it
// is known to exceed max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (p *parser) resources(n *node, path string, not bool) []string {
	vals, offs, ok := p.strings(n, path, stageResources, awsNoResources, true)
	if !ok {
		return vals
	}
	for i, r := range vals {
		if p.doc.Version != Version2012 {
			continue
		}
		// Variables may stand in any part of the ARN: AWS's own managed
		// policies put ${aws:PrincipalAccount} in the account part
		// (AmazonTimestreamInfluxDBServiceRolePolicy), though the User
		// Guide shows them only in the resource part.
		if msg := checkVariables(r); msg != "" {
			p.fail(offs[i], path, stageKeyward, awsSyntax, "resource %q: %s", r, msg)
		}
	}
	p.res = append(p.res, resourceList{not: not, path: path, vals: vals, offs: offs})
	return vals
}

// checkResources checks the Resource and NotResource values as IAM does,
// once every statement is read, because IAM's order is not the document's:
// it reads every statement's Resource, then every NotResource, and within
// one element the values in sorted order. Its legacy parser refuses short
// ARNs ("arn:aws:s3::b", "arn:aws::::b"), but only until a value with a
// format error has been seen: from then on IAM reports the format error.
func (p *parser) checkResources() {
	seenFormat := false
	for _, not := range []bool{false, true} {
		for _, rl := range p.res {
			if rl.not != not {
				continue
			}
			order := make([]int, len(rl.vals))
			for i := range order {
				order[i] = i
			}
			sort.SliceStable(order, func(a, b int) bool { return rl.vals[order[a]] < rl.vals[order[b]] })
			for _, i := range order {
				if aws, msg := resourceFormat(rl.vals[i]); aws != "" {
					p.fail(rl.offs[i], rl.path, stageResourceFormat, aws, "%s", msg)
					seenFormat = true
				}
			}
			for _, i := range order {
				r := rl.vals[i]
				if resourceFormatOK(r) && !resourceLegacyOK(r) {
					st := stageLegacy
					if seenFormat {
						st = stageResourceFormat
					}
					p.fail(rl.offs[i], rl.path, st, awsLegacy, "resource %q is not an ARN: an ARN has six parts, arn:partition:service:region:account:resource (\"arn:aws:s3:::bucket\")", r)
				}
			}
		}
	}
}

// partitions are AWS's partitions (botocore's data/partitions.json).
var partitions = []string{"aws", "aws-cn", "aws-eusc", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-us-gov"}

// iamResourceTypes are the resource types an IAM ARN may name, in the order
// of IAM's message; iamMoreResourceTypes are those the Service Authorization
// Reference lists since (AWS's managed policies name arn:aws:iam::*:root).
var (
	iamResourceTypes     = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}
	iamMoreResourceTypes = []string{"root", "assumed-role/", "delegation-request/", "role-template/", "contextProvider/"}
)

// s3RegionalTypes are the S3 resource types whose ARNs carry a region
// (the Service Authorization Reference's S3 resource types); buckets and
// objects never do.
var s3RegionalTypes = []string{"accesspoint/", "job/", "storage-lens/", "storage-lens-group/", "access-grants/", "async-request/"}

func resourceFormatOK(r string) bool { aws, _ := resourceFormat(r); return aws == "" }

// resourceFormat returns IAM's sentence and Keyward's explanation when IAM
// refuses r as a Resource, or "", "".
func resourceFormat(r string) (aws, msg string) {
	if r == "*" {
		return "", ""
	}
	f := strings.Split(r, ":")
	if len(f) < 2 {
		return fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r), fmt.Sprintf("resource %q must be in ARN format (arn:partition:service:region:account:resource) or \"*\"", r)
	}
	if part := f[1]; part != "*" && !slices.Contains(partitions, part) {
		// IAM names the resource as it read it, missing parts as "*".
		rest := f[2:]
		if len(rest) == 0 {
			rest = []string{""}
		}
		get := func(i int) string {
			if i < len(rest) && (i > 0 || rest[0] != "" || len(rest) > 1) {
				return rest[i]
			}
			return "*"
		}
		last := "*"
		if len(rest) > 3 {
			last = strings.Join(rest[3:], ":")
		}
		return fmt.Sprintf("Partition %q is not valid for resource \"arn:%s:%s:%s:%s:%s\".", part, part, get(0), get(1), get(2), last),
			fmt.Sprintf("resource %q: %q is not a partition (%s)", r, part, strings.Join(partitions, ", "))
	}
	if len(f) < 3 || strings.ContainsAny(f[2], "*?") {
		return "Resource vendor must be fully qualified and cannot contain regexes.", fmt.Sprintf("resource %q: the service (the third part of the ARN) must be written out, without wildcards", r)
	}
	if f[0] != "arn" {
		return fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r), fmt.Sprintf("resource %q must begin with \"arn:\"", r)
	}
	svc, res := f[2], ""
	if len(f) > 5 {
		res = strings.Join(f[5:], ":")
	}
	// A region made of wildcards may be empty: IAM's objection is to a
	// region written out.
	if len(f) > 3 && strings.Trim(f[3], "*") != "" {
		switch {
		case svc == "iam":
			return fmt.Sprintf("IAM resource %s cannot contain region information.", r), fmt.Sprintf("resource %q: IAM ARNs have no region (arn:aws:iam::ACCOUNT:...)", r)
		case svc == "s3" && !hasAnyPrefix(res, s3RegionalTypes):
			return fmt.Sprintf("Resource %s can not contain region information.", r), fmt.Sprintf("resource %q: bucket and object ARNs have no region (arn:aws:s3:::bucket/key)", r)
		}
	}
	if svc == "iam" && res != "*" && !hasAnyPrefix(res, iamResourceTypes) && !hasAnyPrefix(res, iamMoreResourceTypes) && !(len(f) < 6 && strings.HasSuffix(r, "*")) {
		return "IAM resource path must either be \"*\" or start with " + strings.Join(iamResourceTypes, ", ") + ".",
			fmt.Sprintf("resource %q: an IAM ARN names a resource type (arn:aws:iam::ACCOUNT:user/NAME, role/NAME, ...)", r)
	}
	return "", ""
}

// resourceLegacyOK reports whether IAM's legacy parser reads r: an ARN with
// an empty part must have all six parts, and the service must be written.
func resourceLegacyOK(r string) bool {
	if r == "*" {
		return true
	}
	if strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
		return false
	}
	f := strings.SplitN(r, ":", 4)
	return len(f) > 2 && f[2] != ""
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func (p *parser) principal(n *node, path string) *Principal {
	pr := &Principal{}
	switch n.kind {
	case jString:
		if n.str != "*" {
			p.syntax(n.off, path, "a principal given as a string must be \"*\"; name others as {\"AWS\": %q}", n.str)
		}
		pr.All = true
		return pr
	case jObject:
	default:
		p.syntax(n.off, path, "%s must be \"*\" or an object, not %s", lastElem(path), n.kind)
		return pr
	}
	if len(n.keys) == 0 {
		p.syntax(n.off, path, "%s must name at least one principal", lastElem(path))
	}
	for _, m := range n.keys {
		sub := path + "." + m.key
		vals, offs, _ := p.strings(m.val, sub, stageSyntax, awsSyntax, false)
		invalid := func(i int, format string, args ...any) {
			p.fail(offs[i], sub, stagePrincipal, fmt.Sprintf("Invalid principal in policy: %q:%q", m.key, vals[i]), format, args...)
		}
		switch m.key {
		case "AWS":
			for i, v := range vals {
				if msg := checkAWSPrincipal(v); msg != "" {
					invalid(i, "%s", msg)
				}
			}
			pr.AWS = vals
		case "Service":
			pr.Service = vals
		case "Federated":
			pr.Federated = vals
		case "CanonicalUser":
			pr.CanonicalUser = vals
		default:
			p.syntax(m.keyOff, sub, "unknown principal type %q%s", m.key, suggest(m.key, "AWS", "Service", "Federated", "CanonicalUser"))
		}
		for i, v := range vals {
			if v != "*" && strings.ContainsAny(v, "*?") {
				invalid(i, "principal %q: wildcards are not allowed in principals except \"*\" alone", v)
			}
		}
	}
	return pr
}

func checkAWSPrincipal(v string) string {
	if v == "*" || arn.IsAccountID(v) || IsUniqueID(v) {
		return ""
	}
	if strings.ContainsAny(v, "*?") {
		return "" // reported by the wildcard check
	}
	if !strings.HasPrefix(v, "arn:") {
		return fmt.Sprintf("principal %q must be \"*\", a 12-digit account id or an ARN", v)
	}
	return ""
}

func (p *parser) conditions(n *node, path string) []Condition {
	if n.kind != jObject {
		p.syntax(n.off, path, "Condition must be an object, not %s", n.kind)
		return nil
	}
	var out []Condition
	for _, op := range n.keys {
		opPath := path + "." + op.key
		if op.val.kind != jObject {
			p.syntax(op.val.off, opPath, "the %s block must be an object of condition keys, not %s", op.key, op.val.kind)
			continue
		}
		o, msg := parseOperator(op.key)
		if msg != "" {
			// IAM accepts an operator it does not know when its block is
			// empty: the block tests nothing.
			if len(op.val.keys) > 0 {
				p.syntax(op.keyOff, opPath, "%s", msg)
			}
			continue
		}
		seen := map[string]bool{}
		for _, k := range op.val.keys {
			kPath := opPath + "." + k.key
			if lk := strings.ToLower(k.key); seen[lk] {
				p.fail(k.keyOff, kPath, stageKeyward, awsSyntax, "condition key %q appears twice in %s (condition keys are case-insensitive)", k.key, op.key)
			} else {
				seen[lk] = true
			}
			vals, ok := p.conditionValues(k.val, kPath)
			if !ok {
				continue
			}
			for _, v := range vals {
				if msg := o.checkValue(v, p.doc.Version == Version2012); msg != "" {
					st := stageLegacy
					if o.family == famString || o.family == famArn {
						st = stageKeyward // a malformed ${variable}
					}
					aws := awsLegacy
					if st == stageKeyward {
						aws = awsSyntax
					}
					p.fail(k.val.off, kPath, st, aws, "%s: %s", op.key, msg)
					break
				}
			}
			out = append(out, Condition{Operator: op.key, Key: k.key, Values: vals})
		}
	}
	return out
}

// conditionValues reads a condition key's values: a string, number or
// boolean, or an array of them. An empty array is valid: IAM accepts it,
// and no request value matches it.
func (p *parser) conditionValues(n *node, path string) ([]string, bool) {
	scalar := func(e *node) (string, bool) {
		switch e.kind {
		case jString, jNumber, jBool:
			return e.str, true
		}
		p.syntax(e.off, path, "condition values must be strings, numbers or booleans, not %s", e.kind)
		return "", false
	}
	if n.kind != jArray {
		if s, ok := scalar(n); ok {
			return []string{s}, true
		}
		return nil, false
	}
	out := make([]string, 0, len(n.elems))
	for _, e := range n.elems {
		s, ok := scalar(e)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// checkValue returns what is wrong with a policy value for this operator, or "".
func (o operator) checkValue(v string, variables bool) string {
	switch o.family {
	case famString, famArn:
		if variables {
			return checkVariables(v)
		}
	case famNumeric:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Sprintf("%q is not a number", v)
		}
	case famDate:
		if _, ok := parseDate(v); !ok {
			return fmt.Sprintf("%q is not a date (use ISO 8601, e.g. 2024-01-31T12:00:00Z, or epoch seconds)", v)
		}
	case famBool:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Sprintf("%q is not a boolean (true or false)", v)
		}
	case famNull:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Sprintf("%q is not true or false", v)
		}
	case famBinary:
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return fmt.Sprintf("%q is not base64", v)
		}
	case famIP:
		if _, ok := parseCIDR(v); !ok {
			return fmt.Sprintf("%q is not an IP address or CIDR block", v)
		}
	}
	return ""
}

func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(pfx.Addr().Unmap(), pfx.Bits()-unmapBits(pfx.Addr())).Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

// checkVariables returns what is wrong with the ${...} variables in s, or "".
func checkVariables(s string) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return ""
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return fmt.Sprintf("policy variable %q is not closed with }", s[i:])
		}
		body := s[i+2 : i+j]
		if _, _, _, ok := parseVariable(body); !ok {
			return fmt.Sprintf("policy variable ${%s} is malformed: use ${key} or ${key, 'default'}", body)
		}
		s = s[i+j+1:]
	}
}

// parseVariable reads the body of ${...}: a key with an optional default, or one
// of the escapes *, ? and $.
func parseVariable(body string) (key, def string, hasDef, ok bool) {
	switch body {
	case "*", "?", "$":
		return body, "", false, true
	}
	key = body
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = body[:i]
		d := strings.TrimSpace(body[i+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return "", "", false, false
		}
		def, hasDef = d[1:len(d)-1], true
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " '${}") {
		return "", "", false, false
	}
	return key, def, hasDef, true
}

// suggest returns ` (did you mean "X"?)` when name differs from a known name
// only in case, else "".
func suggest(name string, known ...string) string {
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return fmt.Sprintf(" (did you mean %q? element names are case-sensitive)", k)
		}
	}
	return ""
}
