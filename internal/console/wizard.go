package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/policy"
)

// wizardTTL bounds how long a sign-in form stays usable.
const wizardTTL = time.Hour

// wizardState is the create-role walk-through's answers so far. It travels
// in the form's fields from step to step: the server keeps nothing until
// the role is created.
type wizardState struct {
	Step string // trust, permissions, details, review

	Entity      string // service, account, web, saml, custom
	Service     string // the service principal, lambda.amazonaws.com
	AccountKind string // this, other
	AccountID   string
	ExternalID  string
	RequireMFA  bool
	WebProvider string // an OIDC provider's ARN, or a well-known issuer
	WebAudience string
	SAMLARN     string
	SAMLAccess  string // console (console and API: SAML:aud), api (API only: a condition of choice)
	SAMLRegion  string // the sign-in endpoint's region, "" for the global one
	SAMLAttr    string // api: the condition's key, SAML:sub, ...
	SAMLValue   string
	Custom      string

	Policies []string // ARNs to attach
	Boundary string
	Search   string

	Name, Description, Path, MaxSession string
	TagKeys, TagValues                  []string
}

// wizardData is what the wizard's template shows.
type wizardData struct {
	S        *wizardState
	Steps    []string
	Services []servicePrincipal
	Results  []iam.Policy // policies found by the search
	Selected []iam.Policy // the ones chosen, by ARN (names when listable)
	Trust    string       // the generated trust policy
	TrustErr string
	Error    *apiError
	Accounts string // this account's ID
	// The account's identity providers, offered by the trust step (empty
	// when the caller may not list them: then an ARN is typed).
	SAMLProviders []samlProvider
	OIDCProviders []string
	SAMLKeys      []string
}

// samlConditionKeys are the keys AWS's console offers for a SAML role
// with API access only (IAM's saml: context keys).
var samlConditionKeys = []string{"SAML:aud", "SAML:iss", "SAML:sub", "SAML:sub_type", "SAML:namequalifier", "SAML:doc",
	"SAML:edupersonaffiliation", "SAML:edupersonprincipalname", "SAML:edupersonorgdn", "SAML:commonName", "SAML:mail", "SAML:uid"}

// servicePrincipal is a service the trust step offers.
type servicePrincipal struct{ Principal, Name string }

var wizardSteps = []string{"trust", "permissions", "details", "review"}

// commonServices come first in the service list: the roles people make
// most (AWS's console lists them as "common use cases").
var commonServices = []servicePrincipal{
	{"lambda.amazonaws.com", "AWS Lambda"},
	{"ec2.amazonaws.com", "Amazon EC2"},
	{"ecs-tasks.amazonaws.com", "Amazon ECS tasks"},
	{"states.amazonaws.com", "AWS Step Functions"},
	{"events.amazonaws.com", "Amazon EventBridge"},
	{"apigateway.amazonaws.com", "Amazon API Gateway"},
	{"glue.amazonaws.com", "AWS Glue"},
	{"sagemaker.amazonaws.com", "Amazon SageMaker"},
}

// servicePrincipals lists the common services, then every service of the
// catalog as PREFIX.amazonaws.com.
func servicePrincipals() []servicePrincipal {
	out := append([]servicePrincipal(nil), commonServices...)
	seen := map[string]bool{}
	for _, s := range out {
		seen[s.Principal] = true
	}
	var rest []servicePrincipal
	for _, s := range catalog.Services() {
		pr := s.Prefix + ".amazonaws.com"
		if !seen[pr] {
			seen[pr] = true
			rest = append(rest, servicePrincipal{pr, s.Name})
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Principal < rest[j].Principal })
	return append(out, rest...)
}

func (p *page) wizardState() *wizardState {
	f := p.r.PostForm
	s := &wizardState{
		Step: p.form("step"), Entity: p.form("entity"), Service: p.form("service"), AccountKind: p.form("account_kind"),
		AccountID: p.form("account_id"), ExternalID: p.form("external_id"), RequireMFA: p.form("require_mfa") == "1",
		WebProvider: p.form("web_provider"), WebAudience: p.form("web_audience"), SAMLARN: p.form("saml_arn"), Custom: f.Get("custom"),
		SAMLAccess: p.form("saml_access"), SAMLRegion: p.form("saml_region"), SAMLAttr: p.form("saml_attr"), SAMLValue: p.form("saml_value"),
		Boundary: p.form("boundary"), Search: p.form("q"), Name: p.form("name"), Description: f.Get("description"),
		Path: p.form("path"), MaxSession: p.form("max_session"), TagKeys: f["tag_key"], TagValues: f["tag_value"],
	}
	if st := p.form("service_other"); st != "" {
		s.Service = st
	}
	seen := map[string]bool{}
	for _, a := range f["policies"] {
		if a != "" && !seen[a] {
			seen[a] = true
			s.Policies = append(s.Policies, a)
		}
	}
	if s.Entity == "" {
		s.Entity = "service"
	}
	if s.Service == "" {
		s.Service = "lambda.amazonaws.com"
	}
	if s.AccountKind == "" {
		s.AccountKind = "this"
	}
	if s.MaxSession == "" {
		s.MaxSession = "3600"
	}
	if s.SAMLAccess == "" {
		s.SAMLAccess = "console"
	}
	return s
}

