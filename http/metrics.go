package http

import (
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/temgraph/temgraph"
)

// metricsContentType is the Prometheus text exposition format, version 0.0.4.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// CommitReporter is implemented by stores that group concurrent writes
// into shared commits. ReportCommits makes fn learn how many writes each
// commit carried; fn must be quick and safe for concurrent use.
type CommitReporter interface {
	ReportCommits(fn func(writes int))
}

// CacheReporter is implemented by stores that keep partners in memory.
// CacheReads returns how many partner reads the cache answered and how
// many went to the database; ok is false when the cache is off.
type CacheReporter interface {
	CacheReads() (hits, misses uint64, ok bool)
}

// routeOther labels requests that matched no route, including those
// refused before routing (authentication failures).
const routeOther = "other"

// Label values. Every series is fixed in advance, so recording a request
// is a few array indexings and atomic adds, never an allocation.
var (
	routeLabels = metricRoutes()
	routeIndex  = indexOf(routeLabels)

	methodLabels = [...]string{"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "other"}

	codeLabels = [...]string{"other", "200", "201", "204", "304", "400", "401", "403", "404", "405",
		"406", "409", "411", "412", "413", "415", "424", "429", "431", "500", "501", "503"}
	codeIndex = codeSlots(codeLabels[:])

	throttleLabels = []string{"read", "write"}
)

// Histogram bucket upper bounds.
var (
	// durationBounds are in nanoseconds: 0.5 ms to 10 s.
	durationBounds = []int64{5e5, 1e6, 2.5e6, 5e6, 1e7, 2.5e7, 5e7, 1e8, 2.5e8, 5e8, 1e9, 2.5e9, 5e9, 1e10}
	// commitBounds count writes; a commit carries at most 256.
	commitBounds = []int64{1, 2, 4, 8, 16, 32, 64, 128, 256}
)

// metricRoutes lists the route label values: other, the server's own
// endpoints and each named route of the routing table.
func metricRoutes() []string {
	names := []string{routeOther, "healthz", "readyz", "openidConfiguration", "jwks", "metrics", "preflight"}
	seen := indexOf(names)
	for _, rt := range routes {
		if _, ok := seen[rt.name]; !ok {
			seen[rt.name] = len(names)
			names = append(names, rt.name)
		}
	}
	return names
}

func indexOf(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

// codeSlots maps every status code to its label's index; 0 is "other".
func codeSlots(labels []string) *[600]uint8 {
	var slots [600]uint8
	for i, l := range labels[1:] {
		c, _ := strconv.Atoi(l)
		slots[c] = uint8(i + 1)
	}
	return &slots
}

func methodSlot(m string) int {
	switch m {
	case "GET":
		return 0
	case "HEAD":
		return 1
	case "POST":
		return 2
	case "PATCH":
		return 3
	case "PUT":
		return 4
	case "DELETE":
		return 5
	case "OPTIONS":
		return 6
	}
	return len(methodLabels) - 1
}

func routeSlot(name string) int {
	return routeIndex[name] // 0, "other", when unknown
}

func codeSlot(status int) int {
	if status == 0 {
		status = http.StatusOK // nothing written: net/http sends 200
	}
	if status < 0 || status >= len(codeIndex) {
		return 0
	}
	return int(codeIndex[status])
}

// requestCounts counts requests by route, method and status code.
type requestCounts struct {
	n [][len(methodLabels)][len(codeLabels)]atomic.Uint64 // [route][method][code]
}

func newRequestCounts() *requestCounts {
	return &requestCounts{n: make([][len(methodLabels)][len(codeLabels)]atomic.Uint64, len(routeLabels))}
}

func (c *requestCounts) add(route, method string, status int) {
	c.n[routeSlot(route)][methodSlot(method)][codeSlot(status)].Add(1)
}

// histogram counts observations into fixed buckets. Values are integers
// (nanoseconds, writes), scaled for output.
type histogram struct {
	bounds []int64
	counts []atomic.Uint64 // per bucket, the last one past every bound
	sum    atomic.Uint64
}

func newHistogram(bounds []int64) *histogram {
	return &histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

func (h *histogram) observe(v int64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	if v > 0 {
		h.sum.Add(uint64(v))
	}
}

// metrics is the server's Prometheus registry: a fixed set of counters
// and histograms.
type metrics struct {
	version    string
	requests   *requestCounts
	durations  []*histogram // by route
	throttled  [2]atomic.Uint64
	batchItems *requestCounts
	commits    *histogram    // nil when the store does not report commits
	cache      CacheReporter // nil when the store keeps no partner cache
}

func newMetrics(version string) *metrics {
	if version == "" {
		version = "dev"
	}
	m := &metrics{version: version, requests: newRequestCounts(), batchItems: newRequestCounts()}
	m.durations = make([]*histogram, len(routeLabels))
	for i := range m.durations {
		m.durations[i] = newHistogram(durationBounds)
	}
	return m
}

// observeRequest records one answered request.
func (m *metrics) observeRequest(route, method string, status int, d time.Duration) {
	m.requests.add(route, method, status)
	m.durations[routeSlot(route)].observe(int64(d))
}

// observeThrottled records one request refused with 429.
func (m *metrics) observeThrottled(write bool) {
	if write {
		m.throttled[1].Add(1)
	} else {
		m.throttled[0].Add(1)
	}
}

// observeCommit records how many writes shared one storage commit.
func (m *metrics) observeCommit(writes int) {
	m.commits.observe(int64(writes))
}

// watchStore subscribes to the store's commit sizes and cache reads, if it
// has them.
func (m *metrics) watchStore(store temgraph.Store) {
	if cr, ok := store.(CommitReporter); ok {
		m.commits = newHistogram(commitBounds)
		cr.ReportCommits(m.observeCommit)
	}
	if cr, ok := store.(CacheReporter); ok {
		if _, _, on := cr.CacheReads(); on {
			m.cache = cr
		}
	}
}

// countBatchItems records the route and status of each batch item that
// runs through the API handler.
func (s *Server) countBatchItems(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		rec, ok := w.(*itemRecorder)
		if !ok {
			return
		}
		s.metrics.batchItems.add(stateOf(r.Context()).route, r.Method, rec.statusCode())
	})
}

// handleMetrics serves GET /metrics in Prometheus text format, without a
// token, like the health endpoints.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, temgraph.Errorf(temgraph.EMethodNotAllowed,
			"The method %s is not allowed on /metrics; allowed: GET, HEAD.", r.Method))
		return
	}
	b := s.metrics.appendText(make([]byte, 0, 16<<10))
	h := w.Header()
	h.Set("Content-Type", metricsContentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(b)
	}
}

