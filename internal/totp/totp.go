// Package totp implements the time-based one-time passwords of virtual MFA
// devices (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second steps,
// 6 digits, which is what AWS's virtual MFA devices and the authenticator
// apps that scan their QR codes use. It makes seeds, the otpauth:// URI
// and its QR code, and checks codes. It imports no package of the project:
// IAM (enabling a device, signing in) and STS (sessions with MFA) both use
// it.
//
// A code is accepted once: Verify takes the last time step accepted and
// refuses that step and every earlier one, so a code seen by someone
// else is worthless once used.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

// Period is the length of a time step, Digits the length of a code.
const (
	Period = 30 * time.Second
	Digits = 6
	// SeedSize is the seed's length in bytes: 160 bits, RFC 4226's
	// recommendation for HMAC-SHA-1 (and the 32 base32 characters AWS's
	// seeds have).
	SeedSize = 20
)

// Encoding is how seeds are shown: base32 without padding, as
// authenticator apps read them.
var Encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSeed returns a fresh random seed.
func NewSeed() []byte {
	b := make([]byte, SeedSize)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return b
}

// Step is the time step of t: Unix seconds over Period.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// Code returns the code of seed at time step step (RFC 4226 section 5.3,
// with the step as the counter).
func Code(seed []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, seed)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", Digits, v%1000000)
}

// Match returns the step among from..to (inclusive) whose code is code,
// comparing in constant time, and whether there is one.
func Match(seed []byte, code string, from, to int64) (int64, bool) {
	if len(code) != Digits {
		return 0, false
	}
	found, step := 0, int64(0)
	for s := from; s <= to; s++ {
		if subtle.ConstantTimeCompare([]byte(Code(seed, s)), []byte(code)) == 1 && found == 0 {
			found, step = 1, s
		}
	}
	return step, found == 1
}

// Verify checks a code at time now, accepting the current step and one on
// either side (RFC 6238 section 5.2's allowance for clock drift and
// delay), but none at or before last, the step of the code accepted
// before. It returns the step to remember as the new last.
func Verify(seed []byte, code string, now time.Time, last int64) (int64, bool) {
	cur := Step(now)
	from := max(cur-1, last+1)
	return Match(seed, code, from, cur+1)
}

// VerifyConsecutive checks two codes of consecutive steps, the first of
// which lies within window steps of now: what enabling (window 2: the
// second code was current a step ago at most) and resynchronizing (a
// wider window, for a device whose clock drifted) take. It returns the
// second code's step.
func VerifyConsecutive(seed []byte, code1, code2 string, now time.Time, window, last int64) (int64, bool) {
	cur := Step(now)
	for s := max(cur-window, last+1); s <= cur+window; s++ {
		if subtle.ConstantTimeCompare([]byte(Code(seed, s)), []byte(code1)) == 1 &&
			subtle.ConstantTimeCompare([]byte(Code(seed, s+1)), []byte(code2)) == 1 {
			return s + 1, true
		}
	}
	return 0, false
}

// URI returns the otpauth:// URI that authenticator apps scan (Google
// Authenticator's Key Uri Format): the label is ISSUER:ACCOUNT, the seed
// base32.
func URI(issuer, account string, seed []byte) string {
	q := url.Values{}
	q.Set("secret", Encoding.EncodeToString(seed))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(Digits))
	q.Set("period", fmt.Sprint(int(Period/time.Second)))
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// QRCodePNG returns a PNG image of the QR code of uri (error correction
// level M, 256 pixels square), as AWS's QRCodePNG is.
func QRCodePNG(uri string) ([]byte, error) {
	return qrcode.Encode(uri, qrcode.Medium, 256)
}
