package sts

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
)

func sampleCaller() *keyward.Caller {
	return &keyward.Caller{
		Kind: keyward.CallerAssumedRole, AccountID: acct,
		ARN:    "arn:aws:sts::" + acct + ":assumed-role/admin/alice",
		UserID: "AROAEXAMPLEEXAMPLE123:alice", RoleName: "admin",
		RoleARN: "arn:aws:iam::" + acct + ":role/ops/admin", SessionName: "alice",
		SessionPolicies:   []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		SessionTags:       []keyward.Tag{{Key: "team", Value: "blue"}, {Key: "cost", Value: ""}},
		TransitiveTagKeys: []string{"team"},
		SourceIdentity:    "alice@example.com",
		TokenIssueTime:    start,
		MFAPresent:        true,
		Chained:           true,
	}
}

func TestTokens_RoundTrip(t *testing.T) {
	e := newEnv(t)
	want := sampleCaller()
	exp := start.Add(time.Hour)
	tok, err := e.svc.Tokens.Issue(context.Background(), want, "ASIAEXAMPLEEXAMPLE12", "secret/value", exp)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) > 2048 {
		t.Errorf("token is %d characters, want under 2048 for a small session", len(tok))
	}
	s, err := e.svc.Tokens.OpenSession(tok, "ASIAEXAMPLEEXAMPLE12", start.Add(time.Minute))
	if err != nil {
		t.Fatalf("OpenSession = %v", err)
	}
	want.Temporary = true
	want.AccessKeyID = "ASIAEXAMPLEEXAMPLE12"
	want.SessionExpiry = exp
	if diff := cmp.Diff(*want, s.Caller, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("OpenSession().Caller differs (-want +got):\n%s", diff)
	}
	if s.Secret != "secret/value" {
		t.Errorf("OpenSession().Secret = %q, want %q", s.Secret, "secret/value")
	}
	// A second open comes from the cache and must apply the same checks.
	for _, now := range []time.Time{exp, exp.Add(time.Second)} {
		if _, err := e.svc.Tokens.OpenSession(tok, "ASIAEXAMPLEEXAMPLE12", now); code(err) != keyward.ErrExpiredToken {
			t.Errorf("OpenSession(at %v) = %v, want ExpiredToken", now, err)
		}
	}
	if _, err := e.svc.Tokens.OpenSession(tok, "ASIAEXAMPLEEXAMPLE13", start); code(err) != keyward.ErrInvalidClientTokenID {
		t.Errorf("OpenSession(other key id, cached) = %v, want InvalidClientTokenId", err)
	}
	// And a fresh Tokens (no cache) likewise.
	fresh := NewTokens(e.ring)
	if _, err := fresh.OpenSession(tok, "ASIAEXAMPLEEXAMPLE13", start); code(err) != keyward.ErrInvalidClientTokenID {
		t.Errorf("OpenSession(other key id) = %v, want InvalidClientTokenId", err)
	}
	if _, err := fresh.OpenSession(tok, "ASIAEXAMPLEEXAMPLE12", exp.Add(-time.Second)); err != nil {
		t.Errorf("OpenSession(a second before expiry) = %v, want nil", err)
	}
}

