// Package authorizer serves the authorize API and forward authentication
// (their wire types are package authorize): it verifies a client's
// signature for the service that asks (authn) and decides the service's
// queries for that client (authz).
//
// It owns two HTTP endpoints, mounted by the server under /keyward/v1/:
//
//   - POST /keyward/v1/authorize (Handler): a service that received a
//     SigV4-signed request from one of its clients sends that request
//     (method, path, query, headers, and the body's hash or the body) and the
//     decisions it wants (action, resource, context keys, optionally a
//     resource-based policy). Keyward answers whether the signature is valid,
//     who the principal is, and for each decision the engine's result. The
//     service itself signs this call with its own Keyward credentials
//     (credential scope service "keyward") and needs keyward:Authorize on
//     arn:aws:keyward:::service/NAME, NAME being the service its clients sign
//     for, so ordinary IAM policies govern which services may ask.
//   - /keyward/v1/forward-auth (ServeForwardAuth): the subrequest of nginx
//     auth_request, Traefik ForwardAuth and Envoy ext_authz (HTTP). The
//     original request comes in headers (X-Original-Method, X-Original-URI,
//     X-Forwarded-*); an authorize.Config maps its method and path to an
//     action and a resource; the answer is 200 with the principal in
//     X-Keyward-* response headers, 401 when the signature does not hold, 403
//     when policy denies.
//
// # Caveats
//
//   - Forward authentication never sees the body: the signature covers what
//     x-amz-content-sha256 declares (UNSIGNED-PAYLOAD, or a hash the upstream
//     may check), and a request without that header is taken to have none.
//   - The resource's account comes from the resource ARN (authz reads it);
//     ARNs without an account (S3 buckets) are taken for the caller's own.
package authorizer
