package main

import (
	"strings"
	"testing"
)

const wrkOutput = `Running 10s test @ http://127.0.0.1:40000/beta/deviceManagement/telecomExpenseManagementPartners/x
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.75ms    5.30ms  47.65ms   94.68%
    Req/Sec     3.77k     2.61k    7.10k    70.00%
  Latency Distribution
     50%  162.00us
     75%    0.87ms
     90%    3.88ms
     99%    1.02s
  3768 requests in 1.01s, 1.87MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 17
Requests/sec:   3747.62
Transfer/sec:      1.86MB
bench: server_cpu_s=0.80 load_cpu_s=0.30 real_s=1.01 load=1.20
`

const pgbenchOutput = `transaction type: update.sql
number of clients: 16
number of transactions actually processed: 129154
number of failed transactions: 2 (0.002%)
latency average = 0.991 ms
tps = 16144.123456 (without initial connection time)
bench: p50_ms=0.857 p99_ms=2.238 max_ms=16.400 logged=129154
`

func TestParseRun(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want run
	}{
		{"Wrk", wrkOutput, run{requests: 3768, rps: 3747.62, p50: 0.162, p99: 1020, max: 47.65,
			non2xx: 17, sockErrs: 5, serverCPU: 0.8, loadCPU: 0.3, real: 1.01, load: "1.20"}},
		{"Pgbench", pgbenchOutput, run{requests: 129154, rps: 16144.123456, p50: 0.857, p99: 2.238,
			max: 16.4, non2xx: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRun(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("parseRun: %v", err)
			}
			if got != tt.want {
				t.Errorf("parseRun=%+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseRun_NoRate(t *testing.T) {
	_, err := parseRun(strings.NewReader("unable to connect to 127.0.0.1:1 Connection refused\n"))
	if err == nil {
		t.Fatal("parseRun of a failed wrk run: no error, want one")
	}
}

func TestMillis(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"162.00us", 0.162}, {"1.85ms", 1.85}, {"2.00s", 2000}, {"1.50m", 90000}, {"12%", -1},
	}
	for _, tt := range tests {
		if got := millis(tt.in); got != tt.want {
			t.Errorf("millis(%q)=%v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	num := map[int]run{1: {rps: 50, p50: 2, requests: 100, serverCPU: 4}, 2: {rps: 30, p50: 3}, 3: {rps: 40, p50: 4}}
	den := map[int]run{1: {rps: 100, p50: 1, requests: 100, serverCPU: 1}, 2: {rps: 100, p50: 1}, 4: {rps: 1, p50: 1}}
	got, ok := compare(num, den)
	if !ok {
		t.Fatal("compare: no common round, want rounds 1 and 2")
	}
	if len(got.perRound) != 2 || got.perRound[0] != 0.5 || got.perRound[1] != 0.3 {
		t.Errorf("perRound=%v, want [0.5 0.3]", got.perRound)
	}
	if got.rps != 0.4 || got.p50 != 2.5 || got.p50Diff != 1.5 {
		t.Errorf("rps=%v p50=%v p50Diff=%v, want 0.4 2.5 1.5", got.rps, got.p50, got.p50Diff)
	}
	if got.cpu != 4 {
		t.Errorf("cpu=%v, want 4 (round 1 only: round 2 has no CPU figures)", got.cpu)
	}
}

func TestResults_Problems(t *testing.T) {
	s := &section{name: "main", runs: map[cell]map[int]run{
		{"get", 1, "bare"}:       {1: {requests: 10, rps: 10}, 2: {requests: 10, rps: 10}},
		{"get", 1, "temgraph"}:   {1: {requests: 10, rps: 10, non2xx: 3}},
		{"patch", 1, "bare"}:     {1: {requests: 10, rps: 10}},
		{"patch", 1, "temgraph"}: {1: {requests: 10, rps: 10}},
	}}
	got := (&results{sections: []*section{s}}).problems()
	if len(got) != 2 {
		t.Fatalf("problems=%q, want two (non-2xx, missing round)", got)
	}
	for _, want := range []string{"non-2xx", "1 rounds, other servers 2"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("problems=%q, want one mentioning %q", got, want)
		}
	}
}
