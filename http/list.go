package http

import (
	"net/http"
	"strconv"

	"github.com/temgraph/temgraph"
)

// itemSelection parses $select on an item request.
// TODO(query): full query options.
func itemSelection(r *http.Request) (selection, []string, error) {
	return selectAll, nil, nil
}

// handleListPartners serves GET .../telecomExpenseManagementPartners.
func (s *Server) handleListPartners(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireRead(w, r) {
		return
	}
	opts := temgraph.ListOptions{Limit: s.PageSize}
	page, err := s.Store.ListPartners(r.Context(), principalFrom(r.Context()).Tenant, opts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	buf := getBuf()
	b := append((*buf)[:0], `{"@odata.context":`...)
	b = appendString(b, contextURL(r, pp.version, nil, false))
	b = append(b, `,"value":[`...)
	for i, p := range page.Partners {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPartner(b, p, selectAll, "")
	}
	b = append(b, "]}"...)
	*buf = b
	writeOData(w, r, http.StatusOK, b)
	putBuf(buf)
}

// handleCountPartners serves GET .../telecomExpenseManagementPartners/$count.
func (s *Server) handleCountPartners(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireRead(w, r) {
		return
	}
	n, err := s.Store.CountPartners(r.Context(), principalFrom(r.Context()).Tenant, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	w.Header().Set("Odata-Version", "4.0")
	w.Write(strconv.AppendInt(nil, int64(n), 10))
}
