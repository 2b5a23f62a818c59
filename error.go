package keyward

import (
	"errors"
	"fmt"
)

// AWS error codes shared by IAM and STS. The names are AWS's, unchanged.
const (
	ErrAccessDenied                  = "AccessDenied"
	ErrConcurrentModification        = "ConcurrentModification"
	ErrDeleteConflict                = "DeleteConflict"
	ErrEntityAlreadyExists           = "EntityAlreadyExists"
	ErrEntityTemporarilyUnmodifiable = "EntityTemporarilyUnmodifiable"
	ErrExpiredToken                  = "ExpiredToken"
	ErrIncompleteSignature           = "IncompleteSignature"
	ErrInternalFailure               = "InternalFailure"
	ErrInvalidAction                 = "InvalidAction"
	ErrInvalidClientTokenID          = "InvalidClientTokenId"
	ErrInvalidInput                  = "InvalidInput"
	ErrInvalidParameterCombination   = "InvalidParameterCombination"
	ErrInvalidParameterValue         = "InvalidParameterValue"
	ErrLimitExceeded                 = "LimitExceeded"
	ErrMalformedPolicyDocument       = "MalformedPolicyDocument"
	ErrMissingAction                 = "MissingAction"
	ErrMissingAuthenticationToken    = "MissingAuthenticationToken"
	ErrMissingParameter              = "MissingParameter"
	ErrNoSuchEntity                  = "NoSuchEntity"
	ErrPolicyNotAttachable           = "PolicyNotAttachable"
	ErrRequestExpired                = "RequestExpired"
	ErrServiceFailure                = "ServiceFailure"
	ErrSignatureDoesNotMatch         = "SignatureDoesNotMatch"
	ErrThrottling                    = "Throttling"
	ErrUnmodifiableEntity            = "UnmodifiableEntity"
	ErrValidationError               = "ValidationError"
)

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
