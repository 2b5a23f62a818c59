package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/keyward/keyward/arn"
)

// Input is one offline decision, as `keyward policy eval` reads it: the
// policies that bear on a request, and the request.
type Input struct {
	Policies Policies
	Request  Request
}

// InputError says which part of an eval input is wrong.
type InputError struct {
	Where string // the JSON field, e.g. identityPolicies[1]
	ID    string // the policy's id, when the part is a policy
	Err   error  // a *ParseError for a policy document
}

func (e *InputError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("%s (id %q): %v", e.Where, e.ID, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Where, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// DecodeInput reads the JSON request of `keyward policy eval`:
//
//	{"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key",
//	 "principal": "arn:aws:iam::111122223333:user/alice",
//	 "context": {"aws:SourceIp": "203.0.113.7", "aws:TagKeys": ["team", "env"]},
//	 "identityPolicies": [POLICY, ...], "permissionsBoundary": POLICY,
//	 "sessionPolicies": [POLICY, ...], "resourcePolicy": POLICY,
//	 "resourcePolicyType": "resource" | "trust" | "key",
//	 "resourceAccount": "444455556666", "scps": [[POLICY, ...], ...]}
//
// POLICY is a document (an object, or a string holding one) or
// {"id": "name", "document": DOC}. Policies without an id are named by where
// they stand: identityPolicies.1, permissionsBoundary, sessionPolicies.1,
// resourcePolicy, scps.1.1. The context keys that follow from the principal
// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, and aws:username
// for IAM users) are filled in when the request leaves them out.
//
// The resource policy's kind decides how it combines with identity policies,
// and follows from the request unless resourcePolicyType says otherwise:
//   - "trust", a role's trust policy, when the resource is a role
//     (arn:PARTITION:iam::ACCOUNT:role/...) and the action one a principal
//     performs on a role: sts:AssumeRole, sts:AssumeRoleWithSAML,
//     sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity or
//     sts:SetContext. It is read with trust-policy rules (no Resource) and
//     must allow explicitly: within the account, an identity policy's allow
//     counts only when the trust policy names the principal's account.
//   - "key", a KMS key policy, when the resource is a KMS key
//     (arn:PARTITION:kms:REGION:ACCOUNT:key/...). It must allow explicitly
//     too: IAM policies count only when the key policy names the account,
//     and nobody, the root user included, has access it does not grant.
//   - "resource" otherwise (a bucket, queue or topic policy, ...): within
//     the account an allow from either the resource policy or the identity
//     policies suffices.
//
// scps lists the SCP levels of the principal's account. Leave it out for
// the organization's management account, which SCPs never limit; they are
// ignored for service-linked roles and AWS service principals.
func DecodeInput(data []byte) (*Input, error) {
	root, jerr := parseJSON(data)
	if jerr != nil {
		pos := position(data, jerr.off)
		return nil, &InputError{Where: "request", Err: &ParseError{Line: pos.Line, Column: pos.Column, Message: "invalid JSON: " + jerr.msg}}
	}
	if root.kind != jObject {
		return nil, &InputError{Where: "request", Err: fmt.Errorf("must be a JSON object, not %s", root.kind)}
	}
	in := &Input{}
	d := inputDecoder{data: data}
	var resourceType string
	var resourceNode *node
	for _, m := range root.keys {
		var err error
		switch m.key {
		case "action":
			in.Request.Action, err = d.str(m.val)
		case "resource":
			in.Request.Resource, err = d.str(m.val)
		case "principal":
			in.Request.Principal, err = d.str(m.val)
		case "resourceAccount":
			in.Request.ResourceAccount, err = d.str(m.val)
		case "context":
			err = d.context(m.val, &in.Request.Context)
		case "identityPolicies":
			in.Policies.Identity, err = d.set(m.val, m.key, Identity)
		case "permissionsBoundary":
			var p Policy
			if p, err = d.policy(m.val, m.key, m.key, Boundary); err == nil {
				in.Policies.Boundary = NewSet(p)
			}
		case "sessionPolicies":
			in.Policies.Session, err = d.set(m.val, m.key, Session)
		case "resourcePolicy":
			resourceNode = m.val
		case "resourcePolicyType":
			if resourceType, err = d.str(m.val); err == nil {
				switch resourceType {
				case "resource", "trust", "key":
				default:
					err = fmt.Errorf("must be \"resource\", \"trust\" or \"key\", not %q", resourceType)
				}
			}
		case "scps":
			if m.val.kind != jArray {
				err = fmt.Errorf("must be an array of arrays of policies")
				break
			}
			for i, level := range m.val.elems {
				var s *Set
				if s, err = d.setNamed(level, "scps["+strconv.Itoa(i)+"]", "scps."+strconv.Itoa(i+1), SCP); err != nil {
					break
				}
				in.Policies.SCPs = append(in.Policies.SCPs, s)
			}
		default:
			err = fmt.Errorf("unknown field %q", m.key)
		}
		if err != nil {
			if ie, ok := err.(*InputError); ok {
				return nil, ie
			}
			return nil, &InputError{Where: m.key, Err: err}
		}
	}
	if resourceNode != nil {
		if resourceType == "" {
			resourceType = ResourcePolicyKind(in.Request.Action, in.Request.Resource)
		}
		t := Resource
		switch resourceType {
		case "trust":
			t = Trust
		case "key":
			in.Policies.ResourceMustAllow = true
		}
		p, err := d.policy(resourceNode, "resourcePolicy", "resourcePolicy", t)
		if err != nil {
			return nil, err
		}
		in.Policies.Resource = NewSet(p)
	}
	if in.Request.Action == "" {
		return nil, &InputError{Where: "action", Err: fmt.Errorf("the request has no action")}
	}
	if in.Request.Resource == "" {
		in.Request.Resource = "*"
	}
	if in.Policies.Identity == nil {
		in.Policies.Identity = NewSet()
	}
	FillPrincipalContext(&in.Request)
	return in, nil
}

// ResourcePolicyKind returns the kind of resource policy that decides action
// on resource, as DecodeInput reads it: "trust" for a role's trust policy,
// "key" for a KMS key policy, "resource" for any other.
func ResourcePolicyKind(action, resource string) string {
	if a, err := arn.Parse(resource); err == nil {
		switch {
		case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/") && slices.ContainsFunc(trustActions, func(t string) bool { return strings.EqualFold(t, action) }):
			return "trust"
		case a.Service == "kms" && strings.HasPrefix(a.Resource, "key/"):
			return "key"
		}
	}
	return "resource"
}

// FillPrincipalContext sets the context keys that follow from r.Principal, when
// r.Context lacks them: aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalType, aws:username for IAM users, and for service principals
// aws:PrincipalServiceName and aws:PrincipalIsAWSService.
func FillPrincipalContext(r *Request) {
	set := func(k, v string) {
		if !r.Context.Has(k) && v != "" {
			r.Context.Set(k, v)
		}
	}
	p := arn.ParsePrincipal(r.Principal)
	switch p.Kind {
	case arn.NotPrincipal:
		if arn.IsAccountID(r.Principal) {
			set("aws:PrincipalArn", "arn:aws:iam::"+r.Principal+":root")
			set("aws:PrincipalAccount", r.Principal)
			set("aws:PrincipalType", "Account")
		} else if r.Principal != "" {
			set("aws:PrincipalServiceName", r.Principal)
			set("aws:PrincipalIsAWSService", "true")
		}
		return
	case arn.Root:
		set("aws:PrincipalType", "Account")
		set("aws:PrincipalArn", r.Principal)
	case arn.User:
		set("aws:PrincipalType", "User")
		set("aws:PrincipalArn", r.Principal)
		set("aws:username", p.Name)
	case arn.Role:
		set("aws:PrincipalType", "AssumedRole")
		set("aws:PrincipalArn", r.Principal)
	case arn.AssumedRole:
		set("aws:PrincipalType", "AssumedRole")
		set("aws:PrincipalArn", "arn:aws:iam::"+p.AccountID+":role/"+p.Name)
	case arn.FederatedUser:
		set("aws:PrincipalType", "FederatedUser")
		set("aws:PrincipalArn", r.Principal)
	}
	set("aws:PrincipalAccount", p.AccountID)
	set("aws:PrincipalIsAWSService", "false")
}

type inputDecoder struct{ data []byte }

func (d *inputDecoder) str(n *node) (string, error) {
	if n.kind != jString {
		return "", fmt.Errorf("must be a string, not %s", n.kind)
	}
	return n.str, nil
}

func (d *inputDecoder) context(n *node, c *Context) error {
	if n.kind != jObject {
		return fmt.Errorf("must be an object of keys and values, not %s", n.kind)
	}
	for _, m := range n.keys {
		if c.Has(m.key) {
			return fmt.Errorf("key %q appears twice (keys are case-insensitive)", m.key)
		}
		switch m.val.kind {
		case jString, jNumber, jBool:
			c.Set(m.key, m.val.str)
		case jArray:
			vals := make([]string, 0, len(m.val.elems))
			for _, e := range m.val.elems {
				switch e.kind {
				case jString, jNumber, jBool:
					vals = append(vals, e.str)
				default:
					return fmt.Errorf("key %q: values must be strings, not %s", m.key, e.kind)
				}
			}
			c.Set(m.key, vals...)
		default:
			return fmt.Errorf("key %q: value must be a string or a list of strings, not %s", m.key, m.val.kind)
		}
	}
	return nil
}

func (d *inputDecoder) set(n *node, where string, t Type) (*Set, error) {
	return d.setNamed(n, where, where, t)
}

// setNamed reads an array of policies; ids default to idPrefix.1, .2, ...
// An empty array is no policies at all: nil.
func (d *inputDecoder) setNamed(n *node, where, idPrefix string, t Type) (*Set, error) {
	if n.kind != jArray {
		return nil, &InputError{Where: where, Err: fmt.Errorf("must be an array of policies, not %s", n.kind)}
	}
	ps := make([]Policy, 0, len(n.elems))
	for i, e := range n.elems {
		p, err := d.policy(e, where+"["+strconv.Itoa(i)+"]", idPrefix+"."+strconv.Itoa(i+1), t)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 && t == Session {
		return nil, nil
	}
	return NewSet(ps...), nil
}

// policy reads POLICY: a document object, a string holding one, or
// {"id": ..., "document": ...}.
func (d *inputDecoder) policy(n *node, where, defaultID string, t Type) (Policy, error) {
	id := defaultID
	doc := n
	if n.kind == jObject && n.get("document") != nil {
		doc = n.get("document")
		if idn := n.get("id"); idn != nil {
			if idn.kind != jString {
				return Policy{}, &InputError{Where: where + ".id", Err: fmt.Errorf("must be a string")}
			}
			id = idn.str
		}
		for _, m := range n.keys {
			if m.key != "id" && m.key != "document" {
				return Policy{}, &InputError{Where: where, ID: id, Err: fmt.Errorf("unknown field %q next to id and document", m.key)}
			}
		}
	}
	var parsed *Document
	var err error
	switch doc.kind {
	case jString:
		parsed, err = Parse([]byte(doc.str), t)
	case jObject:
		parsed, err = Parse(d.data[doc.off:doc.end], t)
		if pe, ok := err.(*ParseError); ok {
			// Report the place in the input file, not in the embedded document.
			start := position(d.data, doc.off)
			if pe.Line == 1 {
				pe.Column += start.Column - 1
			}
			pe.Line += start.Line - 1
		}
	default:
		err = fmt.Errorf("a policy must be a document (an object or a string), not %s", doc.kind)
	}
	if err != nil {
		return Policy{}, &InputError{Where: where, ID: id, Err: err}
	}
	return Policy{ID: id, Document: parsed}, nil
}
