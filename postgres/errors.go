package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/temgraph/temgraph"
)

// classify marks errors a retry may cure (a lost or refused connection, a
// server shutting down or out of connections) with temgraph.ErrUnavailable,
// so that clients get a 503 they retry instead of a 500.
func classify(err error) error {
	if err == nil || !transient(err) {
		return err
	}
	return fmt.Errorf("%w: %w", temgraph.ErrUnavailable, err)
}

func transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is connection exceptions; 57P0x is the server shutting
		// down or not yet accepting connections; 53300 is too many clients.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0") ||
			pgErr.Code == "53300"
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err)
}
