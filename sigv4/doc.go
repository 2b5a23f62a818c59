// Package sigv4 verifies AWS Signature Version 4 requests, the way IAM and
// STS do, and signs them for tests and clients. It imports only the standard
// library and nothing of Keyward, so the server's protocol layer decides what
// to do with a caller, and this package only says whether the caller holds
// the secret it claims.
//
// # How a SigV4 signature works
//
// The client builds a canonical request: the method, the path URI-encoded
// (IAM and STS first remove "." and ".." segments and duplicate slashes, and
// encode the already-encoded path once more, so "%20" is signed as "%2520"),
// the query parameters decoded, re-encoded and sorted, the signed headers
// lower-cased with their values trimmed (runs of whitespace collapsed,
// repeated headers joined by commas), the list of signed header names, and
// the hex SHA-256 of the body. It hashes that into a string to sign together with
// the time (X-Amz-Date, in ISO 8601 basic format) and the credential scope
// DATE/REGION/SERVICE/aws4_request, and signs it with HMAC-SHA256 under a key
// derived from the secret, the day, the region and the service (SigningKey).
// The signature travels in the Authorization header,
//
//	Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request,
//	    SignedHeaders=content-type;host;x-amz-date, Signature=<64 hex digits>
//
// or in the query string (a presigned URL): X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Security-Token and X-Amz-Signature, the last left out of the
// canonical query.
//
// # Verifying
//
// Verification takes two steps so that this package does no I/O:
//
//	s, err := sigv4.Parse(r, now)      // no secret needed yet
//	// look up the secret of s.AccessKeyID (and check s.SessionToken,
//	// s.Service); unknown key: InvalidClientTokenId
//	err = sigv4.Verify(r, body, s, secret)
//
// Parse checks all that needs no secret, so stale or malformed requests cost
// no lookup: AWS4-HMAC-SHA256 only; a five-part credential scope whose date
// is the day of X-Amz-Date (or of the Date header); host and every x-amz-*
// header signed, X-Amz-Security-Token included; X-Amz-Expires from 1 to
// 604800 seconds; and the time: a header-signed request must be within 15
// minutes of now either way, a presigned one no more than 15 minutes ahead
// and no older than X-Amz-Date + X-Amz-Expires. Verify computes the signature
// and compares it in constant time.
//
// Errors are *Error, whose Code and Message are AWS's and safe to show the
// client: MissingAuthenticationToken (no signature at all; STS allows that for
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML, which the caller knows),
// IncompleteSignature (malformed or incomplete), SignatureDoesNotMatch (wrong
// signature, wrong scope, clock skew, with AWS's texts) and RequestExpired (a
// presigned request past its expiry). Codes that need the store, such as
// InvalidClientTokenId and ExpiredToken, are the caller's.
//
// # Caveats
//
//   - The body is hashed whole: the caller reads it once, with a size limit,
//     and passes it to Verify. x-amz-content-sha256, when sent, must match
//     it; UNSIGNED-PAYLOAD is accepted only for an empty body, because an IAM
//     or STS body carries the action and its parameters.
//   - A query "+" is a space, as url.ParseQuery reads it, so the signature
//     covers what the form parser sees.
//   - Presigned requests live X-Amz-Expires (STS is reported to ignore it
//     and allow 15 minutes; a request without it gets DefaultExpires).
//   - Sign and Presign exist for tests and clients; the AWS SDKs sign the
//     same way (testdata/botocore holds requests botocore signed).
//   - Parse accepts any region; the caller checks the service with
//     CheckService.
//
// # The X.509 variant
//
// IAM Roles Anywhere's CreateSession is signed with the private key of an
// X.509 certificate instead of a secret (AWS4-X509-RSA-SHA256,
// AWS4-X509-ECDSA-SHA256): the canonical request is SigV4's, the
// credential scope begins with the certificate's serial number, and the
// certificate travels in X-Amz-X509 (its chain in X-Amz-X509-Chain).
// ParseX509 and VerifyX509 check such a request, SignX509 signs one; see
// x509.go. Whether to trust the certificate is the caller's decision.
package sigv4
