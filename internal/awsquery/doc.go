// Package awsquery speaks the AWS Query protocol over HTTP, the wire IAM and
// STS clients use: form-encoded requests with Action and Version fields,
// XML responses in AWS's shapes, and AWS's error responses and statuses.
// It owns the protocol's HTTP and XML; it implements no IAM or
// STS action (those are Handlers registered in a Service by the packages
// that implement them), but it knows their inputs, from botocore's models,
// and checks requests against them. It imports the root package keyward for
// keyward.Error, the error codes and their statuses (keyward.HTTPStatus),
// and the standard library, nothing else.
//
// # Basics
//
// A Server dispatches by the Version field (2010-05-08 IAM, 2011-06-15
// STS; both on any path), authenticates through its Authenticator, calls
// the action's Handler and writes its result:
//
//	srv := &awsquery.Server{
//		Services: []*awsquery.Service{{
//			Name: "iam", Namespace: awsquery.NamespaceIAM, Version: awsquery.VersionIAM,
//			Actions: map[string]awsquery.Handler{"GetUser": getUser},
//		}},
//		Authenticate: verifySigV4,
//		Log:          logger,
//	}
//
// A Handler written by hand decodes its parameters from Request.Form,
// records every validation failure, then asks for them all at once, as AWS
// reports them (Bind and Actions do this from the models, see below):
//
//	name := req.Form.Required("UserName")
//	if req.Form.Has("UserName") {
//		req.Form.Validate("UserName", name, 1, 64, userNamePattern)
//	}
//	tags := req.Form.Tags()
//	if err := req.Form.Err(); err != nil {
//		return nil, err // 1 validation error detected: Value 'a b' at 'userName' ...
//	}
//
// Its result is a struct with xml tags, encoded under <ActionResult>;
// Timestamp formats dates as AWS does. WriteResult and WriteError are
// usable alone.
//
// # What it matches
//
// Lists are Name.member.N (1-based, read up to the first gap), lists of
// structures Name.member.N.Field, structures Name.Field; the first value
// of a repeated field wins and unknown fields are ignored, as on AWS.
//
// Bind and Actions check every request for an IAM or STS operation against
// the operation's input in botocore's model before the action runs:
// required members, lengths (in Unicode code points), patterns (read as
// Java reads them), ranges, enums, list sizes, nested structures, and
// sensitive members whose values messages leave out. Every failure is
// reported at once, in the model's member order, as AWS words it: one
// ValidationError "N validation errors detected: Value 'x' at
// 'tags.1.member.key' failed to satisfy constraint: ...; ..." ("Value null
// at 'roleArn' ... Member must not be null" for a missing member). IAM
// words a name or path that breaks its pattern itself ("The specified value
// for roleName is invalid. ..."), reported only when the model's other
// checks pass (ownSentence). Unparsable numbers and booleans are MalformedInput. The tables
// (model_tables.go) and the error codes with their statuses (keyward's
// codes.go) are generated from the models kept in testdata/botocore, and a
// test fails when they no longer say what the models say. Actions keep only
// the rules the models cannot express.
//
// # Caveats
//
//   - Internal errors (anything that is not a *keyward.Error) are logged
//     with the request id and sent as InternalFailure with a generic
//     message; handler panics become the same.
//   - Unlike AWS, a request without Action gets MissingAction rather than a
//     redirect to AWS's web site, and a body over Server.MaxBodyBytes gets
//     RequestEntityTooLarge (413) with an error body, where AWS sends 413
//     with none.
//   - A POST body is read as a form only with Content-Type
//     application/x-www-form-urlencoded; the URL query is always read, after
//     the body.
package awsquery
