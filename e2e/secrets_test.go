package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/sigv4"
)

// TestSecrets_PostgreSQL is cmd/keyward's TestSecrets_AtRest on
// PostgreSQL: a pg_dump of the server's schema holds no secret in clear
// (access key secrets, a temporary secret and its session token, the key
// ring's token keys, the key-encryption key), and swapping two access
// keys' sealed secrets in the table makes both fail after a restart.
func TestSecrets_PostgreSQL(t *testing.T) {
	dsn := postgresDSN(t)
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump is not installed")
	}
	base := os.Getenv("KEYWARD_TEST_POSTGRES")
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	data := t.TempDir()
	p := launch(t, "--data", data, "--store", dsn)
	root := &queryClient{HTTP: http.DefaultClient, Creds: rootCreds}
	newKey := func(user string) sigv4.Credentials {
		root.must(t, p.URL, "iam", "CreateUser", "UserName", user)
		var key struct {
			ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
			Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
		}
		decode(t, root.must(t, p.URL, "iam", "CreateAccessKey", "UserName", user), &key)
		return sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	}
	alice, bob := newKey("alice"), newKey("bob")
	ac := &queryClient{HTTP: http.DefaultClient, Creds: alice}
	var temp struct {
		Secret string `xml:"GetSessionTokenResult>Credentials>SecretAccessKey"`
		Token  string `xml:"GetSessionTokenResult>Credentials>SessionToken"`
	}
	decode(t, ac.must(t, p.URL, "sts", "GetSessionToken"), &temp)

	secrets := map[string][]byte{
		"root secret":      []byte(rootCreds.SecretAccessKey),
		"alice's secret":   []byte(alice.SecretAccessKey),
		"bob's secret":     []byte(bob.SecretAccessKey),
		"temporary secret": []byte(temp.Secret),
		"session token":    []byte(temp.Token),
	}
	// The credentials of people: a console password, an MFA seed, a server
	// certificate's private key, a service-specific password.
	const password = "Console-password-for-alice-1!"
	root.must(t, p.URL, "iam", "CreateLoginProfile", "UserName", "alice", "Password", password)
	secrets["console password"] = []byte(password)
	var dev struct {
		Seed string `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice>Base32StringSeed"`
	}
	decode(t, root.must(t, p.URL, "iam", "CreateVirtualMFADevice", "VirtualMFADeviceName", "alice-phone"), &dev)
	b32, _ := base64.StdEncoding.DecodeString(dev.Seed)
	secrets["MFA seed (base32)"] = b32
	certKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	keyDER := x509.MarshalPKCS1PrivateKey(certKey)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: keyDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: selfSigned(t, certKey, "www.example.com").Raw})
	root.must(t, p.URL, "iam", "UploadServerCertificate", "ServerCertificateName", "www", "CertificateBody", string(certPEM), "PrivateKey", string(keyPEM))
	secrets["server certificate's private key (PEM)"] = bytes.TrimSpace(keyPEM)
	secrets["server certificate's private key (DER)"] = keyDER
	var cred struct {
		Password string `xml:"CreateServiceSpecificCredentialResult>ServiceSpecificCredential>ServicePassword"`
	}
	decode(t, root.must(t, p.URL, "iam", "CreateServiceSpecificCredential", "UserName", "alice", "ServiceName", "codecommit.amazonaws.com"), &cred)
	secrets["service-specific password"] = []byte(cred.Password)

	kekText, err := os.ReadFile(filepath.Join(data, "kek"))
	if err != nil {
		t.Fatal(err)
	}
	kekBytes, err := seal.ParseKey(string(kekText))
	if err != nil {
		t.Fatal(err)
	}
	secrets["key-encryption key"] = kekBytes
	kek, _ := seal.NewKey(kekBytes)
	psql := func(sql string) string {
		out, err := exec.Command("psql", base, "-v", "ON_ERROR_STOP=1", "-Atc", sql).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %q: %v: %s", sql, err, out)
		}
		return string(out)
	}
	for _, line := range strings.Split(strings.TrimSpace(psql("SELECT id || ' ' || encode(material, 'hex') FROM "+schema+".key_ring")), "\n") {
		id, h, _ := strings.Cut(line, " ")
		sealed, _ := hex.DecodeString(h)
		k, err := kek.Open(sealed, []byte("keyward:keyring:"+id))
		if err != nil {
			t.Fatalf("key ring entry %s does not open: %v", id, err)
		}
		secrets["token key "+id] = k
	}

	dump, err := exec.Command("pg_dump", "--schema="+schema, "--data-only", base).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(dump, []byte(alice.AccessKeyID)) {
		t.Fatalf("the dump does not hold alice's key id: not the server's schema?")
	}
	for what, secret := range secrets {
		for _, form := range [][]byte{secret, []byte(hex.EncodeToString(secret)), []byte(base64.StdEncoding.EncodeToString(secret))} {
			if bytes.Contains(dump, form) {
				t.Errorf("pg_dump of schema %s holds the %s in clear", schema, what)
			}
		}
	}
	t.Logf("%d secrets looked for in a %d-byte pg_dump: none in clear", len(secrets), len(dump))

	psql("UPDATE " + schema + ".access_keys a SET secret = b.secret FROM " + schema + ".access_keys b WHERE (a.id, b.id) IN (('" +
		alice.AccessKeyID + "', '" + bob.AccessKeyID + "'), ('" + bob.AccessKeyID + "', '" + alice.AccessKeyID + "'))")
	p.kill()
	p = launch(t, "--data", data, "--store", dsn)
	root.must(t, p.URL, "sts", "GetCallerIdentity")
	for _, k := range []sigv4.Credentials{alice, bob} {
		c := &queryClient{HTTP: http.DefaultClient, Creds: k}
		code, body, err := c.call(p.URL, "sts", "GetCallerIdentity")
		if err != nil || code == 200 {
			t.Errorf("GetCallerIdentity as %s with its sealed secret swapped = %d %v %s, want a refusal", k.AccessKeyID, code, err, body)
		}
		t.Logf("after the swap, %s gets %d %s", k.AccessKeyID, code, between(body, "<Code>", "</Code>"))
	}
}
