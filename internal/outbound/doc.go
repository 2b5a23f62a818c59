// Package outbound owns what Keyward's outbound web identity federation
// shares between IAM, STS and the HTTP server: the issuer URL an account's
// tokens carry, the signing keys (made on first use, rotated every 30 days,
// private halves sealed at rest) and their JSON Web Key Set, the JSON Web Tokens that
// sts:GetWebIdentityToken returns, and the unauthenticated discovery
// endpoints that outside verifiers fetch keys from.
//
// AWS's issuer is https://UUID.tokens.sts.global.api.aws (IAM User Guide,
// "Getting started with outbound identity federation"), which Keyward
// cannot serve; accounts keep that form in the store (it names the UUID)
// and Keyward answers with its own, {public URL}/keyward/outbound/UUID,
// whose /.well-known/openid-configuration and /.well-known/jwks.json it
// serves itself.
//
// Keys rotate: each algorithm's newest key signs for RotationPeriod (30
// days); the first GetWebIdentityToken (or Enable) after that makes a new
// key in its store transaction and signs with it (EnsureKeys). A retired key
// stays in the JWKS for Retention (the longest token, one hour, and five
// minutes) after its successor was made, so every token it signed verifies
// until it expires; then Published leaves it out and the account's next
// EnsureKeys deletes it. The discovery endpoints only read.
//
// It links the domain (keyward) and internal/seal's associated data only:
// no store implementation, no authorization, no protocol.
package outbound
