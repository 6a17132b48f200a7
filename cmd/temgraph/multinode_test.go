package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/storetest/pgtest"
)

// partnersPath is the collection every multi-node request goes to.
const partnersPath = "/beta/deviceManagement/telecomExpenseManagementPartners"

// TestServe_MultiNode runs two temgraph processes on one PostgreSQL
// database and checks that they behave as one service.
func TestServe_MultiNode(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	bin := buildTemgraph(t)

	// Both nodes start at once on the empty database, so their migrations race.
	nodes := make([]*tgNode, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = startNode(t, bin, dsn)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	n1, n2 := nodes[0], nodes[1]

	t.Run("ConcurrentPatches", func(t *testing.T) {
		testConcurrentPatches(t, newGraphClient(t, bin, dsn), n1, n2)
	})
	t.Run("PagingAcrossNodes", func(t *testing.T) {
		testPagingAcrossNodes(t, newGraphClient(t, bin, dsn), n1, n2)
	})
	t.Run("ETagAcrossNodes", func(t *testing.T) {
		testETagAcrossNodes(t, newGraphClient(t, bin, dsn), n1, n2)
	})
	t.Run("KillNode", func(t *testing.T) {
		testKillNode(t, newGraphClient(t, bin, dsn), n1, n2)
	})
}

// patchRounds is how many times node 1 and node 2 race their PATCHes.
const patchRounds = 60

// testConcurrentPatches patches displayName through node 1 and url through
// node 2 at the same moment, round after round: both must take effect.
func testConcurrentPatches(t *testing.T, c *graphClient, n1, n2 *tgNode) {
	id := c.mustCreate(t, n1, map[string]any{"displayName": "shared", "url": "u", "enabled": true})
	var elapsed time.Duration
	for r := 0; r < patchRounds; r++ {
		name, link := fmt.Sprintf("n1-%03d", r), fmt.Sprintf("https://n2.example/%03d", r)
		var res [2]graphResponse
		var errs [2]error
		start := time.Now()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			res[0], errs[0] = c.do("PATCH", n1.base+partnersPath+"/"+id, map[string]any{"displayName": name}, nil)
		}()
		go func() {
			defer wg.Done()
			res[1], errs[1] = c.do("PATCH", n2.base+partnersPath+"/"+id, map[string]any{"url": link}, nil)
		}()
		wg.Wait()
		elapsed += time.Since(start)
		for i := range res {
			if errs[i] != nil || res[i].status != http.StatusOK {
				t.Fatalf("round %d: PATCH via node %d: status=%d err=%v body=%s", r, i+1, res[i].status, errs[i], res[i].body)
			}
		}

		got := c.mustGet(t, []*tgNode{n1, n2}[r%2], id)
		if got["displayName"] != name || got["url"] != link {
			t.Fatalf("round %d: displayName=%v url=%v, want %s and %s", r, got["displayName"], got["url"], name, link)
		}
	}
	t.Logf("%d PATCHes in pairs across two nodes: %.0f PATCH/s while racing", 2*patchRounds,
		float64(2*patchRounds)/elapsed.Seconds())
}

