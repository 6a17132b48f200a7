package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mustRunCert runs "temgraph cert" with args and returns its output.
func mustRunCert(tb testing.TB, args ...string) string {
	tb.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"cert"}, args...), &out, &errOut); err != nil {
		tb.Fatalf("cert %q: %v; stderr %s", args, err, errOut.String())
	}
	return out.String()
}

// mustReadPEM returns the DER of the single PEM block in a file.
func mustReadPEM(tb testing.TB, path, typ string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	block, rest := pem.Decode(b)
	if block == nil || block.Type != typ || len(bytes.TrimSpace(rest)) > 0 {
		tb.Fatalf("%s: want one %s PEM block", path, typ)
	}
	return block.Bytes
}

// mustCertPool returns a pool holding only the CA in dir.
func mustCertPool(tb testing.TB, dir string) *x509.CertPool {
	tb.Helper()
	ca, err := x509.ParseCertificate(mustReadPEM(tb, filepath.Join(dir, "ca.pem"), "CERTIFICATE"))
	if err != nil {
		tb.Fatalf("parse ca.pem: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

func TestRunCert(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	out := mustRunCert(t, "--dir", dir)

	t.Run("Modes", func(t *testing.T) {
		for _, f := range certFiles {
			st, err := os.Stat(filepath.Join(dir, f.name))
			if err != nil {
				t.Fatalf("stat %s: %v", f.name, err)
			}
			if got := st.Mode().Perm(); got != f.mode {
				t.Errorf("%s mode=%v, want %v", f.name, got, f.mode)
			}
		}
		for _, want := range []string{
			"--tls-cert " + filepath.Join(dir, "cert.pem") + " --tls-key " + filepath.Join(dir, "key.pem"),
			"NODE_EXTRA_CA_CERTS=" + filepath.Join(dir, "ca.pem"),
			"curl --cacert " + filepath.Join(dir, "ca.pem"),
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("Verifies", func(t *testing.T) {
		_, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
		if err != nil {
			t.Fatalf("cert.pem and key.pem are not a pair: %v", err)
		}
		leaf, err := x509.ParseCertificate(mustReadPEM(t, filepath.Join(dir, "cert.pem"), "CERTIFICATE"))
		if err != nil {
			t.Fatalf("parse cert.pem: %v", err)
		}
		roots := mustCertPool(t, dir)
		for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
			if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots}); err != nil {
				t.Errorf("verify for %s: %v", host, err)
			}
		}
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: roots}); err == nil {
			t.Errorf("verify for example.com succeeded, want a host name error")
		}
	})
	t.Run("RefusesOverwrite", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, "key.pem"))
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"cert", "--dir", dir}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "--force") {
			t.Fatalf("err=%v, want a refusal naming --force", err)
		}
		if after, _ := os.ReadFile(filepath.Join(dir, "key.pem")); !bytes.Equal(before, after) {
			t.Fatalf("key.pem changed although the command refused")
		}
	})
	t.Run("Force", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
		mustRunCert(t, "--dir", dir, "--force", "--hosts", "temgraph.localhost,10.1.2.3", "--days", "30")
		after, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
		if bytes.Equal(before, after) {
			t.Fatalf("ca.pem unchanged after --force")
		}
		for _, f := range certFiles {
			if st, err := os.Stat(filepath.Join(dir, f.name)); err != nil || st.Mode().Perm() != f.mode {
				t.Errorf("%s after --force: %v, %v; want mode %v", f.name, st.Mode(), err, f.mode)
			}
		}
		leaf, err := x509.ParseCertificate(mustReadPEM(t, filepath.Join(dir, "cert.pem"), "CERTIFICATE"))
		if err != nil {
			t.Fatalf("parse cert.pem: %v", err)
		}
		if got := strings.Join(leaf.DNSNames, ","); got != "temgraph.localhost" {
			t.Errorf("DNSNames=%q, want temgraph.localhost", got)
		}
		if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP("10.1.2.3")) {
			t.Errorf("IPAddresses=%v, want [10.1.2.3]", leaf.IPAddresses)
		}
		if d := time.Until(leaf.NotAfter); d < 29*24*time.Hour || d > 31*24*time.Hour {
			t.Errorf("NotAfter=%v, want about 30 days from now", leaf.NotAfter)
		}
	})
}