// appendText writes every metric family in text exposition format.
func (m *metrics) appendText(b []byte) []byte {
	b = appendFamily(b, "temgraph_build_info", "gauge",
		"Build of the running temgraph: version and Go version; always 1.")
	b = append(b, "temgraph_build_info{version=\""...)
	b = appendLabelValue(b, m.version)
	b = append(b, "\",goversion=\""...)
	b = appendLabelValue(b, runtime.Version())
	b = append(b, "\"} 1\n"...)

	b = appendFamily(b, "temgraph_http_requests_total", "counter",
		"HTTP requests answered, by route, method and status code.")
	b = m.requests.appendText(b, "temgraph_http_requests_total")

	b = appendFamily(b, "temgraph_http_request_duration_seconds", "histogram",
		"Time from receiving a request to finishing its answer, by route.")
	for i, h := range m.durations {
		b = h.appendText(b, "temgraph_http_request_duration_seconds", `route="`+routeLabels[i]+`",`, 1e9)
	}

	b = appendFamily(b, "temgraph_throttled_requests_total", "counter",
		"Requests and batch items refused with 429 by the throttle, by kind (read or write).")
	for i, l := range throttleLabels {
		b = append(b, `temgraph_throttled_requests_total{kind="`...)
		b = append(b, l...)
		b = append(b, `"} `...)
		b = strconv.AppendUint(b, m.throttled[i].Load(), 10)
		b = append(b, '\n')
	}

	b = appendFamily(b, "temgraph_batch_items_total", "counter",
		"JSON batch items run through the API, by route, method and status code.")
	b = m.batchItems.appendText(b, "temgraph_batch_items_total")

	if m.commits != nil {
		b = appendFamily(b, "temgraph_storage_commit_writes", "histogram",
			"Writes that shared one storage commit (group commit).")
		b = m.commits.appendText(b, "temgraph_storage_commit_writes", "", 1)
	}
	if m.cache != nil {
		hits, misses, _ := m.cache.CacheReads()
		b = appendFamily(b, "temgraph_partner_cache_reads_total", "counter",
			"Partner reads by id, by result: answered from the in-memory cache (hit) or from the database (miss).")
		b = append(b, `temgraph_partner_cache_reads_total{result="hit"} `...)
		b = strconv.AppendUint(b, hits, 10)
		b = append(b, "\ntemgraph_partner_cache_reads_total{result=\"miss\"} "...)
		b = strconv.AppendUint(b, misses, 10)
		b = append(b, '\n')
	}
	return b
}

