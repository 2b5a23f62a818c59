package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// listResult is ListObjectsV2's answer as the SDKs read it.
type listResult struct {
	Name, Prefix, Delimiter, EncodingType, NextContinuationToken string
	MaxKeys, KeyCount                                            int
	IsTruncated                                                  bool
	Contents                                                     []struct {
		Key, LastModified, ETag, StorageClass string
		Size                                  int
	}
	CommonPrefixes []struct{ Prefix string }
}

// storeServer is the store without guard (authorization is Keyward's, and
// e2e's tests), on a real listener, holding keys, each written at t0.
func storeServer(t *testing.T, keys ...string) *httptest.Server {
	t.Helper()
	st := newStore()
	st.now = func() time.Time { return time.Date(2026, 11, 27, 10, 15, 30, 0, time.UTC) }
	hs := httptest.NewServer(st)
	t.Cleanup(hs.Close)
	for _, k := range keys {
		req, _ := http.NewRequest("PUT", hs.URL+"/team/"+(&url.URL{Path: k}).EscapedPath(), strings.NewReader("data of "+k))
		resp, err := hs.Client().Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("PUT %s: %v %v", k, resp, err)
		}
		resp.Body.Close()
	}
	return hs
}

func get(t *testing.T, hs *httptest.Server, target string) (int, http.Header, string) {
	t.Helper()
	resp, err := hs.Client().Get(hs.URL + target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func list(t *testing.T, hs *httptest.Server, query string) listResult {
	t.Helper()
	code, _, body := get(t, hs, "/team?list-type=2&"+query)
	var out listResult
	if code != 200 || xml.Unmarshal([]byte(body), &out) != nil {
		t.Fatalf("GET /team?list-type=2&%s = %d %s", query, code, body)
	}
	return out
}

// TestList_Shape: every listed object carries what the AWS CLI formats
// (aws s3 ls read LastModified of each and crashed on a listing without
// it), and a delimiter folds keys into common prefixes.
func TestList_Shape(t *testing.T) {
	hs := storeServer(t, "alice/notes.txt", "alice/old/a.txt", "top.txt")
	got := list(t, hs, "prefix=&delimiter=%2F")
	if got.Name != "team" || got.MaxKeys != 1000 || got.KeyCount != 2 || got.IsTruncated || got.Delimiter != "/" {
		t.Errorf("ListObjectsV2(delimiter /) = %+v, want team, 1000 keys at most, 2 entries, not truncated", got)
	}
	if len(got.CommonPrefixes) != 1 || got.CommonPrefixes[0].Prefix != "alice/" {
		t.Errorf("CommonPrefixes = %+v, want [alice/]", got.CommonPrefixes)
	}
	if len(got.Contents) != 1 {
		t.Fatalf("Contents = %+v, want top.txt alone", got.Contents)
	}
	c := got.Contents[0]
	sum := md5.Sum([]byte("data of top.txt"))
	if c.Key != "top.txt" || c.LastModified != "2026-11-27T10:15:30.000Z" || c.Size != len("data of top.txt") ||
		c.ETag != `"`+hex.EncodeToString(sum[:])+`"` || c.StorageClass != "STANDARD" {
		t.Errorf("Contents[0] = %+v, want top.txt with LastModified 2026-11-27T10:15:30.000Z, its size, a quoted MD5 ETag, STANDARD", c)
	}

	got = list(t, hs, "prefix=alice%2F")
	var keys []string
	for _, c := range got.Contents {
		keys = append(keys, c.Key)
	}
	if !slices.Equal(keys, []string{"alice/notes.txt", "alice/old/a.txt"}) || len(got.CommonPrefixes) != 0 || got.Prefix != "alice/" {
		t.Errorf("ListObjectsV2(prefix alice/) = %+v, want both of alice's keys, no common prefix", got)
	}
}

// TestList_EncodingType: with encoding-type=url (which the CLI always sends)
// keys come back URL-encoded, as S3 sends them and botocore decodes them.
func TestList_EncodingType(t *testing.T) {
	hs := storeServer(t, "with space+plus & ü.txt", "dir/x")
	got := list(t, hs, "encoding-type=url&delimiter=%2F")
	if got.EncodingType != "url" || len(got.Contents) != 1 || got.Contents[0].Key != "with+space%2Bplus+%26+%C3%BC.txt" ||
		len(got.CommonPrefixes) != 1 || got.CommonPrefixes[0].Prefix != "dir%2F" || got.Delimiter != "%2F" {
		t.Errorf("ListObjectsV2(encoding-type=url) = %+v, want the key and the prefix URL-encoded", got)
	}
	if code, _, body := get(t, hs, "/team?list-type=2&encoding-type=base64"); code != 400 || !strings.Contains(body, "InvalidArgument") {
		t.Errorf("ListObjectsV2(encoding-type=base64) = %d %s, want 400 InvalidArgument", code, body)
	}
}

// TestList_Pages: max-keys pages through every key once, by continuation
// token; start-after skips.
func TestList_Pages(t *testing.T) {
	want := []string{"a", "b", "c/1", "c/2", "d", "e"}
	hs := storeServer(t, want...)
	var keys []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatalf("more than %d pages", len(want))
		}
		q := "max-keys=2"
		if token != "" {
			q += "&continuation-token=" + url.QueryEscape(token)
		}
		got := list(t, hs, q)
		if got.KeyCount != len(got.Contents) || got.KeyCount > 2 {
			t.Errorf("page %d: KeyCount %d, %d objects, want at most 2 and equal", pages, got.KeyCount, len(got.Contents))
		}
		for _, c := range got.Contents {
			keys = append(keys, c.Key)
		}
		if !got.IsTruncated {
			if got.NextContinuationToken != "" {
				t.Errorf("last page has NextContinuationToken %q", got.NextContinuationToken)
			}
			break
		}
		token = got.NextContinuationToken
	}
	if !slices.Equal(keys, want) {
		t.Errorf("keys over all pages = %q, want %q", keys, want)
	}
	if got := list(t, hs, "start-after=c%2F1"); len(got.Contents) != 3 || got.Contents[0].Key != "c/2" {
		t.Errorf("ListObjectsV2(start-after c/1) = %+v, want c/2, d, e", got.Contents)
	}
	if code, _, body := get(t, hs, "/team?list-type=2&max-keys=many"); code != 400 || !strings.Contains(body, "InvalidArgument") {
		t.Errorf("ListObjectsV2(max-keys=many) = %d %s, want 400 InvalidArgument", code, body)
	}
}

