// Package http serves temgraph's Microsoft Graph surface: the partner
// collection under /beta and /v1.0, $count, $metadata and $batch, plus the
// built-in issuer's discovery documents, health checks and metrics.
//
// Requests pass one middleware chain (request id, access log, recovery,
// authentication, throttling) and then a handler named for its route.
// Errors are written in one place, as Graph error bodies.
package http
