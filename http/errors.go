package http

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/temgraph/temgraph"
)

// statusOf maps each error code to its HTTP status.
var statusOf = map[string]int{
	temgraph.EBadRequest:           http.StatusBadRequest,
	temgraph.EUnauthorized:         http.StatusUnauthorized,
	temgraph.EForbidden:            http.StatusForbidden,
	temgraph.ENotFound:             http.StatusNotFound,
	temgraph.EMethodNotAllowed:     http.StatusMethodNotAllowed,
	temgraph.EConflict:             http.StatusConflict,
	temgraph.EPreconditionFailed:   http.StatusPreconditionFailed,
	temgraph.ETooLarge:             http.StatusRequestEntityTooLarge,
	temgraph.EUnsupportedMediaType: http.StatusUnsupportedMediaType,
	temgraph.ETooManyRequests:      http.StatusTooManyRequests,
	temgraph.EFailedDependency:     http.StatusFailedDependency,
	temgraph.EInternal:             http.StatusInternalServerError,
	temgraph.EUnavailable:          http.StatusServiceUnavailable,
}

// writeError writes err as a Graph error body. Errors that are not a
// *temgraph.Error are logged with their detail and reach the client only as
// a generic message and the request id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := temgraph.ErrorCode(err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		code = temgraph.EUnavailable
		err = temgraph.Errorf(code, "The request was cancelled or timed out before it completed.")
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var clientErr *temgraph.Error
	if !errors.As(err, &clientErr) {
		s.logger.ErrorContext(r.Context(), "internal error", "err", err, "method", r.Method,
			"path", r.URL.Path, "request_id", requestID(r.Context()))
	}
	if code == temgraph.EUnauthorized {
		// RFC 6750, 3.1: a request that sent no credentials gets the
		// challenge alone, without an error code.
		challenge := `Bearer realm="temgraph"`
		if _, sent := r.Header["Authorization"]; sent {
			challenge += `, error="invalid_token", error_description="` + temgraph.ErrorMessage(err) + `"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	writeErrorBody(w, r, status, code, temgraph.ErrorMessage(err))
}

// writeErrorBody writes a Graph error object.
func writeErrorBody(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	ctx := r.Context()
	b := make([]byte, 0, 256+len(message))
	b = append(b, `{"error":{"code":`...)
	b = appendString(b, code)
	b = append(b, `,"message":`...)
	b = appendString(b, message)
	b = append(b, `,"innerError":{"date":`...)
	b = appendString(b, time.Now().UTC().Format("2006-01-02T15:04:05"))
	b = append(b, `,"request-id":`...)
	b = appendString(b, requestID(ctx))
	b = append(b, `,"client-request-id":`...)
	b = appendString(b, clientRequestID(ctx))
	b = append(b, "}}}"...)

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Del("ETag")
	w.WriteHeader(status)
	w.Write(b)
}

// logRejection logs a refused credential at Warn, never the credential.
func (s *Server) logRejection(r *http.Request, err error) {
	s.logger.LogAttrs(r.Context(), slog.LevelWarn, "request refused",
		slog.String("reason", temgraph.ErrorMessage(err)), slog.String("path", r.URL.Path),
		slog.String("request_id", requestID(r.Context())))
}
