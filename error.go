package temgraph

import (
	"errors"
	"fmt"
)

// Error codes, as Microsoft Intune writes them in Graph error bodies.
const (
	EBadRequest           = "BadRequest"
	EUnauthorized         = "InvalidAuthenticationToken"
	EForbidden            = "Forbidden"
	ENotFound             = "ResourceNotFound"
	EMethodNotAllowed     = "MethodNotAllowed"
	EConflict             = "Conflict"
	EPreconditionFailed   = "PreconditionFailed"
	ETooLarge             = "RequestEntityTooLarge"
	EUnsupportedMediaType = "UnsupportedMediaType"
	ETooManyRequests      = "TooManyRequests"
	EFailedDependency     = "FailedDependency"
	EInternal             = "InternalServerError"
	EUnavailable          = "ServiceUnavailable"
)

// ErrUnavailable marks a failure of the database that a retry may cure: a
// lost connection, a server shutting down, a lock held too long. Storage
// adapters wrap such errors with it; clients get EUnavailable (503), which
// Graph clients retry.
var ErrUnavailable = errors.New("storage unavailable")

// Error is an error a client can act on. Code is one of the E* constants and
// Message is a plain sentence safe to show to the caller. Any other error
// that reaches the HTTP edge is reported as EInternal with a generic message.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("temgraph error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrPartnerNotFound is the ENotFound error for a partner id the tenant
// does not have.
func ErrPartnerNotFound(id string) *Error {
	return Errorf(ENotFound, "No telecomExpenseManagementPartner with the id '%s' exists.", id)
}

// ErrPartnerChanged is the EPreconditionFailed error for a conditional
// write whose If-Match names none of the partner's current entity tags.
func ErrPartnerChanged(id string) *Error {
	return Errorf(EPreconditionFailed, "The partner '%s' does not match If-Match: no entity tag given there is its current one; read it again for the current tag.", id)
}

// ErrorCode returns the code of err if it is (or wraps) an *Error,
// EUnavailable if it wraps ErrUnavailable, and EInternal for any other
// non-nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, ErrUnavailable) {
		return EUnavailable
	}
	return EInternal
}

// ErrorMessage returns the client-safe message of err. Errors that are not
// an *Error get a generic message so that no internal detail leaks.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if errors.Is(err, ErrUnavailable) {
		return "The database is unavailable at the moment; retry the request later."
	}
	return "An internal server error occurred."
}
