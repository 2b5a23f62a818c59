package console

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/iam"
)

// pageSize is how many entries a list page shows.
const pageSize = 50

// listData is a page of a list with search.
type listData[T any] struct {
	Items   []T
	Search  string
	Marker  string // this page's marker
	Next    string // the next page's marker, "" on the last
	Scanned int    // entries read to find Items (searches)
	Extra   any
}

// users lists the account's users, 50 a page; a search reads pages of the
// account's users until it has a page of matches (IAM has no search
// parameter: AWS's console filters what it lists too).
func (c *Console) users(p *page) error {
	p.Nav = "users"
	d := &listData[iam.User]{Search: p.query("q"), Marker: p.query("marker")}
	items, next, scanned, err := searchPages(p, d.Search, d.Marker, func(marker string, max int) ([]iam.User, string, error) {
		out, err := call[iam.ListUsersOutput](p, "ListUsers", "Marker", marker, "MaxItems", strconv.Itoa(max))
		if err != nil {
			return nil, "", err
		}
		return out.Users, out.Marker, nil
	}, func(u iam.User) string { return u.UserName })
	if err != nil {
		return err
	}
	d.Items, d.Next, d.Scanned = items, next, scanned
	return p.render("users", d)
}

// searchPages reads one page of a list (no search), or reads pages until a
// page's worth of entries whose name contains search (case-insensitive)
// is found. It returns them, the marker of what follows, and how many
// entries it read.
func searchPages[T any](p *page, search, marker string, list func(marker string, max int) ([]T, string, error), name func(T) string) ([]T, string, int, error) {
	if search == "" {
		items, next, err := list(marker, pageSize)
		return items, next, len(items), err
	}
	needle := strings.ToLower(search)
	var out []T
	scanned := 0
	for {
		items, next, err := list(marker, 1000)
		if err != nil {
			return nil, "", 0, err
		}
		scanned += len(items)
		for _, it := range items {
			if strings.Contains(strings.ToLower(name(it)), needle) {
				out = append(out, it)
			}
		}
		marker = next
		if next == "" || len(out) >= pageSize {
			return out, next, scanned, nil
		}
	}
}

func (c *Console) newUserForm(p *page) error {
	p.Nav = "users"
	return p.render("newuser", nil)
}

func (c *Console) newUser(p *page) error {
	p.Nav = "users"
	v := pairs("UserName", p.form("name"), "Path", p.form("path"), "PermissionsBoundary", p.form("boundary"))
	addTags(v, p.r.PostForm["tag_key"], p.r.PostForm["tag_value"])
	out, err := callValues[iam.CreateUserOutput](p, "iam", "CreateUser", v)
	if err != nil {
		return err
	}
	return p.redirect(Prefix+"users/"+url.PathEscape(out.User.UserName), "User "+out.User.UserName+" created.")
}

// userData is a user's page.
type userData struct {
	User      iam.User
	Tab       string
	Attached  []iam.AttachedPolicy
	Inline    []string
	Groups    []groupPolicies
	AllGroups []iam.Group
	Tags      []iam.Tag
	Keys      []keyInfo
	Advisor   *iam.GetServiceLastAccessedDetailsOutput
	Policies  []iam.Policy // attachable, for the attach form
	Creds     *credentials // the Security credentials tab, but access keys
}

// groupPolicies is a group of the user with the policies it brings.
type groupPolicies struct {
	Group    iam.Group
	Attached []iam.AttachedPolicy
	Inline   []string
}

// keyInfo is an access key with its last use.
type keyInfo struct {
	iam.AccessKeyMetadata
	LastUsed iam.AccessKeyLastUsed
}

