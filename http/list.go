package http

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/odata"
)

// queryOptions configures the query parser for a request's version: the
// "$" of option names is optional on beta, as Graph documents.
func queryOptions(version string) odata.QueryOptions {
	return odata.QueryOptions{
		Schema:         temgraph.PartnerSchema,
		TypeName:       "microsoft.graph.telecomExpenseManagementPartner",
		OptionalDollar: version == "beta",
	}
}

// maxQueryParams bounds the parameters of one query string.
const maxQueryParams = 10000

// queryValues parses the raw query string strictly: a bad percent escape
// is an error, never a silently dropped option (a lost $filter would return
// rows the client did not ask for). Options are separated by '&' alone, as
// OData and Graph read them, so a ';' is part of its value:
// $format=application/json;odata.metadata=minimal and
// $filter=displayName eq 'AT;T' mean what they say.
func queryValues(r *http.Request) (url.Values, error) {
	v := url.Values{}
	n, skipSeen := 0, false
	for rest := r.URL.RawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		if part == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(rawKey)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return nil, temgraph.Errorf(temgraph.EBadRequest, "The query string is malformed: "+
				"percent-encode '%%' as %%25, and separate options with '&'.")
		}
		// One $skiptoken is not counted: a nextLink adds it to the options
		// of the request that was answered, and must stay within the limit.
		if !skipSeen && strings.EqualFold(strings.TrimPrefix(key, "$"), "skiptoken") {
			skipSeen = true
		} else if n++; n > maxQueryParams {
			return nil, temgraph.Errorf(temgraph.EBadRequest,
				"The query string has more than %d parameters.", maxQueryParams)
		}
		v[key] = append(v[key], value)
	}
	return v, nil
}

// parseQuery reads the request's query options.
func parseQuery(r *http.Request, version string) (*odata.Query, url.Values, error) {
	values, err := queryValues(r)
	if err != nil {
		return nil, nil, err
	}
	q, err := odata.ParseQuery(values, queryOptions(version))
	var qe *odata.Error
	if errors.As(err, &qe) {
		return nil, nil, temgraph.Errorf(temgraph.EBadRequest, "%s", qe.Message)
	}
	if err != nil {
		return nil, nil, err
	}
	return q, values, nil
}

// selectionOf turns a $select list into a selection.
func selectionOf(props []string) selection {
	if props == nil {
		return selectAll
	}
	sel := selection{props: make(map[string]bool, len(props))}
	for _, p := range props {
		sel.props[p] = true
	}
	return sel
}

// itemSelection parses the options an item request allows: $select only
// ($expand is refused by the parser; list options make no sense on an item).
func itemSelection(r *http.Request, version string) (selection, []string, error) {
	if r.URL.RawQuery == "" {
		return selectAll, nil, nil
	}
	q, _, err := parseQuery(r, version)
	if err != nil {
		return selection{}, nil, err
	}
	if q.Filter != nil || q.OrderBy != nil || q.HasTop || q.Skip != 0 || q.Count || q.SkipToken != "" {
		return selection{}, nil, temgraph.Errorf(temgraph.EBadRequest,
			"Only $select applies to a single partner; $filter, $orderby, $top, $skip, $count and $skiptoken apply to the collection.")
	}
	return selectionOf(q.Select), q.Select, nil
}

// handleListPartners serves GET .../telecomExpenseManagementPartners.
func (s *Server) handleListPartners(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireRead(w, r) {
		return
	}
	q, values, err := parseQuery(r, pp.version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tenant := principalFrom(r.Context()).Tenant
	// The version is bound too: beta reads "orderby" without "$" as an
	// option, v1.0 ignores it, so the same options can mean two queries.
	digest := queryDigest(tenant+"/"+pp.version, values)
	opts, err := s.listOptions(q, digest)
	if err != nil {
		s.writeError(w, r, err)
		return
	}

	page := &temgraph.PartnerPage{}
	if opts.Limit > 0 { // $top=0 asks for no rows, only perhaps the count
		if page, err = s.Store.ListPartners(r.Context(), tenant, opts); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	count := -1
	if q.Count {
		if count, err = s.Store.CountPartners(r.Context(), tenant, q.Filter); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	next := ""
	if page.More && len(page.Partners) > 0 {
		token, err := s.encodeSkipToken(digest, q.OrderBy, page.Partners[len(page.Partners)-1])
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next = nextLink(r, values, token)
	}
	s.writeList(w, r, pp.version, q, page, count, next)
}

// listOptions turns parsed query options into a storage request. $top sets
// the page size (bounded by the server's page size), as Graph's paging does.
func (s *Server) listOptions(q *odata.Query, digest string) (temgraph.ListOptions, error) {
	opts := temgraph.ListOptions{Filter: q.Filter, OrderBy: q.OrderBy, Skip: q.Skip, Limit: s.PageSize}
	if q.HasTop && q.Top < opts.Limit {
		opts.Limit = q.Top
	}
	if q.SkipToken != "" {
		after, err := s.decodeSkipToken(q.SkipToken, digest)
		if err != nil {
			return opts, err
		}
		opts.After, opts.Skip = after, 0
	}
	return opts, nil
}

// writeList writes a page of partners.
func (s *Server) writeList(w http.ResponseWriter, r *http.Request, version string, q *odata.Query,
	page *temgraph.PartnerPage, count int, next string) {
	sel := selectionOf(q.Select)
	buf := getBuf()
	b := append((*buf)[:0], `{"@odata.context":`...)
	b = appendString(b, contextURL(r, version, q.Select, false))
	if count >= 0 {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(count), 10)
	}
	if next != "" {
		b = append(b, `,"@odata.nextLink":`...)
		b = appendString(b, next)
	}
	b = append(b, `,"value":[`...)
	for i, p := range page.Partners {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPartner(b, p, sel, "")
	}
	b = append(b, "]}"...)
	*buf = b
	writeOData(w, r, http.StatusOK, b)
	putBuf(buf)
}

// handleCountPartners serves GET .../telecomExpenseManagementPartners/$count:
// the bare number as text/plain. Only $filter applies.
func (s *Server) handleCountPartners(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if !s.requireRead(w, r) {
		return
	}
	q, _, err := parseQuery(r, pp.version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.Select != nil || q.OrderBy != nil || q.HasTop || q.Skip != 0 || q.SkipToken != "" {
		s.writeError(w, r, temgraph.Errorf(temgraph.EBadRequest, "Only $filter applies to /$count."))
		return
	}
	n, err := s.Store.CountPartners(r.Context(), principalFrom(r.Context()).Tenant, q.Filter)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := strconv.AppendInt(nil, int64(n), 10)
	h := w.Header()
	h.Set("Content-Type", "text/plain;charset=utf-8")
	h.Set("Odata-Version", "4.0")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
