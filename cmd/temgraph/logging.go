package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// logFlushInterval bounds how long a buffered log line waits to be written.
const logFlushInterval = 100 * time.Millisecond

// logWriter buffers log output written to a file (standard error, usually)
// so that the access log costs a write system call every
// logFlushInterval instead of one per request. Records at Warn and above
// are written at once, and Close writes out the rest.
type logWriter struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flushLoop()
	return l
}

// Write buffers p.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Flush writes out what is buffered.
func (l *logWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Flush()
}

func (l *logWriter) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(logFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.Flush()
		case <-l.stop:
			return
		}
	}
}

// Close stops the periodic flush and writes out the rest.
func (l *logWriter) Close() error {
	close(l.stop)
	<-l.done
	return l.Flush()
}

// flushingHandler writes out the buffer after each record at Warn or
// above, so that problems show at once.
type flushingHandler struct {
	slog.Handler
	w *logWriter
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.w.Flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.w}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.w}
}

// newLogger builds the process's slog logger. Output to a file is
// buffered (see logWriter); the returned closer writes out the rest and
// must be called when the program stops.
func newLogger(w io.Writer, format, level string) (*slog.Logger, io.Closer, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	var lw *logWriter
	if f, ok := w.(*os.File); ok {
		lw = newLogWriter(f)
		w = lw
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch strings.ToLower(format) {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		if lw != nil {
			lw.Close()
		}
		return nil, nil, fmt.Errorf("--log-format %q: use text or json", format)
	}
	if lw == nil {
		return slog.New(h), nopCloser{}, nil
	}
	return slog.New(flushingHandler{h, lw}), lw, nil
}

// nopCloser is the closer of an unbuffered logger.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }
