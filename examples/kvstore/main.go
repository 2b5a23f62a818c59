// Package main, the kvstore command, is a small key-value store that speaks a sliver of S3's
// REST API (path-style PutObject, GetObject, HeadObject, DeleteObject and
// ListObjectsV2), so the AWS SDKs and CLI call it with ordinary credentials,
// and that Keyward protects: every request goes through guard.Guard, which
// asks Keyward's authorize API who signed it and whether they may.
//
//	KVSTORE_ACCESS_KEY_ID=AKIA... KVSTORE_SECRET_ACCESS_KEY=... \
//	  kvstore --addr 127.0.0.1:9000 --keyward http://127.0.0.1:4599
//	aws --endpoint-url http://127.0.0.1:9000 s3 cp notes.txt s3://team/notes.txt
//
// The KVSTORE_* credentials are the store's own Keyward identity; it needs
// keyward:Authorize (and, for the cache, keyward:GetSigningKey) on
// arn:aws:keyward:::service/s3. Clients need s3:GetObject, s3:PutObject,
// s3:DeleteObject on arn:aws:s3:::BUCKET/KEY and s3:ListBucket on
// arn:aws:s3:::BUCKET (with s3:prefix). Data lives in memory.
package main

import (
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/guard"
	"github.com/keyward/keyward/sigv4"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kvstore:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("kvstore", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	endpoint := fs.String("keyward", "http://127.0.0.1:4599", "Keyward's URL")
	ttl := fs.Duration("ttl", 5*time.Second, "how long a client's signing key and decisions are reused (0: ask Keyward every time)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	creds := sigv4.Credentials{AccessKeyID: os.Getenv("KVSTORE_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("KVSTORE_SECRET_ACCESS_KEY"),
		SessionToken: os.Getenv("KVSTORE_SESSION_TOKEN")}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return errors.New("set KVSTORE_ACCESS_KEY_ID and KVSTORE_SECRET_ACCESS_KEY to the store's Keyward credentials")
	}
	st := &store{buckets: map[string]map[string][]byte{}}
	g := &guard.Guard{
		Client:     &guard.Client{Endpoint: *endpoint, Credentials: creds, TTL: *ttl},
		Service:    "s3",
		PathStyle:  "s3",
		Map:        actionOf,
		WriteError: writeError,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: g.Wrap(st), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).Info("kvstore listening", "url", "http://"+ln.Addr().String())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// split returns the bucket and key of a path-style S3 URL.
func split(r *http.Request) (bucket, key string) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucket, key
}

// actionOf maps a request to its S3 action, resource and context keys.
func actionOf(r *http.Request) ([]authorize.Query, error) {
	bucket, key := split(r)
	if bucket == "" {
		return nil, errors.New("this store serves path-style requests: /BUCKET/KEY")
	}
	if key == "" {
		if r.Method != http.MethodGet {
			return nil, fmt.Errorf("%s on a bucket is not supported", r.Method)
		}
		q := r.URL.Query()
		return []authorize.Query{{Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + bucket,
			Context: map[string]authorize.Values{"s3:prefix": {q.Get("prefix")}, "s3:max-keys": {orDefault(q.Get("max-keys"), "1000")}}}}, nil
	}
	action := map[string]string{"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject", "DELETE": "s3:DeleteObject"}[r.Method]
	if action == "" {
		return nil, fmt.Errorf("%s on an object is not supported", r.Method)
	}
	return []authorize.Query{{Action: action, Resource: "arn:aws:s3:::" + bucket + "/" + key}}, nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// store keeps objects in memory.
type store struct {
	mu      sync.Mutex
	buckets map[string]map[string][]byte
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key := split(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucket]
	switch {
	case key == "":
		s.list(w, r, bucket, b)
	case r.Method == http.MethodPut:
		data, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "IncompleteBody", err.Error())
			return
		}
		if b == nil {
			b = map[string][]byte{}
			s.buckets[bucket] = b
		}
		b[key] = data
		w.Header().Set("ETag", `"`+strconv.Itoa(len(data))+`"`)
	case r.Method == http.MethodDelete:
		delete(b, key)
		w.WriteHeader(http.StatusNoContent)
	default: // GET, HEAD
		data, ok := b[key]
		if !ok {
			writeError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.Method == http.MethodGet {
			w.Write(data)
		}
	}
}

func (s *store) list(w http.ResponseWriter, r *http.Request, bucket string, b map[string][]byte) {
	prefix := r.URL.Query().Get("prefix")
	type object struct {
		Key  string
		Size int
	}
	var out struct {
		XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name     string
		Prefix   string
		KeyCount int
		MaxKeys  int
		Contents []object
	}
	out.Name, out.Prefix, out.MaxKeys = bucket, prefix, 1000
	for k, v := range b {
		if strings.HasPrefix(k, prefix) {
			out.Contents = append(out.Contents, object{k, len(v)})
		}
	}
	slices.SortFunc(out.Contents, func(a, b object) int { return strings.Compare(a.Key, b.Key) })
	out.KeyCount = len(out.Contents)
	w.Header().Set("Content-Type", "application/xml")
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(out)
}

// writeError answers in S3's error shape, which the SDKs read.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}{Code: code, Message: msg})
}
