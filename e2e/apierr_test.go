package e2e

import (
	"errors"

	"github.com/aws/smithy-go"
)

func asAPIError(err error, target *interface{ ErrorCode() string }) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		*target = ae
		return true
	}
	return false
}