// testPagingAcrossNodes follows @odata.nextLink, alternating nodes: the skip
// token one node signs, the other accepts, and every partner comes once.
func testPagingAcrossNodes(t *testing.T, c *graphClient, n1, n2 *tgNode) {
	var want []string
	for i := 0; i < 30; i++ {
		node := []*tgNode{n1, n2}[i%2]
		want = append(want, c.mustCreate(t, node, map[string]any{"displayName": fmt.Sprintf("p%02d", i)}))
	}
	slices.Sort(want)

	var got []string
	next := n1.base + partnersPath + "?$top=7"
	for page := 0; next != ""; page++ {
		if page > 10 {
			t.Fatalf("paging did not end after %d pages (%d partners so far)", page, len(got))
		}
		res, err := c.do("GET", next, nil, nil)
		if err != nil || res.status != http.StatusOK {
			t.Fatalf("page %d: status=%d err=%v body=%s", page, res.status, err, res.body)
		}
		var body struct {
			Value    []struct{ ID string }
			NextLink string `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(res.body, &body); err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if len(body.Value) > 7 {
			t.Fatalf("page %d has %d partners, want at most $top=7", page, len(body.Value))
		}
		for _, p := range body.Value {
			got = append(got, p.ID)
		}
		next = ""
		if body.NextLink != "" {
			next = onNode(t, body.NextLink, []*tgNode{n2, n1}[page%2])
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("paging visited %d partners (%d distinct), want each of %d once",
			len(got), len(slices.Compact(slices.Clone(got))), len(want))
	}
}

// testETagAcrossNodes checks that an entity tag issued by one node is
// honoured, and a stale one refused, by the other.
func testETagAcrossNodes(t *testing.T, c *graphClient, n1, n2 *tgNode) {
	id := c.mustCreate(t, n1, map[string]any{"displayName": "tagged"})
	res, err := c.do("GET", n1.base+partnersPath+"/"+id, nil, nil)
	etag := res.header.Get("ETag")
	if err != nil || res.status != http.StatusOK || etag == "" {
		t.Fatalf("GET via node 1: status=%d etag=%q err=%v", res.status, etag, err)
	}

	item := partnersPath + "/" + id
	ifMatch := map[string]string{"If-Match": etag}
	res, err = c.do("PATCH", n2.base+item, map[string]any{"enabled": true}, ifMatch)
	if err != nil || res.status != http.StatusOK {
		t.Fatalf("PATCH via node 2 with the current ETag: status=%d err=%v body=%s", res.status, err, res.body)
	}
	res, err = c.do("PATCH", n1.base+item, map[string]any{"displayName": "stale"}, ifMatch)
	if err != nil || res.status != http.StatusPreconditionFailed || !res.isGraphError(temgraph.EPreconditionFailed) {
		t.Fatalf("PATCH via node 1 with a stale ETag: status=%d err=%v body=%s, want a 412 %s error",
			res.status, err, res.body, temgraph.EPreconditionFailed)
	}
	res, err = c.do("DELETE", n1.base+item, nil, ifMatch)
	if err != nil || res.status != http.StatusPreconditionFailed || !res.isGraphError(temgraph.EPreconditionFailed) {
		t.Fatalf("DELETE via node 1 with a stale ETag: status=%d err=%v body=%s, want a 412 %s error",
			res.status, err, res.body, temgraph.EPreconditionFailed)
	}
	got := c.mustGet(t, n2, id)
	if got["displayName"] != "tagged" || got["enabled"] != true {
		t.Fatalf("after the refused writes displayName=%v enabled=%v, want tagged and true",
			got["displayName"], got["enabled"])
	}
}

// killWriters is how many clients write through node 1 when it is killed.
const killWriters = 4

// ackedWrite is a create node 1 answered 201 to.
type ackedWrite struct{ id, name string }

// testKillNode kills node 1 with SIGKILL while clients write through it and
// read through node 2: every write node 1 acknowledged is in the database,
// and node 2 serves on.
func testKillNode(t *testing.T, c *graphClient, n1, n2 *tgNode) {
	probe := c.mustCreate(t, n2, map[string]any{"displayName": "probe"})
	var killed atomic.Bool
	acked := make([][]ackedWrite, killWriters)
	writeErrs := make([]error, killWriters)
	var reads readCounts
	stop := make(chan struct{})
	var wg sync.WaitGroup

	for w := range acked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acked[w], writeErrs[w] = writeUntilKilled(c, n1, w, &killed)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		reads.readUntil(c, n2.base+partnersPath+"/"+probe, stop)
	}()

	time.Sleep(1500 * time.Millisecond)
	killed.Store(true)
	n1.kill(t)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	total := 0
	for w := range acked {
		if writeErrs[w] != nil {
			t.Errorf("writer %d before the kill: %v", w, writeErrs[w])
		}
		total += len(acked[w])
		for _, a := range acked[w] {
			if got := c.mustGet(t, n2, a.id); got["displayName"] != a.name {
				t.Fatalf("acknowledged partner %s has displayName=%v, want %s", a.id, got["displayName"], a.name)
			}
		}
	}
	if total < 10 {
		t.Fatalf("only %d writes were acknowledged before the kill; the test proves nothing", total)
	}
	if reads.failed.Load() != 0 || reads.ok.Load() == 0 {
		t.Fatalf("node 2 reads during the kill: %d ok, %d failed; want no failure", reads.ok.Load(), reads.failed.Load())
	}
	// Writes in flight at the kill may have committed unacknowledged.
	n := c.count(t, n2)
	if n < total+1 || n > total+1+killWriters {
		t.Fatalf("count=%d after %d acknowledged creates (and the probe), want at most %d more",
			n, total, killWriters)
	}
	t.Logf("%d creates acknowledged by node 1 before SIGKILL, all present; node 2 served %d reads meanwhile",
		total, reads.ok.Load())
}

// readCounts counts the reads of readUntil.
type readCounts struct{ ok, failed atomic.Int64 }

// readUntil GETs url until stop is closed, counting the answers.
func (rc *readCounts) readUntil(c *graphClient, url string, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		if res, err := c.do("GET", url, nil, nil); err == nil && res.status == http.StatusOK {
			rc.ok.Add(1)
		} else {
			rc.failed.Add(1)
		}
	}
}

// writeUntilKilled creates partners through node until the request fails
// after killed is set. It returns the acknowledged creates, and an error if
// a request failed before the kill.
func writeUntilKilled(c *graphClient, node *tgNode, w int, killed *atomic.Bool) ([]ackedWrite, error) {
	var acked []ackedWrite
	for k := 0; ; k++ {
		name := fmt.Sprintf("kill-w%d-%05d", w, k)
		res, err := c.do("POST", node.base+partnersPath, map[string]any{"displayName": name}, nil)
		if err == nil && res.status == http.StatusCreated {
			var p struct{ ID string }
			if err := json.Unmarshal(res.body, &p); err != nil || p.ID == "" {
				return acked, fmt.Errorf("201 without an id: %s", res.body)
			}
			acked = append(acked, ackedWrite{p.ID, name})
			continue
		}
		if killed.Load() {
			return acked, nil
		}
		return acked, fmt.Errorf("create: status=%d err=%v body=%s", res.status, err, res.body)
	}
}

// buildTemgraph builds this command once into the test's temp dir.
func buildTemgraph(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "temgraph")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// tgNode is a temgraph serve process.
type tgNode struct {
	cmd    *exec.Cmd
	base   string
	log    string
	exited chan struct{}
}

// startNode starts "temgraph serve" on a free loopback port and waits until
// /readyz answers. The process is stopped when the test ends.
func startNode(t *testing.T, bin, dsn string) (*tgNode, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	n := &tgNode{base: "http://" + addr, log: logFile.Name(), exited: make(chan struct{})}
	n.cmd = exec.Command(bin, "serve", "--addr", addr, "--db", dsn, "--throttling", "off")
	n.cmd.Stdout, n.cmd.Stderr = logFile, logFile
	if err := n.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start temgraph: %w", err)
	}
	go func() { n.cmd.Wait(); close(n.exited) }()
	t.Cleanup(func() { n.stop(t) })
	return n, n.waitReady()
}

// waitReady polls /readyz until it answers 200.
func (n *tgNode) waitReady() error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			return fmt.Errorf("temgraph serve exited at start: %s", n.logTail())
		default:
		}
		if res, err := http.Get(n.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("temgraph serve not ready after 30s: %s", n.logTail())
}

// kill sends SIGKILL and waits for the process to go.
func (n *tgNode) kill(t *testing.T) {
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-n.exited
}

// stop asks the process to shut down, killing it if it does not.
func (n *tgNode) stop(t *testing.T) {
	select {
	case <-n.exited:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		t.Errorf("temgraph serve did not stop on SIGTERM; killing it")
		n.cmd.Process.Kill()
		<-n.exited
	}
}

func (n *tgNode) logTail() string {
	b, _ := os.ReadFile(n.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// onNode points an absolute URL from one node at another.
func onNode(t *testing.T, link string, node *tgNode) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() {
		t.Fatalf("nextLink %q is not an absolute URL", link)
	}
	u.Host = strings.TrimPrefix(node.base, "http://")
	return u.String()
}

// graphClient calls the Graph API with one tenant's bearer token.
type graphClient struct {
	token string
	http  *http.Client
}

// newGraphClient mints a token for a new tenant with "temgraph token".
func newGraphClient(t *testing.T, bin, dsn string) *graphClient {
	t.Helper()
	out, err := exec.Command(bin, "token", "--db", dsn, "--tenant", temgraph.NewGUID()).Output()
	if err != nil {
		t.Fatalf("temgraph token: %v", err)
	}
	return &graphClient{token: strings.TrimSpace(string(out)), http: &http.Client{Timeout: 30 * time.Second}}
}

// graphResponse is a response read in full.
type graphResponse struct {
	status int
	header http.Header
	body   []byte
}

// isGraphError reports whether the body is a Graph error with the code.
func (r graphResponse) isGraphError(code string) bool {
	var body struct {
		Error struct {
			Code, Message string
			InnerError    struct {
				RequestID string `json:"request-id"`
			}
		}
	}
	err := json.Unmarshal(r.body, &body)
	return err == nil && body.Error.Code == code && body.Error.Message != "" && body.Error.InnerError.RequestID != ""
}

func (c *graphClient) do(method, url string, body any, header map[string]string) (graphResponse, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return graphResponse{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	if err != nil {
		return graphResponse{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return graphResponse{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return graphResponse{status: res.StatusCode, header: res.Header, body: b}, err
}

// mustCreate creates a partner through node and returns its id.
func (c *graphClient) mustCreate(t *testing.T, node *tgNode, body map[string]any) string {
	t.Helper()
	res, err := c.do("POST", node.base+partnersPath, body, nil)
	if err != nil || res.status != http.StatusCreated {
		t.Fatalf("create: status=%d err=%v body=%s", res.status, err, res.body)
	}
	var p struct{ ID string }
	if err := json.Unmarshal(res.body, &p); err != nil || p.ID == "" {
		t.Fatalf("create answered %s, want a partner with an id", res.body)
	}
	return p.ID
}

// mustGet reads a partner through node.
func (c *graphClient) mustGet(t *testing.T, node *tgNode, id string) map[string]any {
	t.Helper()
	res, err := c.do("GET", node.base+partnersPath+"/"+id, nil, nil)
	if err != nil || res.status != http.StatusOK {
		t.Fatalf("GET %s: status=%d err=%v body=%s", id, res.status, err, res.body)
	}
	var p map[string]any
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatalf("GET %s: %v", id, err)
	}
	return p
}

// count reads the tenant's partner count through node.
func (c *graphClient) count(t *testing.T, node *tgNode) int {
	t.Helper()
	res, err := c.do("GET", node.base+partnersPath+"/$count", nil, nil)
	if err != nil || res.status != http.StatusOK {
		t.Fatalf("$count: status=%d err=%v body=%s", res.status, err, res.body)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(res.body)))
	if err != nil {
		t.Fatalf("$count answered %q", res.body)
	}
	return n
}
