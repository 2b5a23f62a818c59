package console

import (
	"net/url"
	"strconv"
	"time"

	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/policy"
)

func (c *Console) roles(p *page) error {
	p.Nav = "roles"
	d := &listData[iam.Role]{Search: p.query("q"), Marker: p.query("marker")}
	items, next, scanned, err := searchPages(p, d.Search, d.Marker, func(marker string, max int) ([]iam.Role, string, error) {
		out, err := call[iam.ListRolesOutput](p, "ListRoles", "Marker", marker, "MaxItems", strconv.Itoa(max))
		if err != nil {
			return nil, "", err
		}
		return out.Roles, out.Marker, nil
	}, func(r iam.Role) string { return r.RoleName })
	if err != nil {
		return err
	}
	d.Items, d.Next, d.Scanned = items, next, scanned
	return p.render("roles", d)
}

// roleData is a role's page.
type roleData struct {
	Role          iam.Role
	Trust         string // the trust policy, JSON
	ServiceLinked bool
	Service       string // a service-linked role's service principal
	Attached      []iam.AttachedPolicy
	Inline        []string
	Tags          []iam.Tag
	Policies      []iam.Policy
	Advisor       *iam.GetServiceLastAccessedDetailsOutput
	Tab           string
	Revoked       bool // the role has AWSRevokeOlderSessions
}

// revokePolicyName is the inline policy AWS's console adds to revoke a
// role's sessions.
const revokePolicyName = "AWSRevokeOlderSessions"

func (c *Console) role(p *page) error {
	p.Nav = "roles"
	name := p.r.PathValue("name")
	r, err := call[iam.GetRoleOutput](p, "GetRole", "RoleName", name)
	if err != nil {
		return err
	}
	d := &roleData{Role: r.Role, Trust: prettyJSON(decodeDocument(r.Role.AssumeRolePolicyDocument)), Tab: p.query("tab"), Tags: r.Role.Tags}
	d.ServiceLinked, d.Service = serviceLinked(r.Role)
	p.Title = "Role " + r.Role.RoleName
	switch d.Tab {
	case "advisor":
		d.Advisor = accessAdvisor(p, r.Role.ARN)
	case "trust", "tags", "sessions":
	default:
		d.Tab = "permissions"
		if a, err := call[iam.ListAttachedPoliciesOutput](p, "ListAttachedRolePolicies", "RoleName", name); p.soft(err) {
			d.Attached = a.AttachedPolicies
		}
		if !d.ServiceLinked {
			d.Policies = attachable(p)
		}
	}
	if in, err := call[iam.ListPolicyNamesOutput](p, "ListRolePolicies", "RoleName", name); p.soft(err) {
		d.Inline = in.PolicyNames
		for _, n := range in.PolicyNames {
			if n == revokePolicyName {
				d.Revoked = true
			}
		}
	}
	return p.render("role", d)
}

// serviceLinked reports whether r is a service-linked role, and its
// service: the path /aws-service-role/SERVICE/.
func serviceLinked(r iam.Role) (bool, string) {
	const prefix = "/aws-service-role/"
	if len(r.Path) <= len(prefix) || r.Path[:len(prefix)] != prefix {
		return false, ""
	}
	svc := r.Path[len(prefix):]
	if len(svc) > 0 && svc[len(svc)-1] == '/' {
		svc = svc[:len(svc)-1]
	}
	return true, svc
}

func (c *Console) roleOp(p *page) error {
	p.Nav = "roles"
	name := p.r.PathValue("name")
	back := Prefix + "roles/" + url.PathEscape(name)
	switch p.r.PathValue("op") {
	case "delete":
		if _, err := call[struct{}](p, "DeleteRole", "RoleName", name); err != nil {
			return err
		}
		return p.redirect(Prefix+"roles", "Role "+name+" deleted.")
	case "revoke-sessions":
		// AWS's console: an inline deny of every action for sessions
		// issued before now (aws:TokenIssueTime).
		doc := revokeDocument(p.c.now())
		if _, err := call[struct{}](p, "PutRolePolicy", "RoleName", name, "PolicyName", revokePolicyName, "PolicyDocument", doc); err != nil {
			return err
		}
		return p.redirect(back+"?tab=sessions", "Every session of "+name+" issued before "+p.c.now().UTC().Format(time.RFC3339)+" is now denied.")
	}
	op, ok := roleOps[p.r.PathValue("op")]
	if !ok {
		return p.c.renderStatus(p.w, p.r, p, 404, "notfound", nil)
	}
	return p.runOp(op, name, back)
}

