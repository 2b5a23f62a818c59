// Package iam implements AWS Identity and Access Management's API over a
// keyward.Store: one method of Service per AWS action, named as AWS names
// it, taking an <Action>Input and returning an <Action>Output whose xml
// tags give AWS's response shape.
//
// Every action runs in one store transaction (op, in op.go): it finds the
// entity it acts on, authorizes the caller on what it found (the ARN as
// stored, path and case, with the entity's tags as aws:ResourceTag/KEY and
// iam:ResourceTag/KEY, and the stored ARN of a policy it names as
// iam:PolicyARN or iam:PermissionsBoundary), checks AWS's rules (quotas,
// conflicts, protected roles) and writes. The decision and the change are
// made on the same snapshot, and made again when the store retries the
// transaction. A call either does all of its work or none of it. The
// parameters' syntax (botocore's model) is checked before, by the binder.
//
// All of IAM's rules live here rather than in the store, so that every
// store behaves alike: name and path patterns, quotas, deletion conflicts
// and AWS's wording of each error. Errors are *keyward.Error values with
// AWS's codes and messages; anything else is an internal failure.
//
// iam imports keyward, authz and policy. It must not import awsquery (the
// wire protocol binds to Service from the server) or a store
// implementation.
//
// # Basics
//
//	svc := &iam.Service{Store: store, Authz: authz.New(store), Clock: time.Now, Encrypt: seal}
//	out, err := svc.CreateUser(ctx, caller, &iam.CreateUserInput{UserName: "alice"})
//
// # Caveats
//
//   - The model's constraints are the binder's to check: a Go caller of a
//     Service method gets the action's own rules only.
//   - Changes that can alter anyone's permissions (or an access key's
//     status) call Authz.Invalidate after they commit.
//   - An entity that does not exist is authorized on the ARN the request
//     names (path "/" for a name), then answered NoSuchEntity: a caller who
//     may not act on it learns nothing of its existence.
//   - A trust policy's users and roles are bound to their unique IDs when it
//     is saved (and must exist, as AWS requires, when their account is this
//     store's); authz.TrustPolicy shows and evaluates it with each under its
//     current ARN, or its unique ID once deleted.
//   - List actions are authorized on the kind's ARN up to the path prefix
//     (arn:aws:iam::ACCOUNT:user/ for ListUsers), as AWS's denials name it.
//   - GetAccessKeyLastUsed must find the key to know its owner, so an
//     unknown key is NoSuchEntity even for a caller who may not ask.
//   - Secrets IAM must read back (MFA seeds, server certificates' private
//     keys, service-specific passwords) are sealed by Service.Secrets with
//     SecretAD(kind, id); console passwords are argon2id hashes
//     (password.go) and never leave the store. SignIn checks a console
//     sign-in (password, MFA code once) for a sign-in page.
//   - Service-linked roles are the roles whose path begins with
//     /aws-service-role/; CreateRole refuses that path, and DeleteRole,
//     UpdateAssumeRolePolicy and UpdateRole (but for the description alone)
//     refuse such roles (UnmodifiableEntity). Their deletion completes at
//     once. The services of catalog.ServiceLinkedRoles get AWS's role name,
//     description and policies; other service principals a derived name.
package iam
