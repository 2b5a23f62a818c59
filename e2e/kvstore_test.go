package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// startKVStore builds and runs examples/kvstore against s with the store's
// own Keyward credentials, and returns its URL.
func startKVStore(t *testing.T, s *Server, svc Creds, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kvstore")
	build := exec.Command("go", "build", "-o", bin, "./examples/kvstore")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building kvstore: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--keyward", s.URL}, args...)...)
	cmd.Env = append(os.Environ(), "KVSTORE_ACCESS_KEY_ID="+svc.ID, "KVSTORE_SECRET_ACCESS_KEY="+svc.Secret)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "kvstore listening" {
				ready <- rec.URL
			}
		}
	}()
	select {
	case u := <-ready:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("kvstore did not start")
	}
	return ""
}

func kvClient(url string, c Creds) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(c.ID, c.Secret, c.Token)}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(url)
		o.UsePathStyle = true
	})
}

// TestKVStore_SDK: the AWS SDK's S3 client against examples/kvstore, which
// Keyward protects through guard. Run once asking Keyward on every request
// and once with the cache (local verification with the signing key).
func TestKVStore_SDK(t *testing.T) {
	for _, ttl := range []string{"0", "5s"} {
		t.Run("ttl="+ttl, func(t *testing.T) {
			s := startServer(t)
			svc := s.userWithKey(t, "kvstore-service", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
				"Action":["keyward:Authorize","keyward:GetSigningKey"],"Resource":"arn:aws:keyward:::service/s3"}]}`)
			alice := s.userWithKey(t, "alice", `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::team/${aws:username}/*"},
				{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::team","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}},
				{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
			readerARN := s.roleWith(t, "reader", trustAccount(), 0, allowDoc("s3:GetObject", "arn:aws:s3:::team/*"))
			url := startKVStore(t, s, svc, "--ttl", ttl)
			cx := ctx(t)
			kv := kvClient(url, alice)

			for _, key := range []string{"alice/notes.txt", "alice/with space & (parens).txt", "alice/ünïcödé/x"} {
				if _, err := kv.PutObject(cx, &s3.PutObjectInput{Bucket: aws.String("team"), Key: aws.String(key), Body: strings.NewReader("hello " + key)}); err != nil {
					t.Fatalf("PutObject(%q): %v", key, err)
				}
				out, err := kv.GetObject(cx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String(key)})
				if err != nil {
					t.Fatalf("GetObject(%q): %v", key, err)
				}
				b, _ := io.ReadAll(out.Body)
				if string(b) != "hello "+key {
					t.Errorf("GetObject(%q) = %q, want %q", key, b, "hello "+key)
				}
			}
			list, err := kv.ListObjectsV2(cx, &s3.ListObjectsV2Input{Bucket: aws.String("team"), Prefix: aws.String("alice/")})
			if err != nil || len(list.Contents) != 3 {
				t.Errorf("ListObjectsV2(alice/) = %v, %v; want 3 objects", list, err)
			}

			_, err = kv.PutObject(cx, &s3.PutObjectInput{Bucket: aws.String("team"), Key: aws.String("bob/x"), Body: bytes.NewReader([]byte("x"))})
			wantErrorCode(t, "PutObject(bob/x)", err, "AccessDenied")
			_, err = kv.ListObjectsV2(cx, &s3.ListObjectsV2Input{Bucket: aws.String("team"), Prefix: aws.String("bob/")})
			wantErrorCode(t, "ListObjectsV2(bob/)", err, "AccessDenied")
			_, err = kvClient(url, Creds{ID: alice.ID, Secret: "wrong"}).GetObject(cx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String("alice/notes.txt")})
			wantErrorCode(t, "GetObject with a wrong secret", err, "SignatureDoesNotMatch")
			_, err = kvClient(url, Creds{ID: "AKIAUNKNOWNUNKNOWN12", Secret: "x"}).GetObject(cx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String("alice/notes.txt")})
			wantErrorCode(t, "GetObject with an unknown key", err, "InvalidClientTokenId")

			presigned, err := s3.NewPresignClient(kv).PresignGetObject(cx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String("alice/with space & (parens).txt")})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(presigned.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != "hello alice/with space & (parens).txt" {
				t.Errorf("GET of a presigned URL = %d %q, want 200 and the object", resp.StatusCode, b)
			}

			ar, err := s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String(readerARN), RoleSessionName: aws.String("reads")})
			if err != nil {
				t.Fatal(err)
			}
			reader := kvClient(url, sessionCreds(ar.Credentials))
			if _, err := reader.GetObject(cx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String("alice/notes.txt")}); err != nil {
				t.Errorf("GetObject as a role session: %v", err)
			}
			_, err = reader.DeleteObject(cx, &s3.DeleteObjectInput{Bucket: aws.String("team"), Key: aws.String("alice/notes.txt")})
			wantErrorCode(t, "DeleteObject as the reader role", err, "AccessDenied")
			if _, err := kv.DeleteObject(cx, &s3.DeleteObjectInput{Bucket: aws.String("team"), Key: aws.String("alice/notes.txt")}); err != nil {
				t.Errorf("DeleteObject: %v", err)
			}
		})
	}
}
