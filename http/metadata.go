package http

import (
	"net/http"

	"github.com/temgraph/temgraph"
)

// handleMetadata serves GET /{version}/$metadata.
// TODO(metadata): the CSDL document is not written yet.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request, pp pathParams) {
	s.writeError(w, r, temgraph.Errorf(temgraph.EBadRequest, "The metadata document is not available yet."))
}
