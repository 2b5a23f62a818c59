package e2e

import (
	"net/http"
	"os"
	"testing"

	"github.com/keyward/keyward/sigv4"
)

// BenchmarkBinaries measures signed requests against two keyward binaries
// running side by side on loopback, in one run: this checkout's and the one
// KEYWARD_COMPARE_BINARY names (an older build), so a change's cost on the
// request path is measured as a ratio under the same load:
//
//	git worktree add /tmp/old <commit> && (cd /tmp/old && go build -o /tmp/keyward-old ./cmd/keyward)
//	KEYWARD_COMPARE_BINARY=/tmp/keyward-old go test -run X -bench Binaries -count 6 | tee /tmp/b.txt
//	benchstat -col /binary /tmp/b.txt
//
// For each binary: a signed sts:GetCallerIdentity, and a warm, authorized
// iam:GetUser by a user whose inline policy allows it.
func BenchmarkBinaries(b *testing.B) {
	old := os.Getenv("KEYWARD_COMPARE_BINARY")
	if old == "" {
		b.Skip("set KEYWARD_COMPARE_BINARY to another keyward binary to compare with this checkout's")
	}
	for _, side := range []struct{ name, bin string }{{"new", binary}, {"old", old}} {
		p := launchBinary(b, side.bin, "--store", "sqlite::memory:")
		root := &queryClient{HTTP: &http.Client{}, Creds: rootCreds}
		root.must(b, p.URL, "iam", "CreateUser", "UserName", "reader")
		root.must(b, p.URL, "iam", "PutUserPolicy", "UserName", "reader", "PolicyName", "read",
			"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
		var key struct {
			ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
			Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
		}
		decode(b, root.must(b, p.URL, "iam", "CreateAccessKey", "UserName", "reader"), &key)
		reader := &queryClient{HTTP: root.HTTP, Creds: sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}}
		reader.must(b, p.URL, "iam", "GetUser", "UserName", "reader") // warm the caches
		b.Run("binary="+side.name+"/op=GetCallerIdentity", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				reader.must(b, p.URL, "sts", "GetCallerIdentity")
			}
		})
		b.Run("binary="+side.name+"/op=GetUser", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				reader.must(b, p.URL, "iam", "GetUser", "UserName", "reader")
			}
		})
	}
}
