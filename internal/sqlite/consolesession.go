package sqlite

import (
	"context"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

var _ keyward.ConsoleSessions = (*Store)(nil)

// PutConsoleSession implements keyward.ConsoleSessions on the writer
// connection.
func (s *Store) PutConsoleSession(ctx context.Context, cs keyward.ConsoleSession) error {
	return sqlcore.PutConsoleSession(&conn{ctx: ctx, q: s.writer}, dialect{}, cs, time.Now())
}

// GetConsoleSession implements keyward.ConsoleSessions.
func (s *Store) GetConsoleSession(ctx context.Context, key string, now time.Time) (keyward.ConsoleSession, error) {
	return sqlcore.GetConsoleSession(&conn{ctx: ctx, q: s.reader}, dialect{}, key, now)
}

// DeleteConsoleSession implements keyward.ConsoleSessions.
func (s *Store) DeleteConsoleSession(ctx context.Context, key string) error {
	return sqlcore.DeleteConsoleSession(&conn{ctx: ctx, q: s.writer}, dialect{}, key)
}
