package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// sectionNames are the folders bench/run writes, in report order.
var sectionNames = []string{"main", "paging", "memory", "postgres"}

// serverOrder lists the servers first in each table, reference first.
var serverOrder = []string{"bare", "temgraph", "pgbench", "page1", "pagelast"}

// opOrder lists the operations in table order.
var opOrder = []string{"get", "patch", "list", "page", "mixed"}

// pairs are the side-by-side ratios reported when both servers ran a cell.
var pairs = [][2]string{{"temgraph", "bare"}, {"temgraph", "pgbench"}, {"pagelast", "page1"}}

// nameRE matches a run file: r<round>_<server>_<op>_c<conns>.txt.
var nameRE = regexp.MustCompile(`^r(\d+)_([a-z0-9]+)_([a-z]+)_c(\d+)\.txt$`)

// cell names one measured combination.
type cell struct {
	op     string
	conns  int
	server string
}

// rss is one peak-memory reading of temgraph.
type rss struct {
	phase      string
	hwm, cur   int64 // KiB
	annotation string
}

// section is one folder of a run: the main matrix, paging, memory or
// PostgreSQL.
type section struct {
	name  string
	meta  string
	notes string
	runs  map[cell]map[int]run // by round
	rss   []rss
	// unreadable lists run files without figures (a load command failed).
	unreadable []string
}

// results is a whole run.
type results struct {
	dir      string
	sections []*section
}

// load reads every section folder present under dir.
func load(dir string) (*results, error) {
	res := &results{dir: dir}
	for _, name := range sectionNames {
		path := filepath.Join(dir, name)
		if st, err := os.Stat(path); err != nil || !st.IsDir() {
			continue
		}
		s, err := loadSection(name, path)
		if err != nil {
			return nil, err
		}
		res.sections = append(res.sections, s)
	}
	if len(res.sections) == 0 {
		return nil, fmt.Errorf("no section folders (%s) in %s", strings.Join(sectionNames, ", "), dir)
	}
	return res, nil
}

func loadSection(name, path string) (*section, error) {
	s := &section{name: name, runs: map[cell]map[int]run{}}
	s.meta = readText(filepath.Join(path, "meta.txt"))
	s.notes = readText(filepath.Join(path, "notes.txt"))
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	for _, e := range ents {
		m := nameRE.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		// A run that produced no figures stays in as a run without
		// requests, which -check reports.
		r, err := parseFile(filepath.Join(path, e.Name()))
		if err != nil {
			s.unreadable = append(s.unreadable, err.Error())
		}
		round, _ := strconv.Atoi(m[1])
		conns, _ := strconv.Atoi(m[4])
		c := cell{op: m[3], conns: conns, server: m[2]}
		if s.runs[c] == nil {
			s.runs[c] = map[int]run{}
		}
		s.runs[c][round] = r
	}
	s.rss, err = readRSS(filepath.Join(path, "rss.txt"))
	return s, err
}

// readText returns a file's text, or "" if it does not exist.
func readText(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// readRSS reads lines "<phase> VmHWM=<KiB> VmRSS=<KiB> [annotation]".
func readRSS(path string) ([]rss, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open rss: %w", err)
	}
	defer f.Close()
	var out []rss
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 {
			continue
		}
		r := rss{phase: fs[0], annotation: strings.Join(fs[3:], " ")}
		r.hwm, _ = strconv.ParseInt(strings.TrimPrefix(fs[1], "VmHWM="), 10, 64)
		r.cur, _ = strconv.ParseInt(strings.TrimPrefix(fs[2], "VmRSS="), 10, 64)
		out = append(out, r)
	}
	return out, sc.Err()
}

// groups returns the (op, conns) pairs of a section in table order.
func (s *section) groups() []cell {
	seen := map[cell]bool{}
	var out []cell
	for c := range s.runs {
		g := cell{op: c.op, conns: c.conns}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := rank(opOrder, out[i].op), rank(opOrder, out[j].op); a != b {
			return a < b
		}
		return out[i].conns < out[j].conns
	})
	return out
}

// servers returns the servers measured in group g, reference first.
func (s *section) servers(g cell) []string {
	var out []string
	for c := range s.runs {
		if c.op == g.op && c.conns == g.conns {
			out = append(out, c.server)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := rank(serverOrder, out[i]), rank(serverOrder, out[j]); a != b {
			return a < b
		}
		return out[i] < out[j]
	})
	return out
}

// rank is the position of v in order, or len(order) if absent.
func rank(order []string, v string) int {
	for i, x := range order {
		if x == v {
			return i
		}
	}
	return len(order)
}

// section returns the named section, or nil.
func (res *results) section(name string) *section {
	for _, s := range res.sections {
		if s.name == name {
			return s
		}
	}
	return nil
}
