package policy

import (
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/keyward/keyward/arn"
)

// Policies are the compiled policies that bear on one request, by the part each
// plays in AWS's evaluation logic. A nil Set is absent: no boundary, no session
// policies, no resource policy, and so on.
type Policies struct {
	Identity *Set   // identity policies: inline, attached, and the user's groups'
	Boundary *Set   // permissions boundary
	Session  *Set   // session policies
	Resource *Set   // resource policy; a Set of Trust documents must name the principal
	SCPs     []*Set // service control policies, one Set per level from the root down to the account

	// ResourceMustAllow says the resource policy must allow explicitly, as
	// a KMS key policy must ("Key policies in AWS KMS"): within the account
	// an identity policy's allow counts only when the resource policy names
	// the principal's account, and nobody, the root user included, has
	// access it does not grant. A role's trust policy (a Set of Trust
	// documents) always works this way.
	ResourceMustAllow bool
}

// Request is what a principal asks to do.
type Request struct {
	// Principal is an ARN (user, role, assumed-role session, account root,
	// federated user) or a service principal such as sns.amazonaws.com.
	Principal string
	Action    string // service:Action
	Resource  string // an ARN, or "*"; "" means "*"
	// ResourceAccount owns the resource; "" means the principal's own account.
	ResourceAccount string
	Context         Context
}

// Match names a statement that decided a request.
type Match struct {
	PolicyID   string
	Type       Type
	Sid        string
	Statement  int // index in the document's Statement list
	Effect     Effect
	Start, End Position
}

// Result is the outcome of Evaluate. Its slices are reused by the next
// Evaluate into the same Result, so a warm Result costs no allocation.
type Result struct {
	Decision Decision
	// Matched lists the Deny statements that matched when the decision is
	// ExplicitDeny, every Allow statement that matched when it is Allowed,
	// and nothing when it is ImplicitDeny.
	Matched []Match
	// Missing lists the condition keys (as the policies spell them) that the
	// statements in play asked for but the request lacked.
	Missing []string
	// DeniedBy is the policy type that decided a denial: the type holding
	// the explicit deny, or the first type that did not allow (SCP,
	// Resource for trust and cross-account requests, Identity, Boundary,
	// Session).
	DeniedBy Type

	allows []allowRef // the Allow statements that matched, made Matches only if they decide
}

// allowRef names a matching Allow statement: cheaper to keep than a Match
// while the decision may still be a denial.
type allowRef struct {
	stmt *cstmt
	typ  Type
}

// Decide evaluates r and returns only the decision.
func (p *Policies) Decide(r *Request) Decision {
	var res Result
	p.Evaluate(r, &res)
	return res.Decision
}

type evalState struct {
	req              *Request
	ctx              *ctxTable // the request Context's table; nil when it is empty
	res              *Result
	principal        arn.Principal
	principalAccount string
	resource         string
	token            string // resourceToken(resource)
	hasBoundary      bool
	// The hashKeys of the index keys: the action and its service in lower
	// case, and the resource's token. svcHash is computed only when some
	// Set's byAction lacks the action (svcHashed).
	actHash, svcHash, tokenHash uint64
	svcHashed                   bool
	hasService                  bool // the action has a colon: "svc:*" matches it
	cut                         bool // the lowered action is only the action's first bytes
}

// serviceHash returns the hashKey of svc, the request's service in lower
// case, hashing it on first use.
func (e *evalState) serviceHash(svc []byte) uint64 {
	if !e.svcHashed {
		e.svcHash, e.svcHashed = maphash.Bytes(hashSeed, svc), true
	}
	return e.svcHash
}

func (e *evalState) parsePrincipal() {
	r := e.req
	e.principal = arn.ParsePrincipal(r.Principal)
	e.principalAccount = e.principal.AccountID
	if e.principal.Kind == arn.NotPrincipal && arn.IsAccountID(r.Principal) {
		e.principal.Kind, e.principalAccount = arn.Root, r.Principal
	}
}

