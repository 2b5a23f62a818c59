package console

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/policy"
)

// policies lists managed policies, filtered by scope (All, AWS, Local),
// use (attached only, used as a boundary) and name.
func (c *Console) policies(p *page) error {
	p.Nav = "policies"
	scope := p.query("scope")
	if scope != "AWS" && scope != "Local" {
		scope = "All"
	}
	usage := p.query("usage")
	attached := p.query("attached") == "1"
	d := &listData[iam.Policy]{Search: p.query("q"), Marker: p.query("marker"), Extra: policyFilter{Scope: scope, Attached: attached, Usage: usage}}
	items, next, scanned, err := searchPages(p, d.Search, d.Marker, func(marker string, max int) ([]iam.Policy, string, error) {
		v := pairs("Scope", scope, "Marker", marker, "MaxItems", strconv.Itoa(max), "PolicyUsageFilter", usage)
		if attached {
			v.Set("OnlyAttached", "true")
		}
		out, err := callValues[iam.ListPoliciesOutput](p, "iam", "ListPolicies", v)
		if err != nil {
			return nil, "", err
		}
		return out.Policies, out.Marker, nil
	}, func(pl iam.Policy) string { return pl.PolicyName })
	if err != nil {
		return err
	}
	d.Items, d.Next, d.Scanned = items, next, scanned
	return p.render("policies", d)
}

// policyFilter is the policy list's filters, for its links.
type policyFilter struct {
	Scope    string
	Attached bool
	Usage    string
}

// Query is the filters as a query string (without the search and marker).
func (f policyFilter) Query() string {
	v := url.Values{"scope": {f.Scope}}
	if f.Attached {
		v.Set("attached", "1")
	}
	if f.Usage != "" {
		v.Set("usage", f.Usage)
	}
	return v.Encode()
}

// policyData is a managed policy's page.
type policyData struct {
	Policy   iam.Policy
	AWS      bool // AWS-managed: read-only
	Versions []iam.PolicyVersion
	Version  string // the version shown
	Document string
	Summary  *summary
	Entities *iam.ListEntitiesForPolicyOutput
	Tab      string
}

func (c *Console) policy(p *page) error {
	p.Nav = "policies"
	arn := p.query("arn")
	pol, err := call[iam.GetPolicyOutput](p, "GetPolicy", "PolicyArn", arn)
	if err != nil {
		return err
	}
	d := &policyData{Policy: pol.Policy, AWS: strings.HasPrefix(pol.Policy.ARN, "arn:aws:iam::aws:"), Tab: p.query("tab"), Version: p.query("version")}
	p.Title = "Policy " + pol.Policy.PolicyName
	if d.Version == "" {
		d.Version = pol.Policy.DefaultVersionID
	}
	if vs, err := call[iam.ListPolicyVersionsOutput](p, "ListPolicyVersions", "PolicyArn", pol.Policy.ARN); p.soft(err) {
		d.Versions = vs.Versions
	}
	if v, err := call[iam.GetPolicyVersionOutput](p, "GetPolicyVersion", "PolicyArn", pol.Policy.ARN, "VersionId", d.Version); p.soft(err) {
		d.Document = prettyJSON(decodeDocument(v.PolicyVersion.Document))
		d.Summary = summarize(d.Document, policy.Identity)
	}
	if d.Tab == "entities" {
		if e, err := call[iam.ListEntitiesForPolicyOutput](p, "ListEntitiesForPolicy", "PolicyArn", pol.Policy.ARN); p.soft(err) {
			d.Entities = e
		}
	} else if d.Tab != "json" {
		d.Tab = "summary"
	}
	return p.render("policy", d)
}

func (c *Console) newPolicyForm(p *page) error {
	p.Nav = "policies"
	return p.renderEditor(&editorData{Heading: "Create policy", Action: Prefix + "policies/new", Cancel: Prefix + "policies",
		Type: policy.Identity, Document: newPolicyTemplate, NameField: true, DescField: true})
}

func (c *Console) newPolicy(p *page) error {
	p.Nav = "policies"
	d := &editorData{Heading: "Create policy", Action: Prefix + "policies/new", Cancel: Prefix + "policies",
		Type: policy.Identity, Document: p.r.PostForm.Get("document"), NameField: true, DescField: true, Name: p.form("name"), Description: p.r.PostForm.Get("description")}
	return p.saveEditor(d, func() error {
		out, err := call[iam.CreatePolicyOutput](p, "CreatePolicy", "PolicyName", d.Name, "PolicyDocument", d.Document, "Description", d.Description, "Path", p.form("path"))
		if err == nil {
			d.Cancel = Prefix + "policy?arn=" + url.QueryEscape(out.Policy.ARN)
		}
		return err
	}, "", "Policy "+d.Name+" created.")
}

func (c *Console) editPolicyForm(p *page) error {
	p.Nav = "policies"
	arn := p.query("arn")
	pol, err := call[iam.GetPolicyOutput](p, "GetPolicy", "PolicyArn", arn)
	if err != nil {
		return err
	}
	v, err := call[iam.GetPolicyVersionOutput](p, "GetPolicyVersion", "PolicyArn", pol.Policy.ARN, "VersionId", pol.Policy.DefaultVersionID)
	if err != nil {
		return err
	}
	return p.renderEditor(&editorData{Heading: "Edit " + pol.Policy.PolicyName + " (saved as a new default version)",
		Action: Prefix + "policy/edit?arn=" + url.QueryEscape(pol.Policy.ARN), Cancel: Prefix + "policy?arn=" + url.QueryEscape(pol.Policy.ARN),
		Type: policy.Identity, Document: prettyJSON(decodeDocument(v.PolicyVersion.Document))})
}

func (c *Console) editPolicy(p *page) error {
	p.Nav = "policies"
	arn := p.query("arn")
	back := Prefix + "policy?arn=" + url.QueryEscape(arn)
	d := &editorData{Heading: "Edit policy", Action: Prefix + "policy/edit?arn=" + url.QueryEscape(arn), Cancel: back,
		Type: policy.Identity, Document: p.r.PostForm.Get("document")}
	return p.saveEditor(d, func() error {
		_, err := call[iam.CreatePolicyVersionOutput](p, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", d.Document, "SetAsDefault", "true")
		return err
	}, back, "New default version saved.")
}

func (c *Console) policyOp(p *page) error {
	p.Nav = "policies"
	arn := p.query("arn")
	back := Prefix + "policy?arn=" + url.QueryEscape(arn)
	var err error
	msg := ""
	switch p.r.PathValue("op") {
	case "delete":
		if _, err = call[struct{}](p, "DeletePolicy", "PolicyArn", arn); err == nil {
			return p.redirect(Prefix+"policies", "Policy deleted.")
		}
	case "set-default":
		_, err = call[struct{}](p, "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", p.form("version"))
		msg = "Default version set."
	case "delete-version":
		_, err = call[struct{}](p, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", p.form("version"))
		msg = "Version deleted."
	case "tag":
		v := pairs("PolicyArn", arn)
		addTags(v, []string{p.form("key")}, []string{p.r.PostForm.Get("value")})
		_, err = p.invoke("iam", "TagPolicy", v)
		msg = "Tag saved."
	default:
		return c.renderStatus(p.w, p.r, p, 404, "notfound", nil)
	}
	if err != nil {
		return err
	}
	return p.redirect(back, msg)
}
