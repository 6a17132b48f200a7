package main

import (
	"fmt"
	"io"
	"strings"
)

// peerRatios are json-server's and Prism's throughput as a ratio to the
// bare net/http server on this machine, from the performance anchors
// (5 rounds, same wrk method); keyed by op and connections.
var peerRatios = map[cell][2]float64{
	{op: "get", conns: 16}:   {0.046, 0.065},
	{op: "get", conns: 64}:   {0.065, 0.070},
	{op: "patch", conns: 16}: {0.047, 0.051},
	{op: "patch", conns: 64}: {0.060, 0.055},
}

// verdict is one target's outcome.
type verdict struct {
	target, got, outcome string
}

const (
	met         = "met"
	notMet      = "**not met**"
	notMeasured = "not measured"
)

func outcome(ok bool) string {
	if ok {
		return met
	}
	return notMet
}

// writeTargets evaluates the targets over the run and prints them.
func writeTargets(w io.Writer, res *results) {
	var vs []verdict
	m := res.section("main")
	vs = append(vs, throughputTargets(m)...)
	vs = append(vs, p99Target(m), errorTarget(res))
	vs = append(vs, oneConnTargets(m)...)
	vs = append(vs, postgresTarget(res.section("postgres")), pagingTarget(res.section("paging")))
	vs = append(vs, memoryTarget(res), peerTarget(m))

	fmt.Fprintln(w, "\n## Targets\n\n| target | measured | outcome |\n|---|---|---|")
	for _, v := range vs {
		fmt.Fprintf(w, "| %s | %s | %s |\n", v.target, v.got, v.outcome)
	}
}

// sideBySide returns the ratio of temgraph to bare in a main cell.
func sideBySide(s *section, op string, conns int, den string) (ratio, bool) {
	if s == nil {
		return ratio{}, false
	}
	return compare(s.runs[cell{op, conns, "temgraph"}], s.runs[cell{op, conns, den}])
}

func throughputTargets(s *section) []verdict {
	var out []verdict
	for _, t := range []struct {
		op   string
		want float64
	}{{"get", 0.50}, {"patch", 0.35}} {
		v := verdict{target: fmt.Sprintf("64 conns %s ≥ %.2f× bare", strings.ToUpper(t.op), t.want)}
		if rt, ok := sideBySide(s, t.op, 64, "bare"); ok {
			v.got = fmt.Sprintf("%.3f× (rounds %s)", rt.rps, formatList(rt.perRound))
			v.outcome = outcome(rt.rps >= t.want)
		} else {
			v.got, v.outcome = "–", notMeasured
		}
		out = append(out, v)
	}
	return out
}

func p99Target(s *section) verdict {
	v := verdict{target: "p99 ≤ 10 ms (temgraph, 64 conns, GET and PATCH)"}
	if s == nil {
		return verdict{v.target, "–", notMeasured}
	}
	var parts []string
	ok, measured := true, false
	for _, op := range []string{"get", "patch", "list"} {
		runs := s.runs[cell{op, 64, "temgraph"}]
		if len(runs) == 0 {
			continue
		}
		st := summarise(runs)
		parts = append(parts, fmt.Sprintf("%s %.2f ms", strings.ToUpper(op), st.p99))
		if op != "list" {
			measured = true
			ok = ok && st.p99 <= 10
		}
	}
	if !measured {
		return verdict{v.target, "–", notMeasured}
	}
	v.got, v.outcome = strings.Join(parts, ", ")+" (median of rounds; LIST for reference)", outcome(ok)
	return v
}

func errorTarget(res *results) verdict {
	var n2, se, cells int64
	for _, s := range res.sections {
		for c, runs := range s.runs {
			if c.server == "bare" || c.server == "pgbench" {
				continue
			}
			st := summarise(runs)
			n2, se, cells = n2+st.non2xx, se+st.sockErrs, cells+1
		}
	}
	if cells == 0 {
		return verdict{"no non-2xx answers", "–", notMeasured}
	}
	return verdict{"no non-2xx answers", fmt.Sprintf("%d non-2xx, %d socket errors over %d temgraph cells", n2, se, cells),
		outcome(n2 == 0 && se == 0)}
}