// quickPrincipal classifies a principal without parsing it, for requests
// where only "root, service, or other" matters: the account it returns is
// "" for a service principal and a placeholder otherwise.
func quickPrincipal(p string) (string, arn.PrincipalKind) {
	switch {
	case arn.IsAccountID(p):
		return p, arn.Root
	case !strings.HasPrefix(p, "arn:"):
		return "", arn.NotPrincipal
	case strings.HasSuffix(p, ":root"):
		return "self", arn.Root
	}
	return "self", arn.User
}

func (e *evalState) missing(key string) {
	for _, k := range e.res.Missing {
		if k == key {
			return
		}
	}
	e.res.Missing = append(e.res.Missing, key)
}

// Evaluate decides r against p with AWS's evaluation logic:
//   - an explicit Deny in any policy wins;
//   - every SCP level must allow, unless the principal is one SCPs never
//     limit (a service-linked role or its session, an AWS service);
//   - within one account, an allow from identity policies (limited by the
//     permissions boundary and session policies) or from the resource policy
//     suffices, except that a trust policy or a policy marked
//     ResourceMustAllow (a KMS key policy) must name the principal, and a
//     resource policy that names only the account delegates to identity
//     policies;
//   - across accounts, both the resource policy and the identity side must allow;
//   - otherwise the request is implicitly denied.
//
// Evaluate does not allocate once res has grown to the sizes it needs.
func (p *Policies) Evaluate(r *Request, res *Result) {
	res.Decision, res.DeniedBy = ImplicitDeny, Identity
	res.Matched, res.Missing, res.allows = res.Matched[:0], res.Missing[:0], res.allows[:0]
	e := evalState{req: r, ctx: r.Context.t, res: res}
	// The action, lowered for the index, lives on the stack: no allocation.
	var lower [128]byte
	a := r.Action
	if len(a) > len(lower) {
		// Longer than any AWS action. Only its first bytes are lowered, so
		// it must not be looked up among the literal actions, where its
		// prefix could equal one: only patterns, which compare the whole
		// action, can match it.
		a, e.cut = a[:len(lower)], true
	}
	n := lowerInto(lower[:], a)
	svcLen := strings.IndexByte(a, ':')
	if svcLen < 0 {
		svcLen = n
	}
	p.evaluate(&e, lower[:n], svcLen)
}

// lowerInto writes s in ASCII lower case into dst, which must hold it, and
// returns its length.
func lowerInto(dst []byte, s string) int {
	dst = dst[:len(s)]
	for i := range dst {
		dst[i] = lowerASCIITable[s[i]]
	}
	return len(s)
}

// lowerASCIITable maps each byte to its ASCII lower case.
var lowerASCIITable = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t[i] = c
	}
	return t
}()

