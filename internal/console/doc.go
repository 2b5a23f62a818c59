// Package console is Keyward's web console, served by keyward serve under
// /console/ on the same listener as the API: sign-in (password and MFA, or
// an access key), switch role, users (with their security credentials:
// console password, MFA devices and their QR code, access keys, SSH keys,
// signing certificates, service-specific credentials), groups, roles (with
// the create-role walk-through), policies with their summary and an editor
// that lints as it saves, identity providers (OpenID Connect and SAML),
// IAM Roles Anywhere's trust anchors, profiles and subjects, account
// settings, the policy simulator, the audit trail and a trust graph.
//
// Every page acts as the signed-in principal. The console holds no
// privilege of its own: it calls IAM's and STS's actions through its
// Backend (the server's own request chain, entered with the session's
// caller instead of a signature), so each page's authorization, audit line,
// rate limit and errors are exactly the API's. An AccessDenied is shown
// with the decision that made it: the statement that denied, or the allow
// that was missing.
//
// # Basics
//
//	c := console.New(console.Config{Backend: backend, AccountID: "123456789012"})
//	mux.Handle(console.Prefix, c)
//
// Pages are server-rendered HTML (html/template, every value escaped);
// forms work without JavaScript, and console.js only adds comforts (line
// numbers that follow the editor's scroll, a confirmation before deleting).
// The Content-Security-Policy allows no inline script or style; images may
// be data: URLs, for the QR code of a new MFA device, which the page
// carries so that its secret is never kept on the server.
// Templates and static files are embedded: go build alone makes a binary
// with the console inside.
//
// # Caveats
//
//   - Sessions are a random id in an HttpOnly, SameSite=Strict cookie
//     (Secure over TLS), bound to an STS-sealed credential. They are kept
//     in the store when it can keep them (keyward.ConsoleSessions, under a
//     hash of the cookie's id), so every replica serves every session;
//     otherwise in the process's memory.
//   - A session's credential expires like an STS session (12 hours for an
//     IAM user, 1 hour for the root user, the role's duration after a
//     switch); its principal's deletion ends it at the next page.
//   - Password and MFA sign-in plug in through Config.Passwords (the
//     server's is IAM's login profiles); without it the form takes an
//     access key pair. A session that signed in with an MFA code carries
//     MFAPresent, so a role switched to sees aws:MultiFactorAuthPresent.
//   - Secrets the API returns once (a new access key's, an MFA seed and
//     its QR code, a generated password, a service-specific password) are
//     shown on the response that created them and kept nowhere.
//
// console imports the root package, authz's and audit's types, iam's,
// sts's and rolesanywhere's output shapes, policy, lint and catalog; never
// awsquery, the server or a store.
package console
