package console

import (
	"net/url"
	"strconv"

	"github.com/keyward/keyward/internal/iam"
)

func (c *Console) groups(p *page) error {
	p.Nav = "groups"
	d := &listData[iam.Group]{Search: p.query("q"), Marker: p.query("marker")}
	items, next, scanned, err := searchPages(p, d.Search, d.Marker, func(marker string, max int) ([]iam.Group, string, error) {
		out, err := call[iam.ListGroupsOutput](p, "ListGroups", "Marker", marker, "MaxItems", strconv.Itoa(max))
		if err != nil {
			return nil, "", err
		}
		return out.Groups, out.Marker, nil
	}, func(g iam.Group) string { return g.GroupName })
	if err != nil {
		return err
	}
	d.Items, d.Next, d.Scanned = items, next, scanned
	return p.render("groups", d)
}

func (c *Console) newGroup(p *page) error {
	out, err := call[iam.CreateGroupOutput](p, "CreateGroup", "GroupName", p.form("name"), "Path", p.form("path"))
	if err != nil {
		return err
	}
	return p.redirect(Prefix+"groups/"+url.PathEscape(out.Group.GroupName), "Group "+out.Group.GroupName+" created.")
}

// groupData is a group's page.
type groupData struct {
	Group    iam.Group
	Users    []iam.User
	AllUsers []iam.User
	Attached []iam.AttachedPolicy
	Inline   []string
	Policies []iam.Policy
}

func (c *Console) group(p *page) error {
	p.Nav = "groups"
	name := p.r.PathValue("name")
	g, err := call[iam.GetGroupOutput](p, "GetGroup", "GroupName", name, "MaxItems", "1000")
	if err != nil {
		return err
	}
	d := &groupData{Group: g.Group, Users: g.Users}
	p.Title = "Group " + g.Group.GroupName
	if a, err := call[iam.ListAttachedPoliciesOutput](p, "ListAttachedGroupPolicies", "GroupName", name); p.soft(err) {
		d.Attached = a.AttachedPolicies
	}
	if in, err := call[iam.ListPolicyNamesOutput](p, "ListGroupPolicies", "GroupName", name); p.soft(err) {
		d.Inline = in.PolicyNames
	}
	if all, err := call[iam.ListUsersOutput](p, "ListUsers", "MaxItems", "1000"); err == nil {
		d.AllUsers = all.Users
	}
	d.Policies = attachable(p)
	return p.render("group", d)
}

func (c *Console) groupOp(p *page) error {
	p.Nav = "groups"
	name := p.r.PathValue("name")
	if p.r.PathValue("op") == "delete" {
		if _, err := call[struct{}](p, "DeleteGroup", "GroupName", name); err != nil {
			return err
		}
		return p.redirect(Prefix+"groups", "Group "+name+" deleted.")
	}
	op, ok := groupOps[p.r.PathValue("op")]
	if !ok {
		return p.c.renderStatus(p.w, p.r, p, 404, "notfound", nil)
	}
	return p.runOp(op, name, Prefix+"groups/"+url.PathEscape(name))
}

var groupOps = map[string]simpleOp{
	"attach": {"AttachGroupPolicy", func(p *page, n string) url.Values {
		return pairs("GroupName", n, "PolicyArn", p.form("policy_arn"))
	}, "Policy attached to %s.", ""},
	"detach": {"DetachGroupPolicy", func(p *page, n string) url.Values {
		return pairs("GroupName", n, "PolicyArn", p.form("policy_arn"))
	}, "Policy detached from %s.", ""},
	"delete-inline": {"DeleteGroupPolicy", func(p *page, n string) url.Values {
		return pairs("GroupName", n, "PolicyName", p.form("policy_name"))
	}, "Inline policy deleted.", ""},
	"add-user": {"AddUserToGroup", func(p *page, n string) url.Values {
		return pairs("GroupName", n, "UserName", p.form("user"))
	}, "User added to %s.", ""},
	"remove-user": {"RemoveUserFromGroup", func(p *page, n string) url.Values {
		return pairs("GroupName", n, "UserName", p.form("user"))
	}, "User removed from %s.", ""},
}