// evaluate decides; act is the action in lower case, act[:svcLen] its service:
// the keys of the action index.
func (p *Policies) evaluate(e *evalState, act []byte, svcLen int) {
	r, res := e.req, e.res
	e.resource = r.Resource
	if e.resource == "" {
		e.resource = "*"
	}
	e.token = resourceToken(e.resource)
	e.actHash, e.tokenHash = maphash.Bytes(hashSeed, act), hashKey(e.token)
	e.hasService = svcLen < len(act)
	e.hasBoundary = p.Boundary != nil
	// Parsing the principal is needed only to match Principal elements and
	// to compare accounts; identity-only requests skip it.
	if p.Resource != nil || r.ResourceAccount != "" {
		e.parsePrincipal()
	} else {
		e.principalAccount, e.principal.Kind = quickPrincipal(r.Principal)
	}

	var denied bool
	var deniedBy Type
	deny := func(t Type) {
		if !denied {
			denied, deniedBy = true, t
		}
	}
	scpOK := true
	scps := p.SCPs
	if len(scps) > 0 && !scpApplies(r.Principal) {
		scps = nil
	}
	for _, level := range scps {
		acc := e.scan(level, SCP, act, svcLen)
		if acc.deny {
			deny(SCP)
		}
		if !acc.allow {
			scpOK = false
		}
	}
	var resMatch principalMatch
	if p.Resource != nil {
		t := Resource
		if p.Resource.trust {
			t = Trust
		}
		acc := e.scan(p.Resource, t, act, svcLen)
		if acc.deny {
			deny(Resource)
		}
		resMatch = acc.best
	}
	acc := e.scan(p.Identity, Identity, act, svcLen)
	if acc.deny {
		deny(Identity)
	}
	idAllow := acc.allow
	bAllow := true
	if p.Boundary != nil {
		acc = e.scan(p.Boundary, Boundary, act, svcLen)
		if acc.deny {
			deny(Boundary)
		}
		bAllow = acc.allow
	}
	sAllow := true
	if p.Session != nil {
		acc = e.scan(p.Session, Session, act, svcLen)
		if acc.deny {
			deny(Session)
		}
		sAllow = acc.allow
	}

	if denied {
		res.Decision, res.DeniedBy = ExplicitDeny, deniedBy
		return
	}
	res.Matched = res.Matched[:0]
	if !scpOK {
		res.DeniedBy = SCP
		return
	}

	// Who is asking decides which side must allow.
	resourceAccount := r.ResourceAccount
	if resourceAccount == "" {
		resourceAccount = e.principalAccount
	}
	identityOK, failed := idAllow && bAllow && sAllow, Identity
	switch {
	case !idAllow:
	case !bAllow:
		failed = Boundary
	case !sAllow:
		failed = Session
	}
	trust := p.Resource != nil && (p.Resource.trust || p.ResourceMustAllow)
	var allowed bool
	switch {
	case e.principalAccount == "":
		// A service or web-identity principal has no identity policies:
		// only the resource policy can grant.
		allowed, failed = resMatch >= pmRole, Resource
	case e.principal.Kind == arn.Root && e.principalAccount == resourceAccount:
		// An account's root user is not limited by identity policies in its
		// own account; a trust policy must still name it or its account.
		allowed = !trust || resMatch != pmNone
		if !allowed {
			failed = Resource
		}
	case resourceAccount != e.principalAccount:
		allowed = resMatch != pmNone && identityOK
		if resMatch == pmNone {
			failed = Resource
		}
	default:
		switch resMatch {
		case pmDirect:
			allowed = true
		case pmRole:
			allowed = bAllow && sAllow
			if !bAllow {
				failed = Boundary
			} else if !sAllow {
				failed = Session
			}
		case pmAccount:
			allowed = identityOK
		default:
			allowed = !trust && identityOK
			if trust {
				failed = Resource
			}
		}
	}
	if !allowed {
		res.DeniedBy = failed
		return
	}
	res.Decision = Allowed
	for _, a := range res.allows {
		res.Matched = append(res.Matched, a.stmt.matchAs(a.typ))
	}
}

// scanAcc accumulates what the statements of one Set said.
type scanAcc struct {
	allow, deny bool
	best        principalMatch // the strongest way a matching Allow named the principal
}

// scan evaluates the statements of s that may apply to the request (those
// the action index and the resource index lead to), recording matches.
// checked says the action is known to match.
func (e *evalState) scan(s *Set, t Type, act []byte, svcLen int) (acc scanAcc) {
	if s == nil {
		return acc
	}
	var b *bucket
	ok := false
	if !e.cut {
		b, ok = lookup(&s.byAction, act, e.actHash)
	}
	if ok {
		e.scanBucket(s, b, t, nil, &acc) // all match the action, as NewSet found
	}
	if !ok || !s.merged {
		if b, ok := lookup(&s.bySvc, act[:svcLen], e.serviceHash(act[:svcLen])); ok {
			e.scanBucket(s, b, t, act, &acc)
		}
	}
	if s.hasAny {
		e.scanBucket(s, &s.anySvc, t, act, &acc)
	}
	return acc
}

// scanBucket considers the statements of b that the resource's token leads
// to. act is the action in lower case, or nil when b's statements are known
// to match it.
func (e *evalState) scanBucket(s *Set, b *bucket, t Type, act []byte, acc *scanAcc) {
	if stmts, ok := lookup(&b.byRes, e.token, e.tokenHash); ok {
		for _, i := range stmts {
			e.consider(&s.stmts[i], t, act, acc)
		}
	}
	for _, i := range b.wild {
		e.consider(&s.stmts[i], t, act, acc)
	}
}

