// Package main, the kvstore command, is a small key-value store that speaks a sliver of S3's
// REST API (path-style PutObject, GetObject, HeadObject, DeleteObject,
// ListObjectsV2 and ListBuckets, in the shapes the SDKs and the CLI read),
// so the AWS SDKs and CLI call it with ordinary credentials,
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
// s3:DeleteObject on arn:aws:s3:::BUCKET/KEY, s3:ListBucket on
// arn:aws:s3:::BUCKET (with s3:prefix, s3:delimiter and s3:max-keys), and
// s3:ListAllMyBuckets on "*" for aws s3 ls without a bucket. Data lives in
// memory; a bucket is made by its first PUT.
package main

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
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
	st := newStore()
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
		if r.Method != http.MethodGet {
			return nil, errors.New("this store serves path-style requests: /BUCKET/KEY")
		}
		return []authorize.Query{{Action: "s3:ListAllMyBuckets", Resource: "*"}}, nil // ListBuckets
	}
	if key == "" {
		if r.Method != http.MethodGet {
			return nil, fmt.Errorf("%s on a bucket is not supported", r.Method)
		}
		q := r.URL.Query()
		ctx := map[string]authorize.Values{"s3:prefix": {q.Get("prefix")}, "s3:max-keys": {orDefault(q.Get("max-keys"), "1000")}}
		if d := q.Get("delimiter"); d != "" {
			ctx["s3:delimiter"] = authorize.Values{d}
		}
		return []authorize.Query{{Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + bucket, Context: ctx}}, nil
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
	buckets map[string]*bucket
	now     func() time.Time // time.Now; tests set it
}

type bucket struct {
	created time.Time
	objects map[string]*object
}

type object struct {
	data     []byte
	modified time.Time
	etag     string // quoted hex MD5 of data, as S3 gives for a single PUT
}

func newStore() *store {
	return &store{buckets: map[string]*bucket{}, now: time.Now}
}

// s3Time is how S3 writes times in XML: ISO 8601 in UTC with milliseconds.
const s3Time = "2006-01-02T15:04:05.000Z"

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, key := split(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[name]
	switch {
	case name == "":
		s.listBuckets(w)
	case key == "":
		if b == nil {
			writeError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
			return
		}
		b.list(w, r, name)
	case r.Method == http.MethodPut:
		data, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "IncompleteBody", err.Error())
			return
		}
		now := s.now().UTC()
		if b == nil {
			b = &bucket{created: now, objects: map[string]*object{}}
			s.buckets[name] = b
		}
		sum := md5.Sum(data)
		o := &object{data: data, modified: now.Truncate(time.Second), etag: `"` + hex.EncodeToString(sum[:]) + `"`}
		b.objects[key] = o
		w.Header().Set("ETag", o.etag)
	case r.Method == http.MethodDelete:
		if b != nil {
			delete(b.objects, key)
		}
		w.WriteHeader(http.StatusNoContent)
	default: // GET, HEAD
		var o *object
		if b != nil {
			o = b.objects[key]
		}
		if o == nil {
			writeError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		// The CLI reads Last-Modified and ETag of every object it downloads.
		w.Header().Set("Content-Length", strconv.Itoa(len(o.data)))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Last-Modified", o.modified.Format(http.TimeFormat))
		w.Header().Set("ETag", o.etag)
		if r.Method == http.MethodGet {
			w.Write(o.data)
		}
	}
}

// listBuckets answers ListBuckets (GET /): the buckets the store has, each
// made by its first PUT.
func (s *store) listBuckets(w http.ResponseWriter) {
	type entry struct {
		Name         string
		CreationDate string
	}
	var out struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
		Owner   struct{ ID, DisplayName string }
		Buckets []entry `xml:"Buckets>Bucket"`
	}
	out.Owner.ID, out.Owner.DisplayName = "kvstore", "kvstore"
	for name, b := range s.buckets {
		out.Buckets = append(out.Buckets, entry{name, b.created.Format(s3Time)})
	}
	slices.SortFunc(out.Buckets, func(a, b entry) int { return strings.Compare(a.Name, b.Name) })
	writeXML(w, out)
}

// listEntry is what ListObjectsV2 lists: an object, or a common prefix
// standing for the keys that share it up to the delimiter.
type listEntry struct {
	key    string
	prefix bool
	object *object
}

// list answers ListObjectsV2 in the shape the SDKs and the CLI read:
// Contents with LastModified, ETag, Size and StorageClass; CommonPrefixes
// for a delimiter; MaxKeys, KeyCount and IsTruncated with a continuation
// token; keys URL-encoded when the client asks (encoding-type=url, which
// the CLI always does).
func (b *bucket) list(w http.ResponseWriter, r *http.Request, name string) {
	q := r.URL.Query()
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	encode := func(s string) string { return s }
	switch q.Get("encoding-type") {
	case "":
	case "url":
		encode = url.QueryEscape
	default:
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request")
		return
	}
	maxKeys := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, r, http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range")
			return
		}
		maxKeys = min(n, 1000)
	}
	after := q.Get("start-after")
	token := q.Get("continuation-token")
	if token != "" {
		t, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
			return
		}
		after = string(t)
	}

	var entries []listEntry
	seen := map[string]bool{}
	for k, o := range b.objects {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i := strings.Index(rest, delimiter); delimiter != "" && i >= 0 {
			p := prefix + rest[:i+len(delimiter)]
			if !seen[p] {
				seen[p] = true
				entries = append(entries, listEntry{key: p, prefix: true})
			}
			continue
		}
		entries = append(entries, listEntry{key: k, object: o})
	}
	slices.SortFunc(entries, func(a, b listEntry) int { return strings.Compare(a.key, b.key) })

	type content struct {
		Key          string
		LastModified string
		ETag         string
		Size         int
		StorageClass string
	}
	type commonPrefix struct{ Prefix string }
	var out struct {
		XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name                  string
		Prefix                string
		Delimiter             string `xml:",omitempty"`
		MaxKeys               int
		KeyCount              int
		IsTruncated           bool
		EncodingType          string         `xml:",omitempty"`
		ContinuationToken     string         `xml:",omitempty"`
		NextContinuationToken string         `xml:",omitempty"`
		StartAfter            string         `xml:",omitempty"`
		Contents              []content      `xml:",omitempty"`
		CommonPrefixes        []commonPrefix `xml:",omitempty"`
	}
	out.Name, out.Prefix, out.Delimiter, out.MaxKeys = name, encode(prefix), encode(delimiter), maxKeys
	out.EncodingType, out.ContinuationToken = q.Get("encoding-type"), token
	if v := q.Get("start-after"); v != "" {
		out.StartAfter = encode(v)
	}
	for _, e := range entries {
		if e.key <= after {
			continue
		}
		if out.KeyCount == maxKeys {
			out.IsTruncated = true
			break
		}
		out.KeyCount++
		last := e.key
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
		if e.prefix {
			out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{encode(e.key)})
			continue
		}
		out.Contents = append(out.Contents, content{Key: encode(e.key), LastModified: e.object.modified.Format(s3Time),
			ETag: e.object.etag, Size: len(e.object.data), StorageClass: "STANDARD"})
	}
	if !out.IsTruncated {
		out.NextContinuationToken = ""
	}
	writeXML(w, out)
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(v)
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
