package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The decision's tables must answer as Go's maps did: every key found, every
// other key missing, whatever the number of keys and their collisions.
func TestStrIndex(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 8, 9, 100, 1000} {
		m := make(map[string]int, n)
		for i := range n {
			m[fmt.Sprintf("s3:getobject%d", i)] = i
		}
		x := newStrIndex(m)
		for k, want := range m {
			if got, ok := lookup(&x, k, hashKey(k)); !ok || got != want {
				t.Errorf("n=%d: lookup(%q) = %d, %v; want %d", n, k, got, ok, want)
			}
			if got, ok := lookup(&x, []byte(k), hashKey(k)); !ok || got != want {
				t.Errorf("n=%d: lookup([]byte %q) = %d, %v; want %d", n, k, got, ok, want)
			}
		}
		for _, k := range []string{"", "s3:getobject", fmt.Sprintf("s3:getobject%d", n), "S3:GETOBJECT0"} {
			if got, ok := lookup(&x, k, hashKey(k)); ok {
				t.Errorf("n=%d: lookup(%q) = %d, true; want missing", n, k, got)
			}
		}
		// A key whose hash matches but whose text differs is missing.
		if n > 0 {
			if _, ok := lookup(&x, "other", hashKey("s3:getobject0")); ok {
				t.Errorf("n=%d: a key with another key's hash was found", n)
			}
		}
	}
}

func TestContext_Table(t *testing.T) {
	var c Context
	if c.Len() != 0 || len(c.Keys()) != 0 || c.Has("a") {
		t.Fatal("the zero Context is not empty")
	}
	c.Delete("absent") // the zero Context takes a Delete
	const n = 300      // past several growths of the index
	for i := range n {
		c.Set(fmt.Sprintf("Tag/K%d", i), fmt.Sprint(i))
	}
	if c.Len() != n {
		t.Fatalf("Len = %d, want %d", c.Len(), n)
	}
	for i := range n {
		if v, ok := c.Get(fmt.Sprintf("tag/k%d", i)); !ok || len(v) != 1 || v[0] != fmt.Sprint(i) {
			t.Fatalf("Get(tag/k%d) = %q, %v", i, v, ok)
		}
	}
	// Set replaces values and keeps the first spelling; Delete forgets it.
	c.Set("TAG/K1", "x", "y")
	if v, _ := c.Get("Tag/k1"); !slices.Equal(v, []string{"x", "y"}) || c.Len() != n {
		t.Errorf("after a second Set, Get = %q and Len = %d", v, c.Len())
	}
	c.Delete("tag/K2")
	c.Set("tag/k2", "again")
	if c.Has("Tag/K2") != true || c.Len() != n {
		t.Errorf("Delete then Set: Has = %v, Len = %d", c.Has("Tag/K2"), c.Len())
	}
	for i := 3; i < n; i += 2 {
		c.Delete(fmt.Sprintf("tag/k%d", i))
	}
	keys := c.Keys()
	if !slices.IsSorted(keys) || !slices.Contains(keys, "Tag/K1") || !slices.Contains(keys, "tag/k2") || slices.Contains(keys, "Tag/K3") {
		t.Errorf("Keys = %q", keys[:5])
	}
	for i := range n {
		_, ok := c.Get(fmt.Sprintf("tag/k%d", i))
		if want := i < 3 || i%2 == 0; ok != want {
			t.Errorf("after the deletes Has(tag/k%d) = %v, want %v", i, ok, want)
		}
	}
	// A copy shares the keys, as a copy of a map does.
	d := c
	d.Set("new", "1")
	if !c.Has("new") {
		t.Error("a key set on a copy of a Context is missing from the original")
	}
}

