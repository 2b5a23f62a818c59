package policy

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
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
// Line and Column where it starts.
type ParseError struct {
	Path    string
	Line    int
	Column  int
	Message string
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

// Parse reads a policy document of type t. On error it returns no document and
// a *ParseError naming the first problem; Validate lists all of them.
func Parse(data []byte, t Type) (*Document, error) {
	d, errs := parse(data, t)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return d, nil
}

// Validate reads a policy document of type t and returns every problem found,
// or nil when the document is valid.
func Validate(data []byte, t Type) ParseErrors {
	_, errs := parse(data, t)
	return errs
}

type parser struct {
	data  []byte
	t     Type
	errs  ParseErrors
	doc   *Document
	sids  map[string]bool
	lines *lines
}

func (p *parser) errorf(off int, path, format string, args ...any) {
	pos := p.position(off)
	p.errs = append(p.errs, &ParseError{Path: path, Line: pos.Line, Column: pos.Column, Message: fmt.Sprintf(format, args...)})
}

func parse(data []byte, t Type) (*Document, ParseErrors) {
	p := &parser{data: data, t: t}
	root, jerr := parseJSON(data)
	if jerr != nil {
		p.errorf(jerr.off, jerr.path, "%s", "invalid JSON: "+jerr.msg)
		return nil, p.errs
	}
	if root.kind != jObject {
		p.errorf(root.off, "", "a policy must be a JSON object, not %s", root.kind)
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
					p.errorf(m.val.off, "Version", "%q is not a policy language version: use %q", s, Version2012)
				}
				d.Version = s
			}
		case "Id":
			if t == Identity || t == Boundary || t == Session {
				p.errorf(m.keyOff, "Id", "Id is not allowed in %s policies", t)
			}
			d.ID, _ = p.str(m.val, "Id")
		case "Statement":
			stmts = m.val
		default:
			p.errorf(m.keyOff, m.key, "unknown element %q%s", m.key, suggest(m.key, "Version", "Id", "Statement"))
		}
	}
	switch {
	case stmts == nil:
		p.errorf(root.off, "Statement", "the policy has no Statement")
	case stmts.kind == jObject:
		p.statement(stmts, "Statement")
	case stmts.kind == jArray:
		if len(stmts.elems) == 0 {
			p.errorf(stmts.off, "Statement", "Statement must not be empty")
		}
		for i, e := range stmts.elems {
			path := "Statement[" + strconv.Itoa(i) + "]"
			if e.kind != jObject {
				p.errorf(e.off, path, "a statement must be an object, not %s", e.kind)
				continue
			}
			p.statement(e, path)
		}
	default:
		p.errorf(stmts.off, "Statement", "Statement must be an object or an array of objects, not %s", stmts.kind)
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
		p.errorf(n.off, path, "%s must be a string, not %s", lastElem(path), n.kind)
		return "", false
	}
	return n.str, true
}

