package awsquery

//go:generate go test -run TestGenerated -update

import (
	"slices"
	"strings"
)

// The input shapes of IAM's and STS's operations, as botocore's models
// describe them, are in model_tables.go: generated from the models kept in
// testdata/botocore by TestGenerated (gen_test.go), which fails whenever
// the checked-in tables differ from what the models say. Bind and Actions
// check a request against its operation's shape before the action runs.

// shapeKind is how the Query protocol carries a shape.
type shapeKind uint8

const (
	kindString    shapeKind = iota + 1 // name=value
	kindInteger                        // name=123; unparsable: MalformedInput
	kindBoolean                        // name=true
	kindList                           // name.member.N (name= for an empty list)
	kindStructure                      // name.Field
)

// shape is one input shape of a model and its constraints.
type shape struct {
	kind      shapeKind
	name      string // the model's shape name: STS prints a structure in a list's value as Name(field=value, ...)
	bounds    bounds // length of a string or list, value of an integer
	pattern   *Pattern
	enum      []string
	sensitive bool     // the value is left out of messages
	elem      *shape   // a list's elements
	members   []member // a structure's members, in the model's order
}

// member is one member of a structure shape.
type member struct {
	wire     string // the Query field, relative to the structure: "UserName", "Key"
	name     string // AWS's name for it in messages: "userName", "key"
	required bool
	shape    *shape
}

// api is one service's model.
type api struct {
	version string
	// listValues says how a list that breaks its length bounds is shown:
	// STS prints its value as Java does ("[a, b]", "[Tag(key=k,
	// value=v)]"), IAM leaves the value out ("Value at 'tags' ...").
	listValues bool
	operations map[string]*shape // input shape by operation name
}

// noInput is the input of the operations that take none.
var noInput = &shape{kind: kindStructure}

var apis = [...]api{
	{version: VersionIAM, operations: iamOperations},
	{version: VersionSTS, listValues: true, operations: stsOperations},
}

// operation is one model operation: its input shape, and the model it
// belongs to.
type operation struct {
	api   *api
	input *shape
}

// findOperation returns the operation called name in the model of
// version, or in any model when version is "" (a Handler called without a
// Service). Operation names are unique across the models (TestGenerated
// checks it). It returns false for an action no model has, such as
// Keyward's own.
func findOperation(version, name string) (operation, bool) {
	for i := range apis {
		a := &apis[i]
		if version != "" && a.version != version {
			continue
		}
		if in, ok := a.operations[name]; ok {
			return operation{api: a, input: in}, true
		}
	}
	return operation{}, false
}

// validate records every way f breaks the operation's input shape, in
// AWS's order: the members in the model's order; for each, whether it is
// missing, then its own constraints, then its elements' or members'.
func (op operation) validate(f *Form) {
	checkMembers(f, op.input, op.api.listValues)
}

func checkMembers(f *Form, s *shape, listValues bool) {
	for i := range s.members {
		m := &s.members[i]
		a := at{name: m.name}
		switch m.shape.kind {
		case kindStructure:
			sub, ok := f.structure(m.wire)
			if !ok {
				if m.required {
					f.null(a)
				}
				continue
			}
			checkMembers(sub, m.shape, listValues)
		case kindList:
			checkList(f, m, listValues)
		default:
			v, ok := f.Lookup(m.wire)
			if !ok {
				if m.required {
					f.null(a)
				}
				continue
			}
			checkScalar(f, a, m.shape, v)
		}
	}
}

// IAM checks some of its model's patterns in its own words: a value that
// breaks one is refused with IAM's sentence, naming the member as AWS's
// messages do ("The specified value for roleName is invalid. ..."), not
// with the model's "failed to satisfy constraint: Member must satisfy
// regular expression pattern", and only when the model's other checks
// pass: a name or path too long still gets the model's length failure
// (CloudFormation's report of a 66-character roleName; moto's test of
// CreateVirtualMFADevice with a 513-character path). Sources, each IAM's
// answer as a client printed it:
//   - names ([\w+=,.@-]+): userName (AttachUserPolicy, app-sre/qontract-
//     reconcile#2640; GetUser, wallix/awless#277), roleName (PutRolePolicy,
//     hashicorp/terraform-provider-aws#3087; CreateRole through
//     CloudFormation, kubecost/docs#36), policyName (aws-cloudformation/
//     cfn-lint#996). The other IAM names of that pattern (group, instance
//     profile, server certificate, virtual MFA device, custom suffix) are
//     taken to be worded alike;
//   - paths: a Path of "test/" or "test" (aws-cloudformation/cfn-lint#722,
//     serverless/serverless#3802, moto 5.2.1's
//     test_create_virtual_mfa_device_errors);
//   - a policy PathPrefix of "/foo" (ListPolicies, aws/aws-cli#5860, which
//     AWS's SDK team passed to IAM as IAM's own message). Policy paths share
//     one shape with CreatePolicy's Path, whose sentence no source shows:
//     that one keeps the model's failure.
func ownSentence(s *shape, member string) (string, bool) {
	switch s {
	case iamCustomSuffixType, iamExistingUserNameType, iamGroupNameType, iamInstanceProfileNameType, iamPolicyNameType,
		iamRoleNameType, iamServerCertificateNameType, iamUserNameType, iamVirtualMFADeviceName:
		return "The specified value for " + member + " is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-", true
	case iamPathType:
		return "The specified value for " + member + " is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.", true
	case iamPolicyPathType:
		if member == "pathPrefix" {
			return "The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters.", true
		}
	}
	return "", false
}

