package http

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/temgraph/temgraph"
)

// gzipBytes compresses b.
func gzipBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatalf("gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatalf("gzip: %v", err)
	}
	return buf.Bytes()
}

func TestServer_ReadBody(t *testing.T) {
	const limit = 1024
	body := []byte(`{"displayName":"Contoso","enabled":true}`)
	zipped := gzipBytes(t, body)

	badCRC := bytes.Clone(zipped)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 in the trailer
	badHeader := append([]byte{0x1f, 0x8b, 0x99}, zipped[3:]...)
	badDeflate := append(bytes.Clone(zipped[:10]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	atLimit := []byte(`{"displayName":"` + strings.Repeat("a", limit-len(`{"displayName":""}`)) + `"}`)
	overLimit := []byte(`{"displayName":"` + strings.Repeat("a", limit) + `"}`)
	// A gzip bomb: tiny on the wire, far over the limit once inflated.
	bomb := gzipBytes(t, bytes.Repeat([]byte(" "), 64*limit))

	ok := []struct {
		name     string
		ct, ce   string
		in, want []byte
	}{
		{"Plain", "application/json", "", body, body},
		{"NoContentType", "", "", body, body},
		{"Charset", "application/json; charset=utf-8", "", body, body},
		{"ODataParams", "application/json;odata.metadata=minimal;odata.streaming=true", "", body, body},
		{"UpperCaseType", "Application/JSON", "", body, body},
		{"PlusJSON", "application/merge-patch+json", "", body, body},
		{"Identity", "application/json", "identity", body, body},
		{"Gzip", "application/json", "gzip", zipped, body},
		{"XGzip", "application/json", "x-gzip", zipped, body},
		{"GzipUpperCase", "application/json", " GZIP ", zipped, body},
		{"GzipLabelPlainBody", "application/json", "gzip", body, body},
		{"AtLimit", "application/json", "", atLimit, atLimit},
		{"GzipAtLimit", "application/json", "gzip", gzipBytes(t, atLimit), atLimit},
	}
	s := NewServer(Config{})
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.readBody(newBodyRequest(tt.ct, tt.ce, tt.in), limit)
			if err != nil {
				t.Fatalf("readBody: %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("readBody=%q, want %q", got, tt.want)
			}
		})
	}

	refused := []struct {
		name   string
		ct, ce string
		in     []byte
		code   string
	}{
		{"TextPlain", "text/plain", "", body, temgraph.EUnsupportedMediaType},
		{"FormEncoded", "application/x-www-form-urlencoded", "", body, temgraph.EUnsupportedMediaType},
		{"XML", "application/xml", "", body, temgraph.EUnsupportedMediaType},
		{"Latin1", "application/json; charset=iso-8859-1", "", body, temgraph.EUnsupportedMediaType},
		{"UTF16", "application/json; charset=utf-16", "", body, temgraph.EUnsupportedMediaType},
		{"MalformedContentType", "application/json; charset", "", body, temgraph.EUnsupportedMediaType},
		{"JSONPrefixOnly", "application/jsonx", "", body, temgraph.EUnsupportedMediaType},
		{"Brotli", "application/json", "br", body, temgraph.EUnsupportedMediaType},
		{"Deflate", "application/json", "deflate", body, temgraph.EUnsupportedMediaType},
		{"GzipTwice", "application/json", "gzip, gzip", zipped, temgraph.EUnsupportedMediaType},
		{"Empty", "application/json", "", nil, temgraph.EBadRequest},
		{"Whitespace", "application/json", "", []byte(" \r\n\t "), temgraph.EBadRequest},
		{"GzipOfEmpty", "application/json", "gzip", gzipBytes(t, nil), temgraph.EBadRequest},
		{"GzipLabelEmptyBody", "application/json", "gzip", nil, temgraph.EBadRequest},
		{"GzipTruncated", "application/json", "gzip", zipped[:len(zipped)/2], temgraph.EBadRequest},
		{"GzipBadChecksum", "application/json", "gzip", badCRC, temgraph.EBadRequest},
		{"GzipBadHeader", "application/json", "gzip", badHeader, temgraph.EBadRequest},
		{"GzipBadDeflate", "application/json", "gzip", badDeflate, temgraph.EBadRequest},
		{"GzipMagicOnly", "application/json", "gzip", []byte{0x1f, 0x8b}, temgraph.EBadRequest},
		{"OverLimit", "application/json", "", overLimit, temgraph.ETooLarge},
		{"GzipOverLimit", "application/json", "gzip", gzipBytes(t, overLimit), temgraph.ETooLarge},
		{"GzipBomb", "application/json", "gzip", bomb, temgraph.ETooLarge},
	}
	for _, tt := range refused {
		t.Run("Err"+tt.name, func(t *testing.T) {
			got, err := s.readBody(newBodyRequest(tt.ct, tt.ce, tt.in), limit)
			if err == nil {
				t.Fatalf("readBody=%q, want %s", got, tt.code)
			}
			var e *temgraph.Error
			if !errors.As(err, &e) {
				t.Fatalf("readBody error %T %v, want *temgraph.Error", err, err)
			}
			if e.Code != tt.code {
				t.Errorf("code=%q, want %q (message %q)", e.Code, tt.code, e.Message)
			}
			if e.Message == "" {
				t.Errorf("message is empty")
			}
			for _, frag := range []string{"gzip:", "flate:", "EOF", "http:", "invalid", "%!"} {
				if strings.Contains(e.Message, frag) {
					t.Errorf("message %q holds Go error text %q", e.Message, frag)
				}
			}
		})
	}
}

func newBodyRequest(ct, ce string, body []byte) *http.Request {
	r := httptest.NewRequest("PATCH", "/beta/deviceManagement/telecomExpenseManagementPartners/x",
		io.NopCloser(bytes.NewReader(body)))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if ce != "" {
		r.Header.Set("Content-Encoding", ce)
	}
	return r
}