func oneConnTargets(s *section) []verdict {
	var out []verdict
	for _, t := range []struct {
		op   string
		want float64
	}{{"get", 0.1}, {"patch", 0.35}} {
		v := verdict{target: fmt.Sprintf("1 conn %s p50 within %.2f ms of bare", strings.ToUpper(t.op), t.want)}
		if rt, ok := sideBySide(s, t.op, 1, "bare"); ok {
			tg, b := summarise(s.runs[cell{t.op, 1, "temgraph"}]), summarise(s.runs[cell{t.op, 1, "bare"}])
			v.got = fmt.Sprintf("%+.3f ms (temgraph %.3f, bare %.3f)", rt.p50Diff, tg.p50, b.p50)
			v.outcome = outcome(rt.p50Diff <= t.want)
		} else {
			v.got, v.outcome = "–", notMeasured
		}
		out = append(out, v)
	}
	return out
}

func postgresTarget(pg *section) verdict {
	v := verdict{target: "PostgreSQL: PATCH at 16 conns ≥ 0.5× pgbench one-row UPDATE"}
	rt, ok := sideBySide(pg, "patch", 16, "pgbench")
	if !ok {
		v.got, v.outcome = "–", notMeasured
		if pg != nil && pg.notes != "" {
			v.got = firstLine(pg.notes)
		}
		return v
	}
	v.got = fmt.Sprintf("%.3f× (rounds %s)", rt.rps, formatList(rt.perRound))
	v.outcome = outcome(rt.rps >= 0.5)
	return v
}

func pagingTarget(pg *section) verdict {
	v := verdict{target: "last page latency ≤ 1.5× page 1, 1 conn (page 1000 of 100,000 partners in the full run)"}
	if pg == nil {
		return verdict{v.target, "–", notMeasured}
	}
	num, den := pg.runs[cell{"page", 1, "pagelast"}], pg.runs[cell{"page", 1, "page1"}]
	rt, ok := compare(num, den)
	if !ok {
		v.got, v.outcome = firstLine(pg.notes), notMeasured
		return v
	}
	a, b := summarise(num), summarise(den)
	v.got = fmt.Sprintf("p50 %.2f× (last page %.3f ms, page 1 %.3f ms); req/s %.2f×", rt.p50, a.p50, b.p50, rt.rps)
	v.outcome = outcome(rt.p50 <= 1.5)
	return v
}

func memoryTarget(res *results) verdict {
	v := verdict{target: "peak RSS ≤ 64 MiB"}
	var parts []string
	var peak int64
	for _, s := range res.sections {
		for _, r := range s.rss {
			parts = append(parts, fmt.Sprintf("%s %.1f MiB", r.phase, mib(r.hwm)))
			peak = max(peak, r.hwm)
		}
	}
	if len(parts) == 0 {
		return verdict{v.target, "–", notMeasured}
	}
	v.got, v.outcome = strings.Join(parts, ", "), outcome(mib(peak) <= 64)
	return v
}

func peerTarget(s *section) verdict {
	v := verdict{target: "≥ 8× json-server and Prism (their ratios to bare from the anchors, 16–64 conns)"}
	var parts []string
	ok, measured := true, false
	for _, c := range []cell{{op: "get", conns: 16}, {op: "get", conns: 64}, {op: "patch", conns: 16}, {op: "patch", conns: 64}} {
		rt, found := sideBySide(s, c.op, c.conns, "bare")
		if !found {
			continue
		}
		best := max(peerRatios[c][0], peerRatios[c][1])
		measured = true
		ok = ok && rt.rps >= 8*best
		parts = append(parts, fmt.Sprintf("%s@%d %.1f×", strings.ToUpper(c.op), c.conns, rt.rps/best))
	}
	if !measured {
		return verdict{v.target, "–", notMeasured}
	}
	v.got, v.outcome = strings.Join(parts, ", ")+" the faster peer", outcome(ok)
	return v
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if line == "" {
		return "–"
	}
	return line
}
