package lint

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/policy"
)

// Kind is a finding's kind, Access Analyzer's names.
type Kind string

// The four kinds, most severe first.
const (
	Error           Kind = "ERROR"            // the policy is wrong: it will not do what it says
	SecurityWarning Kind = "SECURITY_WARNING" // it grants more than it seems to
	Warning         Kind = "WARNING"          // it does not follow best practice, or may not work
	Suggestion      Kind = "SUGGESTION"       // it can be simpler
)

// Severity orders the kinds: 4 for ERROR down to 1 for SUGGESTION, 0 for
// anything else.
func (k Kind) Severity() int {
	switch k {
	case Error:
		return 4
	case SecurityWarning:
		return 3
	case Warning:
		return 2
	case Suggestion:
		return 1
	}
	return 0
}

// ParseKind reads a kind in any case ("error", "security_warning", ...).
func ParseKind(s string) (Kind, bool) {
	k := Kind(strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
	return k, k.Severity() > 0
}

// Issue codes, after Access Analyzer's where it has one.
const (
	CodeSyntax                 = "SYNTAX_ERROR"                         // ERROR: the grammar or AWS's rules (policy.Validate)
	CodeInvalidService         = "INVALID_SERVICE"                      // ERROR
	CodeInvalidAction          = "INVALID_ACTION"                       // ERROR
	CodeNoMatchingAction       = "NO_MATCHING_ACTION"                   // ERROR: a pattern that matches no action
	CodeUnsupportedResourceARN = "UNSUPPORTED_RESOURCE_ARN_IN_POLICY"   // ERROR
	CodeInvalidConditionKey    = "INVALID_CONDITION_KEY"                // ERROR: no service defines the key
	CodeMismatchedType         = "MISMATCHED_TYPE"                      // ERROR: the operator cannot compare the key's type
	CodeAllowWithNotAction     = "ALLOW_WITH_NOT_ACTION"                // SECURITY_WARNING
	CodeAllowWithNotResource   = "ALLOW_WITH_NOT_RESOURCE"              // SECURITY_WARNING
	CodePassRoleWithStar       = "PASS_ROLE_WITH_STAR_IN_RESOURCE"      // SECURITY_WARNING
	CodeAllowWithForAllValues  = "ALLOW_WITH_FOR_ALL_VALUES"            // SECURITY_WARNING
	CodeMissingVersion         = "MISSING_VERSION"                      // WARNING
	CodeUnsupportedKey         = "UNSUPPORTED_CONDITION_KEY_FOR_ACTION" // WARNING: the key exists, but not for these actions
	CodeSetOperatorSingleKey   = "SET_OPERATOR_WITH_SINGLE_VALUED_KEY"  // WARNING
	CodeShadowedStatement      = "SHADOWED_STATEMENT"                   // WARNING: a Deny without conditions covers this Allow
	CodeRedundantStatement     = "REDUNDANT_STATEMENT"                  // SUGGESTION
	CodeRedundantAction        = "REDUNDANT_ACTION"                     // SUGGESTION
)

// Finding is one problem in a document. Path names the element as the
// policy package does (Statement[1].Action[0]); Line and Column say where
// it starts.
type Finding struct {
	Kind    Kind   `json:"findingType"`
	Code    string `json:"issueCode"`
	Message string `json:"findingDetails"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%d:%d: %s %s: %s: %s", f.Line, f.Column, f.Kind, f.Code, f.Path, f.Message)
}

// Check returns the findings for one policy document of type t, in order
// of position. A document that breaks the grammar gets its grammar errors
// (code SYNTAX_ERROR) and nothing else. It is the zero Linter's Check.
func Check(data []byte, t policy.Type) []Finding {
	var l Linter
	return l.Check(data, t)
}

// Linter checks documents against AWS's catalog, Keyward's own actions
// (keyward:Authorize, keyward:GetSigningKey) and the services a
// deployment declares.
type Linter struct {
	// Services are the prefixes of the deployment's own services, which
	// Keyward authorizes for them (kvstore for kvstore:GetItem): their
	// actions are not checked against AWS's catalog, nor their resources,
	// and their condition keys (kvstore:ContentType) are accepted with any
	// operator. The rest of the checks apply to their statements as to any.
	// A prefix AWS also uses (s3) turns the catalog's checks of that
	// service off.
	Services []string
}

// Check returns the findings for one policy document of type t, as the
// package's Check does, knowing l's services.
func (l *Linter) Check(data []byte, t policy.Type) []Finding {
	if errs := policy.Validate(data, t); len(errs) > 0 {
		out := make([]Finding, len(errs))
		for i, e := range errs {
			out[i] = Finding{Kind: Error, Code: CodeSyntax, Message: e.Message, Path: e.Path, Line: e.Line, Column: e.Column}
		}
		return out
	}
	doc, err := policy.Parse(data, t)
	if err != nil { // Validate said it was fine
		return []Finding{{Kind: Error, Code: CodeSyntax, Message: err.Error(), Line: 1, Column: 1}}
	}
	c := &checker{doc: doc, pos: newPositions(data), services: l.Services}
	c.run()
	sort.SliceStable(c.out, func(i, j int) bool {
		a, b := c.out[i], c.out[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return c.out
}

type checker struct {
	doc      *policy.Document
	pos      *positions
	services []string // declared by the deployment (Linter.Services)
	out      []Finding
}

func (c *checker) add(kind Kind, code, path, format string, args ...any) {
	line, col := c.pos.find(path)
	c.out = append(c.out, Finding{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...), Path: path, Line: line, Column: col})
}

// stmtPath is statement i's path: Statement[i], or Statement when the
// document's Statement is a single object.
func (c *checker) stmtPath(i int) string {
	if c.pos.has("Statement[0]") {
		return "Statement[" + strconv.Itoa(i) + "]"
	}
	return "Statement"
}

// elemPath is the path of value j of a statement's element (Action,
// Resource, ...), which may be a single string rather than an array.
func (c *checker) elemPath(stmt, elem string, j int) string {
	if p := stmt + "." + elem + "[" + strconv.Itoa(j) + "]"; c.pos.has(p) {
		return p
	}
	return stmt + "." + elem
}

func (c *checker) run() {
	if c.doc.Version == "" {
		c.add(Warning, CodeMissingVersion, "Version", `the policy has no Version: it is read as version 2008-10-17, in which policy variables such as ${aws:username} are plain text; add "Version": "2012-10-17"`)
	}
	expanded := make([][]*catalog.Action, len(c.doc.Statements))
	for i := range c.doc.Statements {
		expanded[i] = c.statement(i)
	}
	c.redundancy(expanded)
}

// statement checks statement i and returns the actions it names (nil for
// NotAction statements and unknown actions).
func (c *checker) statement(i int) []*catalog.Action {
	s := &c.doc.Statements[i]
	sp := c.stmtPath(i)
	actionElem := "Action"
	if s.NotAction {
		actionElem = "NotAction"
	}
	resourceElem := "Resource"
	if s.NotResource {
		resourceElem = "NotResource"
	}
	allow := s.Effect == policy.Allow

	var actions []*catalog.Action
	seen := map[*catalog.Action]bool{}
	allKnown := true
	coveredBy := redundantPatterns(s.Action)
	for j, pattern := range s.Action {
		path := c.elemPath(sp, actionElem, j)
		matched := c.action(pattern, path)
		if matched == nil {
			allKnown = false
		}
		for _, a := range matched {
			if !seen[a] {
				seen[a] = true
				actions = append(actions, a)
			}
		}
		if k := coveredBy[j]; k >= 0 {
			if covers(pattern, s.Action[k]) {
				c.add(Suggestion, CodeRedundantAction, path, "%q is redundant: the same %s lists %q already", pattern, actionElem, s.Action[k])
			} else {
				c.add(Suggestion, CodeRedundantAction, path, "%q is redundant: %q in the same %s already matches it", pattern, s.Action[k], actionElem)
			}
		}
	}
	if s.NotAction {
		actions, allKnown = nil, false
	}

	if allow && s.NotAction {
		c.add(SecurityWarning, CodeAllowWithNotAction, sp+".NotAction",
			"Allow with NotAction grants every action of every service except those listed, including services added later; list the actions to allow instead")
	}
	if allow && s.NotResource {
		c.add(SecurityWarning, CodeAllowWithNotResource, sp+".NotResource",
			"Allow with NotResource grants the actions on every resource except those listed, including resources created later; list the resources instead")
	}
	if allow && !s.NotAction && !s.NotResource && slices.Contains(s.Resource, "*") && namesPassRole(s.Action) {
		j := slices.Index(s.Resource, "*")
		c.add(SecurityWarning, CodePassRoleWithStar, c.elemPath(sp, "Resource", j),
			`iam:PassRole with "Resource": "*" lets the principal pass any role, and so gain its permissions, to any service; name the roles (arn:aws:iam::ACCOUNT:role/NAME) and consider the iam:PassedToService condition key`)
	}

	if !s.NotResource && len(actions) > 0 && allKnown {
		for j, r := range s.Resource {
			if r == "*" || acceptedBySome(actions, r) {
				continue
			}
			c.add(Error, CodeUnsupportedResourceARN, c.elemPath(sp, resourceElem, j),
				"resource %s is not of a type that %s accepts%s", r, describe(actions), resourceHint(actions))
		}
	}

	c.conditions(s, sp, actions, allKnown, allow)
	return actions
}

// action checks one Action pattern and returns the actions it matches
// (nil when there are none or the service is unknown).
func (c *checker) action(pattern, path string) []*catalog.Action {
	if pattern == "*" {
		return nil // every action: nothing to check, and too many to use
	}
	prefix, name, _ := strings.Cut(pattern, ":")
	if c.declared(prefix) {
		return nil // the deployment's own service: its actions are its own
	}
	if !strings.ContainsAny(prefix, "*?") {
		svc, ok := findService(prefix)
		if !ok {
			hint := didYouMean(closest(prefix, servicePrefixes(c.services)))
			if hint == "" {
				hint = fmt.Sprintf("; if it is a service of your own, declare it (keyward policy lint --service-prefix %s)", prefix)
			}
			c.add(Error, CodeInvalidService, path, "the service prefix %q in %q is not a service of AWS's, nor Keyward's own%s", prefix, pattern, hint)
			return nil
		}
		if !strings.ContainsAny(name, "*?") {
			a, ok := serviceAction(svc, name)
			if !ok {
				var names []string
				for _, a := range svc.Actions {
					names = append(names, a.Name)
				}
				c.add(Error, CodeInvalidAction, path, "%q is not an action of %s (%s)%s", pattern, svc.Name, svc.Prefix, didYouMean(svc.Prefix+":"+closest(name, names)))
				return nil
			}
			return []*catalog.Action{a}
		}
	}
	names := expandPattern(pattern)
	if len(names) == 0 {
		c.add(Error, CodeNoMatchingAction, path, "the pattern %q matches no action", pattern)
		return nil
	}
	out := make([]*catalog.Action, 0, len(names))
	for _, n := range names {
		a, _ := findAction(n)
		out = append(out, a)
	}
	return out
}

func didYouMean(s string) string {
	if s == "" || strings.HasSuffix(s, ":") {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", s)
}

// redundantPatterns returns, for each action pattern of a list, the index
// of another that matches all it matches (an earlier one when both match
// the same), or -1. Only a pattern with wildcards, or the same text, can
// cover another, and only within its service unless its service part has
// wildcards; so each pattern is compared with a few others, which matters
// for lists of thousands (ReadOnlyAccess).
func redundantPatterns(patterns []string) []int {
	out := make([]int, len(patterns))
	lower := make([]string, len(patterns))
	first := map[string]int{}
	wild := map[string][]int{} // wildcard patterns by service prefix; "" for wildcard prefixes
	for i, p := range patterns {
		lower[i] = strings.ToLower(p)
		if _, ok := first[lower[i]]; !ok {
			first[lower[i]] = i
		}
		if strings.ContainsAny(p, "*?") {
			prefix, _, _ := strings.Cut(lower[i], ":")
			if strings.ContainsAny(prefix, "*?") {
				prefix = ""
			}
			wild[prefix] = append(wild[prefix], i)
		}
	}
	for j, p := range lower {
		out[j] = -1
		if k := first[p]; k < j {
			out[j] = k
			continue
		}
		prefix, _, _ := strings.Cut(p, ":")
		for _, ks := range [][]int{wild[prefix], wild[""]} {
			for _, k := range ks {
				if out[j] < 0 && k != j && lower[k] != p && globMatch(lower[k], p) {
					out[j] = k
				}
			}
		}
	}
	return out
}

// namesPassRole reports whether the patterns name iam:PassRole through
// the iam service (iam:PassRole, iam:Pass*, iam:*); the bare "*" of
// administrators is left to other reviews.
func namesPassRole(patterns []string) bool {
	for _, p := range patterns {
		prefix, _, _ := strings.Cut(strings.ToLower(p), ":")
		if prefix == "iam" && covers(p, "iam:PassRole") {
			return true
		}
	}
	return false
}

// covers reports whether action pattern a matches everything pattern b
// does, as text: a's * and ? against b's characters, b's wildcards
// included (so s3:* covers s3:Get*).
func covers(a, b string) bool {
	return globMatch(strings.ToLower(a), strings.ToLower(b))
}

func globMatch(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' && s[i] != '*' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func acceptedBySome(actions []*catalog.Action, resource string) bool {
	for _, a := range actions {
		if accepts(a, resource) {
			return true
		}
	}
	return false
}

// describe names the actions for a message: one by name, more by count.
func describe(actions []*catalog.Action) string {
	if len(actions) == 1 {
		return actions[0].FullName()
	}
	return fmt.Sprintf("any of the %d actions (%s, ...)", len(actions), actions[0].FullName())
}

// resourceHint lists the ARN formats of the actions' resource types (a
// few), or says they take only "*".
func resourceHint(actions []*catalog.Action) string {
	var formats []string
	for _, a := range actions {
		if kind, ok := pathKind(a); ok {
			formats = append(formats, "arn:${Partition}:iam::${Account}:"+kind+"/${Path} (the path it lists, as IAM authorizes it)")
		}
		for _, r := range a.Resources {
			if r.Type.ARNFormat != "" && !slices.Contains(formats, r.Type.ARNFormat) {
				formats = append(formats, r.Type.ARNFormat)
			}
		}
	}
	switch {
	case len(formats) == 0:
		return `: these actions support only "Resource": "*"`
	case len(formats) > 3:
		formats = append(formats[:3], "...")
	}
	return "; expected " + strings.Join(formats, " or ")
}

// Operator families and the key types each compares.
// String operators are left out: AWS compares any key's text with them
// (its own policies use StringEquals on Bool keys), and Arn operators take
// String keys that hold ARNs (kms:EncryptionContext:aws:s3:arn).
var operatorTypes = map[string][]string{
	"Arn":       {"ARN", "ArrayOfARN", "String", "ArrayOfString"},
	"Numeric":   {"Numeric", "ArrayOfNumeric"},
	"Date":      {"Date", "ArrayOfDate"},
	"Bool":      {"Bool", "ArrayOfBool"},
	"IpAddress": {"IPAddress", "ArrayOfIPAddress"},
}

var familyValues = map[string]string{
	"Arn": "ARNs", "Numeric": "numbers", "Date": "dates", "Bool": "booleans", "IpAddress": "IP addresses",
}

// family returns the operator's family (String, Arn, ...), its set
// qualifier (ForAllValues, ForAnyValue or "") and whether it is Null.
func family(op string) (fam, set string) {
	if q, rest, ok := strings.Cut(op, ":"); ok {
		set, op = q, rest
	}
	op = strings.TrimSuffix(op, "IfExists")
	switch {
	case op == "Null":
		return "Null", set
	case strings.HasPrefix(op, "String"):
		return "String", set
	case strings.HasPrefix(op, "Arn"):
		return "Arn", set
	case strings.HasPrefix(op, "Numeric"):
		return "Numeric", set
	case strings.HasPrefix(op, "Date"):
		return "Date", set
	case op == "Bool":
		return "Bool", set
	case op == "IpAddress", op == "NotIpAddress":
		return "IpAddress", set
	}
	return op, set // BinaryEquals
}

func (c *checker) conditions(s *policy.Statement, sp string, actions []*catalog.Action, allKnown, allow bool) {
	for _, cond := range s.Condition {
		path := sp + ".Condition." + cond.Operator + "." + cond.Key
		if prefix, _, _ := strings.Cut(cond.Key, ":"); c.declared(prefix) {
			continue // a key of the deployment's own service: its type is unknown
		}
		key, known := catalog.FindConditionKey(cond.Key)
		if !known {
			var names []string
			for _, k := range catalog.GlobalConditionKeys() {
				names = append(names, k.Name)
			}
			prefix, _, _ := strings.Cut(cond.Key, ":")
			if svc, ok := catalog.FindService(prefix); ok {
				for _, k := range svc.ConditionKeys {
					names = append(names, k.Name)
				}
			}
			c.add(Error, CodeInvalidConditionKey, path, "no service defines the condition key %q%s", cond.Key, didYouMean(closest(cond.Key, names)))
			continue
		}
		if allKnown && len(actions) > 0 && !isGlobal(key) {
			supported := false
			for _, a := range actions {
				if _, ok := a.ConditionKey(cond.Key); ok {
					supported = true
					break
				}
			}
			if !supported {
				c.add(Warning, CodeUnsupportedKey, path, "%s does not support the condition key %s: the condition is never satisfied for it", describe(actions), cond.Key)
			}
		}
		fam, set := family(cond.Operator)
		if types, ok := operatorTypes[fam]; ok && !slices.Contains(types, key.Type) {
			c.add(Error, CodeMismatchedType, path, "%s compares %s, but %s is of type %s", cond.Operator, familyValues[fam], cond.Key, key.Type)
		}
		if set != "" && !strings.HasPrefix(key.Type, "ArrayOf") {
			c.add(Warning, CodeSetOperatorSingleKey, path, "%s is meant for multivalued keys, and %s has one value (type %s); use %s without %s:",
				cond.Operator, cond.Key, key.Type, strings.TrimPrefix(cond.Operator, set+":"), set)
		}
		if allow && set == "ForAllValues" && !hasNullCheck(s, cond.Key) {
			c.add(SecurityWarning, CodeAllowWithForAllValues, path,
				`ForAllValues with Allow is true when the request has no %s at all, so it grants access without the values it seems to require; add {"Null": {"%s": "false"}} or use ForAnyValue`, cond.Key, cond.Key)
		}
	}
}

func isGlobal(k *catalog.ConditionKey) bool {
	for _, g := range catalog.GlobalConditionKeys() {
		if g == k {
			return true
		}
	}
	return false
}

// hasNullCheck reports whether the statement requires the key to be
// present: {"Null": {"key": "false"}}.
func hasNullCheck(s *policy.Statement, key string) bool {
	for _, c := range s.Condition {
		if c.Operator == "Null" && strings.EqualFold(c.Key, key) && slices.Equal(c.Values, []string{"false"}) {
			return true
		}
	}
	return false
}

// redundancy reports statements that another makes pointless: an Allow
// or a Deny whose every action and resource another statement of the same
// effect already covers with no more conditions (REDUNDANT_STATEMENT), and
// an Allow that a Deny without conditions covers (SHADOWED_STATEMENT).
// Statements with NotAction, NotResource or principals are left alone.
func (c *checker) redundancy(expanded [][]*catalog.Action) {
	stmts := c.doc.Statements
	for i := range stmts {
		a := &stmts[i]
		if !simple(a) {
			continue
		}
		for j := range stmts {
			b := &stmts[j]
			if i == j || !simple(b) || !coversStatement(b, a, expanded[j], expanded[i]) {
				continue
			}
			switch {
			case a.Effect == b.Effect && (len(b.Condition) == 0 || reflect.DeepEqual(a.Condition, b.Condition)):
				if coversStatement(a, b, expanded[i], expanded[j]) && len(a.Condition) == len(b.Condition) && i < j {
					continue // the same statement twice: report the second
				}
				c.add(Suggestion, CodeRedundantStatement, c.stmtPath(i), "this statement is redundant: %s already %ss all it %ss", name(c, j), strings.ToLower(b.Effect.String()), strings.ToLower(a.Effect.String()))
			case a.Effect == policy.Allow && b.Effect == policy.Deny && len(b.Condition) == 0:
				c.add(Warning, CodeShadowedStatement, c.stmtPath(i), "this statement never takes effect: %s denies all it allows", name(c, j))
			default:
				continue
			}
			break
		}
	}
}

func name(c *checker, i int) string {
	if sid := c.doc.Statements[i].Sid; sid != "" {
		return fmt.Sprintf("statement %q (%s)", sid, c.stmtPath(i))
	}
	return "statement " + c.stmtPath(i)
}

func simple(s *policy.Statement) bool {
	return !s.NotAction && !s.NotResource && s.Principal == nil && len(s.Action) > 0
}

// coversStatement reports whether b's actions and resources include all
// of a's: each of a's patterns is covered by one of b's as text, or a's
// actions (all known) are among those b's patterns match.
func coversStatement(b, a *policy.Statement, bActions, aActions []*catalog.Action) bool {
	textually := true
	for _, pa := range a.Action {
		if !slices.ContainsFunc(b.Action, func(pb string) bool { return covers(pb, pa) }) {
			textually = false
			break
		}
	}
	if !textually {
		if len(aActions) == 0 || len(bActions) == 0 {
			return false
		}
		for _, x := range aActions {
			if !slices.ContainsFunc(b.Action, func(pb string) bool { return covers(pb, x.FullName()) }) {
				return false
			}
		}
	}
	for _, ra := range a.Resource {
		if !slices.ContainsFunc(b.Resource, func(rb string) bool { return globMatch(rb, ra) }) {
			return false
		}
	}
	return true
}
