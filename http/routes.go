package http

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/temgraph/temgraph"
)

// Canonical path segments. Incoming segments match them case-insensitively.
const (
	segDeviceManagement = "deviceManagement"
	segPartners         = "telecomExpenseManagementPartners"
	segCount            = "$count"
	segBatch            = "$batch"
	segMetadata         = "$metadata"
)

// versions are the Graph versions served.
var versions = []string{"beta", "v1.0"}

// route is one entry of the routing table. In pattern, "{version}" and
// "{id}" match any single segment; other segments match case-insensitively.
type route struct {
	method  string
	pattern []string
	name    string
	handle  func(s *Server, w http.ResponseWriter, r *http.Request, p pathParams)
}

// pathParams are the values of a route's wildcards.
type pathParams struct {
	version string
	id      string
}

// routes is every Graph route temgraph serves.
var routes = []route{
	{"GET", seg("{version}", segDeviceManagement, segPartners), "listPartners", (*Server).handleListPartners},
	{"POST", seg("{version}", segDeviceManagement, segPartners), "createPartner", (*Server).handleCreatePartner},
	{"GET", seg("{version}", segDeviceManagement, segPartners, segCount), "countPartners", (*Server).handleCountPartners},
	{"GET", seg("{version}", segDeviceManagement, segPartners, "{id}"), "getPartner", (*Server).handleGetPartner},
	{"PATCH", seg("{version}", segDeviceManagement, segPartners, "{id}"), "updatePartner", (*Server).handleUpdatePartner},
	{"DELETE", seg("{version}", segDeviceManagement, segPartners, "{id}"), "deletePartner", (*Server).handleDeletePartner},
	{"POST", seg("{version}", segBatch), "batch", (*Server).handleBatch},
	{"GET", seg("{version}", segMetadata), "metadata", (*Server).handleMetadata},
}

func seg(s ...string) []string { return s }

// route dispatches an authenticated request through the routing table.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	segs := pathSegments(r)
	if !validVersion(segs[0]) {
		s.writeError(w, r, temgraph.Errorf(temgraph.ENotFound, "Invalid version: '%s'. Use 'beta' or 'v1.0'.", segs[0]))
		return
	}

	var allowed []string
	matchedAny := false
	for i := range routes {
		rt := &routes[i]
		params, ok := match(rt.pattern, segs)
		if !ok {
			continue
		}
		matchedAny = true
		if rt.method == r.Method || (rt.method == "GET" && r.Method == "HEAD") {
			setRoute(r.Context(), rt.name)
			rt.handle(s, w, r, params)
			return
		}
		allowed = append(allowed, rt.method)
	}
	if matchedAny {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.writeError(w, r, temgraph.Errorf(temgraph.EMethodNotAllowed,
			"The method %s is not allowed on this resource; allowed: %s.", r.Method, strings.Join(allowed, ", ")))
		return
	}
	s.writeError(w, r, temgraph.Errorf(temgraph.EBadRequest, "Resource not found for the segment '%s'.", unknownSegment(segs)))
}

func validVersion(v string) bool {
	for _, x := range versions {
		if temgraph.EqualFoldASCII(v, x) {
			return true
		}
	}
	return false
}

// match compares the path segments with a pattern.
func match(pattern, segs []string) (pathParams, bool) {
	var p pathParams
	if len(pattern) != len(segs) {
		return p, false
	}
	for i, want := range pattern {
		got := segs[i]
		switch want {
		case "{version}":
			p.version = temgraph.LowerASCII(got)
		case "{id}":
			if got == "" || strings.HasPrefix(got, "$") {
				return p, false
			}
			p.id = got
		default:
			if !temgraph.EqualFoldASCII(got, want) {
				return p, false
			}
		}
	}
	return p, true
}

// unknownSegment names the first segment no route knows, for the error.
func unknownSegment(segs []string) string {
	known := []string{segDeviceManagement, segPartners}
	for i := 1; i < len(segs) && i-1 < len(known); i++ {
		if !temgraph.EqualFoldASCII(segs[i], known[i-1]) {
			return segs[i]
		}
	}
	// Past the collection come the key (or $count) and nothing more: name
	// an empty or dot segment on the way, else the first segment too many.
	for _, seg := range segs[min(3, len(segs)):] {
		if seg == "" || seg == "." || seg == ".." {
			return seg
		}
	}
	if len(segs) > 4 {
		return segs[4]
	}
	return segs[len(segs)-1]
}

// pathSegments splits the escaped path and unescapes each segment on its
// own, so that an encoded slash (%2F) stays inside its segment instead of
// starting a new one.
func pathSegments(r *http.Request) []string {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for i, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			segs[i] = u
		}
	}
	return splitKeySegment(segs)
}

// splitKeySegment rewrites OData's parenthesised key,
// "telecomExpenseManagementPartners('{id}')" (quotes optional), into the
// key-as-segment form the routing table knows: ".../telecomExpenseManagementPartners/{id}".
func splitKeySegment(segs []string) []string {
	for i, seg := range segs {
		open := strings.IndexByte(seg, '(')
		if open < 0 || !strings.HasSuffix(seg, ")") || !temgraph.EqualFoldASCII(seg[:open], segPartners) {
			continue
		}
		key := seg[open+1 : len(seg)-1]
		if len(key) >= 2 && key[0] == '\'' && key[len(key)-1] == '\'' {
			key = key[1 : len(key)-1]
		}
		if key == "" || strings.HasPrefix(key, "$") {
			// A key is a value, never a segment such as $count: leave
			// the segment whole so that the router names it.
			return segs
		}
		out := make([]string, 0, len(segs)+1)
		out = append(out, segs[:i]...)
		out = append(out, seg[:open], key)
		return append(out, segs[i+1:]...)
	}
	return segs
}