func (e *evalState) consider(st *cstmt, t Type, act []byte, acc *scanAcc) {
	pm, ok := e.applies(st, act)
	if !ok {
		return
	}
	e.record(st, t)
	if st.effect == Deny {
		acc.deny = true
	} else {
		acc.allow = true
		if pm > acc.best {
			acc.best = pm
		}
	}
}

func (e *evalState) record(st *cstmt, t Type) {
	if e.res == nil {
		return
	}
	if st.effect == Deny {
		e.res.Matched = append(e.res.Matched, st.matchAs(t))
	} else {
		e.res.allows = append(e.res.allows, allowRef{st, t})
	}
}

// matchAs describes the statement, found while scanning policies of type
// t. A statement is reported with its document's type, except that a
// resource or trust policy is reported as scanned.
func (st *cstmt) matchAs(t Type) Match {
	m := st.match
	if t == Resource || t == Trust {
		m.Type = t
	}
	return m
}

// applies reports whether the statement applies to the request: action,
// resource, principal and every condition. act is as scanBucket's.
func (e *evalState) applies(st *cstmt, act []byte) (principalMatch, bool) {
	if act != nil && !(st.svcWide && e.hasService) && !e.actionMatches(st, act) {
		return pmNone, false
	}
	if !st.anyResource && !e.resourceMatches(st) {
		return pmNone, false
	}
	pm := pmDirect
	if st.principal != nil {
		if st.notPrinc {
			// AWS's documented quirk: a Deny with NotPrincipal always
			// denies a principal that has a permissions boundary, whatever
			// NotPrincipal lists ("Permissions boundaries for IAM entities").
			if st.principal.excludes(e) && !(st.effect == Deny && e.hasBoundary) {
				return pmNone, false
			}
		} else if pm = st.principal.match(e); pm == pmNone {
			return pmNone, false
		}
	}
	for i := range st.conds {
		if !e.condition(&st.conds[i]) {
			// The statement does not apply; the keys its other conditions
			// ask for are still worth naming when the request lacks them.
			for j := i + 1; j < len(st.conds); j++ {
				if _, ok := e.ctx.lookup(st.conds[j].key, st.conds[j].keyHash); !ok {
					e.missing(st.conds[j].rawKey)
				}
			}
			return pmNone, false
		}
	}
	return pm, true
}

// actionMatches matches the statement's actions; act is the request's
// action in ASCII lower case, as the patterns are.
func (e *evalState) actionMatches(st *cstmt, act []byte) bool {
	m := false
	for i := range st.actions {
		if st.actions[i].matchAction(e.req.Action, act, e) {
			m = true
			break
		}
	}
	return m != st.notAction
}

func (e *evalState) resourceMatches(st *cstmt) bool {
	if st.anyResource {
		return true
	}
	m := false
	for i := range st.resources {
		if st.resources[i].match(e.resource, e) {
			m = true
			break
		}
	}
	return m != st.notResource
}

// condition evaluates one key of one operator, with AWS's rules for missing
// keys, IfExists, negation and the set qualifiers.
func (e *evalState) condition(c *ccond) bool {
	ent := e.ctx.entry(c.key, c.keyHash)
	present := ent != nil
	var vals []string
	if present {
		vals = ent.vals
	} else {
		e.missing(c.rawKey)
	}
	if c.op.family == famNull {
		isNull := !present || len(vals) == 0
		for _, b := range c.bools {
			if (b == "true") == isNull {
				return true
			}
		}
		return false
	}
	if !present || len(vals) == 0 {
		switch {
		case c.op.ifExists:
			return true
		case c.op.set == setForAll:
			return true
		case c.op.set == setForAny:
			return false
		default:
			return c.op.negated
		}
	}
	// Values that are all empty strings resolve to a null data set, as an
	// absent key does: ForAllValues is then true and ForAnyValue false
	// ("Single-valued vs. multivalued context keys": "...if the key values
	// resolve to a null data set, such as an empty string").
	if c.op.set != setNone && allEmpty(vals) {
		return c.op.set == setForAll
	}
	switch c.op.set {
	case setForAny:
		for i := range vals {
			if e.matchAt(c, ent, i) != c.op.negated {
				return true
			}
		}
		return false
	case setForAll:
		for i := range vals {
			if e.matchAt(c, ent, i) == c.op.negated {
				return false
			}
		}
		return true
	default:
		any := false
		for i := range vals {
			if e.matchAt(c, ent, i) {
				any = true
				break
			}
		}
		return any != c.op.negated
	}
}