func TestResourceToken(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"arn:aws:s3:::bucket/key/x", "bucket"},
		{"arn:aws:s3:::bucket", "bucket"},
		{"arn:aws:iam::111122223333:user/path/alice", "user"},
		{"arn:aws:sns:us-east-1:111122223333:topic:sub", "topic"},
		{"arn:aws-cn:s3:::bucket/k", "bucket"},
		{"arn:aws:s3:::", ""},
		{"arn:aws:", ""},
		{"arn:aws:s3", ""},
		{"*", ""},
		{"", ""},
	} {
		if got := resourceToken(tt.in); got != tt.want {
			t.Errorf("resourceToken(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// byAction's entry for an action also leads to its service's wildcard
// statements; an action no statement names literally falls back to bySvc,
// in every Set of a request (here the boundary's).
func TestSet_ActionEntry(t *testing.T) {
	set := func(stmts string) *Set {
		doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[`+stmts+`]}`), Identity)
		if err != nil {
			t.Fatal(err)
		}
		return NewSet(Policy{ID: "p", Document: doc})
	}
	check := checkMatched(t)
	p := &Policies{
		Identity: set(`{"Sid":"Lit","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
			{"Sid":"Wild","Effect":"Allow","Action":"s3:Get*","Resource":"*"},
			{"Sid":"Other","Effect":"Allow","Action":"ec2:*","Resource":"*"}`),
		Boundary: set(`{"Sid":"B","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}`),
	}
	for _, tt := range []struct {
		action string
		want   []string // Sids matched, in order
	}{
		{"s3:GetObject", []string{"Lit", "Wild", "B"}},
		{"S3:getobject", []string{"Lit", "Wild", "B"}},
		{"s3:GetBucketPolicy", []string{"Wild", "B"}},
		{"s3:PutObject", nil},
		{"ec2:RunInstances", nil}, // the boundary does not allow it
	} {
		check(p, tt.action, tt.want)
	}

	// The service's statements that byAction's entry lists are those whose
	// patterns match the literal action, and only those: NewSet compared
	// them, and a decision compares them no more.
	p = &Policies{Identity: set(`{"Sid":"Lit","Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
		{"Sid":"Get","Effect":"Allow","Action":"s3:Get*","Resource":"*"},
		{"Sid":"Obj","Effect":"Allow","Action":["s3:List*","s3:*Object"],"Resource":"*"},
		{"Sid":"One","Effect":"Allow","Action":"s3:?utObject","Resource":"*"},
		{"Sid":"NotAct","Effect":"Allow","NotAction":"s3:Get*","Resource":"*"}`)}
	for _, tt := range []struct {
		action string
		want   []string
	}{
		{"s3:PutObject", []string{"Lit", "Obj", "One", "NotAct"}},
		{"S3:PUTOBJECT", []string{"Lit", "Obj", "One", "NotAct"}},
		{"s3:GetObject", []string{"Get", "Obj"}},
		{"s3:PutObjectAcl", []string{"NotAct"}},
	} {
		check(p, tt.action, tt.want)
	}

	// Within an action's bucket, statements come in the Set's order, whether
	// they name the action or match it with a wildcard.
	var res Result
	p = &Policies{Identity: set(`{"Sid":"W","Effect":"Deny","Action":"s3:Get*","Resource":"*"},
		{"Sid":"L","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`)}
	p.Evaluate(&Request{Principal: "arn:aws:iam::111122223333:user/a", Action: "s3:GetObject", Resource: "*"}, &res)
	if len(res.Matched) != 2 || res.Matched[0].Sid != "W" || res.Matched[1].Sid != "L" {
		t.Errorf("Evaluate(s3:GetObject) matched %+v, want W then L", res.Matched)
	}
}

func checkMatched(t *testing.T) func(p *Policies, action string, want []string) {
	return func(p *Policies, action string, want []string) {
		t.Helper()
		var res Result
		p.Evaluate(&Request{Principal: "arn:aws:iam::111122223333:user/a", Action: action, Resource: "arn:aws:s3:::b/k"}, &res)
		var got []string
		for _, m := range res.Matched {
			got = append(got, m.Sid)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Evaluate(%s) matched %q, want %q", action, got, want)
		}
	}
}

// The flags NewSet precomputes (svcWide, anyResource) must skip a check only
// where the check would pass.
func TestSet_StatementFlags(t *testing.T) {
	for _, tt := range []struct {
		stmt             string
		action, resource string
		want             Decision
	}{
		{`"Action":"s3:*","Resource":"*"`, "s3:GetObject", "arn:aws:s3:::b", Allowed},
		{`"Action":"s3:*","Resource":"*"`, "S3:x", "arn:aws:s3:::b", Allowed},
		{`"Action":"s3:*","Resource":"*"`, "s3", "arn:aws:s3:::b", ImplicitDeny}, // no colon: "s3:*" does not match
		{`"Action":["s3:*","ec2:*"],"Resource":"*"`, "ec2:RunInstances", "*", Allowed},
		{`"Action":["s3:*","ec2:Describe*"],"Resource":"*"`, "ec2:RunInstances", "*", ImplicitDeny},
		{`"Action":["s3:*","ec2:Describe*"],"Resource":"*"`, "ec2:DescribeVpcs", "*", Allowed},
		{`"Action":"s3:*","Resource":["arn:aws:s3:::a","*"]`, "s3:GetObject", "arn:aws:s3:::b/k", Allowed},
		{`"Action":"s3:*","NotResource":"*"`, "s3:GetObject", "arn:aws:s3:::b/k", ImplicitDeny},
		{`"Action":"s3:*","NotResource":["arn:aws:s3:::a","*"]`, "s3:GetObject", "arn:aws:s3:::b", ImplicitDeny},
		{`"Action":"s3:*","NotResource":"arn:aws:s3:::a"`, "s3:GetObject", "arn:aws:s3:::b", Allowed},
	} {
		doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+tt.stmt+`}]}`), Identity)
		if err != nil {
			t.Fatal(err)
		}
		p := &Policies{Identity: NewSet(Policy{ID: "p", Document: doc})}
		r := &Request{Principal: "arn:aws:iam::111122223333:user/a", Action: tt.action, Resource: tt.resource}
		if got := p.Decide(r); got != tt.want {
			t.Errorf("{%s}: Decide(%s on %s) = %v, want %v", tt.stmt, tt.action, tt.resource, got, tt.want)
		}
	}
}

// ip4Nets must decide as netip.Prefix.Contains does.
func TestIP4Nets(t *testing.T) {
	var ps []netip.Prefix
	for _, s := range []string{"10.0.0.0/8", "10.1.2.3/8", "0.0.0.0/0", "192.168.1.7/32", "192.168.1.6/31", "172.16.0.0/12", "10.1.2.3", "::ffff:10.0.0.0/104"} {
		p, ok := parseCIDR(s)
		if !ok {
			t.Fatalf("parseCIDR(%q) failed", s)
		}
		ps = append(ps, p)
	}
	for _, a := range []string{"10.1.2.3", "10.255.0.1", "11.0.0.0", "192.168.1.7", "192.168.1.6", "192.168.1.8", "172.31.255.255", "172.32.0.0", "0.0.0.0", "255.255.255.255"} {
		addr := netip.MustParseAddr(a)
		for _, p := range ps {
			nets := ip4Nets([]netip.Prefix{p})
			if len(nets) != 1 {
				t.Fatalf("ip4Nets(%v) = %v, want one net", p, nets)
			}
			if got, want := ip4Uint(addr)&nets[0].mask == nets[0].net, p.Contains(addr); got != want {
				t.Errorf("ip4Nets(%v) contains %v = %v, want %v", p, addr, got, want)
			}
		}
	}
	if nets := ip4Nets([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}); nets != nil {
		t.Errorf("ip4Nets with an IPv6 prefix = %v, want nil", nets)
	}
	if nets := ip4Nets([]netip.Prefix{{}}); nets != nil {
		t.Errorf("ip4Nets with an invalid prefix = %v, want nil", nets)
	}
}

// An action longer than the lowering buffer is lowered only in part; its
// first bytes must not find a literal action that equals them.
func TestEvaluate_LongAction(t *testing.T) {
	lit := "s3:" + strings.Repeat("a", 125) // as long as the buffer
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"`+lit+`","Resource":"*"},
		{"Effect":"Allow","Action":"s3:B*","Resource":"*"}]}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	p := &Policies{Identity: NewSet(Policy{ID: "p", Document: doc})}
	for _, tt := range []struct {
		action string
		want   Decision
	}{
		{lit, Allowed},
		{strings.ToUpper(lit), Allowed},
		{lit + "a", ImplicitDeny},
		{lit + strings.Repeat("a", 70), ImplicitDeny},
		{"s3:B" + strings.Repeat("x", 300), Allowed}, // a pattern still matches it
	} {
		r := &Request{Principal: "arn:aws:iam::111122223333:user/a", Action: tt.action, Resource: "*"}
		if got := p.Decide(r); got != tt.want {
			t.Errorf("Decide(action of %d bytes) = %v, want %v", len(tt.action), got, tt.want)
		}
	}
}

