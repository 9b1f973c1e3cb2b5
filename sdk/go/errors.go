package nexus

import (
	"errors"
	"fmt"
)

// Code is a wire error code of the Nexus contract, or a code an SDK raises itself
// (unauthorized, unavailable and disconnected).
type Code string

// The contract's error codes (revision 2) and the SDK's own.
const (
	CodeBadRequest    Code = "bad_request"
	CodeTooLarge      Code = "too_large"
	CodeRateLimited   Code = "rate_limited"
	CodeQuotaExceeded Code = "quota_exceeded"
	CodeForbidden     Code = "forbidden"
	CodeNotFound      Code = "not_found"
	CodeOffline       Code = "offline"
	CodeNotAWorker    Code = "not_a_worker"
	CodeNoResponders  Code = "no_responders"
	CodeWorkerGone    Code = "worker_gone"
	CodeTimeout       Code = "timeout"
	CodeAppError      Code = "app_error"
	CodeInternal      Code = "internal"
	// CodeUnauthorized is the code of a refused connect (HTTP 401) and of close 4001.
	CodeUnauthorized Code = "unauthorized"
	// CodeUnavailable is the code of a connect refused with HTTP 503: the edge cannot check tokens now.
	CodeUnavailable Code = "unavailable"
	// CodeDisconnected is raised by the SDK only: the connection dropped before the answer arrived,
	// or the client is closed.
	CodeDisconnected Code = "disconnected"
)

// retryable is the contract's table: whether the same request may succeed if made again later.
var retryable = map[Code]bool{
	CodeBadRequest:    false,
	CodeTooLarge:      false,
	CodeRateLimited:   true,
	CodeQuotaExceeded: false, // as NATS: release what you hold first (a 429 at connect is retried all the same)
	CodeForbidden:     false,
	CodeNotFound:      false,
	CodeOffline:       true,
	CodeNotAWorker:    false,
	CodeNoResponders:  true,
	CodeWorkerGone:    true,
	CodeTimeout:       true,
	CodeAppError:      false,
	CodeInternal:      true,
	CodeUnauthorized:  false,
	CodeUnavailable:   true,
	CodeDisconnected:  true,
}

// Retryable reports whether a request that failed with code may succeed if made again later.
// Codes this SDK does not know are not retryable.
func (c Code) Retryable() bool { return retryable[c] }

// Error is the one error type of the SDK. Branch on it with errors.Is and a sentinel
// (errors.Is(err, nexus.ErrNoResponders)), or take it with errors.As to read Code and Retryable.
type Error struct {
	// Code is the contract's code, or one the server sent that this SDK does not know.
	Code Code
	// Message is the human-readable reason; never branch on it.
	Message string
	// Retryable is true when the same request may succeed if made again later.
	Retryable bool
	// Status is the HTTP status of a refused connect, else 0.
	Status int
	// CloseCode is the WebSocket close code that ended the connection, for close-related errors, else 0.
	CloseCode int
	// Quota names the quota that refused a quota_exceeded request ("maxPendingCalls",
	// "maxSubscriptions", "maxServedMethods", "maxBlocksPerUser"), when the edge says.
	Quota string
	// Err is the underlying cause (a socket error, a context error, a handler's error), if any.
	Err error
}

// NewError returns an *Error with the table's Retryable for code. A handler that returns it
// answers the call with that code (the edge passes on only app_error and bad_request).
func NewError(code Code, message string) *Error {
	return &Error{Code: code, Message: message, Retryable: code.Retryable()}
}

// Error returns "nexus: <code>: <message>".
func (e *Error) Error() string {
	if e.Message == "" || e.Message == string(e.Code) {
		return "nexus: " + string(e.Code)
	}
	return fmt.Sprintf("nexus: %s: %s", e.Code, e.Message)
}

// Unwrap returns the cause, so errors.Is(err, context.DeadlineExceeded) holds for a call whose
// context ended.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code, so every sentinel matches every
// error of its code.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) || t == nil {
		return false
	}
	return t.Code == e.Code
}

// Sentinel errors, one per code: errors.Is(err, ErrTimeout) is true for every *Error of code timeout.
var (
	ErrBadRequest    = NewError(CodeBadRequest, "")
	ErrTooLarge      = NewError(CodeTooLarge, "")
	ErrRateLimited   = NewError(CodeRateLimited, "")
	ErrQuotaExceeded = NewError(CodeQuotaExceeded, "")
	ErrForbidden     = NewError(CodeForbidden, "")
	ErrNotFound      = NewError(CodeNotFound, "")
	ErrOffline       = NewError(CodeOffline, "")
	ErrNotAWorker    = NewError(CodeNotAWorker, "")
	ErrNoResponders  = NewError(CodeNoResponders, "")
	ErrWorkerGone    = NewError(CodeWorkerGone, "")
	ErrTimeout       = NewError(CodeTimeout, "")
	ErrAppError      = NewError(CodeAppError, "")
	ErrInternal      = NewError(CodeInternal, "")
	ErrUnauthorized  = NewError(CodeUnauthorized, "")
	ErrUnavailable   = NewError(CodeUnavailable, "")
	ErrDisconnected  = NewError(CodeDisconnected, "")
)

// wireError is the error object of api.result, api.res and error frames.
type wireError struct {
	Code    Code   `json:"code"`
	Quota   string `json:"quota,omitempty"`
	Message string `json:"message"`
}

func (w wireError) toError() *Error {
	msg := w.Message
	if msg == "" {
		msg = string(w.Code)
	}
	e := NewError(w.Code, msg)
	e.Quota = w.Quota
	return e
}
