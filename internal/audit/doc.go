// Package audit is Keyward's audit trail: one JSON line per request (time,
// request id, caller, action, resource, decision, the policy and statement
// that decided, source address, error code), never with a secret. It writes
// lines (Writer: a file or stdout, rotation-friendly, optionally durable
// before the response is sent), reads them back with filters (Read,
// Filter), writes the least-privilege policy a principal's recorded activity
// needs (Generate), and keeps the last-used data IAM reports (Tracker).
//
// # Basics
//
// The server makes a Pending for each request and puts it in the request's
// context (NewContext); authz's OnDecision and OnWouldDeny hooks add each
// authorization to it (FromContext(ctx).Add); when the action returns, the
// server turns it into a Record and writes it.
//
// # Caveats
//
// A Writer with Sync set calls fsync after every line, before the response
// is written: no acknowledged request is missing from the file after a
// crash, at the cost of a disk flush per request. Without Sync a line is
// handed to the kernel before the response, so only a machine crash can
// lose it. Rotation: rename the file and send SIGHUP (or just rename it: the
// Writer notices within a second and opens a new file at the path).
//
// audit imports keyward, authz and policy; never awsquery or a store.
package audit
