package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// median of xs; 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// stats summarises one cell over its rounds.
type stats struct {
	rounds             int
	rps, lo, hi        float64
	p50, p99, max      float64
	non2xx, sockErrs   int64
	requests           int64
	serverCPU, loadCPU float64 // cores, median over rounds
	machCPU            float64 // cores, median over rounds
	cpuPerReq          float64 // server CPU µs per request, median over rounds
}

func summarise(rounds map[int]run) stats {
	st := stats{rounds: len(rounds), lo: -1}
	var rps, p50, p99, mx, scpu, lcpu, mcpu, perReq []float64
	for _, r := range rounds {
		rps = append(rps, r.rps)
		if st.lo < 0 || r.rps < st.lo {
			st.lo = r.rps
		}
		st.hi = max(st.hi, r.rps)
		p50, p99, mx = append(p50, r.p50), append(p99, r.p99), append(mx, r.max)
		st.non2xx += r.non2xx
		st.sockErrs += r.sockErrs
		st.requests += r.requests
		if r.real > 0 {
			scpu = append(scpu, r.serverCPU/r.real)
			lcpu = append(lcpu, r.loadCPU/r.real)
			mcpu = append(mcpu, r.machCPU/r.real)
		}
		if r.requests > 0 && r.serverCPU > 0 {
			perReq = append(perReq, r.serverCPU/float64(r.requests)*1e6)
		}
	}
	st.rps, st.p50, st.p99, st.max = median(rps), median(p50), median(p99), median(mx)
	st.serverCPU, st.loadCPU, st.machCPU = median(scpu), median(lcpu), median(mcpu)
	st.cpuPerReq = median(perReq)
	return st
}

// ratio is a side-by-side comparison of two servers in one cell.
type ratio struct {
	perRound []float64 // req/s of num over den, by round
	rps      float64   // median of perRound
	p50      float64   // median of per-round p50 num/den
	p50Diff  float64   // median of per-round p50 num-den, ms
	cpu      float64   // median of per-round server CPU per request, num/den
}

// compare takes the ratios of num to den round by round.
func compare(num, den map[int]run) (ratio, bool) {
	var rounds []int
	for k := range num {
		if _, ok := den[k]; ok {
			rounds = append(rounds, k)
		}
	}
	if len(rounds) == 0 {
		return ratio{}, false
	}
	sort.Ints(rounds)
	var rt ratio
	var p50, diff, cpu []float64
	for _, k := range rounds {
		n, d := num[k], den[k]
		if cn, cd := perRequest(n), perRequest(d); cn > 0 && cd > 0 {
			cpu = append(cpu, cn/cd)
		}
		if d.rps > 0 {
			rt.perRound = append(rt.perRound, n.rps/d.rps)
		}
		if d.p50 > 0 {
			p50 = append(p50, n.p50/d.p50)
		}
		diff = append(diff, n.p50-d.p50)
	}
	rt.rps, rt.p50, rt.p50Diff, rt.cpu = median(rt.perRound), median(p50), median(diff), median(cpu)
	return rt, true
}

// perRequest is a run's server CPU per request in seconds; 0 if unknown.
func perRequest(r run) float64 {
	if r.requests == 0 {
		return 0
	}
	return r.serverCPU / float64(r.requests)
}

// write prints every section.
func (res *results) write(w io.Writer) {
	for _, s := range res.sections {
		fmt.Fprintf(w, "\n## %s\n", s.name)
		if s.meta != "" {
			fmt.Fprintf(w, "\n```\n%s\n```\n", s.meta)
		}
		if len(s.runs) > 0 {
			s.writeCells(w)
			s.writeRatios(w)
		}
		if len(s.rss) > 0 {
			s.writeRSS(w)
		}
		if s.notes != "" {
			fmt.Fprintf(w, "\n```\n%s\n```\n", s.notes)
		}
	}
}

