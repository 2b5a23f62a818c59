// Package awsquery speaks the AWS Query protocol over HTTP, the wire IAM and
// STS clients use: form-encoded requests with Action and Version fields,
// XML responses in AWS's shapes, and AWS's error responses and statuses.
// It is the only package that knows HTTP status codes and XML; it knows no
// IAM or STS action (those are Handlers registered in a Service by the
// packages that implement them). It imports the root package keyward for
// keyward.Error and the standard library, nothing else.
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
// A Handler decodes its parameters from Request.Form, records every
// validation failure, then asks for them all at once, as AWS reports them:
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
// structures Name.member.N.Field; the first value of a repeated field
// wins and unknown fields are ignored, as on AWS. Missing required members
// and failed constraints are ValidationError with AWS's wording and member
// paths ("Value null at 'roleArn' failed to satisfy constraint: Member
// must not be null", "Value 'x' at 'tags.1.member.key' ..."); lengths count
// Unicode characters; unparsable numbers are MalformedInput. Error
// statuses come from botocore's IAM and STS models (model_status.go is
// generated from them) and AWS's common errors.
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
