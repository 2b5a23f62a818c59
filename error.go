package keyward

import (
	"errors"
	"fmt"
)

// The error codes (ErrNoSuchEntity, ...) are in codes.go, generated from
// IAM's and STS's models with their HTTP statuses.

// HTTPStatus returns AWS's HTTP status for an error code: the status IAM's
// or STS's model gives it, or AWS's common-errors pages for the protocol's
// own errors; 400, a client's fault, for a code it does not know. It is the
// one table of statuses: the Query protocol and the authorize API both
// answer by it.
func HTTPStatus(code string) int {
	if s, ok := httpStatus[code]; ok {
		return s
	}
	return 400
}

// Error is an error whose Code and Message are safe to show to the client: they
// become the <Code> and <Message> of AWS's error response. Anything else that
// reaches the protocol layer is an internal failure, logged and never shown.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// ErrInternalFailure when there is none, and "" for a nil err.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrInternalFailure
}

// ErrorMessage returns the client-safe message of the first *Error in err's
// chain, or a generic text when err is internal.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}
