package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServe_BadSettingsWriteNothing: every flag and variable is checked
// before anything is written: a bad one exits 2 and leaves no data
// directory behind.
func TestServe_BadSettingsWriteNothing(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"enforcement", []string{"--enforcement", "maybe"}, nil},
		{"audit-sync without audit", []string{"--audit-sync"}, nil},
		{"store scheme", []string{"--store", "mysql://db"}, nil},
		{"rate limit", []string{"--rate-limit", "fast"}, nil},
		{"log level", []string{"--log-level", "loud"}, nil},
		{"account id", nil, map[string]string{"KEYWARD_ACCOUNT_ID": "123"}},
		{"half a root key", nil, map[string]string{"KEYWARD_ROOT_ACCESS_KEY_ID": "AKIAHALFHALFHALF0000"}},
		{"token key rotation", nil, map[string]string{"KEYWARD_TOKEN_KEY_ROTATION": "1s"}},
		{"kek", nil, map[string]string{"KEYWARD_KEK": "not a key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"KEYWARD_ACCOUNT_ID", "KEYWARD_ROOT_ACCESS_KEY_ID", "KEYWARD_ROOT_SECRET_ACCESS_KEY", "KEYWARD_TOKEN_KEY_ROTATION", "KEYWARD_KEK"} {
				t.Setenv(k, tt.env[k])
			}
			data := filepath.Join(t.TempDir(), "keyward-data")
			var stderr strings.Builder
			err := Run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, tt.args...), nil, io.Discard, &stderr)
			if code := exitCode(err, &stderr); code != 2 {
				t.Errorf("keyward serve %v: exit %d (%s), want 2", tt.args, code, stderr.String())
			}
			if _, err := os.Stat(data); err == nil {
				t.Errorf("keyward serve %v refused its settings but created %s", tt.args, data)
			}
		})
	}
}

// TestServe_StoreWithoutItsKEK: a server on a store that holds secrets,
// started without the key-encryption key they were sealed with, refuses to
// start and writes no new key.
func TestServe_StoreWithoutItsKEK(t *testing.T) {
	for _, k := range []string{"KEYWARD_KEK", "KEYWARD_ROOT_ACCESS_KEY_ID", "KEYWARD_ROOT_SECRET_ACCESS_KEY", "KEYWARD_ACCOUNT_ID"} {
		t.Setenv(k, "")
	}
	first := t.TempDir()
	db := "sqlite:" + filepath.Join(first, "keyward.db")
	serveOnce(t, "--data", first, "--store", db)
	replica := filepath.Join(t.TempDir(), "replica-data")
	var stderr strings.Builder
	err := Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", replica, "--store", db}, nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 2 || !strings.Contains(stderr.String(), "key-encryption key") {
		t.Errorf("a second server without the kek: exit %d, %q; want 2 naming the key-encryption key", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(replica, "kek")); err == nil {
		t.Errorf("the refused start wrote a new kek in %s", replica)
	}
}

// TestServe_FirstAccountStaysDefault: accounts made later with keyward
// account create (here one with a lower id) never become the default one.
func TestServe_FirstAccountStaysDefault(t *testing.T) {
	for _, k := range []string{"KEYWARD_KEK", "KEYWARD_ROOT_ACCESS_KEY_ID", "KEYWARD_ROOT_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("KEYWARD_ACCOUNT_ID", "555566667777")
	data := t.TempDir()
	db := "sqlite:" + filepath.Join(data, "keyward.db")
	start := func() string { return serveOnce(t, "--data", data, "--store", db) }
	start()
	if err := Run(context.Background(), []string{"account", "create", "--id", "111111111111", "--data", data, "--store", db}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KEYWARD_ACCOUNT_ID", "")
	if log := start(); !strings.Contains(log, `"account":"555566667777"`) {
		t.Errorf("after keyward account create, a restart logs:\n%s\nwant the first account, 555566667777, as the default", log)
	}
}

// serveOnce runs keyward serve with args until it says it listens, stops
// it, and returns its log.
func serveOnce(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := &listenWatch{cancel: cancel}
	if err := Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), nil, io.Discard, log); err != nil {
		t.Fatalf("keyward serve %v: %v\n%s", args, err, log.b.String())
	}
	if !strings.Contains(log.b.String(), "keyward listening") {
		t.Fatalf("keyward serve %v stopped before listening:\n%s", args, log.b.String())
	}
	return log.b.String()
}

// listenWatch keeps a server's log and stops the server once it listens.
type listenWatch struct {
	mu     sync.Mutex
	b      strings.Builder
	cancel context.CancelFunc
}

func (w *listenWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(string(p), "keyward listening") {
		w.cancel()
	}
	return len(p), nil
}
