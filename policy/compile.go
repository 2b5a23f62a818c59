package policy

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"

	"github.com/keyward/keyward/arn"
)

// Policy is a document with the id reported when one of its statements
// decides a request (a policy name or ARN, for example).
type Policy struct {
	ID       string
	Document *Document
}

// A Set is a group of compiled policies, indexed by the actions their
// statements name, so that a decision looks only at statements that can
// match. Compile once, evaluate many times: a Set is immutable and safe for
// concurrent use.
type Set struct {
	policies []Policy
	stmts    []cstmt
	byAction strIndex[*bucket] // "svc:action" in lower case -> statements matching it, of its service
	bySvc    strIndex[*bucket] // "svc" in lower case -> statements with a wildcard action in svc
	anySvc   bucket            // statements whose actions can match any service (NotAction, "*", "*:x")
	hasAny   bool              // anySvc holds statements
	merged   bool              // byAction's buckets hold their service's matching wildcard statements
	trust    bool              // some document is a trust policy: the principal must be named
}

// A byAction bucket holds the statements that name its action literally and
// (when the Set is merged) those of bySvc's bucket for its service whose
// wildcard actions match it: a request for an action some statement names
// needs one lookup and one bucket, and compares no action, since action
// patterns hold no variables and NewSet decides them once. The cost is
// memory and compile time: a statement of a service's bucket can be listed
// once per literal action of that service, L×W entries for L literal
// actions and W wildcard statements. mergeBudget bounds it; past it, the
// buckets stay apart and a decision compares the service's wildcard
// actions, as it does for an action no statement names.
var mergeBudget = 1 << 16

// newBucket indexes the statements listed (in order) by resource; tokens[i]
// is statement i's patternTokens.
func newBucket(list []int32, tokens [][]string) *bucket {
	b := &bucket{}
	for _, i := range list {
		b.add(i, tokens[i])
	}
	b.freeze()
	return b
}

// matchesLiteral reports whether the statement's actions match the action
// a, in lower case, as actionMatches would match a request for it.
func (st *cstmt) matchesLiteral(a string) bool {
	m := false
	for i := range st.actions {
		if st.actions[i].match(a, nil, exact) { // no variables in actions: nil evalState
			m = true
			break
		}
	}
	return m != st.notAction
}

// A bucket indexes statements a second time, by resource: byRes holds the
// statements whose every Resource pattern begins with literal sections and a
// literal first token of the resource part (the bucket in
// arn:aws:s3:::bucket/key, the "user" in arn:aws:iam::1:user/x), keyed by that
// token; wild holds the rest. A request looks at byRes[its token] and wild.
type bucket struct {
	byRes strIndex[[]int32]
	wild  []int32
	res   map[string][]int32 // byRes while NewSet builds it
}

func (b *bucket) add(i int32, tokens []string) {
	if tokens == nil {
		b.wild = append(b.wild, i)
		return
	}
	if b.res == nil {
		b.res = make(map[string][]int32)
	}
	for j, t := range tokens {
		if slices.Contains(tokens[:j], t) {
			continue
		}
		b.res[t] = append(b.res[t], i)
	}
}

// freeze turns the map built by add into the index decisions read.
func (b *bucket) freeze() {
	b.byRes, b.res = newStrIndex(b.res), nil
}

// resourceToken returns the token of a resource by which the index finds
// statements: the text after the fifth colon up to the next '/' or ':', or ""
// when s has fewer than five colons.
func resourceToken(s string) string {
	// A plain loop to the fifth colon: the sections before it are short.
	// Most ARNs begin "arn:aws:": two colons known at once.
	colons, start := 0, 0
	if len(s) > 8 && s[:8] == "arn:aws:" {
		colons, start = 2, 8
	}
	for i := start; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		if colons++; colons == 5 {
			// The token can be long (a bucket name): IndexByte's vector
			// scan beats a byte loop there. Cutting at the first '/' and
			// then at the first ':' ends it at the first of either.
			rest := s[i+1:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				rest = rest[:j]
			}
			if j := strings.IndexByte(rest, ':'); j >= 0 {
				rest = rest[:j]
			}
			return rest
		}
	}
	return ""
}

