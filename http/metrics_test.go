package http

import (
	"bufio"
	"maps"
	"math"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph/throttle"
)

// metricsEnv is a real server over SQLite whose limiter allows two writes
// per tenant, with a ReadWrite token.
type metricsEnv struct {
	url   string
	token string
}

func mustMetricsEnv(tb testing.TB) *metricsEnv {
	tb.Helper()
	start := time.Now()
	env := mustBatchEnv(tb, func(cfg *Config) {
		cfg.Version = `v1.2.3-"rc"`
		cfg.Limiter = throttle.New(throttle.Config{
			Limits: throttle.Limits{WritesPerTenant: 2, WritesPerApp: 2, Window: time.Minute},
			Now:    func() time.Time { return start },
		})
	})
	return &metricsEnv{url: env.url, token: env.write}
}

// do sends a request (with the token unless token is false) and returns
// the response with its body read.
func (e *metricsEnv) do(tb testing.TB, method, path, body string, token bool) (*http.Response, string) {
	tb.Helper()
	tok := ""
	if token {
		tok = e.token
	}
	resp, b := sendRequest(tb, method, e.url+path, tok, body)
	return resp, string(b)
}

// mustStatus sends a request and checks its status.
func (e *metricsEnv) mustStatus(tb testing.TB, method, path, body string, token bool, want int) {
	tb.Helper()
	resp, got := e.do(tb, method, path, body, token)
	if resp.StatusCode != want {
		tb.Fatalf("%s %s: status=%d, want %d; body %s", method, path, resp.StatusCode, want, got)
	}
}

func TestServer_Metrics(t *testing.T) {
	env := mustMetricsEnv(t)
	coll := "/beta/deviceManagement/telecomExpenseManagementPartners"
	env.mustStatus(t, "GET", "/healthz", "", false, 200)
	env.mustStatus(t, "GET", coll, "", false, 401)
	env.mustStatus(t, "POST", coll, `{"id":"0c5f6d0e-0000-4000-8000-00000000000a","displayName":"a"}`, true, 201)
	env.mustStatus(t, "POST", coll, `{"displayName":"b"}`, true, 201)
	// A created partner is cached: two reads hit; a missing one misses.
	env.mustStatus(t, "GET", coll+"/0c5f6d0e-0000-4000-8000-00000000000a", "", true, 200)
	env.mustStatus(t, "GET", coll+"/0c5f6d0e-0000-4000-8000-00000000000a", "", true, 200)
	env.mustStatus(t, "GET", coll+"/0c5f6d0e-0000-4000-8000-00000000000b", "", true, 404)
	env.mustStatus(t, "POST", coll, `{"displayName":"c"}`, true, 429)
	env.mustStatus(t, "GET", coll, "", true, 200)
	env.mustStatus(t, "POST", "/v1.0/$batch", `{"requests":[
		{"id":"1","method":"GET","url":"/deviceManagement/telecomExpenseManagementPartners"},
		{"id":"2","method":"GET","url":"/deviceManagement/telecomExpenseManagementPartners/$count"},
		{"id":"3","method":"DELETE","url":"/deviceManagement/telecomExpenseManagementPartners/`+
		`00000000-0000-4000-8000-000000000000"}]}`, true, 200)

	resp, body := env.do(t, "GET", "/metrics", "", false)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: status=%d, want 200; body %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != metricsContentType {
		t.Errorf("Content-Type=%q, want %q", ct, metricsContentType)
	}
	got := mustParseExposition(t, body)

	want := map[string]float64{
		`temgraph_build_info{version="v1.2.3-\"rc\"",goversion="` + runtime.Version() + `"}`: 1,
		`temgraph_http_requests_total{route="healthz",method="GET",code="200"}`:              1,
		`temgraph_http_requests_total{route="other",method="GET",code="401"}`:                1,
		`temgraph_http_requests_total{route="createPartner",method="POST",code="201"}`:       2,
		`temgraph_http_requests_total{route="createPartner",method="POST",code="429"}`:       1,
		`temgraph_http_requests_total{route="listPartners",method="GET",code="200"}`:         1,
		`temgraph_http_requests_total{route="batch",method="POST",code="200"}`:               1,
		`temgraph_http_request_duration_seconds_count{route="createPartner"}`:                3,
		`temgraph_http_request_duration_seconds_count{route="listPartners"}`:                 1,
		`temgraph_http_request_duration_seconds_bucket{route="listPartners",le="+Inf"}`:      1,
		`temgraph_throttled_requests_total{kind="read"}`:                                     0,
		`temgraph_throttled_requests_total{kind="write"}`:                                    2,
		`temgraph_batch_items_total{route="listPartners",method="GET",code="200"}`:           1,
		`temgraph_batch_items_total{route="countPartners",method="GET",code="200"}`:          1,
		`temgraph_batch_items_total{route="deletePartner",method="DELETE",code="429"}`:       1,
		`temgraph_storage_commit_writes_sum`:                                                 2,
		`temgraph_partner_cache_reads_total{result="hit"}`:                                   2,
		`temgraph_partner_cache_reads_total{result="miss"}`:                                  1,
		`temgraph_storage_commit_writes_bucket{le="+Inf"}`:                                   got[`temgraph_storage_commit_writes_count`],
	}
	for series, w := range want {
		g, ok := got[series]
		if !ok {
			t.Errorf("series %s missing", series)
			continue
		}
		if g != w {
			t.Errorf("%s=%v, want %v", series, g, w)
		}
	}
	if n := got[`temgraph_storage_commit_writes_count`]; n < 1 || n > 2 {
		t.Errorf("commits=%v, want 1 or 2 for two writes", n)
	}
	// Series for routes never called are left out.
	for series := range got {
		if strings.Contains(series, `route="updatePartner"`) {
			t.Errorf("series %s for an unused route is present", series)
		}
	}
}

