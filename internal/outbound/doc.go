// Package outbound owns what Keyward's outbound web identity federation
// shares between IAM, STS and the HTTP server: the issuer URL an account's
// tokens carry, the signing keys (made on first use, private halves sealed
// at rest) and their JSON Web Key Set, the JSON Web Tokens that
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
// It links the domain (keyward) and internal/seal's associated data only:
// no store implementation, no authorization, no protocol.
package outbound
