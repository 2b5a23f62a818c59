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
// # Caveats
//
// The checks know what the catalog knows: a service or action newer than
// the catalog's pin is reported unknown. Resource checks compare ARN
// patterns with the catalog's ARN formats; they accept a pattern when some
// ARN could match both, so they miss some mistakes rather than flag good
// policies. lint imports policy and catalog only, besides the standard
// library.
package lint