func TestServer_Metrics_Methods(t *testing.T) {
	env := mustMetricsEnv(t)
	resp, body := env.do(t, "HEAD", "/metrics", "", false)
	if resp.StatusCode != 200 || body != "" {
		t.Errorf("HEAD /metrics: status=%d body=%q, want 200 and no body", resp.StatusCode, body)
	}
	resp, body = env.do(t, "POST", "/metrics", "", false)
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /metrics: status=%d Allow=%q, want 405 and GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if !strings.Contains(body, `"code":"MethodNotAllowed"`) {
		t.Errorf("POST /metrics body=%s, want a Graph error", body)
	}
}

func TestHistogram_AppendText(t *testing.T) {
	tests := []struct {
		name   string
		bounds []int64
		values []int64
		labels string
		unit   float64
		want   string
	}{
		{"Labelled", []int64{1, 2, 4}, []int64{1, 2, 3, 9, 0}, `k="v",`, 1, `x_bucket{k="v",le="1"} 2
x_bucket{k="v",le="2"} 3
x_bucket{k="v",le="4"} 4
x_bucket{k="v",le="+Inf"} 5
x_sum{k="v"} 15
x_count{k="v"} 5
`},
		{"Seconds", []int64{5e5, 1e6, 1e10}, []int64{1e6, 3e9}, "", 1e9, `x_bucket{le="0.0005"} 0
x_bucket{le="0.001"} 1
x_bucket{le="10"} 2
x_bucket{le="+Inf"} 2
x_sum 3.001
x_count 2
`},
		{"EmptyUnlabelled", []int64{1}, nil, "", 1, `x_bucket{le="1"} 0
x_bucket{le="+Inf"} 0
x_sum 0
x_count 0
`},
		{"EmptyLabelledOmitted", []int64{1}, nil, `k="v",`, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistogram(tt.bounds)
			for _, v := range tt.values {
				h.observe(v)
			}
			got := string(h.appendText(nil, "x", tt.labels, tt.unit))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("appendText mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendLabelValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"v1.0", "v1.0"},
		{`a"b`, `a\"b`},
		{`a\b`, `a\\b`},
		{"a\nb", `a\nb`},
		{"ünï", "ünï"},
	}
	for _, tt := range tests {
		if got := string(appendLabelValue(nil, tt.in)); got != tt.want {
			t.Errorf("appendLabelValue(%q)=%q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := string(appendHelp(nil, "a\\b\n\"c\"")), `a\\b\n"c"`; got != want {
		t.Errorf("appendHelp=%q, want %q", got, want)
	}
}

func TestMetrics_ObserveAllocs(t *testing.T) {
	m := newMetrics("dev")
	allocs := testing.AllocsPerRun(1000, func() {
		m.observeRequest("listPartners", "GET", 200, 3*time.Millisecond)
		m.observeRequest("", "BREW", 0, time.Hour)
		m.observeThrottled(true)
		m.batchItems.add("getPartner", "PATCH", 412)
	})
	if allocs != 0 {
		t.Errorf("allocations per recorded request=%v, want 0", allocs)
	}
	body := string(m.appendText(nil))
	for _, want := range []string{
		`temgraph_http_requests_total{route="listPartners",method="GET",code="200"} 1001`,
		`temgraph_http_requests_total{route="other",method="other",code="200"} 1001`,
		`temgraph_http_request_duration_seconds_bucket{route="listPartners",le="0.0025"} 0`,
		`temgraph_http_request_duration_seconds_bucket{route="listPartners",le="0.005"} 1001`,
		`temgraph_http_request_duration_seconds_bucket{route="other",le="10"} 0`,
		`temgraph_http_request_duration_seconds_bucket{route="other",le="+Inf"} 1001`,
		`temgraph_batch_items_total{route="getPartner",method="PATCH",code="412"} 1001`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("exposition lacks %q", want)
		}
	}
	mustParseExposition(t, body)
}

// sampleLine is one sample: a metric name, optional labels and a value.
var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (\S+)$`)

// mustParseExposition checks the text format (HELP and TYPE before each
// family's samples, no repeated series or family, valid label syntax,
// cumulative buckets ending in +Inf equal to _count) and returns each
// series' value by its name and labels as printed.
func mustParseExposition(tb testing.TB, text string) map[string]float64 {
	tb.Helper()
	series := map[string]float64{}
	types := map[string]string{}
	help := map[string]bool{}
	if !strings.HasSuffix(text, "\n") {
		tb.Errorf("exposition does not end with a line feed")
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" {
			switch f[1] {
			case "HELP":
				if help[f[2]] {
					tb.Errorf("HELP for %s repeated", f[2])
				}
				help[f[2]] = true
			case "TYPE":
				if _, dup := types[f[2]]; dup || len(f) != 4 {
					tb.Errorf("bad or repeated TYPE line %q", line)
				}
				types[f[2]] = f[3]
			}
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			tb.Errorf("malformed sample line %q", line)
			continue
		}
		family := familyOf(m[1], types)
		if types[family] == "" || !help[family] {
			tb.Errorf("sample %q has no TYPE or HELP before it", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			tb.Errorf("sample %q: value: %v", line, err)
		}
		key := m[1] + m[2]
		if _, dup := series[key]; dup {
			tb.Errorf("series %s repeated", key)
		}
		series[key] = v
	}
	checkHistograms(tb, series, types)
	return series
}

// familyOf strips a histogram sample's suffix.
func familyOf(name string, types map[string]string) string {
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suf); ok && types[base] == "histogram" {
			return base
		}
	}
	return name
}

var leLabel = regexp.MustCompile(`,?le="([^"]*)"`)

