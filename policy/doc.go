// Package policy is AWS's IAM policy language: it parses and validates policy
// documents, compiles them, and decides requests with AWS's evaluation logic.
//
// # Basics
//
// Parse reads a document of a given Type (identity, resource, trust, boundary,
// session, SCP) and rejects what AWS rejects, naming the element, its line and
// column: a wrong Effect case, an action without a service prefix, Action with
// NotAction, an unknown condition operator, a duplicate key anywhere, an element
// that does not belong in that kind of policy, a resource ARN IAM refuses.
// Each *ParseError also carries AWSMessage, the sentence IAM's
// MalformedPolicyDocument error gives for the problem ("The policy failed
// legacy parsing"), and Parse returns the problem IAM would name first.
// ParseWith(data, Identity, Options{Managed: true}) adds the rules of managed
// policies (CreatePolicy), which must be version 2012-10-17.
//
// NewSet compiles policies and indexes their statements by action, so a
// decision looks only at statements that can match. Policies groups the Sets
// by the part they play (identity, permissions boundary, session, resource,
// SCP levels), and Evaluate decides a Request:
//
//	set := policy.NewSet(policy.Policy{ID: "ReadOnly", Document: doc})
//	ps := &policy.Policies{Identity: set}
//	var res policy.Result
//	ps.Evaluate(&req, &res) // res.Decision, res.Matched, res.Missing
//
// Evaluate allocates nothing once its Result is warm, so one Result per
// goroutine serves every request.
//
// # Semantics
//
// Actions match case-insensitively with * and ?; resources match
// case-sensitively, ARN section by section, the last section of a pattern
// running past colons; principals match exactly, "*" aside, with an account id
// or :root naming the whole account and a role ARN naming its sessions. Every
// condition operator is here, with IfExists, ForAllValues: and ForAnyValue:,
// and policy variables (${aws:username}, ${aws:PrincipalTag/team},
// ${key, 'default'}, ${*}) in Resource and String and Arn condition values of
// 2012-10-17 documents. A substituted value is literal text, and an
// unresolved variable matches nothing.
//
// # Caveats
//
// The package knows nothing of accounts, storage or HTTP: callers gather the
// policies and the request context, including the keys that follow from the
// principal (DecodeInput fills them for the `keyward policy eval` format). It
// imports only the standard library and the arn package, so it can be used
// alone.
package policy