// revokeDocument is AWSRevokeOlderSessions' document as of now.
func revokeDocument(now time.Time) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` +
		now.UTC().Format(time.RFC3339) + `"}}}]}`
}

var roleOps = map[string]simpleOp{
	"attach": {"AttachRolePolicy", func(p *page, n string) url.Values {
		return pairs("RoleName", n, "PolicyArn", p.form("policy_arn"))
	}, "Policy attached to %s.", ""},
	"detach": {"DetachRolePolicy", func(p *page, n string) url.Values {
		return pairs("RoleName", n, "PolicyArn", p.form("policy_arn"))
	}, "Policy detached from %s.", ""},
	"delete-inline": {"DeleteRolePolicy", func(p *page, n string) url.Values {
		return pairs("RoleName", n, "PolicyName", p.form("policy_name"))
	}, "Inline policy deleted.", ""},
	"tag": {"TagRole", func(p *page, n string) url.Values {
		v := pairs("RoleName", n)
		addTags(v, []string{p.form("key")}, []string{p.r.PostForm.Get("value")})
		return v
	}, "Tag saved.", "tags"},
	"untag": {"UntagRole", func(p *page, n string) url.Values {
		v := pairs("RoleName", n)
		addList(v, "TagKeys", []string{p.form("key")})
		return v
	}, "Tag removed.", "tags"},
	"boundary": {"PutRolePermissionsBoundary", func(p *page, n string) url.Values {
		return pairs("RoleName", n, "PermissionsBoundary", p.form("policy_arn"))
	}, "Permissions boundary set for %s.", ""},
	"remove-boundary": {"DeleteRolePermissionsBoundary", func(p *page, n string) url.Values {
		return pairs("RoleName", n)
	}, "Permissions boundary removed from %s.", ""},
	"update": {"UpdateRole", func(p *page, n string) url.Values {
		return pairs("RoleName", n, "Description", p.r.PostForm.Get("description"), "MaxSessionDuration", p.form("max_session_duration"))
	}, "Role %s updated.", ""},
}

// trustForm edits a role's trust policy in the policy editor.
func (c *Console) trustForm(p *page) error {
	p.Nav = "roles"
	name := p.r.PathValue("name")
	r, err := call[iam.GetRoleOutput](p, "GetRole", "RoleName", name)
	if err != nil {
		return err
	}
	d := &editorData{Heading: "Edit trust policy of " + r.Role.RoleName, Action: Prefix + "roles/" + url.PathEscape(name) + "/trust",
		Cancel: Prefix + "roles/" + url.PathEscape(name) + "?tab=trust", Document: prettyJSON(decodeDocument(r.Role.AssumeRolePolicyDocument)), Type: policy.Trust}
	if ok, svc := serviceLinked(r.Role); ok {
		d.Warning = "This is a service-linked role: only " + svc + " may change it. IAM refuses any edit of its trust policy."
	}
	return p.renderEditor(d)
}

func (c *Console) saveTrust(p *page) error {
	p.Nav = "roles"
	name := p.r.PathValue("name")
	d := &editorData{Heading: "Edit trust policy of " + name, Action: Prefix + "roles/" + url.PathEscape(name) + "/trust",
		Cancel: Prefix + "roles/" + url.PathEscape(name) + "?tab=trust", Document: p.r.PostForm.Get("document"), Type: policy.Trust}
	return p.saveEditor(d, func() error {
		_, err := call[struct{}](p, "UpdateAssumeRolePolicy", "RoleName", name, "PolicyDocument", d.Document)
		return err
	}, d.Cancel, "Trust policy of "+name+" saved.")
}
