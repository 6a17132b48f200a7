package http

import (
	"net/http"

	"github.com/temgraph/temgraph"
)

// handleBatch serves POST /{version}/$batch.
// TODO(batch): JSON batching is not implemented yet.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request, pp pathParams) {
	s.writeError(w, r, temgraph.Errorf(temgraph.EBadRequest, "JSON batching is not available yet."))
}