func (s *section) writeCells(w io.Writer) {
	fmt.Fprintln(w, "\n| op | conns | server | rounds | median req/s | min–max req/s | p50 ms | p99 ms | max ms "+
		"| non-2xx | socket errors | server CPU µs/req | server CPU | load generator CPU | machine CPU |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, g := range s.groups() {
		for _, srv := range s.servers(g) {
			st := summarise(s.runs[cell{g.op, g.conns, srv}])
			fmt.Fprintf(w, "| %s | %d | %s | %d | %.0f | %.0f–%.0f | %.3f | %.3f | %.1f | %d | %d | %s | %s | %s | %s |\n",
				g.op, g.conns, srv, st.rounds, st.rps, st.lo, st.hi, st.p50, st.p99, st.max,
				st.non2xx, st.sockErrs, micros(st.cpuPerReq), cores(st.serverCPU), cores(st.loadCPU), cores(st.machCPU))
		}
	}
}

// micros formats a per-request CPU cost; "–" when it was not measured.
func micros(us float64) string {
	if us == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", us)
}

// cores formats a CPU share in cores; "–" when it was not measured.
func cores(c float64) string {
	if c == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", c)
}

func (s *section) writeRatios(w io.Writer) {
	var lines []string
	for _, g := range s.groups() {
		for _, p := range pairs {
			num, den := s.runs[cell{g.op, g.conns, p[0]}], s.runs[cell{g.op, g.conns, p[1]}]
			rt, ok := compare(num, den)
			if !ok {
				continue
			}
			cpu := "–"
			if rt.cpu > 0 {
				cpu = fmt.Sprintf("%.2f", rt.cpu)
			}
			lines = append(lines, fmt.Sprintf("| %s | %d | %s / %s | %s | **%.3f** | %.2f | %+.3f | %s |",
				g.op, g.conns, p[0], p[1], formatList(rt.perRound), rt.rps, rt.p50, rt.p50Diff, cpu))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\n| op | conns | ratio | req/s ratio by round | median req/s ratio | median p50 ratio "+
		"| median p50 difference ms | median server CPU per request ratio |")
	fmt.Fprintln(w, "|---|---:|---|---|---:|---:|---:|---:|")
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}

func formatList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.3f", x)
	}
	return strings.Join(parts, " ")
}

func (s *section) writeRSS(w io.Writer) {
	fmt.Fprintln(w, "\n| temgraph process | peak RSS (VmHWM) | RSS at the end (VmRSS) | during |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	for _, r := range s.rss {
		fmt.Fprintf(w, "| %s | %.1f MiB | %.1f MiB | %s |\n", r.phase, mib(r.hwm), mib(r.cur), r.annotation)
	}
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

// problems lists the failures -check reports: cells without requests,
// temgraph errors, failed pgbench transactions and rounds missing a server.
func (res *results) problems() []string {
	var out []string
	for _, s := range res.sections {
		out = append(out, s.unreadable...)
		for _, g := range s.groups() {
			servers := s.servers(g)
			rounds := -1
			for _, srv := range servers {
				runs := s.runs[cell{g.op, g.conns, srv}]
				where := fmt.Sprintf("%s: %s %s at %d conns", s.name, srv, g.op, g.conns)
				for k, r := range runs {
					if r.requests == 0 || r.rps == 0 {
						out = append(out, fmt.Sprintf("%s, round %d: no requests completed", where, k))
					}
				}
				st := summarise(runs)
				if st.non2xx > 0 || st.sockErrs > 0 {
					out = append(out, fmt.Sprintf("%s: %d non-2xx answers (or failed transactions), %d socket errors",
						where, st.non2xx, st.sockErrs))
				}
				if rounds >= 0 && len(runs) != rounds {
					out = append(out, fmt.Sprintf("%s: %d rounds, other servers %d", where, len(runs), rounds))
				}
				rounds = len(runs)
			}
		}
	}
	return out
}