// wizardStart is the walk-through's first step; a link may choose the
// trusted entity (an identity provider's "Assign role").
func (p *page) wizardStart() *wizardState {
	s := &wizardState{Step: "trust", Entity: "service", Service: "lambda.amazonaws.com", AccountKind: "this", MaxSession: "3600", SAMLAccess: "console"}
	switch e := p.query("entity"); e {
	case "service", "account", "web", "saml", "custom":
		s.Entity = e
	}
	s.SAMLARN, s.WebProvider = p.query("saml_arn"), p.query("web_provider")
	return s
}

// wizard runs the create-role walk-through: GET starts it; each POST
// moves a step forward or back ("go"), searches the policies, or, on the
// review, creates the role and attaches its policies.
func (c *Console) wizard(p *page) error {
	p.Nav = "roles"
	s := p.wizardStart()
	if p.r.Method == "POST" {
		s = p.wizardState()
	}
	d := &wizardData{S: s, Steps: wizardSteps, Accounts: p.caller.AccountID}
	switch p.form("go") {
	case "next":
		if s.Step == "trust" {
			if _, err := s.trustDocument(p.caller.AccountID); err != nil {
				d.TrustErr = err.Error()
				break
			}
		}
		s.Step = stepAfter(s.Step, 1)
	case "back":
		s.Step = stepAfter(s.Step, -1)
	case "create":
		if role, err := c.createRole(p, s); err != nil {
			ae, ok := err.(*apiError)
			if !ok {
				return err
			}
			d.Error = ae
		} else {
			return p.redirect(Prefix+"roles/"+url.PathEscape(role), "Role "+role+" created.")
		}
	}
	if s.Step == "" {
		s.Step = "trust"
	}
	if s.Step == "trust" {
		d.Services = servicePrincipals()
		d.SAMLKeys = samlConditionKeys
		// Quiet: without iam:List*Providers the ARN is typed instead.
		if l, err := call[iam.ListSAMLProvidersOutput](p, "ListSAMLProviders"); err == nil {
			for _, e := range l.SAMLProviderList {
				d.SAMLProviders = append(d.SAMLProviders, samlProvider{SAMLProviderListEntry: e, Name: samlProviderName(e.ARN)})
			}
		}
		if l, err := call[iam.ListOpenIDConnectProvidersOutput](p, "ListOpenIDConnectProviders"); err == nil {
			for _, e := range l.OpenIDConnectProviderList {
				d.OIDCProviders = append(d.OIDCProviders, e.ARN)
			}
		}
	}
	doc, err := s.trustDocument(p.caller.AccountID)
	if err != nil {
		d.TrustErr = err.Error()
	}
	d.Trust = prettyJSON(doc)
	if s.Step == "permissions" || s.Step == "review" {
		d.Results, d.Selected = wizardPolicies(p, s)
	}
	if d.Error != nil || d.TrustErr != "" {
		p.status = 400
	}
	return p.render("wizard", d)
}

func stepAfter(step string, delta int) string {
	for i, s := range wizardSteps {
		if s == step {
			if j := i + delta; j >= 0 && j < len(wizardSteps) {
				return wizardSteps[j]
			}
			return step
		}
	}
	return "trust"
}

// wizardPolicies finds the policies a search names (all, by name, when it
// is empty: the first 50) and the selected ones.
func wizardPolicies(p *page, s *wizardState) (results, selected []iam.Policy) {
	chosen := map[string]bool{}
	for _, a := range s.Policies {
		chosen[a] = true
	}
	all, _, _, err := searchPages(p, s.Search, "", func(marker string, max int) ([]iam.Policy, string, error) {
		out, err := call[iam.ListPoliciesOutput](p, "ListPolicies", "Marker", marker, "MaxItems", strconv.Itoa(max))
		if err != nil {
			return nil, "", err
		}
		return out.Policies, out.Marker, nil
	}, func(pl iam.Policy) string { return pl.PolicyName })
	p.soft(err)
	for _, pl := range all {
		if !chosen[pl.ARN] {
			results = append(results, pl)
		}
	}
	for _, a := range s.Policies {
		selected = append(selected, iam.Policy{ARN: a, PolicyName: a[strings.LastIndex(a, "/")+1:]})
	}
	return results, selected
}

