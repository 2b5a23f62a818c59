// Package sts is AWS Security Token Service: GetCallerIdentity, and the
// actions that issue temporary credentials. One method per AWS action, named
// as AWS names it, with <Action>Input and <Action>Output types whose query and
// xml tags are AWS's wire names. It imports keyward, authz and policy; never
// awsquery.
package sts
