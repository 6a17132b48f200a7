package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The files the cert command writes, and their modes.
var certFiles = []struct {
	name string
	mode os.FileMode
}{
	{"ca.pem", 0o644},
	{"ca-key.pem", 0o600},
	{"cert.pem", 0o644},
	{"key.pem", 0o600},
}

// certHosts is the default --hosts: the loopback names a local client uses.
const certHosts = "127.0.0.1,localhost,::1"

// runCert is the cert subcommand: it writes a new local certificate
// authority and a server certificate it signs for the given hosts, so that
// clients that insist on https can trust the server by trusting ca.pem.
func runCert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory for ca.pem, ca-key.pem, cert.pem and key.pem (required)")
	hosts := fs.String("hosts", certHosts, "comma-separated host names and IP addresses to certify")
	days := fs.Int("days", 365, "days the certificates stay valid (1 to 3650)")
	force := fs.Bool("force", false, "replace existing files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("cert takes no arguments, got %q", fs.Args())
	}
	if err := applyEnv(fs); err != nil {
		return err
	}

	switch {
	case *dir == "":
		return errors.New("--dir is required")
	case *days < 1 || *days > 3650:
		return errors.New("--days must be between 1 and 3650")
	}
	names, ips, err := parseHosts(*hosts)
	if err != nil {
		return err
	}
	pems, err := newCertPair(names, ips, time.Now(), *days)
	if err != nil {
		return err
	}
	if err := writeCertFiles(*dir, pems, *force); err != nil {
		return err
	}
	printCertUsage(stdout, *dir, hostList(names, ips), time.Now().AddDate(0, 0, *days))
	return nil
}

// parseHosts splits --hosts into DNS names and IP addresses.
func parseHosts(s string) ([]string, []net.IP, error) {
	var names []string
	var ips []net.IP
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimSpace(h)
		if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
			ips = append(ips, ip)
			continue
		}
		if !validHostName(h) {
			return nil, nil, fmt.Errorf("--hosts: %q is neither an IP address nor a host name", h)
		}
		names = append(names, strings.ToLower(h))
	}
	return names, ips, nil
}

// hostList names the certified hosts for people.
func hostList(names []string, ips []net.IP) string {
	all := slices.Clone(names)
	for _, ip := range ips {
		all = append(all, ip.String())
	}
	return strings.Join(all, ", ")
}

// validHostName accepts dot-separated labels of letters, digits and
// hyphens, optionally behind a "*." wildcard.
func validHostName(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// newCertPair makes a CA and a server certificate it signs, and returns the
// four PEM files by name.
func newCertPair(names []string, ips []net.IP, now time.Time, days int) (map[string][]byte, error) {
	notAfter := now.AddDate(0, 0, days)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl, err := caTemplate(names, ips, now, notAfter)
	if err != nil {
		return nil, err
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate server key: %w", err)
	}
	tmpl, err := serverTemplate(names, ips, now, notAfter)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("create server certificate: %w", err)
	}
	return pemFiles(caDER, caKey, der, key)
}

// caTemplate describes the local CA. Name constraints limit it to the
// certified hosts, so that trusting it cannot let it vouch for any other
// site even if its key leaks.
func caTemplate(names []string, ips []net.IP, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	t := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization: []string{"temgraph"},
			CommonName:   "temgraph local CA " + serial.Text(16)[:8],
		},
		NotBefore:             notBefore.Add(-time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,

		PermittedDNSDomainsCritical: true,
	}
	for _, n := range names {
		t.PermittedDNSDomains = append(t.PermittedDNSDomains, strings.TrimPrefix(n, "*."))
	}
	if len(names) == 0 {
		// "invalid" is a reserved name that never resolves.
		t.PermittedDNSDomains = []string{"invalid"}
	}
	for _, ip := range ips {
		t.PermittedIPRanges = append(t.PermittedIPRanges, hostNet(ip))
	}
	if len(ips) == 0 {
		t.ExcludedIPRanges = []*net.IPNet{
			{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)},
			{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)},
		}
	}
	return t, nil
}

// hostNet is the network holding exactly ip.
func hostNet(ip net.IP) *net.IPNet {
	if v4 := ip.To4(); v4 != nil {
		return &net.IPNet{IP: v4, Mask: net.CIDRMask(32, 32)}
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(128, 128)}
}

// serverTemplate describes the server certificate.
func serverTemplate(names []string, ips []net.IP, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"temgraph"}, CommonName: "temgraph local server"},
		NotBefore:             notBefore.Add(-time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           ips,
	}, nil
}

// randomSerial returns a random serial number of at least 33 bits, so
// that its hexadecimal form has more than eight digits.
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1<<32)), nil
}

// pemFiles encodes the certificates and PKCS #8 keys.
func pemFiles(caDER []byte, caKey crypto.Signer, der []byte, key crypto.Signer) (map[string][]byte, error) {
	caKeyDER, err := x509.MarshalPKCS8PrivateKey(caKey)
	if err != nil {
		return nil, fmt.Errorf("encode CA key: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode server key: %w", err)
	}
	enc := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }
	return map[string][]byte{
		"ca.pem":     enc("CERTIFICATE", caDER),
		"ca-key.pem": enc("PRIVATE KEY", caKeyDER),
		"cert.pem":   enc("CERTIFICATE", der),
		"key.pem":    enc("PRIVATE KEY", keyDER),
	}, nil
}

// writeCertFiles writes the files into dir, creating it if needed. Without
// force it refuses when any of them exists and writes none.
func writeCertFiles(dir string, pems map[string][]byte, force bool) error {
	if !force {
		for _, f := range certFiles {
			p := filepath.Join(dir, f.name)
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("%s exists; pass --force to replace it", p)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	var written []string
	for _, f := range certFiles {
		p := filepath.Join(dir, f.name)
		if err := writeFileMode(p, pems[f.name], f.mode, force); err != nil {
			for _, w := range written {
				os.Remove(w)
			}
			return err
		}
		if !force {
			written = append(written, p)
		}
	}
	return nil
}

// writeFileMode writes data to path with exactly the given mode. Without
// replace it fails if path exists; with replace it swaps the new file in
// by renaming, so that no reader sees a partly written key.
func writeFileMode(path string, data []byte, mode os.FileMode, replace bool) error {
	var f *os.File
	var err error
	if replace {
		f, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	} else {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && replace {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// printCertUsage tells the user how to serve with the files and how to
// make clients trust them.
func printCertUsage(w io.Writer, dir, hosts string, notAfter time.Time) {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	fmt.Fprintf(w, `Wrote a local CA and a server certificate for %s, valid until %s:
  %s      CA certificate: give it to clients
  %s  CA private key: keep it secret
  %s    server certificate
  %s     server private key

Serve https:
  temgraph serve --tls-cert %s --tls-key %s

Trust the CA:
  curl:    curl --cacert %s https://127.0.0.1:8080/healthz
  Node.js: NODE_EXTRA_CA_CERTS=%s node app.js
  Go:      add %s to the RootCAs of the client's tls.Config
`, hosts, notAfter.UTC().Format("2006-01-02"), p("ca.pem"), p("ca-key.pem"), p("cert.pem"), p("key.pem"),
		p("cert.pem"), p("key.pem"), p("ca.pem"), p("ca.pem"), p("ca.pem"))
}