// createRole creates the role, then attaches each policy: the calls AWS's
// console makes. A failed attachment leaves the role made, and says so.
func (c *Console) createRole(p *page, s *wizardState) (string, error) {
	doc, err := s.trustDocument(p.caller.AccountID)
	if err != nil {
		return "", &apiError{Action: "console", Code: "MalformedPolicyDocument", Message: err.Error()}
	}
	v := pairs("RoleName", s.Name, "AssumeRolePolicyDocument", doc, "Description", s.Description, "Path", s.Path,
		"MaxSessionDuration", s.MaxSession, "PermissionsBoundary", s.Boundary)
	addTags(v, s.TagKeys, s.TagValues)
	out, err := callValues[iam.CreateRoleOutput](p, "iam", "CreateRole", v)
	if err != nil {
		return "", err
	}
	for _, a := range s.Policies {
		if _, err := call[struct{}](p, "AttachRolePolicy", "RoleName", out.Role.RoleName, "PolicyArn", a); err != nil {
			if ae, ok := err.(*apiError); ok {
				p.sess.setFlash("Role " + out.Role.RoleName + " created, but attaching " + a + " failed: " + ae.Code + ": " + ae.Message)
			}
			return out.Role.RoleName, nil
		}
	}
	return out.Role.RoleName, nil
}

// trustStatement is a generated trust policy's statement, its elements in
// the order AWS's console writes them.
type trustStatement struct {
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal"`
	Action    string                       `json:"Action"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// trustDocument is the trust policy the answers describe.
func (s *wizardState) trustDocument(account string) (string, error) {
	st := trustStatement{Effect: "Allow", Action: "sts:AssumeRole"}
	cond := map[string]map[string]string{}
	switch s.Entity {
	case "custom":
		if _, err := policy.Parse([]byte(s.Custom), policy.Trust); err != nil {
			return s.Custom, err
		}
		return s.Custom, nil
	case "service":
		st.Principal = map[string]string{"Service": s.Service}
	case "account":
		id := account
		if s.AccountKind == "other" {
			id = s.AccountID
		}
		st.Principal = map[string]string{"AWS": arn.RootARN(id)}
		if s.ExternalID != "" {
			cond["StringEquals"] = map[string]string{"sts:ExternalId": s.ExternalID}
		}
		if s.RequireMFA {
			cond["Bool"] = map[string]string{"aws:MultiFactorAuthPresent": "true"}
		}
	case "web":
		if s.WebProvider == "" {
			return "", errors.New("choose an identity provider")
		}
		st.Principal = map[string]string{"Federated": s.WebProvider}
		st.Action = "sts:AssumeRoleWithWebIdentity"
		if s.WebAudience != "" {
			host := s.WebProvider
			if i := strings.Index(host, ":oidc-provider/"); i >= 0 {
				host = host[i+len(":oidc-provider/"):]
			}
			cond["StringEquals"] = map[string]string{host + ":aud": s.WebAudience}
		}
	case "saml":
		// AWS's SAML trust policy: the provider as the federated principal,
		// and SAML:aud, the sign-in endpoint the IdP posts its response
		// to, for console access; for API access only, the condition the
		// administrator chooses.
		if s.SAMLARN == "" {
			return "", errors.New("choose a SAML provider")
		}
		st.Principal = map[string]string{"Federated": s.SAMLARN}
		st.Action = "sts:AssumeRoleWithSAML"
		if s.SAMLAccess == "api" {
			if s.SAMLAttr == "" || s.SAMLValue == "" {
				return "", errors.New("API access only: choose an attribute and the value it must have")
			}
			cond["StringEquals"] = map[string]string{s.SAMLAttr: s.SAMLValue}
			break
		}
		aud, err := samlEndpoint(s.SAMLRegion)
		if err != nil {
			return "", err
		}
		cond["StringEquals"] = map[string]string{"SAML:aud": aud}
	default:
		return "", errors.New("choose a trusted entity type")
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		Version   string           `json:"Version"`
		Statement []trustStatement `json:"Statement"`
	}{"2012-10-17", []trustStatement{st}})
	out := strings.TrimSpace(b.String())
	if _, err := policy.Parse([]byte(out), policy.Trust); err != nil {
		return out, err
	}
	return out, nil
}

// regionCode is the form of an AWS region's code (us-east-1).
var regionCode = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// samlEndpoint is the SAML sign-in endpoint of a region, or AWS's global
// one for "": what a response's audience names, so what SAML:aud holds.
func samlEndpoint(region string) (string, error) {
	if region == "" {
		return "https://signin.aws.amazon.com/saml", nil
	}
	if !regionCode.MatchString(region) {
		return "", errors.New("the sign-in endpoint's region " + strconv.Quote(region) + " is not a region code such as us-east-1")
	}
	return "https://" + region + ".signin.aws.amazon.com/saml", nil
}
