package console

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/policy"
)

// The trust graph: who can assume which role, read from every role's trust
// policy and drawn by the server as SVG. Principals (users, roles,
// accounts, services, identity providers, anyone) stand in the left
// column, roles in the right one; an edge is an Allow statement of the
// role's trust policy that names the principal for an sts:AssumeRole*
// action, dashed when the statement has conditions.

// graphNode is a box of the drawing.
type graphNode struct {
	ID, Label, Kind string // Kind: user, role, account, service, provider, anyone
	X, Y, W         int
	URL             string
}

// graphEdge joins a principal to a role.
type graphEdge struct {
	From, To    *graphNode
	Action      string
	Conditional bool
	// Delegated: the trust policy names the account, and the principal's
	// own identity policies allow it to assume the role.
	Delegated bool
	Path      string // the SVG path
}

// graphData is the drawing.
type graphData struct {
	Principals, Roles []*graphNode
	Edges             []*graphEdge
	Width, Height     int
	Kinds             []graphKind
	// Delegating are the roles whose trust policy names this account
	// (its root): any of its principals whose identity policies allow
	// sts:AssumeRole on them may assume them.
	Delegating []string
	// Delegation says whether the principals allowed by their own policies
	// were found ("" when there was nothing to find).
	Delegation string

	principals map[string]*graphNode
	byRole     map[string]*graphNode
}

// graphKind is a legend entry.
type graphKind struct{ Kind, Label string }

const (
	graphRowHeight = 34
	graphBoxHeight = 24
	graphLeftX     = 10
	graphBoxWidth  = 330
	graphRightX    = 560
)

func (c *Console) trustGraph(p *page) error {
	p.Nav = "graph"
	roles, err := allRoleDetails(p)
	if err != nil {
		return err
	}
	g := buildGraph(roles, p.caller.AccountID)
	if len(g.Delegating) > 0 {
		g.Delegation = delegation(p, g, roles)
		g.layout()
	}
	return p.render("graph", g)
}

// maxDelegationPrincipals bounds the simulations a trust graph runs: one
// for each user and role of the account.
const maxDelegationPrincipals = 200

// delegation finds which users and roles of the account may assume the
// roles whose trust policy names the account: the simulator (as the
// caller, who needs iam:SimulatePrincipalPolicy) decides sts:AssumeRole on
// them with each principal's own policies. It returns what the page says
// about it.
func delegation(p *page, g *graphData, roles []iam.RoleDetail) string {
	var principals []string
	det, err := callValues[iam.GetAccountAuthorizationDetailsOutput](p, "iam", "GetAccountAuthorizationDetails", pairs("Filter.member.1", "User", "MaxItems", "1000"))
	if err != nil {
		return "Which of the account's users and roles their own policies let assume them is not shown: you may not list them."
	}
	for _, u := range det.UserDetailList {
		principals = append(principals, u.ARN)
	}
	for _, r := range roles {
		if slr, _ := serviceLinked(iam.Role{Path: r.Path}); !slr {
			principals = append(principals, r.ARN)
		}
	}
	note := ""
	if len(principals) > maxDelegationPrincipals {
		principals = principals[:maxDelegationPrincipals]
		note = " (the first " + strconv.Itoa(maxDelegationPrincipals) + " users and roles)"
	}
	for _, pr := range principals {
		v := pairs("PolicySourceArn", pr, "ActionNames.member.1", "sts:AssumeRole")
		addList(v, "ResourceArns", g.Delegating)
		out, err := callValues[iam.SimulatePolicyOutput](p, "iam", "SimulatePrincipalPolicy", v)
		if err != nil {
			return "Which of the account's users and roles their own policies let assume them is not shown: you may not simulate their policies."
		}
		for _, r := range out.EvaluationResults {
			if r.EvalDecision == "allowed" && r.EvalResourceName != pr {
				g.delegate(pr, p.caller.AccountID, r.EvalResourceName)
			}
		}
	}
	return "Dotted lines: the trust policy names this account, and the principal's own policies allow sts:AssumeRole on the role" + note + "."
}