// strings reads a string or an array of strings; a single value may drop its array.
func (p *parser) strings(n *node, path string) ([]string, bool) {
	if n.kind == jString {
		return []string{n.str}, true
	}
	if n.kind != jArray {
		p.errorf(n.off, path, "%s must be a string or an array of strings, not %s", lastElem(path), n.kind)
		return nil, false
	}
	if len(n.elems) == 0 {
		p.errorf(n.off, path, "%s must not be an empty array", lastElem(path))
		return nil, false
	}
	out := make([]string, 0, len(n.elems))
	ok := true
	for i, e := range n.elems {
		if e.kind != jString {
			p.errorf(e.off, path+"["+strconv.Itoa(i)+"]", "%s values must be strings, not %s", lastElem(path), e.kind)
			ok = false
			continue
		}
		out = append(out, e.str)
	}
	return out, ok
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
	var action, notAction, resource, notResource, principal, notPrincipal, effect *node
	for _, m := range n.keys {
		sub := path + "." + m.key
		switch m.key {
		case "Sid":
			if sid, ok := p.str(m.val, sub); ok {
				if p.t != Resource && p.t != Trust && !isAlnum(sid) {
					p.errorf(m.val.off, sub, "Sid %q must contain only letters and digits ([A-Za-z0-9]) in %s policies", sid, p.t)
				}
				if sid != "" && p.sids[sid] {
					p.errorf(m.val.off, sub, "statement ids (Sid) must be unique within a policy: %q appears more than once", sid)
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
			p.errorf(m.keyOff, sub, "unknown element %q%s", m.key, suggest(m.key, statementKeys...))
		}
	}

	switch {
	case effect == nil:
		p.errorf(n.off, path+".Effect", "the statement has no Effect")
	default:
		if e, ok := p.str(effect, path+".Effect"); ok {
			switch e {
			case "Allow":
				s.Effect = Allow
			case "Deny":
				s.Effect = Deny
			default:
				p.errorf(effect.off, path+".Effect", "Effect must be \"Allow\" or \"Deny\" (case-sensitive), not %q", e)
			}
		}
	}

	switch {
	case action != nil && notAction != nil:
		p.errorf(notAction.off, path+".NotAction", "a statement cannot have both Action and NotAction")
	case action == nil && notAction == nil:
		p.errorf(n.off, path+".Action", "the statement has neither Action nor NotAction")
	case action != nil:
		s.Action = p.actions(action, path+".Action")
	default:
		s.NotAction = true
		s.Action = p.actions(notAction, path+".NotAction")
	}

	switch {
	case resource != nil && notResource != nil:
		p.errorf(notResource.off, path+".NotResource", "a statement cannot have both Resource and NotResource")
	case p.t == Trust && (resource != nil || notResource != nil):
		r := resource
		if r == nil {
			r = notResource
		}
		p.errorf(r.off, path, "a trust policy must not have Resource or NotResource")
	case resource == nil && notResource == nil:
		if p.t != Trust && p.t != SCP {
			p.errorf(n.off, path+".Resource", "the statement has neither Resource nor NotResource")
		}
	case resource != nil:
		s.Resource = p.resources(resource, path+".Resource")
	default:
		s.NotResource = true
		s.Resource = p.resources(notResource, path+".NotResource")
	}

	switch {
	case principal != nil && notPrincipal != nil:
		p.errorf(notPrincipal.off, path+".NotPrincipal", "a statement cannot have both Principal and NotPrincipal")
	case p.t != Resource && p.t != Trust && (principal != nil || notPrincipal != nil):
		r, name := principal, "Principal"
		if r == nil {
			r, name = notPrincipal, "NotPrincipal"
		}
		p.errorf(r.off, path+"."+name, "%s is not allowed in %s policies", name, p.t)
	case notPrincipal != nil && p.t == Trust:
		p.errorf(notPrincipal.off, path+".NotPrincipal", "NotPrincipal is not allowed in trust policies")
	case principal == nil && notPrincipal == nil:
		if p.t == Resource || p.t == Trust {
			p.errorf(n.off, path+".Principal", "the statement has no Principal: %s policies must name one", p.t)
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

func (p *parser) actions(n *node, path string) []string {
	vals, _ := p.strings(n, path)
	for i, a := range vals {
		if msg := checkAction(a); msg != "" {
			off := n.off
			if n.kind == jArray {
				off = n.elems[i].off
			}
			p.errorf(off, path, "%s", msg)
		}
	}
	return vals
}

// checkAction returns what is wrong with an action pattern, or "".
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" {
		return fmt.Sprintf("action %q has no service prefix: actions must be prefaced by a vendor, e.g., iam, sdb, ec2 (\"s3:GetObject\")", a)
	}
	if name == "" {
		return fmt.Sprintf("action %q has no action name after the service prefix", a)
	}
	for _, c := range svc {
		if !(c == '-' || c == '*' || c == '?' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return fmt.Sprintf("action %q has an invalid service prefix %q", a, svc)
		}
	}
	for _, c := range name {
		if !(c == '-' || c == '*' || c == '?' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return fmt.Sprintf("action %q has an invalid character %q in its name", a, c)
		}
	}
	return ""
}

func (p *parser) resources(n *node, path string) []string {
	vals, _ := p.strings(n, path)
	for i, r := range vals {
		off := n.off
		if n.kind == jArray {
			off = n.elems[i].off
		}
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			p.errorf(off, path, "resource %q must be in ARN format or \"*\"", r)
			continue
		}
		if p.doc.Version == Version2012 {
			if msg := checkVariables(r); msg != "" {
				p.errorf(off, path, "resource %q: %s", r, msg)
				continue
			}
			if i := strings.Index(r, "${"); i >= 0 && strings.Count(r[:i], ":") < 5 {
				// Only the resource part of an ARN may vary by principal: AWS
				// substitutes variables after the fifth colon only.
				p.errorf(off, path, "resource %q: policy variables are allowed only in the resource part of an ARN (after the fifth colon)", r)
			}
		}
	}
	return vals
}

func (p *parser) principal(n *node, path string) *Principal {
	pr := &Principal{}
	switch n.kind {
	case jString:
		if n.str != "*" {
			p.errorf(n.off, path, "a principal given as a string must be \"*\"; name others as {\"AWS\": %q}", n.str)
		}
		pr.All = true
		return pr
	case jObject:
	default:
		p.errorf(n.off, path, "%s must be \"*\" or an object, not %s", lastElem(path), n.kind)
		return pr
	}
	if len(n.keys) == 0 {
		p.errorf(n.off, path, "%s must name at least one principal", lastElem(path))
	}
	for _, m := range n.keys {
		sub := path + "." + m.key
		vals, _ := p.strings(m.val, sub)
		switch m.key {
		case "AWS":
			for i, v := range vals {
				off := m.val.off
				if m.val.kind == jArray {
					off = m.val.elems[i].off
				}
				if msg := checkAWSPrincipal(v); msg != "" {
					p.errorf(off, sub, "%s", msg)
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
			p.errorf(m.keyOff, sub, "unknown principal type %q%s", m.key, suggest(m.key, "AWS", "Service", "Federated", "CanonicalUser"))
		}
		for i, v := range vals {
			if v != "*" && strings.ContainsAny(v, "*?") {
				off := m.val.off
				if m.val.kind == jArray {
					off = m.val.elems[i].off
				}
				p.errorf(off, sub, "principal %q: wildcards are not allowed in principals except \"*\" alone", v)
			}
		}
	}
	return pr
}

func checkAWSPrincipal(v string) string {
	if v == "*" || isAccountID(v) || IsUniqueID(v) {
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

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (p *parser) conditions(n *node, path string) []Condition {
	if n.kind != jObject {
		p.errorf(n.off, path, "Condition must be an object, not %s", n.kind)
		return nil
	}
	var out []Condition
	for _, op := range n.keys {
		opPath := path + "." + op.key
		o, msg := parseOperator(op.key)
		if msg != "" {
			p.errorf(op.keyOff, opPath, "%s", msg)
			continue
		}
		if op.val.kind != jObject {
			p.errorf(op.val.off, opPath, "the %s block must be an object of condition keys, not %s", op.key, op.val.kind)
			continue
		}
		seen := map[string]bool{}
		for _, k := range op.val.keys {
			kPath := opPath + "." + k.key
			if lk := strings.ToLower(k.key); seen[lk] {
				p.errorf(k.keyOff, kPath, "condition key %q appears twice in %s (condition keys are case-insensitive)", k.key, op.key)
			} else {
				seen[lk] = true
			}
			if svc, name, ok := strings.Cut(k.key, ":"); !ok || svc == "" || name == "" {
				p.errorf(k.keyOff, kPath, "condition key %q has no service prefix: condition keys must be prefaced by a vendor, e.g. aws:SourceIp", k.key)
				continue
			}
			vals := p.conditionValues(k.val, kPath)
			if vals == nil {
				continue
			}
			for _, v := range vals {
				if msg := o.checkValue(v, p.doc.Version == Version2012); msg != "" {
					p.errorf(k.val.off, kPath, "%s: %s", op.key, msg)
					break
				}
			}
			out = append(out, Condition{Operator: op.key, Key: k.key, Values: vals})
		}
	}
	return out
}

func (p *parser) conditionValues(n *node, path string) []string {
	scalar := func(e *node) (string, bool) {
		switch e.kind {
		case jString, jNumber, jBool:
			return e.str, true
		}
		p.errorf(e.off, path, "condition values must be strings, numbers or booleans, not %s", e.kind)
		return "", false
	}
	if n.kind != jArray {
		if s, ok := scalar(n); ok {
			return []string{s}
		}
		return nil
	}
	if len(n.elems) == 0 {
		p.errorf(n.off, path, "a condition key must have at least one value")
		return nil
	}
	out := make([]string, 0, len(n.elems))
	for _, e := range n.elems {
		s, ok := scalar(e)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
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
