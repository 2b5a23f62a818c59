package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/lint"
	"github.com/keyward/keyward/policy"
)

// editorData is the policy editor: a JSON document with line numbers, the
// validation and lint findings at their line and column, and the policy
// summary of what the document grants.
type editorData struct {
	Heading  string
	Action   string // where the form posts
	Cancel   string
	Warning  string // shown above the editor (a service-linked role)
	Type     policy.Type
	Document string

	// Name is the policy's name; NameField shows it as a field (new
	// policies), Description a description field (new managed policies).
	Name        string
	NameField   bool
	Description string
	DescField   bool

	Findings []lint.Finding
	Lines    []editorLine // the document numbered, with its findings, after a refused save
	Summary  *summary
	Error    *apiError
	Blocked  bool // the save was refused for the findings
}

// editorLine is one numbered line of the document and the findings that
// start on it.
type editorLine struct {
	N        int
	Text     string
	Findings []lint.Finding
	Bad      bool
}

// TypeName is the document type as the form and lint name it.
func (d *editorData) TypeName() string { return d.Type.String() }

// ErrorCount counts the findings that block a save.
func (d *editorData) ErrorCount() int {
	n := 0
	for _, f := range d.Findings {
		if f.Kind == lint.Error {
			n++
		}
	}
	return n
}

func (p *page) renderEditor(d *editorData) error {
	d.Findings = lint.Check([]byte(d.Document), d.Type)
	d.Summary = summarize(d.Document, d.Type)
	return p.render("editor", d)
}

// saveEditor lints the document: errors (the grammar's, unknown actions,
// resources no action accepts, ...) refuse the save and show the document
// numbered with each finding under its line; otherwise save runs, and the
// browser goes to done with a message that counts the warnings.
func (p *page) saveEditor(d *editorData, save func() error, done, msg string) error {
	d.Findings = lint.Check([]byte(d.Document), d.Type)
	if d.ErrorCount() > 0 {
		d.Blocked = true
		d.Lines = numbered(d.Document, d.Findings)
		d.Summary = summarize(d.Document, d.Type)
		p.status = http.StatusBadRequest
		return p.render("editor", d)
	}
	if err := save(); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			return err
		}
		d.Error = ae
		d.Lines = numbered(d.Document, d.Findings)
		d.Summary = summarize(d.Document, d.Type)
		p.status = http.StatusBadRequest
		return p.render("editor", d)
	}
	if done == "" { // a created entity's page, known once saved
		done = d.Cancel
	}
	if n := len(d.Findings); n > 0 {
		msg += " Lint found " + strconv.Itoa(n) + " warning(s) or suggestion(s): " + d.Findings[0].String()
	}
	return p.redirect(done, msg)
}

// numbered splits doc into lines, each with the findings that start on it.
func numbered(doc string, findings []lint.Finding) []editorLine {
	ls := strings.Split(doc, "\n")
	out := make([]editorLine, len(ls))
	for i, l := range ls {
		out[i] = editorLine{N: i + 1, Text: strings.TrimRight(l, "\r")}
	}
	for _, f := range findings {
		i := f.Line - 1
		if i < 0 {
			i = 0
		}
		if i >= len(out) {
			i = len(out) - 1
		}
		out[i].Findings = append(out[i].Findings, f)
		if f.Kind == lint.Error {
			out[i].Bad = true
		}
	}
	return out
}

// Inline policies: /console/inline/{kind}/{owner}?name=NAME edits one
// (no name: a new one).

var inlineActions = map[string]struct{ get, put, param, page string }{
	"user":  {"GetUserPolicy", "PutUserPolicy", "UserName", "users"},
	"group": {"GetGroupPolicy", "PutGroupPolicy", "GroupName", "groups"},
	"role":  {"GetRolePolicy", "PutRolePolicy", "RoleName", "roles"},
}

const newPolicyTemplate = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Statement1",
      "Effect": "Allow",
      "Action": [],
      "Resource": []
    }
  ]
}`

func (c *Console) inlineForm(p *page) error {
	kind, owner := p.r.PathValue("kind"), p.r.PathValue("owner")
	a, ok := inlineActions[kind]
	if !ok {
		return c.renderStatus(p.w, p.r, p, http.StatusNotFound, "notfound", nil)
	}
	p.Nav = a.page
	name := p.query("name")
	d := &editorData{Heading: "Inline policy of " + kind + " " + owner, Action: p.r.URL.Path, Type: policy.Identity,
		Cancel: Prefix + a.page + "/" + url.PathEscape(owner), Name: name, NameField: name == "", Document: newPolicyTemplate}
	if name != "" {
		out, err := p.invoke("iam", a.get, pairs(a.param, owner, "PolicyName", name))
		if err != nil {
			return err
		}
		switch o := out.(type) {
		case *iam.GetUserPolicyOutput:
			d.Document = o.PolicyDocument
		case *iam.GetGroupPolicyOutput:
			d.Document = o.PolicyDocument
		case *iam.GetRolePolicyOutput:
			d.Document = o.PolicyDocument
		}
		d.Document = prettyJSON(decodeDocument(d.Document))
	}
	return p.renderEditor(d)
}

func (c *Console) saveInline(p *page) error {
	kind, owner := p.r.PathValue("kind"), p.r.PathValue("owner")
	a, ok := inlineActions[kind]
	if !ok {
		return c.renderStatus(p.w, p.r, p, http.StatusNotFound, "notfound", nil)
	}
	p.Nav = a.page
	name := p.form("name")
	d := &editorData{Heading: "Inline policy of " + kind + " " + owner, Action: p.r.URL.Path, Type: policy.Identity,
		Cancel: Prefix + a.page + "/" + url.PathEscape(owner), Name: name, NameField: p.form("new") == "1", Document: p.r.PostForm.Get("document")}
	return p.saveEditor(d, func() error {
		_, err := p.invoke("iam", a.put, pairs(a.param, owner, "PolicyName", name, "PolicyDocument", d.Document))
		return err
	}, d.Cancel, "Inline policy "+name+" saved.")
}
