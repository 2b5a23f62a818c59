// Package iam implements AWS Identity and Access Management's API over a
// keyward.Store: one method of Service per AWS action, named as AWS names
// it, taking an <Action>Input and returning an <Action>Output whose xml
// tags give AWS's response shape.
//
// Every action follows the same steps, in AWS's order: check the
// parameters' syntax (the constraints of botocore's IAM model, reported as
// AWS's ValidationError), authorize the caller for the action on the
// resource ARN that the Service Authorization Reference names (with the
// action's condition keys), then run one store transaction that reads,
// checks AWS's rules (quotas, conflicts, protected roles) and writes. A
// call either does all of its work or none of it.
//
// All of IAM's rules live here rather than in the store, so that every
// store behaves alike: name and path patterns, quotas, deletion conflicts
// and AWS's wording of each error. Errors are *keyward.Error values with
// AWS's codes and messages; anything else is an internal failure.
//
// iam imports keyward, authz and policy. It must not import awsquery (the
// wire protocol binds to Service from cmd) or a store implementation.
//
// # Basics
//
//	svc := &iam.Service{Store: store, Authz: authz.New(store), Clock: time.Now, Encrypt: seal}
//	out, err := svc.CreateUser(ctx, caller, &iam.CreateUserInput{UserName: "alice"})
//
// # Caveats
//
//   - Required members are plain strings: a Go caller that leaves one
//     empty gets the length error AWS gives for an empty value, not the
//     "Member must not be null" the wire binder reports for a missing one.
//   - Changes that can alter anyone's permissions (or an access key's
//     status) call Authz.Invalidate after they commit.
//   - Actions on a named user, group, role or instance profile read it
//     before authorizing, to authorize on its full ARN (path included) with
//     its tags as aws:ResourceTag/KEY and iam:ResourceTag/KEY; that read and
//     the action's transaction are separate, so a concurrent rename can make
//     the two disagree for one call. Root skips the read (it is allowed
//     everything in its account), so decisions reported for root name the
//     ARN with path "/".
//   - List actions are authorized on the kind's ARN up to the path prefix
//     (arn:aws:iam::ACCOUNT:user/ for ListUsers), as AWS's denials name it.
//   - GetAccessKeyLastUsed must find the key to know its owner, so an
//     unknown key is NoSuchEntity even for a caller who may not ask.
//   - Service-linked roles are the roles whose path begins with
//     /aws-service-role/; CreateRole refuses that path, and DeleteRole,
//     UpdateRole and UpdateAssumeRolePolicy refuse such roles
//     (UnmodifiableEntity). Their deletion completes at once.
package iam
