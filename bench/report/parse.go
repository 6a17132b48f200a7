package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// run is one measured cell of one round: a wrk or pgbench run.
type run struct {
	requests  int64
	rps       float64
	p50, p99  float64 // milliseconds
	max       float64 // milliseconds
	non2xx    int64
	sockErrs  int64
	serverCPU float64 // seconds of CPU the server process used
	loadCPU   float64 // seconds of CPU the load generator used
	machCPU   float64 // seconds of CPU the whole machine used (every process)
	real      float64 // seconds of wall time
	load      string  // load average when the run ended
}

// durRE matches wrk's latencies: "162.00us", "1.85ms", "1.02s", "1.50m".
var durRE = regexp.MustCompile(`^([\d.]+)(us|ms|s|m|h)$`)

// millis converts a wrk latency to milliseconds; -1 if it is not one.
func millis(s string) float64 {
	m := durRE.FindStringSubmatch(s)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return -1
	}
	scale := map[string]float64{"us": 0.001, "ms": 1, "s": 1e3, "m": 6e4, "h": 3.6e6}
	return v * scale[m[2]]
}

// parseFile reads one run's output file.
func parseFile(path string) (run, error) {
	f, err := os.Open(path)
	if err != nil {
		return run{}, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	r, err := parseRun(f)
	if err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// parseRun reads wrk's --latency output or pgbench's summary, plus the
// driver's "bench:" trailer lines.
func parseRun(rd io.Reader) (run, error) {
	var r run
	seenRate := false
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		fs := strings.Fields(line)
		if len(fs) == 0 {
			continue
		}
		switch {
		case fs[0] == "Requests/sec:" && len(fs) >= 2:
			r.rps, _ = strconv.ParseFloat(fs[1], 64)
			seenRate = true
		case len(fs) >= 3 && fs[1] == "requests" && fs[2] == "in":
			r.requests, _ = strconv.ParseInt(fs[0], 10, 64)
		case fs[0] == "Latency" && len(fs) >= 4:
			r.max = millis(fs[3])
		case fs[0] == "50%" && len(fs) >= 2:
			r.p50 = millis(fs[1])
		case fs[0] == "99%" && len(fs) >= 2:
			r.p99 = millis(fs[1])
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			r.non2xx, _ = strconv.ParseInt(fs[len(fs)-1], 10, 64)
		case strings.HasPrefix(line, "Socket errors:"):
			r.sockErrs = socketErrors(line)
		case fs[0] == "tps" && len(fs) >= 3:
			r.rps, _ = strconv.ParseFloat(fs[2], 64)
			seenRate = true
		case strings.HasPrefix(line, "number of transactions actually processed:"):
			r.requests, _ = strconv.ParseInt(strings.Split(fs[len(fs)-1], "/")[0], 10, 64)
		case strings.HasPrefix(line, "number of failed transactions:") && len(fs) >= 5:
			r.non2xx, _ = strconv.ParseInt(fs[4], 10, 64)
		case fs[0] == "bench:":
			trailer(&r, fs[1:])
		}
	}
	if err := sc.Err(); err != nil {
		return r, fmt.Errorf("read: %w", err)
	}
	if !seenRate {
		return r, fmt.Errorf("no Requests/sec or tps line")
	}
	return r, nil
}

// socketErrors adds up "Socket errors: connect 0, read 0, write 0, timeout 0".
func socketErrors(line string) int64 {
	var n int64
	for _, part := range strings.Split(strings.TrimPrefix(line, "Socket errors:"), ",") {
		fs := strings.Fields(part)
		if len(fs) == 2 {
			v, _ := strconv.ParseInt(fs[1], 10, 64)
			n += v
		}
	}
	return n
}

// trailer reads the driver's key=value figures.
func trailer(r *run, kvs []string) {
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		x, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "server_cpu_s":
			r.serverCPU = x
		case "load_cpu_s":
			r.loadCPU = x
		case "machine_cpu_s":
			r.machCPU = x
		case "real_s":
			r.real = x
		case "load":
			r.load = v
		case "p50_ms":
			r.p50 = x
		case "p99_ms":
			r.p99 = x
		case "max_ms":
			r.max = x
		}
	}
}