// maxGraphRoles bounds the roles read for one page (the drawing of more
// would not be read either).
const maxGraphRoles = 5000

// allRoleDetails reads the account's roles with their trust policies, page
// by page.
func allRoleDetails(p *page) ([]iam.RoleDetail, error) {
	var out []iam.RoleDetail
	marker := ""
	for len(out) < maxGraphRoles {
		det, err := callValues[iam.GetAccountAuthorizationDetailsOutput](p, "iam", "GetAccountAuthorizationDetails", pairs("Filter.member.1", "Role", "MaxItems", "1000", "Marker", marker))
		if err != nil {
			return nil, err
		}
		out = append(out, det.RoleDetailList...)
		if !det.IsTruncated {
			break
		}
		marker = det.Marker
	}
	return out, nil
}

// buildGraph lays out the graph of the roles' trust policies.
func buildGraph(roles []iam.RoleDetail, account string) *graphData {
	g := &graphData{Kinds: []graphKind{{"user", "IAM user"}, {"role", "IAM role"}, {"account", "AWS account"},
		{"service", "AWS service"}, {"provider", "Identity provider"}, {"anyone", "Anyone"}},
		principals: map[string]*graphNode{}, byRole: map[string]*graphNode{}}
	principals, byRole := g.principals, g.byRole
	sorted := append([]iam.RoleDetail(nil), roles...)
	sort.Slice(sorted, func(i, j int) bool { return strings.ToLower(sorted[i].RoleName) < strings.ToLower(sorted[j].RoleName) })
	for _, r := range sorted {
		n := &graphNode{ID: r.ARN, Label: r.RoleName, Kind: "role", URL: Prefix + "roles/" + r.RoleName}
		byRole[r.ARN] = n
		g.Roles = append(g.Roles, n)
	}
	principal := func(id, label, kind, url string) *graphNode {
		if n := principals[id]; n != nil {
			return n
		}
		n := &graphNode{ID: id, Label: label, Kind: kind, URL: url}
		principals[id] = n
		return n
	}
	for _, r := range sorted {
		doc, err := policy.ParseWith([]byte(decodeDocument(r.AssumeRolePolicyDocument)), policy.Trust, policy.Options{Stored: true})
		if err != nil {
			continue
		}
		to := byRole[r.ARN]
		for _, st := range doc.Statements {
			if st.Effect != policy.Allow || st.Principal == nil || st.NotPrincipal {
				continue
			}
			action := assumeAction(st)
			if action == "" {
				continue
			}
			add := func(n *graphNode) {
				g.Edges = append(g.Edges, &graphEdge{From: n, To: to, Action: action, Conditional: len(st.Condition) > 0})
			}
			if st.Principal.All {
				add(principal("*", "Anyone (*)", "anyone", ""))
			}
			for _, a := range st.Principal.AWS {
				n := awsPrincipal(a, account, principal)
				add(n)
				if n.ID == arn.RootARN(account) && !slices.Contains(g.Delegating, r.ARN) {
					g.Delegating = append(g.Delegating, r.ARN)
				}
			}
			for _, s := range st.Principal.Service {
				add(principal("service:"+s, s, "service", ""))
			}
			for _, f := range st.Principal.Federated {
				label := f
				if i := strings.Index(f, ":oidc-provider/"); i >= 0 {
					label = "OIDC " + f[i+len(":oidc-provider/"):]
				} else if i := strings.Index(f, ":saml-provider/"); i >= 0 {
					label = "SAML " + f[i+len(":saml-provider/"):]
				}
				add(principal("federated:"+f, label, "provider", Prefix+"providers"))
			}
		}
	}
	g.layout()
	return g
}

// delegate adds the edge of a principal of the account (user or role
// ARN) whose identity policies allow it to assume the role roleARN,
// delegated by a trust policy that names the account.
func (g *graphData) delegate(principalARN, account, roleARN string) {
	to := g.byRole[roleARN]
	if to == nil {
		return
	}
	from := awsPrincipal(principalARN, account, func(id, label, kind, url string) *graphNode {
		if n := g.principals[id]; n != nil {
			return n
		}
		n := &graphNode{ID: id, Label: label, Kind: kind, URL: url}
		g.principals[id] = n
		return n
	})
	g.Edges = append(g.Edges, &graphEdge{From: from, To: to, Action: "AssumeRole", Delegated: true})
}