// scpApplies reports whether SCPs bear on a request by principal. They limit
// the users and roles of member accounts, their sessions and root users, but
// never a service-linked role (path /aws-service-role/, names starting
// AWSServiceRoleFor) nor an AWS service principal, which belongs to no
// account ("Service control policies (SCPs)", Tasks and entities not
// restricted by SCPs). The management account is not limited either: its
// callers give no SCPs.
func scpApplies(principal string) bool {
	if !strings.HasPrefix(principal, "arn:") {
		return principal == "" || arn.IsAccountID(principal)
	}
	return !strings.Contains(principal, ":role/aws-service-role/") && !strings.Contains(principal, ":assumed-role/AWSServiceRoleFor")
}

func allEmpty(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return true
}

// matchAt is matchValue for the request's i-th value, using the address or
// date the Context parsed when the family is IP or Date.
func (e *evalState) matchAt(c *ccond, ent *ctxValue, i int) bool {
	switch c.op.family {
	case famIP:
		if ent.addrs == nil || !ent.addrs[i].IsValid() {
			return false
		}
		a := ent.addrs[i]
		if c.ip4 != nil {
			// Every prefix is IPv4: an IPv6 address is in none (the
			// Context unmapped IPv4-mapped ones).
			if !a.Is4() {
				return false
			}
			x := ip4Uint(a)
			for _, n := range c.ip4 {
				if x&n.mask == n.net {
					return true
				}
			}
			return false
		}
		for _, p := range c.ips {
			if p.Contains(a) {
				return true
			}
		}
		return false
	case famDate:
		if ent.dates != nil && ent.dates[i].ok {
			return c.matchDate(ent.dates[i].ms)
		}
		x, ok := parseDate(ent.vals[i])
		return ok && c.matchDate(x)
	}
	return e.matchValue(c, ent.vals[i])
}

func (c *ccond) matchDate(x int64) bool {
	for _, y := range c.dates {
		if compare(c.op.cmp, cmp3(x, y)) {
			return true
		}
	}
	return false
}

// matchValue reports whether one request value matches any of the policy's
// values under the operator's positive form.
func (e *evalState) matchValue(c *ccond, v string) bool {
	switch c.op.family {
	case famString:
		fold := exact
		if c.op.cmp == cmpEqualsIgnoreCase {
			fold = foldCase
		}
		for i := range c.strs {
			if c.strs[i].match(v, e, fold) {
				return true
			}
		}
	case famArn:
		for i := range c.arns {
			if c.arns[i].match(v, e) {
				return true
			}
		}
	case famNumeric:
		x, ok := parseFloat(v)
		if !ok {
			return false
		}
		for _, y := range c.nums {
			if compare(c.op.cmp, cmp3(x, y)) {
				return true
			}
		}
	case famDate:
		x, ok := parseDate(v)
		return ok && c.matchDate(x)
	case famBool:
		for _, b := range c.bools {
			if strings.EqualFold(v, b) {
				return true
			}
		}
	case famBinary:
		for _, b := range c.bools {
			if v == b {
				return true
			}
		}
	}
	return false
}

func cmp3[T int64 | float64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func compare(c cmp, r int) bool {
	switch c {
	case cmpLess:
		return r < 0
	case cmpLessEquals:
		return r <= 0
	case cmpGreater:
		return r > 0
	case cmpGreaterEquals:
		return r >= 0
	}
	return r == 0
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}
