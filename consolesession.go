package keyward

import (
	"context"
	"time"
)

// ConsoleSession is one signed-in browser of the web console, as a store
// keeps it. Key is a hash of the session's cookie, never the cookie
// itself, so that whoever reads the store cannot use a session; Data is
// the console's own encoding of the session, opaque to the store.
type ConsoleSession struct {
	Key     string
	Data    []byte
	Expires time.Time
}

// ConsoleSessions is an optional capability of a Store: it keeps the web
// console's sessions where every Keyward process on the store finds them,
// so that replicas behind one load balancer serve the same sessions.
// Sessions are not entities: export and import leave them out, and a reset
// ends them.
type ConsoleSessions interface {
	// PutConsoleSession creates or replaces the session s.Key. It runs in
	// a transaction of its own, and may drop sessions that have expired.
	PutConsoleSession(ctx context.Context, s ConsoleSession) error
	// GetConsoleSession returns the session key. ErrNoSuchEntity when
	// there is none, or it expired at or before now.
	GetConsoleSession(ctx context.Context, key string, now time.Time) (ConsoleSession, error)
	// DeleteConsoleSession removes the session key; none is no error.
	DeleteConsoleSession(ctx context.Context, key string) error
}