// layout places the principals (by kind, then label) in the left column,
// the roles in the right one, and draws the edges between them.
func (g *graphData) layout() {
	order := map[string]int{"anyone": 0, "account": 1, "user": 2, "role": 3, "provider": 4, "service": 5}
	g.Principals = g.Principals[:0]
	for _, n := range g.principals {
		g.Principals = append(g.Principals, n)
	}
	sort.Slice(g.Principals, func(i, j int) bool {
		a, b := g.Principals[i], g.Principals[j]
		if order[a.Kind] != order[b.Kind] {
			return order[a.Kind] < order[b.Kind]
		}
		return a.Label < b.Label
	})
	for i, n := range g.Principals {
		n.X, n.Y, n.W = graphLeftX, 40+i*graphRowHeight, graphBoxWidth
	}
	for i, n := range g.Roles {
		n.X, n.Y, n.W = graphRightX, 40+i*graphRowHeight, graphBoxWidth
	}
	rows := max(len(g.Principals), len(g.Roles), 1)
	g.Width, g.Height = graphRightX+graphBoxWidth+10, 40+rows*graphRowHeight+10
	for _, e := range g.Edges {
		x1, y1 := e.From.X+e.From.W, e.From.Y+graphBoxHeight/2
		x2, y2 := e.To.X, e.To.Y+graphBoxHeight/2
		mid := (x1 + x2) / 2
		e.Path = "M" + itoa(x1) + "," + itoa(y1) + " C" + itoa(mid) + "," + itoa(y1) + " " + itoa(mid) + "," + itoa(y2) + " " + itoa(x2-6) + "," + itoa(y2)
	}
}

// assumeAction is the sts:AssumeRole* action a trust statement allows, ""
// for none.
func assumeAction(st policy.Statement) string {
	if st.NotAction {
		return ""
	}
	for _, a := range st.Action {
		la := strings.ToLower(a)
		switch {
		case la == "sts:assumerolewithwebidentity":
			return "AssumeRoleWithWebIdentity"
		case la == "sts:assumerolewithsaml":
			return "AssumeRoleWithSAML"
		case la == "sts:assumerole", la == "sts:*", la == "*", la == "sts:assumerole*":
			return "AssumeRole"
		}
	}
	return ""
}

// awsPrincipal is the node of an AWS principal: a user, a role, or an
// account (an ID, or a :root ARN).
func awsPrincipal(a, account string, principal func(id, label, kind, url string) *graphNode) *graphNode {
	switch {
	case a == "*":
		return principal("*", "Anyone (*)", "anyone", "")
	case len(a) == 12 && strings.Trim(a, "0123456789") == "":
		a = arn.RootARN(a)
	}
	parts := strings.SplitN(a, ":", 6)
	if len(parts) < 6 {
		return principal(a, a, "user", "")
	}
	acct, res := parts[4], parts[5]
	switch {
	case res == "root":
		label := "Account " + acct
		if acct == account {
			label += " (this account)"
		}
		return principal(a, label, "account", "")
	case strings.HasPrefix(res, "user/"):
		name := res[strings.LastIndex(res, "/")+1:]
		url := ""
		if acct == account {
			url = Prefix + "users/" + name
		}
		return principal(a, "user "+name+acctSuffix(acct, account), "user", url)
	case strings.HasPrefix(res, "role/"):
		name := res[strings.LastIndex(res, "/")+1:]
		url := ""
		if acct == account {
			url = Prefix + "roles/" + name
		}
		return principal(a, "role "+name+acctSuffix(acct, account), "role", url)
	}
	return principal(a, res, "user", "")
}

func acctSuffix(acct, account string) string {
	if acct == account {
		return ""
	}
	return " (" + acct + ")"
}

func itoa(n int) string { return strconv.Itoa(n) }