// patternTokens returns the resource tokens every resource matching the
// statement must have, or nil when the statement can match resources with any
// token (NotResource, "*", a wildcard before the first delimiter).
func (st *cstmt) patternTokens() []string {
	if !st.hasResource || st.notResource {
		return nil
	}
	var out []string
	for _, r := range st.stmt.Resource {
		rest, ok := r, true
		for n := 0; n < 5 && ok; n++ {
			j := strings.IndexByte(rest, ':')
			if j < 0 || strings.ContainsAny(rest[:j], "*?$") {
				ok = false
				break
			}
			rest = rest[j+1:]
		}
		if !ok {
			return nil
		}
		stop := strings.IndexAny(rest, "*?$/:")
		switch {
		case stop < 0:
			// all literal: the token is the whole resource part
		case rest[stop] == '/' || rest[stop] == ':':
			rest = rest[:stop]
		default:
			return nil
		}
		if rest == "" {
			return nil
		}
		out = append(out, rest)
	}
	return out
}

type cstmt struct {
	policy       int32
	index        int32
	effect       Effect
	sid          string
	notAction    bool
	lowerActions []string
	actions      []pattern // lower case
	// svcWide says every action is "svc:*": reached through bySvc (the
	// statement is in no other bucket), the statement matches any action
	// that has a service part, so the action need not be compared.
	svcWide     bool
	hasResource bool
	notResource bool
	// anyResource says the resource check passes whatever the resource:
	// no Resource element, or a Resource that lists "*".
	anyResource bool
	resources   []arnPattern
	principal   *cprincipal
	notPrinc    bool
	conds       []ccond
	stmt        *Statement
	// match describes the statement when it decides, typed as its
	// document; made once, it is copied, not assembled, per decision.
	match Match
}

type ccond struct {
	op      operator
	opName  string
	key     string // lower case
	keyHash uint64 // hashKey(key)
	rawKey  string
	strs    []pattern
	arns    []arnPattern
	nums    []float64
	dates   []int64
	ips     []netip.Prefix
	ip4     []ip4Net // ips as IPv4 masks, when every one is IPv4; else nil
	bools   []string
	cond    *Condition
}

// NewSet compiles and indexes policies. The documents must come from Parse (or
// Validate found nothing): NewSet trusts them.
func NewSet(policies ...Policy) *Set {
	s := &Set{policies: policies}
	n := 0
	for _, p := range policies {
		if p.Document != nil {
			n += len(p.Document.Statements)
		}
	}
	s.stmts = make([]cstmt, 0, n)
	for pi, p := range policies {
		if p.Document == nil {
			continue
		}
		if p.Document.Type == Trust {
			s.trust = true
		}
		vars := p.Document.Version == Version2012
		for si := range p.Document.Statements {
			st := &p.Document.Statements[si]
			c := compileStatement(st, int32(pi), int32(si), vars)
			c.match = Match{PolicyID: p.ID, Type: p.Document.Type, Sid: st.Sid, Statement: si, Effect: st.Effect, Start: st.Start, End: st.End}
			s.stmts = append(s.stmts, c)
		}
	}
	// First the statements of each literal action and of each service with
	// a wildcard action, in order; then the buckets, each built once.
	tokens := make([][]string, len(s.stmts))
	for i := range s.stmts {
		tokens[i] = s.stmts[i].patternTokens()
	}
	lits, svcs := make(map[string][]int32), make(map[string][]int32)
	for i := range s.stmts {
		s.index(int32(i), tokens[i], lits, svcs)
	}
	s.hasAny = len(s.anySvc.wild) > 0 || len(s.anySvc.res) > 0
	s.anySvc.freeze()
	bySvc := make(map[string]*bucket, len(svcs))
	for svc, list := range svcs {
		bySvc[svc] = newBucket(list, tokens)
	}
	cost := 0
	for a := range lits {
		svc, _, _ := strings.Cut(a, ":")
		cost += len(svcs[svc])
	}
	s.merged = cost <= mergeBudget
	byAction := make(map[string]*bucket, len(lits))
	for a, list := range lits {
		svc, _, _ := strings.Cut(a, ":")
		n := len(list)
		if !s.merged {
			byAction[a] = newBucket(list, tokens)
			continue
		}
		for _, i := range svcs[svc] {
			if s.stmts[i].matchesLiteral(a) {
				list = append(list, i)
			}
		}
		if len(list) > n {
			slices.Sort(list) // the Set's order; a statement is in lits or svcs, never both
		}
		byAction[a] = newBucket(list, tokens)
	}
	s.byAction, s.bySvc = newStrIndex(byAction), newStrIndex(bySvc)
	return s
}

