package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewLogger_BufferedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	logger, closer, err := newLogger(f, "text", "info")
	if err != nil {
		t.Fatal(err)
	}
	read := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	logger.Warn("problem", "n", 1)
	if got := read(); !strings.Contains(got, "problem") {
		t.Fatalf("a Warn record was not written at once; file holds %q", got)
	}

	logger.Info("request", "n", 2)
	deadline := time.Now().Add(20 * logFlushInterval)
	for !strings.Contains(read(), "msg=request") {
		if time.Now().After(deadline) {
			t.Fatalf("an Info record was not written within %v", 20*logFlushInterval)
		}
		time.Sleep(logFlushInterval / 4)
	}

	logger.Info("last")
	if err := closer.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := read(); !strings.Contains(got, "msg=last") {
		t.Fatalf("Close did not write out the buffer; file holds %q", got)
	}
}

func TestNewLogger_Errors(t *testing.T) {
	if _, _, err := newLogger(os.Stderr, "xml", "info"); err == nil {
		t.Error("format xml accepted")
	}
	if _, _, err := newLogger(os.Stderr, "text", "loud"); err == nil {
		t.Error("level loud accepted")
	}
}
