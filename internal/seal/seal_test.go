package seal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestKey_SealOpen(t *testing.T) {
	k, err := NewKey(GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	ct := k.Seal(secret, []byte("accesskey:AKIA1"))
	if bytes.Contains(ct, secret) {
		t.Fatal("Seal output contains the plaintext")
	}
	pt, err := k.Open(ct, []byte("accesskey:AKIA1"))
	if err != nil || !bytes.Equal(pt, secret) {
		t.Fatalf("Open = %q, %v; want the secret", pt, err)
	}
	// A ciphertext moved to another row does not open.
	if _, err := k.Open(ct, []byte("accesskey:AKIA2")); err != ErrOpen {
		t.Errorf("Open with another row's identity = %v, want ErrOpen", err)
	}
	// Nor with another key, nor altered.
	other, _ := NewKey(GenerateKey())
	if _, err := other.Open(ct, []byte("accesskey:AKIA1")); err != ErrOpen {
		t.Errorf("Open with another key = %v, want ErrOpen", err)
	}
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 1
		if _, err := k.Open(bad, []byte("accesskey:AKIA1")); err != ErrOpen {
			t.Fatalf("Open with byte %d flipped = %v, want ErrOpen", i, err)
		}
	}
	if _, err := k.Open(ct[:10], nil); err != ErrOpen {
		t.Errorf("Open of a short ciphertext = %v, want ErrOpen", err)
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kek")
	a, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	b, err := LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("second load = %x, %v; want the same key %x", b, err, a)
	}
}

func TestParseKey(t *testing.T) {
	hex := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	k, err := ParseKey(hex)
	if err != nil || k[31] != 0x1f {
		t.Fatalf("ParseKey(hex) = %x, %v", k, err)
	}
	if _, err := ParseKey("short"); err == nil {
		t.Error("ParseKey(short) = nil error")
	}
}