// appendFamily writes a family's HELP and TYPE lines.
func appendFamily(b []byte, name, typ, help string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendHelp(b, help)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

// appendText writes the non-zero series.
func (c *requestCounts) appendText(b []byte, name string) []byte {
	for r := range c.n {
		for m := range c.n[r] {
			for k := range c.n[r][m] {
				v := c.n[r][m][k].Load()
				if v == 0 {
					continue
				}
				b = append(b, name...)
				b = append(b, `{route="`...)
				b = append(b, routeLabels[r]...)
				b = append(b, `",method="`...)
				b = append(b, methodLabels[m]...)
				b = append(b, `",code="`...)
				b = append(b, codeLabels[k]...)
				b = append(b, `"} `...)
				b = strconv.AppendUint(b, v, 10)
				b = append(b, '\n')
			}
		}
	}
	return b
}

// appendText writes the histogram's cumulative buckets, sum and count, or
// nothing when it has no observation and has labels (an unused route).
// labels, when not empty, ends with a comma. Values are divided by unit
// (1e9 turns nanoseconds into seconds); dividing by an exact power of ten
// keeps bounds such as 0.0005 exact in the output.
func (h *histogram) appendText(b []byte, name, labels string, unit float64) []byte {
	counts := make([]uint64, len(h.counts))
	var total uint64
	for i := range h.counts {
		counts[i] = h.counts[i].Load()
		total += counts[i]
	}
	if total == 0 && labels != "" {
		return b
	}
	sum := h.sum.Load()
	var cum uint64
	for i, n := range counts {
		cum += n
		b = append(b, name...)
		b = append(b, "_bucket{"...)
		b = append(b, labels...)
		b = append(b, `le="`...)
		if i < len(h.bounds) {
			b = strconv.AppendFloat(b, float64(h.bounds[i])/unit, 'g', -1, 64)
		} else {
			b = append(b, "+Inf"...)
		}
		b = append(b, `"} `...)
		b = strconv.AppendUint(b, cum, 10)
		b = append(b, '\n')
	}
	b = appendSeries(b, name+"_sum", labels)
	b = strconv.AppendFloat(b, float64(sum)/unit, 'g', -1, 64)
	b = append(b, '\n')
	b = appendSeries(b, name+"_count", labels)
	b = strconv.AppendUint(b, total, 10)
	return append(b, '\n')
}

// appendSeries writes a series name and its labels (which end with a
// comma, or are empty) up to the value.
func appendSeries(b []byte, name, labels string) []byte {
	b = append(b, name...)
	if labels != "" {
		b = append(b, '{')
		b = append(b, labels[:len(labels)-1]...)
		b = append(b, '}')
	}
	return append(b, ' ')
}

// appendLabelValue escapes a label value: backslash, double quote and
// line feed.
func appendLabelValue(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendHelp escapes HELP text: backslash and line feed.
func appendHelp(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