func TestObjectHeadersAndBuckets(t *testing.T) {
	hs := storeServer(t, "notes.txt")
	for _, method := range []string{"GET", "HEAD"} {
		req, _ := http.NewRequest(method, hs.URL+"/team/notes.txt", nil)
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Last-Modified") != "Fri, 27 Nov 2026 10:15:30 GMT" ||
			len(resp.Header.Get("ETag")) != 34 || resp.ContentLength != int64(len("data of notes.txt")) {
			t.Errorf("%s /team/notes.txt = %d %v, want 200 with Last-Modified, ETag and the length", method, resp.StatusCode, resp.Header)
		}
	}
	code, _, body := get(t, hs, "/")
	var buckets struct {
		Buckets []struct{ Name, CreationDate string } `xml:"Buckets>Bucket"`
	}
	if code != 200 || xml.Unmarshal([]byte(body), &buckets) != nil || len(buckets.Buckets) != 1 ||
		buckets.Buckets[0].Name != "team" || buckets.Buckets[0].CreationDate != "2026-11-27T10:15:30.000Z" {
		t.Errorf("ListBuckets = %d %s, want team created 2026-11-27T10:15:30.000Z", code, body)
	}
	if code, _, body := get(t, hs, "/other?list-type=2"); code != 404 || !strings.Contains(body, "NoSuchBucket") {
		t.Errorf("ListObjectsV2 of a bucket never written = %d %s, want 404 NoSuchBucket", code, body)
	}
	if code, _, _ := get(t, hs, "/team/nothing"); code != 404 {
		t.Errorf("GET of a missing key = %d, want 404", code)
	}
}

// TestActionOf: each request maps to the S3 action AWS would authorize.
func TestActionOf(t *testing.T) {
	tests := []struct {
		method, target, action, resource string
	}{
		{"GET", "/", "s3:ListAllMyBuckets", "*"},
		{"GET", "/team?list-type=2&prefix=a%2F&delimiter=%2F", "s3:ListBucket", "arn:aws:s3:::team"},
		{"GET", "/team/a/b", "s3:GetObject", "arn:aws:s3:::team/a/b"},
		{"HEAD", "/team/a", "s3:GetObject", "arn:aws:s3:::team/a"},
		{"PUT", "/team/a", "s3:PutObject", "arn:aws:s3:::team/a"},
		{"DELETE", "/team/a", "s3:DeleteObject", "arn:aws:s3:::team/a"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		qs, err := actionOf(r)
		if err != nil || len(qs) != 1 || qs[0].Action != tt.action || qs[0].Resource != tt.resource {
			t.Errorf("actionOf(%s %s) = %+v, %v; want %s on %s", tt.method, tt.target, qs, err, tt.action, tt.resource)
		}
	}
	r := httptest.NewRequest("GET", "/team?list-type=2&prefix=a%2F&delimiter=%2F", nil)
	qs, _ := actionOf(r)
	if ctx := qs[0].Context; len(ctx["s3:prefix"]) != 1 || ctx["s3:prefix"][0] != "a/" || ctx["s3:delimiter"][0] != "/" || ctx["s3:max-keys"][0] != "1000" {
		t.Errorf("actionOf(ListObjectsV2).Context = %v, want s3:prefix a/, s3:delimiter /, s3:max-keys 1000", ctx)
	}
	for _, target := range []string{"/team", "/"} {
		if _, err := actionOf(httptest.NewRequest("PUT", target, nil)); err == nil {
			t.Errorf("actionOf(PUT %s) succeeded, want an error", target)
		}
	}
}