// checkHistograms checks that each histogram's buckets are cumulative and
// that +Inf equals _count.
func checkHistograms(tb testing.TB, series map[string]float64, types map[string]string) {
	tb.Helper()
	buckets := map[string]map[float64]float64{} // by name{labels without le}, then le
	for key, v := range series {
		name, labels, _ := strings.Cut(key, "{")
		base, ok := strings.CutSuffix(name, "_bucket")
		if !ok || types[base] != "histogram" {
			continue
		}
		m := leLabel.FindStringSubmatch(labels)
		if m == nil {
			tb.Errorf("bucket %s has no le label", key)
			continue
		}
		le, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			tb.Errorf("bucket %s: le: %v", key, err)
		}
		rest := strings.TrimPrefix(strings.TrimSuffix(leLabel.ReplaceAllString(labels, ""), "}"), ",")
		id := base
		if rest != "" {
			id += "{" + rest + "}"
		}
		if buckets[id] == nil {
			buckets[id] = map[float64]float64{}
		}
		buckets[id][le] = v
	}
	for id, bs := range buckets {
		prev := 0.0
		for _, le := range slices.Sorted(maps.Keys(bs)) {
			if bs[le] < prev {
				tb.Errorf("%s: bucket le=%v has %v, less than the one before (%v)", id, le, bs[le], prev)
			}
			prev = bs[le]
		}
		base, labels, _ := strings.Cut(id, "{")
		countKey := base + "_count"
		if labels != "" {
			countKey += "{" + labels
		}
		inf, ok := bs[math.Inf(1)]
		if !ok || series[countKey] != inf {
			tb.Errorf("%s: +Inf bucket=%v (present %v), _count=%v, want equal", id, inf, ok, series[countKey])
		}
	}
}
