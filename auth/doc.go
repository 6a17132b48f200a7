// Package auth verifies Entra-style bearer tokens and authorises calls to
// the partner API. It contains temgraph's built-in token issuer, whose RSA
// signing key lives in the database so that every process sharing the
// database signs and verifies alike.
package auth
