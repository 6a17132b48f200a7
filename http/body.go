package http

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/temgraph/temgraph"
)

// readBody returns the request body as JSON bytes. It checks the media
// type, undoes gzip and enforces the size limit. A body labelled gzip that
// does not start with gzip's magic bytes is read as it is: some client
// libraries resend a plain body under a gzip label when they retry.
func (s *Server) readBody(r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, temgraph.Errorf(temgraph.EUnsupportedMediaType,
				"The content type '%s' is not supported; send 'application/json'.", ct)
		}
		if cs, ok := params["charset"]; ok && !temgraph.EqualFoldASCII(cs, "utf-8") {
			return nil, temgraph.Errorf(temgraph.EUnsupportedMediaType,
				"The charset '%s' is not supported; JSON bodies must be UTF-8.", cs)
		}
	}

	raw := io.Reader(http.MaxBytesReader(nil, r.Body, limit+1))
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		br := bufio.NewReader(raw)
		if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(br)
			if err != nil {
				return nil, temgraph.Errorf(temgraph.EBadRequest, "The gzip request body is corrupt.")
			}
			defer zr.Close()
			raw = zr
		} else {
			raw = br
		}
	default:
		return nil, temgraph.Errorf(temgraph.EUnsupportedMediaType,
			"The content encoding '%s' is not supported; send gzip or an uncompressed body.", enc)
	}

	body, err := io.ReadAll(io.LimitReader(raw, limit+1))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr) || int64(len(body)) > limit:
		return nil, temgraph.Errorf(temgraph.ETooLarge, "The request body is larger than %d bytes.", limit)
	case errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, temgraph.Errorf(temgraph.EBadRequest, "The gzip request body is corrupt or truncated.")
	case err != nil:
		return nil, temgraph.Errorf(temgraph.EBadRequest, "The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, temgraph.Errorf(temgraph.EBadRequest, "The request body is empty; send a JSON object.")
	}
	return body, nil
}
