// Package catalog holds the facts AWS publishes about its own IAM world:
// every AWS-managed policy with its versions, and the Service Authorization
// Reference (each service's actions with their access levels, resource types
// with ARN formats, and condition keys with their types, global keys
// included).
//
// # Basics
//
// The data is generated (see gen/main.go and `go generate`) from two pinned,
// MIT-licensed npm packages and embedded compressed (data/NOTICE credits
// them). Each half is decoded on first use, once: ManagedPolicies and
// ManagedPolicy decode the policies; FindService, FindAction,
// ExpandActionPattern and the condition key lookups decode the services.
//
//	a, ok := catalog.FindAction("S3:getobject") // case-insensitive
//	a.Service.Prefix, a.Name                    // "s3", "GetObject"
//	catalog.ExpandActionPattern("iam:GetUser*")  // ["iam:GetUser", "iam:GetUserPolicy"]
//
// # Caveats
//
// The sources carry no descriptions of managed policies, so Description is
// empty; a policy's IsAttachable is false only under the /aws-service-role/
// path (service-linked roles' policies), as AWS shows them. The catalog is
// as current as its pins.
//
// catalog imports only the standard library and may be imported by policy
// tools (lint) as well as by the server.
package catalog
