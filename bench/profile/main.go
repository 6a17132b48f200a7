// Command profile records a CPU profile (and an allocation profile) of
// temgraph's HTTP handler under wrk load. It wires the handler the way
// "temgraph serve" does (SQLite store with its default durable settings and
// partner cache, built-in issuer, access log at Info to a file, throttling
// off, GOGC 200), serves it on a loopback port inside this process, creates
// one partner, and drives one operation with the benchmark's wrk scripts
// while the profile runs. Only this process is profiled: wrk runs apart.
//
// usage: go run ./bench/profile -op patch -conns 16 -dur 10s -out /tmp/prof
//
//	go tool pprof -top /tmp/prof/cpu-patch.pprof
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/temgraph/temgraph/auth"
	temhttp "github.com/temgraph/temgraph/http"
	"github.com/temgraph/temgraph/sqlite"
)

// coll is the collection path the profile drives.
const coll = "/beta/deviceManagement/telecomExpenseManagementPartners"

// options are the command's flags.
type options struct {
	op, out, scripts, logLevel string
	conns                      int
	dur                        time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.op, "op", "get", "operation to drive: get, patch or list")
	flag.IntVar(&o.conns, "conns", 16, "wrk connections")
	flag.DurationVar(&o.dur, "dur", 10*time.Second, "length of the profiled load")
	flag.StringVar(&o.out, "out", os.TempDir(), "folder for cpu-OP.pprof, allocs-OP.pprof, the log and the database")
	flag.StringVar(&o.scripts, "scripts", "bench", "folder holding the wrk scripts (get.lua, patch.lua)")
	flag.StringVar(&o.logLevel, "log-level", "info", "access log level, as temgraph serve's --log-level")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	// As temgraph serve does: collect at 200 % heap growth unless GOGC is set.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(200)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("create out folder: %w", err)
	}
	dbPath := filepath.Join(o.out, "profile-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".db")
	db, err := sqlite.OpenExclusive(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	defer db.Close()
	logFile, err := os.Create(filepath.Join(o.out, "profile-"+o.op+".log"))
	if err != nil {
		return fmt.Errorf("create log: %w", err)
	}
	defer logFile.Close()

	h, key, err := handler(ctx, db, logFile, o.logLevel)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	go srv.Serve(ln)
	defer srv.Close()

	base := "http://" + ln.Addr().String()
	token, err := auth.Issue(key, auth.DefaultIssuerBase, auth.TokenRequest{
		Tenant: auth.DefaultTenant, ObjectID: auth.DefaultObjectID, AppID: auth.DefaultAppID,
		Audience: auth.GraphAudience, Scopes: []string{auth.ScopeReadWrite}, TTL: time.Hour,
	}, time.Now())
	if err != nil {
		return fmt.Errorf("issue token: %w", err)
	}
	url, script, err := target(base, token, o.op)
	if err != nil {
		return err
	}
	return profileLoad(o, url, script, token)
}

// handler builds temgraph's handler over db as the serve command does.
func handler(ctx context.Context, db *sqlite.DB, logOut io.Writer, level string) (http.Handler, *auth.SigningKey, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, nil, fmt.Errorf("log level %q: %w", level, err)
	}
	key, err := auth.LoadSigningKey(ctx, db)
	if err != nil {
		return nil, nil, fmt.Errorf("load signing key: %w", err)
	}
	skipKey, err := db.LoadOrCreateSecret(ctx, "skiptoken-hmac-key", func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load skip token key: %w", err)
	}
	srv := temhttp.NewServer(temhttp.Config{
		Store:        db,
		Verifier:     auth.NewVerifier(key, auth.DefaultIssuerBase, nil),
		Key:          key,
		IssuerBase:   auth.DefaultIssuerBase,
		Logger:       slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: lv})),
		PageSize:     100,
		MaxBodyBytes: 1 << 20,
		SkipTokenKey: skipKey,
	})
	return srv.Handler(), key, nil
}

// target creates the partners the operation needs and returns the URL and
// wrk script to drive.
func target(base, token, op string) (url, script string, err error) {
	var id string
	for i := 0; i < 20; i++ {
		got, err := create(base, token)
		if err != nil {
			return "", "", err
		}
		if id == "" {
			id = got
		}
	}
	switch op {
	case "get":
		return base + coll + "/" + id, "get.lua", nil
	case "patch":
		return base + coll + "/" + id, "patch.lua", nil
	case "list":
		return base + coll + "?$top=10", "get.lua", nil
	}
	return "", "", fmt.Errorf("unknown -op %q: use get, patch or list", op)
}

// create POSTs one partner and returns its id.
func create(base, token string) (string, error) {
	body := []byte(`{"displayName":"Display Name value","url":"Url value","appAuthorized":true,"enabled":true}`)
	req, err := http.NewRequest(http.MethodPost, base+coll, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("build create: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("create partner: %w", err)
	}
	defer resp.Body.Close()
	var p struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("create partner: status %d (%v)", resp.StatusCode, err)
	}
	return p.ID, nil
}

// profileLoad runs wrk against url while recording the CPU profile, then
// writes the allocation profile.
func profileLoad(o options, url, script, token string) error {
	cpuPath := filepath.Join(o.out, "cpu-"+o.op+".pprof")
	f, err := os.Create(cpuPath)
	if err != nil {
		return fmt.Errorf("create cpu profile: %w", err)
	}
	defer f.Close()

	cmd := exec.Command("wrk", "-t1", "-c"+strconv.Itoa(o.conns), "-d"+strconv.Itoa(int(o.dur.Seconds()))+"s",
		"--timeout", "5s", "--latency", "-s", filepath.Join(o.scripts, script), url)
	cmd.Env = append(os.Environ(), "BENCH_TOKEN="+token)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("start cpu profile: %w", err)
	}
	err = cmd.Run()
	pprof.StopCPUProfile()
	if err != nil {
		return fmt.Errorf("wrk: %w", err)
	}

	allocPath := filepath.Join(o.out, "allocs-"+o.op+".pprof")
	af, err := os.Create(allocPath)
	if err != nil {
		return fmt.Errorf("create allocs profile: %w", err)
	}
	defer af.Close()
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(af, 0); err != nil {
		return fmt.Errorf("write allocs profile: %w", err)
	}
	fmt.Printf("profiles: %s %s\n", cpuPath, allocPath)
	return nil
}
