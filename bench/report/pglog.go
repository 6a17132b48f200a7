package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// printPgbenchLatency reads pgbench's per-transaction logs (-l) in dir,
// whose third field is the latency in microseconds, and prints a "bench:"
// trailer line with p50, p99 and max in milliseconds.
func printPgbenchLatency(w io.Writer, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return fmt.Errorf("list logs: %w", err)
	}
	var lat []float64
	for _, f := range files {
		xs, err := readPgbenchLog(f)
		if err != nil {
			return err
		}
		lat = append(lat, xs...)
	}
	if len(lat) == 0 {
		return fmt.Errorf("no transactions in the logs in %s", dir)
	}
	sort.Float64s(lat)
	at := func(q float64) float64 { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	fmt.Fprintf(w, "bench: p50_ms=%.3f p99_ms=%.3f max_ms=%.3f logged=%d\n",
		at(0.50)/1000, at(0.99)/1000, lat[len(lat)-1]/1000, len(lat))
	return nil
}

func readPgbenchLog(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	defer f.Close()
	var out []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 {
			continue
		}
		if us, err := strconv.ParseFloat(fs[2], 64); err == nil {
			out = append(out, us)
		}
	}
	return out, sc.Err()
}
