package rolesanywhere

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/keyward/keyward"
)

// The service's error codes, AWS's: the model's three (and
// TooManyTagsException), and the ones every AWS REST-JSON service may
// answer. Errors cross the package as *keyward.Error; the Query API's
// codes that reach here (from authn, authz and the store) are turned into
// these by restError.
const (
	ErrAccessDenied               = "AccessDeniedException"
	ErrResourceNotFound           = "ResourceNotFoundException"
	ErrValidation                 = "ValidationException"
	ErrTooManyTags                = "TooManyTagsException"
	ErrSerialization              = "SerializationException"
	ErrConflict                   = "ConflictException"
	ErrThrottling                 = "ThrottlingException"
	ErrInternal                   = "InternalServerException"
	ErrUnrecognizedClient         = "UnrecognizedClientException"
	ErrInvalidSignature           = "InvalidSignatureException"
	ErrIncompleteSignature        = "IncompleteSignatureException"
	ErrMissingAuthenticationToken = "MissingAuthenticationTokenException"
	ErrExpiredToken               = "ExpiredTokenException"
)

// commonStatus is the status of the codes the model does not define, from
// AWS's common errors of JSON services.
var commonStatus = map[string]int{
	ErrSerialization:              400,
	ErrConflict:                   409,
	ErrThrottling:                 400,
	ErrInternal:                   500,
	ErrUnrecognizedClient:         403,
	ErrInvalidSignature:           403,
	ErrIncompleteSignature:        400,
	ErrMissingAuthenticationToken: 403,
	ErrExpiredToken:               403,
}

// fromQuery maps the codes of the Query API (what authn, authz, sigv4 and
// the store return) to this API's.
var fromQuery = map[string]string{
	keyward.ErrAccessDenied:               ErrAccessDenied,
	keyward.ErrNoSuchEntity:               ErrResourceNotFound,
	keyward.ErrValidationError:            ErrValidation,
	keyward.ErrInvalidInput:               ErrValidation,
	keyward.ErrInvalidParameterValue:      ErrValidation,
	keyward.ErrMalformedPolicyDocument:    ErrValidation,
	keyward.ErrEntityAlreadyExists:        ErrConflict,
	keyward.ErrInvalidClientTokenID:       ErrUnrecognizedClient,
	keyward.ErrSignatureDoesNotMatch:      ErrInvalidSignature,
	keyward.ErrIncompleteSignature:        ErrIncompleteSignature,
	keyward.ErrMissingAuthenticationToken: ErrMissingAuthenticationToken,
	keyward.ErrExpiredToken:               ErrExpiredToken,
	keyward.ErrRequestExpired:             ErrInvalidSignature,
	keyward.ErrThrottling:                 ErrThrottling,
	keyward.ErrRequestEntityTooLarge:      ErrValidation,
	keyward.ErrServiceFailure:             ErrInternal,
}

func errValidation(msg string) error    { return &keyward.Error{Code: ErrValidation, Message: msg} }
func errSerialization(msg string) error { return &keyward.Error{Code: ErrSerialization, Message: msg} }
func errAccessDenied(format string, args ...any) error {
	return keyward.Errorf(ErrAccessDenied, format, args...)
}

// Code returns the error code err answers with on this API, and its
// client-safe message: an internal error is InternalServerException with a
// generic message.
func Code(err error) (code, message string) {
	var e *keyward.Error
	if !errors.As(err, &e) {
		return ErrInternal, "An internal error occurred."
	}
	if c, ok := fromQuery[e.Code]; ok {
		return c, e.Message
	}
	return e.Code, e.Message
}

// WriteError answers err as AWS's REST-JSON services do: the code in the
// X-Amzn-ErrorType header, {"message": ...} in the body, the code's status.
// An internal error is logged with the request id and never shown.
func WriteError(w http.ResponseWriter, log *slog.Logger, requestID string, err error) {
	code, msg := Code(err)
	if code == ErrInternal && log != nil {
		log.Error("internal error", "request_id", requestID, "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", code)
	h.Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status(code))
	json.NewEncoder(w).Encode(struct {
		Message string `json:"message"`
	}{msg})
}

// WriteResult answers a success: out as JSON with the operation's status.
func WriteResult(w http.ResponseWriter, requestID string, op *Operation, out any) error {
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(op.Status)
	_, err = w.Write(b)
	return err
}

// Request is one request of the API on its way to an action.
type Request struct {
	Op   *Operation
	HTTP *http.Request
	Body []byte
	// Caller is who signed a control-plane request; nil for CreateSession,
	// whose caller proves who it is with a certificate.
	Caller *keyward.Caller
	// Region is the region of the request's credential scope: what the
	// ARNs of the entities it creates carry.
	Region string
	ID     string
	// Session, set by CreateSession, is what the audit trail records of
	// the certificate and the session it got.
	Session *SessionInfo
}

// SessionInfo describes one CreateSession, for the audit trail: the
// certificate (never its key), the trust anchor and profile it came
// through, and the session it got.
type SessionInfo struct {
	Subject        string `json:"subject,omitempty"`
	Issuer         string `json:"issuer,omitempty"`
	Serial         string `json:"serial,omitempty"` // hex, as AWS's session names
	TrustAnchorARN string `json:"trustAnchorArn,omitempty"`
	ProfileARN     string `json:"profileArn,omitempty"`
	RoleARN        string `json:"roleArn,omitempty"`
	SessionARN     string `json:"sessionArn,omitempty"`
	AccessKeyID    string `json:"accessKeyId,omitempty"`
}

// timestamp is a time as the model's iso8601 timestamps are written.
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

// tag is the model's Tag.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func toTags(in []tag) []keyward.Tag {
	out := make([]keyward.Tag, len(in))
	for i, t := range in {
		out[i] = keyward.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func fromTags(in []keyward.Tag) []tag {
	out := make([]tag, len(in))
	for i, t := range in {
		out[i] = tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// arnOf builds a Roles Anywhere ARN.
func arnOf(region, account, kind, id string) string {
	return "arn:aws:rolesanywhere:" + region + ":" + account + ":" + kind + "/" + id
}

// parseARN splits a Roles Anywhere ARN into region, account, kind and ID;
// ok is false for anything else.
func parseARN(a string) (region, account, kind, id string, ok bool) {
	p := strings.SplitN(a, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "rolesanywhere" {
		return "", "", "", "", false
	}
	kind, id, ok = strings.Cut(p[5], "/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", "", "", "", false
	}
	return p[3], p[4], kind, id, true
}
