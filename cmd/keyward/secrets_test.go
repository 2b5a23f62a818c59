package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/sigv4"
)

// TestSecrets_AtRest reads the SQLite database's files byte by byte and
// finds no secret in clear: not the access keys' secrets (root and users),
// not a temporary credential's secret or session token, not the key ring's
// token-sealing keys, not a console password, an MFA seed, a server
// certificate's private key or a service-specific password. Then it swaps the sealed secrets of two access keys
// in the database, and after a restart neither key authenticates: each
// secret is sealed with its own key id as associated data.
func TestSecrets_AtRest(t *testing.T) {
	t.Setenv("KEYWARD_KEK", "")
	data := t.TempDir()
	cfg := serveConfig{data: data, store: "sqlite:" + filepath.Join(data, "keyward.db")}
	s, hs, root := startSecretsServer(t, cfg)
	c := hs.Client()
	newKey := func(user string) sigv4.Credentials {
		if code, body := call(t, c, hs.URL, root, "iam", iamForm("CreateUser", "UserName", user)); code != 200 {
			t.Fatalf("CreateUser: %d %s", code, body)
		}
		_, body := call(t, c, hs.URL, root, "iam", iamForm("CreateAccessKey", "UserName", user))
		var key struct {
			ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
			Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
		}
		if err := xml.Unmarshal([]byte(body), &key); err != nil || key.ID == "" {
			t.Fatalf("CreateAccessKey: %v %s", err, body)
		}
		return sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	}
	alice, bob := newKey("alice"), newKey("bob")
	gci := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	for _, k := range []sigv4.Credentials{alice, bob} {
		if code, body := call(t, c, hs.URL, k, "sts", gci); code != 200 {
			t.Fatalf("GetCallerIdentity as %s: %d %s", k.AccessKeyID, code, body)
		}
	}
	_, body := call(t, c, hs.URL, alice, "sts", url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}})
	var temp struct {
		Secret string `xml:"GetSessionTokenResult>Credentials>SecretAccessKey"`
		Token  string `xml:"GetSessionTokenResult>Credentials>SessionToken"`
	}
	if err := xml.Unmarshal([]byte(body), &temp); err != nil || temp.Token == "" {
		t.Fatalf("GetSessionToken: %v %s", err, body)
	}

	secrets := map[string][]byte{
		"root secret":      []byte(root.SecretAccessKey),
		"alice's secret":   []byte(alice.SecretAccessKey),
		"bob's secret":     []byte(bob.SecretAccessKey),
		"temporary secret": []byte(temp.Secret),
		"session token":    []byte(temp.Token),
	}
	if raw, err := base64.StdEncoding.DecodeString(temp.Token); err == nil {
		secrets["session token, decoded"] = raw
	}
	for what, secret := range credentialSecrets(t, func(form url.Values) string {
		t.Helper()
		code, body := call(t, c, hs.URL, root, "iam", form)
		if code != 200 {
			t.Fatalf("%s: %d %s", form.Get("Action"), code, body)
		}
		return body
	}) {
		secrets[what] = secret
	}
	// The key ring's keys in clear, opened here with the key-encryption key.
	err := s.Store().View(context.Background(), func(tx keyward.Tx) error {
		entries, err := tx.ListKeyRingEntries()
		if err != nil {
			return err
		}
		for _, e := range entries {
			k, err := s.Config().KEK.Open(e.Material, []byte("keyward:keyring:"+e.ID))
			if err != nil {
				t.Errorf("key ring entry %s does not open with the key-encryption key and its id: %v", e.ID, err)
				continue
			}
			secrets["token key "+e.ID] = k
		}
		if len(entries) == 0 {
			t.Error("the key ring is empty: nothing seals session tokens")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	kek, err := os.ReadFile(filepath.Join(data, "kek"))
	if err != nil {
		t.Fatal(err)
	}
	secrets["key-encryption key file"] = bytes.TrimSpace(kek)
	if raw, err := seal.ParseKey(string(kek)); err == nil {
		secrets["key-encryption key"] = raw
	} else {
		t.Fatal(err)
	}
	// The files as they are while the server runs (database, WAL), and
	// after it stopped (checkpointed).
	var db []byte
	var files []string
	readDB := func() {
		fs, _ := filepath.Glob(filepath.Join(data, "keyward.db*"))
		for _, f := range fs {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			db = append(db, b...)
		}
		files = append(files, fs...)
	}
	readDB()
	hs.Close()
	s.Close()
	readDB()
	if len(db) == 0 {
		t.Fatal("no database files")
	}
	for what, secret := range secrets {
		for _, form := range [][]byte{secret, []byte(hex.EncodeToString(secret)), []byte(base64.StdEncoding.EncodeToString(secret))} {
			if len(secret) >= 16 && bytes.Contains(db, form) {
				t.Errorf("the database files %v hold the %s in clear", files, what)
			}
		}
	}
	t.Logf("%d secrets looked for in %d bytes of %d database files: none in clear", len(secrets), len(db), len(files))

	// Swap alice's and bob's sealed secrets.
	sdb, err := sql.Open("sqlite", filepath.Join(data, "keyward.db"))
	if err != nil {
		t.Fatal(err)
	}
	var sa, sb []byte
	if err := sdb.QueryRow(`SELECT secret FROM access_keys WHERE id = ?`, alice.AccessKeyID).Scan(&sa); err != nil {
		t.Fatal(err)
	}
	if err := sdb.QueryRow(`SELECT secret FROM access_keys WHERE id = ?`, bob.AccessKeyID).Scan(&sb); err != nil {
		t.Fatal(err)
	}
	for id, v := range map[string][]byte{alice.AccessKeyID: sb, bob.AccessKeyID: sa} {
		if _, err := sdb.Exec(`UPDATE access_keys SET secret = ? WHERE id = ?`, v, id); err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()

	s, hs, _ = startSecretsServer(t, cfg)
	defer func() { hs.Close(); s.Close() }()
	c = hs.Client()
	if code, body := call(t, c, hs.URL, root, "sts", gci); code != 200 {
		t.Errorf("root after the restart = %d %s, want 200", code, body)
	}
	for _, k := range []sigv4.Credentials{alice, bob} {
		code, body := call(t, c, hs.URL, k, "sts", gci)
		if code == 200 {
			t.Errorf("GetCallerIdentity as %s with its sealed secret swapped = 200 %s, want a refusal", k.AccessKeyID, body)
		}
		t.Logf("after the swap, %s gets %d %s", k.AccessKeyID, code, between(body, "<Code>", "</Code>"))
		if strings.Contains(body, k.SecretAccessKey) || strings.Contains(body, "secret") {
			t.Errorf("the refusal for %s says too much: %s", k.AccessKeyID, body)
		}
	}
}

// credentialSecrets makes, through iam (a call that must succeed), a
// console password, a virtual MFA device, a server certificate and a
// service-specific credential for user alice, and returns their secrets as
// a client sees them: what must never be in the database in clear.
func credentialSecrets(t *testing.T, iam func(url.Values) string) map[string][]byte {
	t.Helper()
	secrets := map[string][]byte{}
	const password = "Console-password-for-alice-1!"
	iam(iamForm("CreateLoginProfile", "UserName", "alice", "Password", password))
	secrets["console password"] = []byte(password)
	var dev struct {
		Seed string `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice>Base32StringSeed"`
	}
	if err := xml.Unmarshal([]byte(iam(iamForm("CreateVirtualMFADevice", "VirtualMFADeviceName", "alice-phone"))), &dev); err != nil || dev.Seed == "" {
		t.Fatalf("CreateVirtualMFADevice: %v", err)
	}
	b32, _ := base64.StdEncoding.DecodeString(dev.Seed)
	secrets["MFA seed (base32)"] = b32
	if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(b32)); err == nil {
		secrets["MFA seed"] = raw
	}
	cert, key := testServerCertificate(t, "www.example.com")
	iam(iamForm("UploadServerCertificate", "ServerCertificateName", "www", "CertificateBody", cert, "PrivateKey", key))
	secrets["server certificate's private key (PEM)"] = []byte(strings.TrimSpace(key))
	if block, _ := pem.Decode([]byte(key)); block != nil {
		secrets["server certificate's private key (DER)"] = block.Bytes
	}
	var cred struct {
		Password string `xml:"CreateServiceSpecificCredentialResult>ServiceSpecificCredential>ServicePassword"`
	}
	if err := xml.Unmarshal([]byte(iam(iamForm("CreateServiceSpecificCredential", "UserName", "alice", "ServiceName", "codecommit.amazonaws.com"))), &cred); err != nil || cred.Password == "" {
		t.Fatalf("CreateServiceSpecificCredential: %v", err)
	}
	secrets["service-specific password"] = []byte(cred.Password)
	return secrets
}

func startSecretsServer(t *testing.T, cfg serveConfig) (*server.Server, *httptest.Server, sigv4.Credentials) {
	t.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	t.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", "root-secret-for-benchmarks")
	t.Setenv("KEYWARD_ACCOUNT_ID", "111122223333")
	s, err := newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return s, httptest.NewServer(s.Handler()), sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root-secret-for-benchmarks"}
}

func between(s, open, close string) string {
	_, rest, _ := strings.Cut(s, open)
	v, _, _ := strings.Cut(rest, close)
	return v
}
