// Package sts is AWS Security Token Service: temporary credentials, and the
// sealed session tokens that carry them. One method per AWS action on
// Service, named as AWS names it, with <Action>Input and <Action>Output types
// whose query and xml tags are AWS's wire names (awsquery.Actions binds
// them). It imports keyward, authn, authz, policy and arn; never awsquery.
//
// # Basics
//
// A session token is self-contained: AES-256-GCM under a key of a KeyRing,
// holding the session's caller (principal, role, session name, session
// policies and tags, transitive tag keys, source identity, issue time), its
// secret and its expiry. The temporary access key id (ASIA..., carrying the
// account id as AWS's do) is part of the associated data, so a token opens
// only with its own key id. Issuing or checking a token writes nothing;
// Tokens.OpenSession is the authn.SessionOpener the server's authenticator
// uses, and caches what it opened.
//
// The KeyRing's keys live in the store, their material sealed under the
// server's key-encryption key, so that replicas share them and they survive
// restarts. The newest key seals; a key younger than the rotation period
// (DefaultRotation) is always present, a fresh one being made when a token
// is issued after it; older keys still open tokens until created + rotation
// + MaxSessionDuration, then are deleted. A token naming a key this process
// does not know makes it reload the ring, at most once per ReloadInterval.
//
// Permissions are not frozen in a token: authz evaluates a session with the
// role's current policies, so a changed or deleted role (and an inline deny
// on aws:TokenIssueTime, the console's "revoke active sessions") takes effect
// on the session's next request.
//
// # Actions
//
//   - AssumeRole: the caller's policies and the role's trust policy must
//     both allow, by AWS's trust rules; a missing role and a refusal read
//     the same. Session tags need sts:TagSession, a SourceIdentity
//     sts:SetSourceIdentity. Role chaining is limited to an hour; transitive
//     tags and the source identity pass down the chain and cannot be
//     changed there.
//   - AssumeRoleWithWebIdentity: needs no credentials. The JWT's issuer must
//     be an OIDC provider of the role's account; its key set is found by
//     OpenID discovery, cached (JWKSTTL) and fetched again for an unknown
//     key id (at most once per JWKSRefetch). RS256 and ES256 only; aud must
//     be a client id of the provider; exp, nbf and iat hold within
//     ClockSkew. The trust policy sees the provider's ARN as a Federated
//     principal and PROVIDER:aud, :sub, :azp, :amr as condition keys.
//   - AssumeRoleWithSAML: needs no credentials. The SAML 2.0 response is
//     verified by crewjam/saml (XML signatures by goxmldsig, which returns
//     only what the signature covers) against the metadata of the role
//     account's SAML provider PrincipalArn, as AWS's service provider
//     (urn:amazon:webservices, https://signin.aws.amazon.com/saml), and
//     accepted once (Tx.RecordSAMLAssertion). The Role attribute must pair
//     the role with the provider; the trust policy sees saml:sub,
//     saml:sub_type, saml:aud, saml:iss, saml:namequalifier, saml:doc and
//     the attributes AWS names.
//   - GetSessionToken, GetCallerIdentity (always allowed), GetAccessKeyInfo,
//     GetFederationToken (IAM users only), DecodeAuthorizationMessage (for
//     messages sealed by Tokens.EncodeAuthorizationMessage).
//
// # Caveats
//
// MFA (GetSessionToken and AssumeRole with SerialNumber and TokenCode)
// takes a code of a virtual MFA device assigned to the calling IAM user or
// root user, current within one 30-second step, and never the same code
// twice; a role session chained from an MFA session keeps MFA.
// aws:MultiFactorAuthAge counts from the session's issue time.
// Issuers must be https, except plain http to a loopback host (127.0.0.1,
// ::1, localhost), which tests use; the web identity ProviderId (OAuth 2.0
// providers) is ignored. PackedPolicySize is the deflated size of the
// inline policy, policy ARNs and session tags as a percentage of
// PackedLimit; AWS's packing is not documented. Empty strings and zero
// DurationSeconds in inputs mean absent.
package sts
