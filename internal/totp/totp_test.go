package totp

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"
)

// TestCode_RFC6238 checks the SHA-1 test vectors of RFC 6238, appendix B
// (8 digits there; a 6-digit code is the same number's last 6 digits).
func TestCode_RFC6238(t *testing.T) {
	seed := []byte("12345678901234567890")
	for _, tt := range []struct {
		unix int64
		want string // the RFC's 8-digit value
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		step := Step(time.Unix(tt.unix, 0))
		if got := Code(seed, step); got != tt.want[2:] {
			t.Errorf("Code(seed, step of %d) = %q, want %q", tt.unix, got, tt.want[2:])
		}
	}
}

func TestVerify(t *testing.T) {
	seed := NewSeed()
	now := time.Unix(1_800_000_000, 0)
	cur := Step(now)
	for _, tt := range []struct {
		name   string
		step   int64
		last   int64
		wantOK bool
	}{
		{"current step", cur, 0, true},
		{"one step behind", cur - 1, 0, true},
		{"one step ahead", cur + 1, 0, true},
		{"two steps behind", cur - 2, 0, false},
		{"two steps ahead", cur + 2, 0, false},
		{"already used", cur, cur, false},
		{"before the last used", cur - 1, cur, false},
		{"after the last used", cur + 1, cur, true},
	} {
		got, ok := Verify(seed, Code(seed, tt.step), now, tt.last)
		if ok != tt.wantOK || ok && got != tt.step {
			t.Errorf("%s: Verify(code of step %d, last %d) = %d, %v; want %d, %v", tt.name, tt.step, tt.last, got, ok, tt.step, tt.wantOK)
		}
	}
	if _, ok := Verify(seed, "12345", now, 0); ok {
		t.Errorf("Verify(5 digits) = ok, want refused")
	}
}

func TestVerifyConsecutive(t *testing.T) {
	seed := NewSeed()
	now := time.Unix(1_800_000_000, 0)
	cur := Step(now)
	c := func(s int64) string { return Code(seed, s) }
	for _, tt := range []struct {
		name         string
		code1, code2 string
		wantStep     int64
		wantOK       bool
	}{
		{"the last two steps", c(cur - 1), c(cur), cur, true},
		{"read a step ago", c(cur - 2), c(cur - 1), cur - 1, true},
		{"not consecutive", c(cur - 2), c(cur), 0, false},
		{"reversed", c(cur), c(cur - 1), 0, false},
		{"too old", c(cur - 5), c(cur - 4), 0, false},
		{"the same code twice", c(cur), c(cur), 0, false},
	} {
		got, ok := VerifyConsecutive(seed, tt.code1, tt.code2, now, 2, 0)
		if ok != tt.wantOK || got != tt.wantStep {
			t.Errorf("%s: VerifyConsecutive = %d, %v; want %d, %v", tt.name, got, ok, tt.wantStep, tt.wantOK)
		}
	}
}

func TestURIAndQRCode(t *testing.T) {
	seed := []byte("12345678901234567890")
	uri := URI("Keyward 111122223333", "alice-phone", seed)
	want := "otpauth://totp/Keyward%20111122223333:alice-phone?algorithm=SHA1&digits=6&issuer=Keyward+111122223333&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if uri != want {
		t.Errorf("URI = %q, want %q", uri, want)
	}
	b, err := QRCodePNG(uri)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("QRCodePNG is no PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() != 256 || r.Dy() != 256 {
		t.Errorf("QRCodePNG is %dx%d, want 256x256", r.Dx(), r.Dy())
	}
	if strings.Contains(string(b), "GEZDGNBV") {
		t.Errorf("QRCodePNG holds the seed in clear text")
	}
}

// BenchmarkVerify measures checking one code (three steps of HMAC-SHA-1).
func BenchmarkVerify(b *testing.B) {
	seed := NewSeed()
	now := time.Unix(1_800_000_000, 0)
	code := Code(seed, Step(now))
	b.ReportAllocs()
	for b.Loop() {
		Verify(seed, code, now, 0)
	}
}