// Policies returns the policies of the set.
func (s *Set) Policies() []Policy {
	if s == nil {
		return nil
	}
	return s.policies
}

// Len returns the number of statements in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.stmts)
}

// index adds statement i, whose patternTokens are tokens, to anySvc, or to
// the lists of the literal actions (lits) or services (svcs) it names.
func (s *Set) index(i int32, tokens []string, lits, svcs map[string][]int32) {
	st := &s.stmts[i]
	if st.notAction {
		s.anySvc.add(i, tokens)
		return
	}
	// A service with a wildcard action goes to bySvc; literal actions of
	// other services go to byAction. Statements name few actions: slices
	// beat maps here.
	var wildSvc []string
	for _, la := range st.lowerActions {
		svc, _, ok := strings.Cut(la, ":")
		if !ok || strings.ContainsAny(svc, "*?") {
			s.anySvc.add(i, tokens)
			return
		}
		if strings.ContainsAny(la, "*?") && !slices.Contains(wildSvc, svc) {
			wildSvc = append(wildSvc, svc)
		}
	}
	var seen []string
	for _, la := range st.lowerActions {
		svc, _, _ := strings.Cut(la, ":")
		key, m := la, lits
		if slices.Contains(wildSvc, svc) {
			key, m = svc, svcs
		}
		if slices.Contains(seen, key) {
			continue
		}
		seen = append(seen, key)
		m[key] = append(m[key], i)
	}
}

func compileStatement(st *Statement, pi, si int32, vars bool) cstmt {
	c := cstmt{policy: pi, index: si, effect: st.Effect, sid: st.Sid, notAction: st.NotAction, stmt: st}
	c.lowerActions = make([]string, len(st.Action))
	c.actions = make([]pattern, len(st.Action))
	c.svcWide = !st.NotAction && len(st.Action) > 0
	for i, a := range st.Action {
		c.lowerActions[i] = strings.ToLower(a)
		c.actions[i] = compilePattern(c.lowerActions[i], true, false)
		svc, rest, _ := strings.Cut(c.lowerActions[i], ":")
		if rest != "*" || svc == "" || strings.ContainsAny(svc, "*?") {
			c.svcWide = false
		}
	}
	c.anyResource = st.Resource == nil
	if st.Resource != nil {
		c.hasResource = true
		c.notResource = st.NotResource
		c.resources = make([]arnPattern, len(st.Resource))
		for i, r := range st.Resource {
			c.resources[i] = compileARN(r, vars)
			if c.resources[i].any && !st.NotResource {
				c.anyResource = true
			}
		}
	}
	if st.Principal != nil {
		c.principal = compilePrincipal(st.Principal)
		c.notPrinc = st.NotPrincipal
	}
	if len(st.Condition) > 0 {
		c.conds = make([]ccond, len(st.Condition))
		for i := range st.Condition {
			c.conds[i] = compileCondition(&st.Condition[i], vars)
		}
	}
	return c
}

func compileCondition(cd *Condition, vars bool) ccond {
	op, _ := parseOperator(cd.Operator)
	c := ccond{op: op, opName: cd.Operator, key: strings.ToLower(cd.Key), rawKey: cd.Key, cond: cd}
	c.keyHash = hashKey(c.key)
	for _, v := range cd.Values {
		switch op.family {
		case famString:
			c.strs = append(c.strs, compilePattern(v, op.cmp == cmpLike, vars))
		case famArn:
			c.arns = append(c.arns, compileARN(v, vars))
		case famNumeric:
			f, _ := parseFloat(v)
			c.nums = append(c.nums, f)
		case famDate:
			d, _ := parseDate(v)
			c.dates = append(c.dates, d)
		case famIP:
			p, _ := parseCIDR(v)
			c.ips = append(c.ips, p)
		case famBool, famNull:
			c.bools = append(c.bools, strings.ToLower(v))
		case famBinary:
			c.bools = append(c.bools, v)
		}
	}
	if len(c.ips) > 0 {
		c.ip4 = ip4Nets(c.ips)
	}
	return c
}