// Compile's shortcuts (a last section's leading literal joining the head, a
// "*text*" searched for) must not change what a pattern matches.
func TestARNPattern_Shortcuts(t *testing.T) {
	var ctx Context
	ctx.Set("aws:username", "alice")
	e := &evalState{ctx: ctx.t}
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", true},
		{"arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice", false},
		{"arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::homE/alice/x", false},
		{"arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", false},
		{"arn:aws:s3:::shared-*/*", "arn:aws:s3:::shared-a/b", true},
		{"arn:aws:s3:::shared-*/*", "arn:aws:s3:::shared-a", false},
		{"arn:aws:s3:::shared-*/*", "arn:aws:s3:::share", false},
		{"arn:aws:s3:::a?c", "arn:aws:s3:::abc", true},
		{"arn:aws:s3:::a?c", "arn:aws:s3:::ac", false},
		{"arn:aws:s3:::a*b:c", "arn:aws:s3:::axxb:c", true},
		{"arn:aws:iam::*:role/x*y", "arn:aws:iam::1:role/xzy", true},
		{"arn:aws:iam::*:role/x*y", "arn:aws:iam::1:role/xz", false},
		// "*text*" is a search for text.
		{"arn:aws:s3:::*-prod/*", "arn:aws:s3:::app-prod/k", true},
		{"arn:aws:s3:::*-prod/*", "arn:aws:s3:::-prod/", true},
		{"arn:aws:s3:::*-prod/*", "arn:aws:s3:::app-prod", false},
		{"arn:aws:s3:::*-prod/*", "arn:aws:s3:::app-PROD/k", false},
		{"*-prod**", "x-prody", true},
		{"*-prod*", "-pro", false},
	} {
		a := compileARN(tt.pattern, true)
		if got := a.match(tt.s, e); got != tt.want {
			t.Errorf("compileARN(%q).match(%q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// Past mergeBudget a Set keeps a literal action's bucket apart from its
// service's wildcard statements, and decides the same.
func TestSet_MergeBudget(t *testing.T) {
	stmts := `{"Sid":"Lit","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
		{"Sid":"Wild","Effect":"Allow","Action":"s3:Get*","Resource":"*"},
		{"Sid":"Svc","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::locked/*"},
		{"Sid":"Put","Effect":"Allow","Action":["s3:PutObject","s3:List*"],"Resource":"arn:aws:s3:::b/*"},
		{"Sid":"Not","Effect":"Allow","NotAction":"s3:Delete*","Resource":"*"}`
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[`+stmts+`]}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	merged := NewSet(Policy{ID: "p", Document: doc})
	old := mergeBudget
	mergeBudget = 0
	apart := NewSet(Policy{ID: "p", Document: doc})
	mergeBudget = old
	if !merged.merged || apart.merged {
		t.Fatalf("merged = %v with the budget, %v with none; want true, false", merged.merged, apart.merged)
	}
	for _, action := range []string{"s3:GetObject", "S3:GETOBJECT", "s3:GetBucketAcl", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "ec2:RunInstances", "s3"} {
		for _, resource := range []string{"*", "arn:aws:s3:::b/k", "arn:aws:s3:::locked/k"} {
			r := &Request{Principal: "arn:aws:iam::111122223333:user/a", Action: action, Resource: resource}
			var a, b Result
			(&Policies{Identity: merged}).Evaluate(r, &a)
			(&Policies{Identity: apart}).Evaluate(r, &b)
			if a.Decision != b.Decision || !slices.Equal(sortedSids(a.Matched), sortedSids(b.Matched)) {
				t.Errorf("%s on %s: merged %v %v, apart %v %v", action, resource, a.Decision, sortedSids(a.Matched), b.Decision, sortedSids(b.Matched))
			}
		}
	}

	// A Set whose literal actions times wildcard statements pass the
	// budget is built apart: memory grows with the policies, not their
	// product.
	var many []string
	for i := range 300 {
		many = append(many, fmt.Sprintf(`{"Effect":"Allow","Action":"s3:Action%d","Resource":"*"}`, i),
			fmt.Sprintf(`{"Effect":"Allow","Action":"s3:Get%d*","Resource":"*"}`, i))
	}
	doc, err = Parse([]byte(`{"Version":"2012-10-17","Statement":[`+strings.Join(many, ",")+`]}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	if big := NewSet(Policy{ID: "big", Document: doc}); big.merged {
		t.Errorf("a Set of 300 literal actions and 300 wildcard statements of one service was merged (%d entries)", 300*300)
	}
}

func sortedSids(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Sid)
	}
	slices.Sort(out)
	return out
}

// lines.position counts from its last answer on the same line; in any order
// of offsets it answers as the plain count from the start does.
func TestLines_Position(t *testing.T) {
	data := []byte("{\"Sid\":\"é1\", \"x\": \"ünïcode\",\n  \"Action\": \"s3:*\"\n\n}\t\"日本\" end")
	var offs []int
	for i := range data {
		if utf8.RuneStart(data[i]) {
			offs = append(offs, i)
		}
	}
	offs = append(offs, len(data), len(data)+5)
	orders := [][]int{offs, slices.Clone(offs)}
	slices.Reverse(orders[1])
	r := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(offs)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	orders = append(orders, shuffled)
	for _, order := range orders {
		l := newLines(data)
		for _, off := range order {
			if got, want := l.position(off), position(data, off); got != want {
				t.Errorf("position(%d) = %+v, want %+v", off, got, want)
			}
		}
	}
}
