// Package rolesanywhere is IAM Roles Anywhere: machines outside AWS get
// role credentials with an X.509 certificate from a CA the account trusts,
// through AWS's credential helper (aws_signing_helper) or any client of
// the service's API. It owns the control plane (trust anchors, profiles,
// CRLs and their tags: AWS's REST-JSON API, each action authorized by
// policy as rolesanywhere:Action) and CreateSession, which exchanges a
// certificate's signature for an ordinary role session. It imports
// keyward, authz, sts (tokens), policy, arn and sigv4; never awsquery or
// the server, which mounts its routes and runs the request lifecycle.
//
// # Basics
//
// Operations and their routes come from botocore's model of the service
// (Operations; CreateSession, the credential helper's own, is added), and
// every control-plane request is checked against the model's input shape
// before its action runs. Call runs an operation; WriteResult and
// WriteError answer in the service's JSON and error shapes.
//
// Actions run as iam's do: one store transaction per action, in which the
// entity is found (by its UUID, in the caller's account), the caller
// authorized on it as stored (its ARN and tags), the service's rules
// checked and the change written. Creating or updating a profile also
// needs iam:PassRole on each role it newly names, for
// rolesanywhere.amazonaws.com.
//
// CreateSession verifies the request's X.509 signature (sigv4.ParseX509,
// VerifyX509), then, in one read transaction, the trust anchor (enabled),
// the certificate's path to its CAs (validity, key usage, the anchor's
// enabled CRLs), the profile (enabled, listing the role), and the role's
// trust policy for the service principal rolesanywhere.amazonaws.com
// (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity), with the
// certificate's attributes as aws:PrincipalTag/x509Subject/CN, ... and the
// anchor as aws:SourceArn. The session is sealed by sts.Tokens: evaluated
// with the role's current policies at each request, revocable with
// aws:TokenIssueTime like any other. The certificate's subject is then
// recorded (ListSubjects, GetSubject): a new subject, certificate or set of
// instance properties at once, a known one at most once a minute, so that
// CreateSession stays a read. A refused attempt is recorded alike, failed,
// once the certificate is verified (the trust anchor enabled, the chain,
// validity and CRLs checked), whatever refuses it next: the request's
// parameters, the profile, the role, the trust policy, the session's
// name, instance properties or packed size. Nothing is recorded of a
// request refused before: its certificate may be anyone's. The
// authorizer's LogOnly mode softens the control plane's denials, never
// CreateSession's checks.
//
// # Caveats
//
// Trust anchors are CERTIFICATE_BUNDLE only (no AWS Private CA). Subjects
// keep the 50 certificates and property sets seen last, each with its
// latest attempt's outcome (failed); an attempt like the last one written
// is written at most once a minute per server, so lastSeenAt may lag by a
// minute, and with several servers the last written may not be the last
// made. Refusals of an invalid request keep no instance properties.
// Notification settings are kept and shown; nothing is notified. Entities
// are visible from every region; their ARNs keep the region of the request
// that created them. A session lasts the lesser of the request's and the
// profile's durationSeconds (3,600 when unset), and never past the
// certificate's expiry; the role's MaxSessionDuration does not apply.
package rolesanywhere
