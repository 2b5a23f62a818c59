package postgres

import (
	"context"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

var _ keyward.ConsoleSessions = (*Store)(nil)

// PutConsoleSession implements keyward.ConsoleSessions: statements that
// commit one by one, retried on conflict.
func (s *Store) PutConsoleSession(ctx context.Context, cs keyward.ConsoleSession) error {
	return s.retry(ctx, func(ctx context.Context) error {
		return sqlcore.PutConsoleSession(&conn{ctx: ctx, q: s.pool}, dialect{}, cs, time.Now())
	})
}

// GetConsoleSession implements keyward.ConsoleSessions.
func (s *Store) GetConsoleSession(ctx context.Context, key string, now time.Time) (keyward.ConsoleSession, error) {
	return sqlcore.GetConsoleSession(&conn{ctx: ctx, q: s.pool}, dialect{}, key, now)
}

// DeleteConsoleSession implements keyward.ConsoleSessions.
func (s *Store) DeleteConsoleSession(ctx context.Context, key string) error {
	return s.retry(ctx, func(ctx context.Context) error {
		return sqlcore.DeleteConsoleSession(&conn{ctx: ctx, q: s.pool}, dialect{}, key)
	})
}
