// Command pager walks a temgraph collection by following @odata.nextLink
// from the first page, checks that the pages hold distinct partners, and
// writes the URL of a chosen page so that the benchmark can time fetching
// it against fetching the first page.
//
// Exit status: 0 when the page was reached, 3 when the first page has no
// nextLink (the server does not page), 4 when the links stop earlier, 5 when
// a page repeats partners of earlier pages (the links do not move on),
// 1 on any other failure.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"time"
)

// page is the part of a collection answer the walk reads.
type page struct {
	Value []struct {
		ID string `json:"id"`
	} `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// walk is what following the links found.
type walk struct {
	pages, items int
	distinct     map[string]bool
	latency      []time.Duration // fetch time of each page, in order
	target       string          // URL of the wanted page
}

// Errors that end a walk early.
var (
	errNoLinks = errors.New("no @odata.nextLink")
	errRepeats = errors.New("page repeats partners of earlier pages")
)

func main() {
	first := flag.String("url", "", "URL of the first page")
	want := flag.Int("page", 1000, "page whose URL to write")
	out := flag.String("out", "", "file to write the page's URL to")
	flag.Parse()
	token := os.Getenv("BENCH_TOKEN")
	if *first == "" || *want < 1 || token == "" {
		fmt.Fprintln(os.Stderr, "usage: BENCH_TOKEN=... pager -url FIRST [-page N] [-out FILE]")
		os.Exit(2)
	}
	w, err := follow(&http.Client{Timeout: 30 * time.Second}, *first, token, *want)
	report(w, *want)
	switch {
	case errors.Is(err, errNoLinks) && w.pages <= 1:
		fmt.Println("the first page has no @odata.nextLink: the server does not page this collection")
		os.Exit(3)
	case errors.Is(err, errNoLinks):
		fmt.Printf("the nextLinks stopped at page %d of %d\n", w.pages, *want)
		os.Exit(4)
	case errors.Is(err, errRepeats):
		fmt.Printf("page %d repeats partners of earlier pages: following @odata.nextLink does not advance\n", w.pages)
		os.Exit(5)
	case err != nil:
		fmt.Fprintln(os.Stderr, "pager:", err)
		os.Exit(1)
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(w.target+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "pager:", err)
			os.Exit(1)
		}
	}
}

// follow fetches pages from first until page want, or until a page has no
// nextLink.
func follow(c *http.Client, first, token string, want int) (*walk, error) {
	w := &walk{distinct: map[string]bool{}, target: first}
	next := first
	for w.pages < want {
		w.target = next
		start := time.Now()
		p, err := fetch(c, next, token)
		if err != nil {
			return w, fmt.Errorf("page %d: %w", w.pages+1, err)
		}
		w.latency = append(w.latency, time.Since(start))
		w.pages++
		w.items += len(p.Value)
		fresh := 0
		for _, v := range p.Value {
			if !w.distinct[v.ID] {
				w.distinct[v.ID] = true
				fresh++
			}
		}
		if fresh < len(p.Value) {
			return w, errRepeats
		}
		if w.pages == want {
			return w, nil
		}
		if p.NextLink == "" {
			return w, errNoLinks
		}
		if next, err = resolve(next, p.NextLink); err != nil {
			return w, fmt.Errorf("page %d: %w", w.pages, err)
		}
	}
	return w, nil
}

// fetch GETs one page.
func fetch(c *http.Client, u, token string) (*page, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	return &p, nil
}

// resolve makes a nextLink absolute against the page that carried it.
func resolve(base, link string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", base, err)
	}
	l, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("parse nextLink %q: %w", link, err)
	}
	return b.ResolveReference(l).String(), nil
}

// report prints what the walk saw.
func report(w *walk, want int) {
	fmt.Printf("pages fetched %d (wanted %d); items %d, distinct ids %d\n",
		w.pages, want, w.items, len(w.distinct))
	if w.items != len(w.distinct) {
		fmt.Printf("WARNING: %d items were repeated across pages\n", w.items-len(w.distinct))
	}
	if len(w.latency) == 0 {
		return
	}
	rest := append([]time.Duration(nil), w.latency[1:]...)
	sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
	line := fmt.Sprintf("walk fetch time: page 1 %s, last page %s", ms(w.latency[0]), ms(w.latency[len(w.latency)-1]))
	if len(rest) > 0 {
		line += fmt.Sprintf(", median of pages 2..%d %s", w.pages, ms(rest[len(rest)/2]))
	}
	fmt.Println(line)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }
