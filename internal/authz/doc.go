// Package authz decides whether a Caller may perform an action on a resource:
// it gathers the caller's policies from the store (inline, attached, the
// groups' of a user; the role's for a session; the permissions boundary; the
// session policies), compiles and caches them, builds the request context
// (aws:SourceIp, aws:username, aws:PrincipalTag/..., ...), and asks the policy
// engine. Denials read like AWS's AccessDenied messages.
//
// It imports keyward and policy; never awsquery or a store implementation.
package authz