func (c *Console) user(p *page) error {
	p.Nav = "users"
	name := p.r.PathValue("name")
	u, err := call[iam.GetUserOutput](p, "GetUser", "UserName", name)
	if err != nil {
		return err
	}
	d := &userData{User: u.User, Tab: p.query("tab")}
	p.Title = "User " + u.User.UserName
	switch d.Tab {
	case "groups":
		if gs, err := call[iam.ListGroupsOutput](p, "ListGroupsForUser", "UserName", name); p.soft(err) {
			for _, g := range gs.Groups {
				d.Groups = append(d.Groups, groupPolicies{Group: g})
			}
		}
		if all, err := call[iam.ListGroupsOutput](p, "ListGroups", "MaxItems", "1000"); p.soft(err) {
			d.AllGroups = all.Groups
		}
	case "tags":
		if t, err := call[iam.ListTagsOutput](p, "ListUserTags", "UserName", name); p.soft(err) {
			d.Tags = t.Tags
		}
	case "credentials":
		if ks, err := call[iam.ListAccessKeysOutput](p, "ListAccessKeys", "UserName", name); p.soft(err) {
			for _, k := range ks.AccessKeyMetadata {
				ki := keyInfo{AccessKeyMetadata: k}
				if lu, err := call[iam.GetAccessKeyLastUsedOutput](p, "GetAccessKeyLastUsed", "AccessKeyId", k.AccessKeyID); p.soft(err) {
					ki.LastUsed = lu.AccessKeyLastUsed
				}
				d.Keys = append(d.Keys, ki)
			}
		}
		d.Creds = loadCredentials(p, name)
	case "advisor":
		d.Advisor = accessAdvisor(p, u.User.ARN)
	default:
		d.Tab = "permissions"
		if a, err := call[iam.ListAttachedPoliciesOutput](p, "ListAttachedUserPolicies", "UserName", name); p.soft(err) {
			d.Attached = a.AttachedPolicies
		}
		if in, err := call[iam.ListPolicyNamesOutput](p, "ListUserPolicies", "UserName", name); p.soft(err) {
			d.Inline = in.PolicyNames
		}
		if gs, err := call[iam.ListGroupsOutput](p, "ListGroupsForUser", "UserName", name); p.soft(err) {
			for _, g := range gs.Groups {
				gp := groupPolicies{Group: g}
				if a, err := call[iam.ListAttachedPoliciesOutput](p, "ListAttachedGroupPolicies", "GroupName", g.GroupName); p.soft(err) {
					gp.Attached = a.AttachedPolicies
				}
				if in, err := call[iam.ListPolicyNamesOutput](p, "ListGroupPolicies", "GroupName", g.GroupName); p.soft(err) {
					gp.Inline = in.PolicyNames
				}
				d.Groups = append(d.Groups, gp)
			}
		}
		d.Policies = attachable(p)
	}
	return p.render("user", d)
}

// attachable lists the policies the attach forms offer: the account's and
// AWS's, by name (one call; a caller who may not list policies types an
// ARN instead).
func attachable(p *page) []iam.Policy {
	out, err := call[iam.ListPoliciesOutput](p, "ListPolicies", "MaxItems", "1000")
	if err != nil {
		return nil
	}
	return out.Policies
}

// accessAdvisor generates and reads the entity's service last-accessed
// report (Keyward's jobs complete at once).
func accessAdvisor(p *page, arn string) *iam.GetServiceLastAccessedDetailsOutput {
	job, err := call[iam.GenerateServiceLastAccessedDetailsOutput](p, "GenerateServiceLastAccessedDetails", "Arn", arn)
	if !p.soft(err) {
		return nil
	}
	out, err := call[iam.GetServiceLastAccessedDetailsOutput](p, "GetServiceLastAccessedDetails", "JobId", job.JobID)
	if !p.soft(err) {
		return nil
	}
	return out
}

// simpleOp is a form that calls one action and goes back to the entity's
// page with a message.
type simpleOp struct {
	action string
	params func(p *page, name string) url.Values
	done   string // the message; %s is the entity's name
	tab    string
}

