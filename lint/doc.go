// Package lint checks IAM policy documents beyond their grammar, against
// the service catalog, as AWS IAM Access Analyzer's policy validation does:
// unknown services and actions (with a "did you mean"), action patterns
// that match nothing, resource ARNs that none of the statement's actions
// accepts, condition keys the actions do not support, operators of the
// wrong type for their key, risky grants (NotAction or NotResource with
// Allow, iam:PassRole on "*", ForAllValues with Allow) and statements made
// redundant by others.
//
// # Basics
//
// Check returns the findings for one document, each with Access
// Analyzer's kind (ERROR, SECURITY_WARNING, WARNING, SUGGESTION), an
// issue code, and where it is: the element's path and line:column.
// Expand says which concrete actions each Action pattern grants.
//
// Besides AWS's services, lint knows Keyward's own (keyward:Authorize and
// keyward:GetSigningKey on arn:aws:keyward:::service/NAME). A Linter also
// accepts the services a deployment declares (Linter.Services: kvstore
// for kvstore:GetItem): their actions, resources and condition keys are
// theirs to define, so only the checks that do not need the catalog apply
// to them.
//
// # Caveats
//
// The checks know what the catalog knows: a service or action newer than
// the catalog's pin is reported unknown. Where the catalog and IAM differ,
// lint follows IAM, as Keyward does: ListUsers, ListGroups, ListRoles and
// ListInstanceProfiles take no resource type in the catalog, but IAM
// authorizes them on the path they list (arn:aws:iam::ACCOUNT:user/PATH/),
// so such resources are accepted. Resource checks compare ARN
// patterns with the catalog's ARN formats; they accept a pattern when some
// ARN could match both, so they miss some mistakes rather than flag good
// policies. lint imports policy and catalog only, besides the standard
// library.
package lint