// ip4Net is an IPv4 prefix as a network and a mask: an IPv4 address is in
// it when addr&mask == net. Most IP conditions name IPv4 ranges, and two
// integer operations beat netip.Prefix.Contains's checks of both sides.
type ip4Net struct{ net, mask uint32 }

// ip4Nets returns ps as ip4Nets, or nil unless every prefix is a valid IPv4 one.
func ip4Nets(ps []netip.Prefix) []ip4Net {
	out := make([]ip4Net, 0, len(ps))
	for _, p := range ps {
		if !p.IsValid() || !p.Addr().Is4() {
			return nil
		}
		mask := ^uint32(0) << (32 - p.Bits()) // 0 for /0: Go's shifts by 32 give 0
		out = append(out, ip4Net{ip4Uint(p.Masked().Addr()) & mask, mask})
	}
	return out
}

func ip4Uint(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// cprincipal is a compiled Principal element.
type cprincipal struct {
	all      bool
	accounts []string
	arns     []string
	roles    []roleRef // role ARNs, which also name the role's sessions
	others   []string  // service, federated and canonical-user principals
}

type roleRef struct{ account, name string }

func compilePrincipal(p *Principal) *cprincipal {
	c := &cprincipal{all: p.All}
	for _, v := range p.AWS {
		switch {
		case v == "*":
			c.all = true
		case arn.IsAccountID(v):
			c.accounts = append(c.accounts, v)
		default:
			switch pr := arn.ParsePrincipal(v); pr.Kind {
			case arn.Root:
				c.accounts = append(c.accounts, pr.AccountID)
			case arn.Role:
				c.roles = append(c.roles, roleRef{pr.AccountID, pr.Name})
				c.arns = append(c.arns, v)
			default:
				c.arns = append(c.arns, v)
			}
		}
	}
	c.others = append(c.others, p.Service...)
	c.others = append(c.others, p.Federated...)
	c.others = append(c.others, p.CanonicalUser...)
	return c
}

// principalMatch says how a Principal element named the request's principal.
// The kind matters in a same-account resource policy: a direct grant stands on
// its own, a grant to the role is limited by the session's boundary and session
// policies, and a grant to the account only delegates to identity policies.
type principalMatch uint8

const (
	pmNone principalMatch = iota
	pmAccount
	pmRole
	pmDirect
)

// excludes reports whether a NotPrincipal element spares the request's
// principal. AWS checks NotPrincipal against every identity a request
// stands for ("AWS JSON policy elements: NotPrincipal"): a role session is
// also its role, so the session is spared only when the session ARN and
// the role ARN are both listed, and listing an account spares the account
// itself (its root user), not the users and roles in it. Listing the
// account next to a user, as that page advises, keeps the deny from
// reaching the user through its account.
func (c *cprincipal) excludes(e *evalState) bool {
	if c.all {
		return true
	}
	p := e.req.Principal
	switch e.principal.Kind {
	case arn.Root:
		return slices.Contains(c.accounts, e.principalAccount)
	case arn.AssumedRole:
		if !slices.Contains(c.arns, p) {
			return false
		}
		for _, r := range c.roles {
			if r.account == e.principal.AccountID && r.name == e.principal.Name {
				return true
			}
		}
		return false
	}
	return slices.Contains(c.arns, p) || slices.Contains(c.others, p)
}

func (c *cprincipal) match(e *evalState) principalMatch {
	if c.all {
		return pmDirect
	}
	p := e.req.Principal
	for _, a := range c.arns {
		if a == p {
			if e.principal.Kind == arn.Role {
				return pmRole
			}
			return pmDirect
		}
	}
	for _, o := range c.others {
		if o == p {
			return pmDirect
		}
	}
	if e.principal.Kind == arn.AssumedRole {
		for _, r := range c.roles {
			if r.account == e.principal.AccountID && r.name == e.principal.Name {
				return pmRole
			}
		}
	}
	acct := e.principalAccount
	if acct != "" {
		for _, a := range c.accounts {
			if a == acct {
				return pmAccount
			}
		}
	}
	return pmNone
}