// IAM's UpdateAccountPasswordPolicy refuses its numbers as AWS recorded it
// (LocalStack's AWS-validated test_update_account_password_policy_
// validation_errors, recorded 2026-02-13: "3 validation errors detected:
// Value at 'minimumPasswordLength' ...; Value at 'passwordReusePrevention'
// ...; Value at 'maxPasswordAge' ..."): the values are left out, as of a
// sensitive member, and passwordReusePrevention is checked before
// maxPasswordAge, which the model lists first. Nothing in the model says
// either, so the generated tables are amended here, once.
func init() {
	for _, s := range []*shape{iamMinimumPasswordLengthType, iamPasswordReusePreventionType, iamMaxPasswordAgeType} {
		s.sensitive = true
	}
	moveBefore(iamUpdateAccountPasswordPolicyRequest, "PasswordReusePrevention", "MaxPasswordAge")
}

// moveBefore moves s's member wire to just before its member before. It
// panics on a name s does not have: the tables are the build's.
func moveBefore(s *shape, wire, before string) {
	from := slices.IndexFunc(s.members, func(m member) bool { return m.wire == wire })
	to := slices.IndexFunc(s.members, func(m member) bool { return m.wire == before })
	if from < 0 || to < 0 {
		panic("awsquery: " + s.name + " has no member " + wire + " or " + before)
	}
	m := s.members[from]
	s.members = slices.Delete(s.members, from, from+1)
	if from < to {
		to-- // the member before moved up one
	}
	s.members = slices.Insert(s.members, to, m)
}

// checkScalar checks a present string, integer or boolean.
func checkScalar(f *Form, a at, s *shape, v string) {
	switch s.kind {
	case kindString:
		if s.pattern != nil && !s.pattern.MatchString(v) {
			if sentence, ok := ownSentence(s, f.path(a)); ok {
				f.checkString(a, v, s.sensitive, s.bounds, nil, s.enum)
				if t := f.top(); t.own == "" {
					t.own = sentence
				}
				return
			}
		}
		f.checkString(a, v, s.sensitive, s.bounds, s.pattern, s.enum)
	case kindInteger:
		if n, ok := f.parseInt(v); ok {
			f.checkValue(a, int64(n), !s.sensitive, s.bounds)
		}
	case kindBoolean:
		f.parseBool(v)
	}
}

// checkList checks a list member: presence, length, then each element.
func checkList(f *Form, m *member, listValues bool) {
	s := m.shape
	a := at{name: m.name}
	var elems []*Form  // a list of structures
	var items []string // a list of strings, numbers or booleans
	n := -1
	if s.elem.kind == kindStructure {
		if elems = f.Members(m.wire); elems != nil {
			n = len(elems)
		}
	} else if items = f.List(m.wire); items != nil {
		n = len(items)
	}
	if n < 0 {
		if m.required {
			f.null(a)
		}
		return
	}
	if s.bounds.breaks(n) {
		shown := ""
		if listValues && elems != nil {
			shown = javaStructs(elems, s.elem)
		} else if listValues {
			shown = JavaList(items)
		}
		f.countFailures(a, shown, listValues, n, s.bounds)
	}
	for _, e := range elems {
		checkMembers(e, s.elem, listValues)
	}
	for j, v := range items {
		checkScalar(f, at{name: m.name, index: j + 1}, s.elem, v)
	}
}

// javaStructs prints a list of structures as STS's messages do, Java's
// toString of its model classes: [Tag(key=a, value=b), Tag(key=c, value=d)].
func javaStructs(elems []*Form, s *shape) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.name)
		b.WriteByte('(')
		for j, m := range s.members {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.name)
			b.WriteByte('=')
			if v, ok := e.Lookup(m.wire); ok {
				b.WriteString(v)
			} else {
				b.WriteString("null")
			}
		}
		b.WriteByte(')')
	}
	b.WriteByte(']')
	return b.String()
}

// breaks reports whether a list of n elements breaks b, so that callers
// build the list's printed value only when a message needs it.
func (b bounds) breaks(n int) bool {
	return b.has&hasMin != 0 && int64(n) < b.min || b.has&hasMax != 0 && int64(n) > b.max
}