func TestRunCert_NameConstraints(t *testing.T) {
	// A certificate the CA's key signs for another host must not verify,
	// also when --hosts names no DNS name or no IP address.
	tests := []struct {
		name, hosts, rogue string
	}{
		{"DefaultOtherName", certHosts, "example.com"},
		{"DefaultOtherIP", certHosts, "192.0.2.1"},
		{"IPOnlyAnyName", "127.0.0.1", "example.com"},
		{"NameOnlyAnyIP", "localhost", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mustRunCert(t, "--dir", dir, "--hosts", tt.hosts)
			rogue := mustSignWithCA(t, dir, tt.rogue)
			opts := x509.VerifyOptions{DNSName: tt.rogue, Roots: mustCertPool(t, dir)}
			if _, err := rogue.Verify(opts); err == nil {
				t.Fatalf("a certificate for %s signed by the local CA verified", tt.rogue)
			}
			good := mustSignWithCA(t, dir, strings.Split(tt.hosts, ",")[0])
			opts.DNSName = strings.Split(tt.hosts, ",")[0]
			if _, err := good.Verify(opts); err != nil {
				t.Fatalf("a certificate for %s signed by the local CA: %v", opts.DNSName, err)
			}
		})
	}
}

func TestRunCert_Errors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"NoDir", []string{}, "--dir"},
		{"BadHost", []string{"--dir", dir, "--hosts", "localhost,bad host"}, "bad host"},
		{"EmptyHost", []string{"--dir", dir, "--hosts", ""}, "--hosts"},
		{"ZeroDays", []string{"--dir", dir, "--days", "0"}, "--days"},
		{"Argument", []string{"--dir", dir, "extra"}, "no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"cert"}, tt.args...), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs left %d files in the directory", len(entries))
	}
}

// mustSignWithCA signs a server certificate for host with the CA key in dir.
func mustSignWithCA(tb testing.TB, dir, host string) *x509.Certificate {
	tb.Helper()
	ca, err := x509.ParseCertificate(mustReadPEM(tb, filepath.Join(dir, "ca.pem"), "CERTIFICATE"))
	if err != nil {
		tb.Fatalf("parse ca.pem: %v", err)
	}
	caKey, err := x509.ParsePKCS8PrivateKey(mustReadPEM(tb, filepath.Join(dir, "ca-key.pem"), "PRIVATE KEY"))
	if err != nil {
		tb.Fatalf("parse ca-key.pem: %v", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return leaf
}

func TestCert_ServeTLS(t *testing.T) {
	dir := t.TempDir()
	mustRunCert(t, "--dir", dir)

	m := NewMain()
	m.Addr = "127.0.0.1:0"
	m.DB = filepath.Join(dir, "t.db")
	m.LogOutput = io.Discard
	m.TLSCert = filepath.Join(dir, "cert.pem")
	m.TLSKey = filepath.Join(dir, "key.pem")
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if !strings.HasPrefix(m.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL()=%q, want https://127.0.0.1:port", m.URL())
	}
	pool := mustCertPool(t, dir)
	client := func(cfg *tls.Config) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
	}

	t.Run("TrustsOnlyCA", func(t *testing.T) {
		resp, err := client(&tls.Config{RootCAs: pool}).Get(m.URL() + "/beta/$metadata")
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status=%d, want 200", resp.StatusCode)
		}
		if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
			t.Fatalf("TLS state=%+v, want TLS 1.2 or later", resp.TLS)
		}
	})
	t.Run("ByHostName", func(t *testing.T) {
		resp, err := client(&tls.Config{RootCAs: pool, ServerName: "localhost"}).Get(m.URL() + "/healthz")
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status=%d, want 200", resp.StatusCode)
		}
	})
	t.Run("UnknownCARefused", func(t *testing.T) {
		_, err := client(&tls.Config{RootCAs: x509.NewCertPool()}).Get(m.URL() + "/healthz")
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err=%v, want a certificate error", err)
		}
	})
	t.Run("TLS11Refused", func(t *testing.T) {
		// Go servers refuse TLS 1.0 and 1.1 by default unless GODEBUG says
		// otherwise; the server's own minimum must hold even then.
		t.Setenv("GODEBUG", "tls10server=1")
		cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
		_, err := client(cfg).Get(m.URL() + "/healthz")
		if err == nil || !strings.Contains(err.Error(), "version") {
			t.Fatalf("err=%v, want a protocol version error", err)
		}
	})
}
