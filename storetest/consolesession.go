package storetest

import (
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// testConsoleSessions checks keyward.ConsoleSessions: a session is found
// until it expires, replaced whole by a put, gone once deleted, and an
// expired one is never returned.
func testConsoleSessions(t *testing.T, s keyward.Store) {
	cs, ok := s.(keyward.ConsoleSessions)
	if !ok {
		t.Skipf("%T does not implement keyward.ConsoleSessions: nothing to test", s)
	}
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	a := keyward.ConsoleSession{Key: "hash-a", Data: []byte("first\x00binary"), Expires: now.Add(time.Hour)}
	wantOK(t, "PutConsoleSession", cs.PutConsoleSession(ctx, a))
	got, err := cs.GetConsoleSession(ctx, "hash-a", now)
	wantOK(t, "GetConsoleSession", err)
	diff(t, "GetConsoleSession", a, got)

	a.Data, a.Expires = []byte("second"), now.Add(2*time.Hour)
	wantOK(t, "PutConsoleSession(replace)", cs.PutConsoleSession(ctx, a))
	got, err = cs.GetConsoleSession(ctx, "hash-a", now)
	wantOK(t, "GetConsoleSession(replaced)", err)
	diff(t, "GetConsoleSession(replaced)", a, got)

	_, err = cs.GetConsoleSession(ctx, "hash-a", now.Add(2*time.Hour))
	wantCode(t, "GetConsoleSession(at its expiry)", err, keyward.ErrNoSuchEntity)
	_, err = cs.GetConsoleSession(ctx, "hash-none", now)
	wantCode(t, "GetConsoleSession(none)", err, keyward.ErrNoSuchEntity)

	// A put drops the sessions that have expired.
	old := keyward.ConsoleSession{Key: "hash-old", Data: []byte("x"), Expires: now.Add(-time.Minute)}
	wantOK(t, "PutConsoleSession(expired)", cs.PutConsoleSession(ctx, old))
	wantOK(t, "PutConsoleSession(b)", cs.PutConsoleSession(ctx, keyward.ConsoleSession{Key: "hash-b", Data: []byte("b"), Expires: now.Add(time.Hour)}))
	_, err = cs.GetConsoleSession(ctx, "hash-old", now.Add(-time.Hour))
	wantCode(t, "GetConsoleSession(swept)", err, keyward.ErrNoSuchEntity)

	wantOK(t, "DeleteConsoleSession", cs.DeleteConsoleSession(ctx, "hash-a"))
	wantOK(t, "DeleteConsoleSession(again)", cs.DeleteConsoleSession(ctx, "hash-a"))
	_, err = cs.GetConsoleSession(ctx, "hash-a", now)
	wantCode(t, "GetConsoleSession(deleted)", err, keyward.ErrNoSuchEntity)
	if _, err := cs.GetConsoleSession(ctx, "hash-b", now); err != nil {
		t.Errorf("GetConsoleSession(hash-b) after deleting hash-a: %v", err)
	}
}