func (c *Console) userOp(p *page) error {
	p.Nav = "users"
	name := p.r.PathValue("name")
	back := Prefix + "users/" + url.PathEscape(name)
	switch p.r.PathValue("op") {
	case "create-key":
		out, err := call[iam.CreateAccessKeyOutput](p, "CreateAccessKey", "UserName", name)
		if err != nil {
			return err
		}
		return p.render("accesskey", &newKey{Key: out.AccessKey, Back: back + "?tab=credentials"})
	case "rotate-key":
		// AWS's rotation: a new key first, then the old one deactivated
		// (deleted later, once nothing uses it).
		out, err := call[iam.CreateAccessKeyOutput](p, "CreateAccessKey", "UserName", name)
		if err != nil {
			return err
		}
		nk := &newKey{Key: out.AccessKey, Back: back + "?tab=credentials", Rotated: p.form("key_id")}
		if _, err := call[struct{}](p, "UpdateAccessKey", "UserName", name, "AccessKeyId", nk.Rotated, "Status", "Inactive"); !p.soft(err) {
			nk.Rotated = ""
		}
		return p.render("accesskey", nk)
	case "delete":
		if _, err := call[struct{}](p, "DeleteUser", "UserName", name); err != nil {
			return err
		}
		return p.redirect(Prefix+"users", "User "+name+" deleted.")
	}
	if handled, err := c.credentialOp(p, name, back, p.r.PathValue("op")); handled {
		return err
	}
	op, ok := userOps[p.r.PathValue("op")]
	if !ok {
		return p.c.renderStatus(p.w, p.r, p, 404, "notfound", nil)
	}
	return p.runOp(op, name, back)
}

// runOp runs a simple op and redirects back with its message.
func (p *page) runOp(op simpleOp, name, back string) error {
	if _, err := p.invoke("iam", op.action, op.params(p, name)); err != nil {
		return err
	}
	if op.tab != "" {
		back += "?tab=" + op.tab
	}
	return p.redirect(back, strings.ReplaceAll(op.done, "%s", name))
}

// newKey is a key just created: its secret is shown on this page only.
type newKey struct {
	Key     iam.AccessKey
	Back    string
	Rotated string // the key deactivated by a rotation
}

var userOps = map[string]simpleOp{
	"attach": {"AttachUserPolicy", func(p *page, n string) url.Values {
		return pairs("UserName", n, "PolicyArn", p.form("policy_arn"))
	}, "Policy attached to %s.", ""},
	"detach": {"DetachUserPolicy", func(p *page, n string) url.Values {
		return pairs("UserName", n, "PolicyArn", p.form("policy_arn"))
	}, "Policy detached from %s.", ""},
	"delete-inline": {"DeleteUserPolicy", func(p *page, n string) url.Values {
		return pairs("UserName", n, "PolicyName", p.form("policy_name"))
	}, "Inline policy deleted.", ""},
	"add-group": {"AddUserToGroup", func(p *page, n string) url.Values {
		return pairs("UserName", n, "GroupName", p.form("group"))
	}, "%s added to the group.", "groups"},
	"remove-group": {"RemoveUserFromGroup", func(p *page, n string) url.Values {
		return pairs("UserName", n, "GroupName", p.form("group"))
	}, "%s removed from the group.", "groups"},
	"tag": {"TagUser", func(p *page, n string) url.Values {
		v := pairs("UserName", n)
		addTags(v, []string{p.form("key")}, []string{p.r.PostForm.Get("value")})
		return v
	}, "Tag saved.", "tags"},
	"untag": {"UntagUser", func(p *page, n string) url.Values {
		v := pairs("UserName", n)
		addList(v, "TagKeys", []string{p.form("key")})
		return v
	}, "Tag removed.", "tags"},
	"key-status": {"UpdateAccessKey", func(p *page, n string) url.Values {
		return pairs("UserName", n, "AccessKeyId", p.form("key_id"), "Status", p.form("status"))
	}, "Access key updated.", "credentials"},
	"delete-key": {"DeleteAccessKey", func(p *page, n string) url.Values {
		return pairs("UserName", n, "AccessKeyId", p.form("key_id"))
	}, "Access key deleted.", "credentials"},
	"boundary": {"PutUserPermissionsBoundary", func(p *page, n string) url.Values {
		return pairs("UserName", n, "PermissionsBoundary", p.form("policy_arn"))
	}, "Permissions boundary set for %s.", ""},
	"remove-boundary": {"DeleteUserPermissionsBoundary", func(p *page, n string) url.Values {
		return pairs("UserName", n)
	}, "Permissions boundary removed from %s.", ""},
}
