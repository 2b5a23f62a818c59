// Package e2e drives a real keyward binary, started on 127.0.0.1:0 with an
// in-memory store, through the AWS SDK for Go v2 and the AWS CLI: the clients
// Keyward's users have. It is a nested module so that the main module never
// depends on the SDK.
package e2e
