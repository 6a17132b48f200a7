package http

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// odataContentType is the media type of every successful OData payload.
const odataContentType = "application/json;odata.metadata=minimal;odata.streaming=true;" +
	"IEEE754Compatible=false;charset=utf-8"

// bufPool recycles response buffers on the hot path.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// writeOData writes a JSON payload with Graph's OData headers.
func writeOData(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{odataContentType}
	h["Odata-Version"] = []string{"4.0"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// serviceRoot is the absolute URL of the version root the request used,
// "https://host/beta", built on origin.
func serviceRoot(r *http.Request, version string) string {
	return origin(r) + "/" + version
}

// origin is the scheme and host that links are built on: the configured
// public URL, else the scheme and Host the request came with.
func origin(r *http.Request) string {
	if o := stateOf(r.Context()).origin; o != "" {
		return o
	}
	return requestScheme(r) + "://" + requestHost(r)
}

// requestHost is the Host the client addressed; an HTTP/1.0 request
// without one gets "localhost" so that links stay well-formed.
func requestHost(r *http.Request) string {
	if r.Host == "" {
		return "localhost"
	}
	return r.Host
}

// requestScheme is "https" for a TLS connection, else "http".
func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// contextURL returns the @odata.context of a partner payload. props is the
// $select list (nil for all properties); entity adds the /$entity suffix.
func contextURL(r *http.Request, version string, props []string, entity bool) string {
	var b strings.Builder
	b.WriteString(serviceRoot(r, version))
	b.WriteString("/$metadata#deviceManagement/telecomExpenseManagementPartners")
	if len(props) > 0 {
		b.WriteByte('(')
		b.WriteString(strings.Join(props, ","))
		b.WriteByte(')')
	}
	if entity {
		b.WriteString("/$entity")
	}
	return b.String()
}
