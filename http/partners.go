package http

import (
	"net/http"
	"strings"

	"github.com/temgraph/temgraph"
)

// requireRead and requireWrite authorise the caller for reads or writes;
// they write a 403 and return false when the caller lacks the permission.
func (s *Server) requireRead(w http.ResponseWriter, r *http.Request) bool {
	if p := principalFrom(r.Context()); p.CanRead() {
		return s.throttle(w, r, false)
	}
	s.forbid(w, r, "DeviceManagementServiceConfig.Read.All, DeviceManagementServiceConfig.ReadWrite.All")
	return false
}

func (s *Server) requireWrite(w http.ResponseWriter, r *http.Request) bool {
	if p := principalFrom(r.Context()); p.CanWrite() {
		return s.throttle(w, r, true)
	}
	s.forbid(w, r, "DeviceManagementServiceConfig.ReadWrite.All")
	return false
}

func (s *Server) forbid(w http.ResponseWriter, r *http.Request, scopes string) {
	kind := "Application"
	if principalFrom(r.Context()).Delegated {
		kind = "User"
	}
	err := temgraph.Errorf(temgraph.EForbidden, "%s is not authorized to perform this operation. "+
		"The token must have one of the following permissions: %s.", kind, scopes)
	s.logRejection(r, err)
	s.writeError(w, r, err)
}

// partnerID validates the id path segment. Ids are GUIDs compared without
// regard to case; anything else cannot name a partner.
func partnerID(raw string) (string, error) {
	if !temgraph.IsGUID(raw) {
		return "", temgraph.ErrPartnerNotFound(raw)
	}
	return temgraph.CanonicalID(raw), nil
}

