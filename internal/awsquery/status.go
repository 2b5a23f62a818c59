package awsquery

import "github.com/keyward/keyward"

// Codes this package itself returns, kept under their old names.
const (
	// CodeRequestEntityTooLarge answers a body over Server.MaxBodyBytes.
	CodeRequestEntityTooLarge = keyward.ErrRequestEntityTooLarge
	// CodeMethodNotAllowed answers a method other than GET and POST.
	CodeMethodNotAllowed = keyward.ErrMethodNotAllowed
)

// Status returns the HTTP status AWS uses for an error code:
// keyward.HTTPStatus, the one table generated from IAM's and STS's models
// and AWS's common errors (400 for a code it does not know).
func Status(code string) int { return keyward.HTTPStatus(code) }
