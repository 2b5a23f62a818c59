package awsquery

//go:generate go test -run TestModelStatus -update

// Codes this package itself returns that neither model lists.
const (
	// CodeRequestEntityTooLarge answers a body over Server.MaxBodyBytes.
	CodeRequestEntityTooLarge = "RequestEntityTooLarge"
	// CodeMethodNotAllowed answers a method other than GET and POST.
	CodeMethodNotAllowed = "MethodNotAllowed"
)

// commonStatus holds the errors every AWS Query service may return, with
// the statuses of AWS's "Common Errors" reference pages, plus the few this
// package adds.
var commonStatus = map[string]int{
	// 403 on IAM and STS; the generic common-errors page lists
	// AccessDeniedException, a different code, as 400.
	"AccessDenied":                403,
	"ExpiredToken":                403,
	"IncompleteSignature":         400,
	"InternalFailure":             500,
	"InvalidAction":               400,
	"InvalidClientTokenId":        403,
	"InvalidParameterCombination": 400,
	"InvalidParameterValue":       400,
	"InvalidQueryParameter":       400,
	"MalformedInput":              400,
	"MalformedQueryString":        404,
	"MissingAction":               400,
	"MissingAuthenticationToken":  403,
	"MissingParameter":            400,
	"OptInRequired":               403,
	"RequestExpired":              400,
	"ServiceUnavailable":          503,
	"SignatureDoesNotMatch":       403,
	"Throttling":                  400,
	"ValidationError":             400,

	CodeRequestEntityTooLarge: 413,
	CodeMethodNotAllowed:      405,
}

// Status returns the HTTP status AWS uses for an error code: the model's
// httpStatusCode for IAM's and STS's own errors, the common-errors status
// for the protocol's, and 400 for any other code.
func Status(code string) int {
	if s, ok := modelStatus[code]; ok {
		return s
	}
	if s, ok := commonStatus[code]; ok {
		return s
	}
	return 400
}