// handleGetPartner serves GET .../telecomExpenseManagementPartners/{id}.
func (s *Server) handleGetPartner(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireRead(w, r) {
		return
	}
	sel, props, err := itemSelection(r, pp.version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := partnerID(pp.id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Store.GetPartner(r.Context(), principalFrom(r.Context()).Tenant, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if inm := listHeader(r, "If-None-Match"); inm != "" && etagMatches(inm, p.ETag) {
		w.Header().Set("ETag", etagValue(p.ETag))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeEntity(w, r, http.StatusOK, pp.version, p, sel, props)
}

// handleCreatePartner serves POST .../telecomExpenseManagementPartners.
func (s *Server) handleCreatePartner(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireWrite(w, r) {
		return
	}
	patch, err := s.readPatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := temgraph.NewPartner(patch)
	if err := s.Store.CreatePartner(r.Context(), principalFrom(r.Context()).Tenant, p); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", serviceRoot(r, pp.version)+"/deviceManagement/telecomExpenseManagementPartners/"+p.ID)
	s.writeWritten(w, r, http.StatusCreated, pp.version, p)
}

// handleUpdatePartner serves PATCH .../telecomExpenseManagementPartners/{id}.
func (s *Server) handleUpdatePartner(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireWrite(w, r) {
		return
	}
	id, err := partnerID(pp.id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	patch, err := s.readPatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if patch.ID != nil && *patch.ID != id {
		s.writeError(w, r, temgraph.Errorf(temgraph.EBadRequest,
			"The id in the body ('%s') differs from the id in the URL ('%s'); ids cannot be changed.", *patch.ID, id))
		return
	}
	p, err := s.Store.UpdatePartner(r.Context(), principalFrom(r.Context()).Tenant, id, patch, ifMatch(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeWritten(w, r, http.StatusOK, pp.version, p)
}

// readPatch reads and decodes the partner body of a POST or PATCH.
func (s *Server) readPatch(r *http.Request) (*temgraph.PartnerPatch, error) {
	body, err := s.readBody(r, s.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	return temgraph.DecodePartnerPatch(body)
}

// writeWritten answers a create or update with the partner as written, or
// with 204 and its entity tag alone when the client prefers
// return=minimal.
func (s *Server) writeWritten(w http.ResponseWriter, r *http.Request, status int, version string, p *temgraph.Partner) {
	if preferMinimal(r) {
		w.Header().Set("Preference-Applied", "return=minimal")
		w.Header().Set("ETag", etagValue(p.ETag))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.writeEntity(w, r, status, version, p, selectAll, nil)
}

// handleDeletePartner serves DELETE .../telecomExpenseManagementPartners/{id}.
func (s *Server) handleDeletePartner(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireWrite(w, r) {
		return
	}
	id, err := partnerID(pp.id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Store.DeletePartner(r.Context(), principalFrom(r.Context()).Tenant, id, ifMatch(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeEntity writes one partner with its context URL and ETag header.
func (s *Server) writeEntity(w http.ResponseWriter, r *http.Request, status int, version string,
	p *temgraph.Partner, sel selection, props []string) {
	buf := getBuf()
	*buf = appendPartner((*buf)[:0], p, sel, contextURL(r, version, props, true))
	w.Header()["Etag"] = []string{etagValue(p.ETag)}
	writeOData(w, r, status, *buf)
	putBuf(buf)
}

// preferMinimal reports whether the client sent Prefer: return=minimal.
func preferMinimal(r *http.Request) bool {
	// RFC 7240: preference = token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] ),
	// word = token / quoted-string. So "return = minimal", `return="minimal"`
	// and "return=minimal; x" all ask for the minimal return.
	for _, v := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(v, ",") {
			pref, _, _ := strings.Cut(part, ";")
			name, value, _ := strings.Cut(pref, "=")
			if !strings.EqualFold(strings.TrimSpace(name), "return") {
				continue
			}
			// RFC 7240, section 2: of a preference given more than once,
			// only the first counts.
			value = strings.TrimSpace(value)
			if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
				value = value[1 : len(value)-1]
			}
			return strings.EqualFold(value, "minimal")
		}
	}
	return false
}

// ifMatch returns the precondition an If-Match header sets, in the form
// the store takes: "" when there is no header, "*", or the bare tags of the
// list joined by commas. Only the unquoted * is the wildcard; a quoted "*"
// is an ordinary tag. Tags temgraph never issues are dropped (see
// usableTag); a header left with none matches no partner, so the write
// fails with 412 (or 404 when the partner does not exist) as it should.
func ifMatch(r *http.Request) string {
	h := strings.TrimSpace(listHeader(r, "If-Match"))
	if h == "" {
		return ""
	}
	var tags []string
	for _, part := range strings.Split(h, ",") {
		if strings.TrimSpace(part) == "*" {
			return "*"
		}
		if tag := bareTag(part); usableTag(tag) {
			tags = append(tags, tag)
		}
	}
	if len(tags) == 0 {
		return noTag
	}
	return strings.Join(tags, ",")
}

// listHeader is a list-valued header as one comma-separated value: the
// fields a client sent are read as the one field a proxy may fold them
// into (RFC 9110, section 5.3), so that neither reading changes the answer.
func listHeader(r *http.Request, name string) string {
	return strings.Join(r.Header.Values(name), ",")
}

// noTag is a precondition no stored entity tag equals. It is plain ASCII:
// the stores pass the precondition to the database as text, and
// PostgreSQL refuses text holding NUL or bytes that are not UTF-8.
const noTag = "-"

// usableTag reports whether a bare tag could be one temgraph issued:
// printable ASCII without spaces, quotes or commas, and not "*" (which the
// stores read as the wildcard). Anything else names no partner, and must
// not reach the database.
func usableTag(tag string) bool {
	if tag == "" || tag == "*" {
		return false
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; c <= ' ' || c > '~' || c == '"' || c == ',' {
			return false
		}
	}
	return true
}

// bareTag strips the weak marker and quotes from one entity tag.
func bareTag(s string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimSpace(s), "W/"), `"`)
}

// etagMatches reports whether an If-None-Match list names the tag.
func etagMatches(header, tag string) bool {
	for _, part := range strings.Split(header, ",") {
		if strings.TrimSpace(part) == "*" || bareTag(part) == tag {
			return true
		}
	}
	return false
}
