package iam

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/keyward/keyward"
)

// Console passwords are hashed with argon2id (RFC 9106) and stored as the
// usual encoded string, $argon2id$v=19$m=MEMORY,t=TIME,p=THREADS$SALT$HASH,
// so that the parameters can be raised later without invalidating stored
// hashes (each is checked with its own). The parameters are OWASP's
// recommended minimum for argon2id (Password Storage Cheat Sheet): 19 MiB
// of memory, 2 passes, 1 lane, a 16-byte random salt and a 32-byte hash;
// about 25-45 ms of one core here (BenchmarkHashPassword, BenchmarkCheckPasswordHash). A password is never stored, logged or put
// in an error in any other form.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

var b64 = base64.RawStdEncoding

// HashPassword returns the encoded argon2id hash of password with a fresh
// salt.
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPasswordHash reports whether password is the one encoded hashes,
// comparing in constant time. A hash it cannot read matches nothing.
func CheckPasswordHash(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 || t > 64 {
		return false
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// passwordSymbols are the characters AWS counts as symbols in a password.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// maxPasswordHistory is the most earlier passwords a profile remembers:
// PasswordReusePrevention's maximum.
const maxPasswordHistory = 24

// errPasswordPolicy is AWS's answer to a password the policy refuses.
func errPasswordPolicy(why string) error {
	return keyward.Errorf(keyward.ErrPasswordPolicyViolation, "Password does not conform to the account password policy: %s.", why)
}

// checkPassword applies the account's password policy to a new password,
// or AWS's default policy when the account has none: at least 8
// characters, with at least three of uppercase letters, lowercase letters,
// numbers and symbols (IAM User Guide, "Set an account password policy
// for IAM users").
func checkPassword(pol *keyward.PasswordPolicy, password string) error {
	var upper, lower, digit, symbol bool
	n := 0
	for _, r := range password {
		n++
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		case r > unicode.MaxASCII || r < ' ' || r == 0x7f:
			return errPasswordPolicy("it may hold only printable ASCII characters")
		}
	}
	if pol == nil {
		classes := 0
		for _, b := range []bool{upper, lower, digit, symbol} {
			if b {
				classes++
			}
		}
		if n < 8 || classes < 3 {
			return errPasswordPolicy("the default policy needs at least 8 characters and three of uppercase letters, lowercase letters, numbers and symbols")
		}
		return nil
	}
	switch {
	case n < pol.MinimumPasswordLength:
		return errPasswordPolicy(fmt.Sprintf("it must have at least %d characters", pol.MinimumPasswordLength))
	case pol.RequireUppercaseCharacters && !upper:
		return errPasswordPolicy("it must have an uppercase letter")
	case pol.RequireLowercaseCharacters && !lower:
		return errPasswordPolicy("it must have a lowercase letter")
	case pol.RequireNumbers && !digit:
		return errPasswordPolicy("it must have a number")
	case pol.RequireSymbols && !symbol:
		return errPasswordPolicy("it must have one of the symbols " + passwordSymbols)
	}
	return nil
}

// passwordPolicy reads the account's password policy, nil when none is
// set.
func passwordPolicy(tx keyward.Tx, accountID string) (*keyward.PasswordPolicy, error) {
	p, err := tx.GetPasswordPolicy(accountID)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// passwordExpired reports whether the profile's password is older than the
// policy's MaxPasswordAge at now.
func passwordExpired(pol *keyward.PasswordPolicy, p *keyward.LoginProfile, now time.Time) bool {
	if pol == nil || pol.MaxPasswordAge <= 0 {
		return false
	}
	set := p.PasswordChangedDate
	if set.IsZero() {
		set = p.CreateDate
	}
	return !now.Before(set.Add(time.Duration(pol.MaxPasswordAge) * 24 * time.Hour))
}

// setPassword gives p a new password: hashed, the old hash kept in the
// history as far as the policy's PasswordReusePrevention needs, and the
// reuse checked when reuse is set (a user changing its own password).
func setPassword(pol *keyward.PasswordPolicy, p *keyward.LoginProfile, password string, now time.Time, reuse bool) error {
	keep := 0
	if pol != nil {
		keep = min(pol.PasswordReusePrevention, maxPasswordHistory)
	}
	if reuse && keep > 0 {
		// The current password and the keep-1 before it may not return.
		earlier := append([]string{p.PasswordHash}, p.PasswordHistory...)
		for i, h := range earlier {
			if i >= keep {
				break
			}
			if CheckPasswordHash(h, password) {
				return errPasswordPolicy(fmt.Sprintf("it may not be one of the last %d passwords", keep))
			}
		}
	}
	history := p.PasswordHistory
	if p.PasswordHash != "" {
		history = append([]string{p.PasswordHash}, history...)
	}
	if len(history) > max(keep-1, 0) {
		history = history[:max(keep-1, 0)]
	}
	if len(history) == 0 {
		history = nil
	}
	p.PasswordHistory = history
	p.PasswordHash = HashPassword(password)
	p.PasswordChangedDate = now
	return nil
}
