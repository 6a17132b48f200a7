// Command report summarises a benchmark run written by bench/run as
// Markdown: per cell the median over rounds with the range, latency
// percentiles and error counts; ratios taken round by round between servers
// measured side by side (temgraph to the bare server, temgraph to pgbench,
// the last page to the first), then their median; peak memory; and, with
// -targets, whether each performance target is met.
//
// usage: report [-targets] [-check] OUTDIR
//
//	report -pglog DIR   prints pgbench per-transaction latency percentiles
//
// With -check it exits 1 when a run has failed: a cell without requests,
// a non-2xx answer or a socket error from temgraph, or a missing cell. It
// never fails on timing.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	targets := flag.Bool("targets", false, "evaluate the performance targets")
	check := flag.Bool("check", false, "exit 1 if any run failed (never on timing)")
	pglog := flag.String("pglog", "", "print latency percentiles of the pgbench logs in this folder")
	flag.Parse()

	if *pglog != "" {
		if err := printPgbenchLatency(os.Stdout, *pglog); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-targets] [-check] OUTDIR | report -pglog DIR")
		os.Exit(2)
	}
	res, err := load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	res.write(os.Stdout)
	if *targets {
		writeTargets(os.Stdout, res)
	}
	if *check {
		if problems := res.problems(); len(problems) > 0 {
			fmt.Println("\n**Check failed:**")
			for _, p := range problems {
				fmt.Println("-", p)
			}
			os.Exit(1)
		}
		fmt.Println("\nCheck passed: every run answered, no non-2xx answers or socket errors from temgraph.")
	}
}
