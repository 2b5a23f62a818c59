package awsquery

import "testing"

// TestStatus pins the statuses the issue found disagreeing (Throttling,
// NoSuchEntity) and a sample of the rest: the table itself is generated
// and checked by TestGenerated.
func TestStatus(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{"NoSuchEntity", 404},
		{"EntityAlreadyExists", 409},
		{"LimitExceeded", 409},
		{"DeleteConflict", 409},
		{"MalformedPolicyDocument", 400},
		{"UnmodifiableEntity", 400},
		{"ConcurrentModification", 409},
		{"PolicyNotAttachable", 400},
		{"ServiceFailure", 500},
		{"InvalidInput", 400},
		{"PackedPolicyTooLarge", 400},
		{"IDPCommunicationError", 400},
		{"InvalidIdentityToken", 400},
		{"IDPRejectedClaim", 403},
		{"ExpiredTokenException", 400},
		{"RegionDisabledException", 403},
		{"InvalidAuthorizationMessageException", 400},
		{"AccessDenied", 403},
		{"InvalidClientTokenId", 403},
		{"SignatureDoesNotMatch", 403},
		{"IncompleteSignature", 400},
		{"MissingAuthenticationToken", 403},
		{"ExpiredToken", 403},
		{"RequestExpired", 400},
		{"InvalidAction", 400},
		{"MissingAction", 400},
		{"MissingParameter", 400},
		{"ValidationError", 400},
		{"InvalidParameterValue", 400},
		{"InvalidParameterCombination", 400},
		{"Throttling", 400},
		{"InternalFailure", 500},
		{"MalformedInput", 400},
		{"SomethingUnheardOf", 400},
		{"MethodNotAllowed", 405},
		{"RequestEntityTooLarge", 413},
		{"MalformedQueryString", 404},
		{"ReportExpired", 410},
	}
	for _, tt := range tests {
		if got := Status(tt.code); got != tt.want {
			t.Errorf("Status(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}