func TestTokens_LargePoliciesCompress(t *testing.T) {
	e := newEnv(t)
	c := sampleCaller()
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/prefix/*"},`, 60) + `{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
	for range 10 {
		c.SessionPolicies = append(c.SessionPolicies, doc)
	}
	tok, err := e.svc.Tokens.Issue(context.Background(), c, "ASIAEXAMPLEEXAMPLE12", "s", start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) > 4096 {
		t.Errorf("token with 11 policies is %d characters, want compression to keep it under 4096", len(tok))
	}
	s, err := e.svc.Tokens.OpenSession(tok, "ASIAEXAMPLEEXAMPLE12", start)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Caller.SessionPolicies); got != 11 {
		t.Errorf("len(SessionPolicies) = %d, want 11", got)
	}
}

// TestTokens_Forgery throws random, mutated, truncated and re-keyed tokens
// at OpenSession: none may open, and nothing may panic.
func TestTokens_Forgery(t *testing.T) {
	e := newEnv(t)
	const id = "ASIAEXAMPLEEXAMPLE12"
	tok, err := e.svc.Tokens.Issue(context.Background(), sampleCaller(), id, "s", start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tokenEncoding.DecodeString(tok)
	r := rand.New(rand.NewPCG(1, 2))
	refuse := func(name, forged string) {
		t.Helper()
		// A fresh Tokens each time so that nothing is served from the cache.
		s, err := NewTokens(e.ring).OpenSession(forged, id, start)
		if err == nil || code(err) != keyward.ErrInvalidClientTokenID {
			t.Fatalf("OpenSession(%s) = %v, %v; want InvalidClientTokenId", name, s, err)
		}
	}
	tokens := NewTokens(e.ring)
	// Every single-byte change of the decoded token.
	for i := range raw {
		for _, flip := range []byte{1, 0x80, 0xff} {
			m := append([]byte(nil), raw...)
			m[i] ^= flip
			forged := tokenEncoding.EncodeToString(m)
			if _, err := tokens.OpenSession(forged, id, start); code(err) != keyward.ErrInvalidClientTokenID {
				t.Fatalf("OpenSession(byte %d ^ %#x) = %v, want InvalidClientTokenId", i, flip, err)
			}
		}
	}
	// Every truncation and extension.
	for n := 0; n < len(tok); n++ {
		refuse("truncated", tok[:n])
	}
	refuse("extended", tok+"A")
	refuse("std base64", base64.StdEncoding.EncodeToString(raw))
	// Random tokens, some with a real key id and version.
	for i := range 3000 {
		b := make([]byte, r.IntN(600))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if i%2 == 0 && len(b) > headerLen {
			copy(b, raw[:1+keyIDLen])
		}
		if _, err := tokens.OpenSession(tokenEncoding.EncodeToString(b), id, start); code(err) != keyward.ErrInvalidClientTokenID {
			t.Fatalf("OpenSession(random %d) = %v, want InvalidClientTokenId", i, err)
		}
		if _, err := tokens.OpenSession(string(b), id, start); code(err) != keyward.ErrInvalidClientTokenID {
			t.Fatalf("OpenSession(random text %d) = %v, want InvalidClientTokenId", i, err)
		}
	}
	// A token sealed by another ring (another server's keys).
	other := newEnv(t)
	foreign, err := other.svc.Tokens.Issue(context.Background(), sampleCaller(), id, "s", start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	refuse("another ring's token", foreign)
	// The same key id as ours, but other key material.
	otherRaw, _ := tokenEncoding.DecodeString(foreign)
	copy(otherRaw[1:], raw[1:1+keyIDLen])
	refuse("another key under our key id", tokenEncoding.EncodeToString(otherRaw))
	refuse("too long", strings.Repeat("A", MaxTokenLength+1))
}

func TestKeyRing_Rotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const id = "ASIAEXAMPLEEXAMPLE12"
	first := e.ring.KeyIDs()
	if len(first) != 1 {
		t.Fatalf("a new ring has keys %v, want one", first)
	}
	old, err := e.svc.Tokens.Issue(ctx, sampleCaller(), id, "s", start.Add(MaxSessionDuration))
	if err != nil {
		t.Fatal(err)
	}
	// Past the rotation period, issuing rotates: a second key signs.
	e.clock.Advance(DefaultRotation)
	newer, err := e.svc.Tokens.Issue(ctx, sampleCaller(), id, "s", e.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ids := e.ring.KeyIDs()
	if len(ids) != 2 || ids[0] != first[0] {
		t.Fatalf("after rotation KeyIDs() = %v, want [%s, new]", ids, first[0])
	}
	if newer[:12] == old[:12] {
		t.Errorf("the token issued after rotation names the old key")
	}
	// Another replica (a fresh ring over the same store) opens both.
	replica, err := NewKeyRing(ctx, KeyRingConfig{Store: e.store, KEK: e.kek, Clock: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"old": old, "new": newer} {
		if _, err := NewTokens(replica).OpenSession(tok, id, e.clock.Now()); err != nil {
			t.Errorf("replica OpenSession(%s token) = %v", name, err)
		}
	}
	// Until NotAfter the old key still opens its tokens (they expire first
	// anyway); at NotAfter rotation deletes it.
	e.clock.Advance(MaxSessionDuration - time.Second)
	if err := e.ring.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if ids := e.ring.KeyIDs(); ids[0] != first[0] {
		t.Errorf("a second before NotAfter KeyIDs() = %v, want the first key kept", ids)
	}
	e.clock.Advance(time.Second)
	if err := e.ring.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range e.ring.KeyIDs() {
		if k == first[0] {
			t.Errorf("at NotAfter KeyIDs() = %v, want the first key deleted", e.ring.KeyIDs())
		}
	}
	if _, err := NewTokens(e.ring).OpenSession(old, id, start); code(err) != keyward.ErrInvalidClientTokenID {
		t.Errorf("OpenSession(token of a deleted key) = %v, want InvalidClientTokenId", err)
	}
}

func TestKeyRing_ReloadOnUnknownKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// A second replica with its own ring over the same store rotates.
	ck := &clock{t: start.Add(DefaultRotation)}
	replica, err := NewKeyRing(ctx, KeyRingConfig{Store: e.store, KEK: e.kek, Clock: ck.Now})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := NewTokens(replica).Issue(ctx, sampleCaller(), "ASIAEXAMPLEEXAMPLE12", "s", ck.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Our ring has not seen the new key; it reloads and opens the token.
	if _, err := e.svc.Tokens.OpenSession(tok, "ASIAEXAMPLEEXAMPLE12", ck.Now()); err != nil {
		t.Errorf("OpenSession(token of a key another replica made) = %v", err)
	}
}

func TestKeyRing_WrongKEK(t *testing.T) {
	e := newEnv(t)
	other, _ := seal.NewKey(seal.GenerateKey())
	if _, err := NewKeyRing(context.Background(), KeyRingConfig{Store: e.store, KEK: other, Clock: e.clock.Now}); err == nil {
		t.Errorf("NewKeyRing(wrong KEK) = nil error, want one")
	}
}

func FuzzOpenSession(f *testing.F) {
	e := newEnv(f)
	const id = "ASIAEXAMPLEEXAMPLE12"
	tok, err := e.svc.Tokens.Issue(context.Background(), sampleCaller(), id, "s", start.Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add(tok[:len(tok)/2])
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		sess, err := NewTokens(e.ring).OpenSession(s, id, start)
		if s == tok {
			if err != nil {
				t.Fatalf("OpenSession(issued token) = %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("OpenSession(%q) = %+v, want an error", s, sess)
		}
	})
}

// FuzzDecodePayload checks the payload decoder on its own: it sits behind
// the AEAD, but must hold even for bytes the AEAD accepted.
func FuzzDecodePayload(f *testing.F) {
	f.Add(encodePayload(sampleCaller(), "secret", start))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var c keyward.Caller
		var secret string
		var exp time.Time
		if decodePayload(b, &c, &secret, &exp) != nil {
			return
		}
		again := encodePayload(&c, secret, exp)
		var c2 keyward.Caller
		var secret2 string
		var exp2 time.Time
		if err := decodePayload(again, &c2, &secret2, &exp2); err != nil {
			t.Fatalf("decodePayload(encodePayload(decoded)) = %v", err)
		}
		if diff := cmp.Diff(c, c2, cmpopts.EquateEmpty()); diff != "" || secret != secret2 || !exp.Equal(exp2) {
			t.Fatalf("payload round trip differs:\n%s", diff)
		}
	})
}

func BenchmarkOpenSession(b *testing.B) {
	e := newEnv(b)
	const id = "ASIAEXAMPLEEXAMPLE12"
	tok, err := e.svc.Tokens.Issue(context.Background(), sampleCaller(), id, "s", start.Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.svc.Tokens.OpenSession(tok, id, start); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		tokens := NewTokens(e.ring)
		for b.Loop() {
			cs, err := tokens.open(tok, id, start)
			if err != nil || cs == nil {
				b.Fatal(err)
			}
		}
	})
}

// TestTokens_Concurrent issues and opens tokens from several goroutines
// while the ring rotates (run with -race).
func TestTokens_Concurrent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ring, err := NewKeyRing(ctx, KeyRingConfig{Store: e.store, KEK: e.kek, Clock: e.clock.Now, Rotation: time.Minute, ReloadInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	tokens := NewTokens(ring)
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 50 {
				id := TemporaryAccessKeyID(acct)
				tok, err := tokens.Issue(ctx, sampleCaller(), id, "s", start.Add(48*time.Hour))
				if err == nil {
					_, err = NewTokens(ring).OpenSession(tok, id, start)
				}
				if err != nil {
					done <- fmt.Errorf("goroutine %d, token %d: %w", g, i, err)
					return
				}
				if g == 0 {
					e.clock.Advance(10 * time.Second)
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if n := len(ring.KeyIDs()); n < 2 {
		t.Errorf("after 500 s with a 1-minute rotation the ring has %d keys, want several", n)
	}
}
