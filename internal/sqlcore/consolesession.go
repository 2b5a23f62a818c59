package sqlcore

import (
	"database/sql"
	"errors"
	"time"

	"github.com/keyward/keyward"
)

// PutConsoleSession implements keyward.ConsoleSessions' PutConsoleSession on
// c (outside any transaction: each statement commits alone): it drops the
// sessions expired by s.Expires' clock's now (the store's housekeeping)
// and upserts s. Times are kept to the second.
func PutConsoleSession(c Conn, d Dialect, s keyward.ConsoleSession, now time.Time) error {
	t := MakeTx(c, d, false)
	if _, err := t.exec(`DELETE FROM console_sessions WHERE expires_at <= ?`, now.Unix()); err != nil {
		return wrap(d, "expire console sessions", err)
	}
	_, err := t.exec(`INSERT INTO console_sessions (session_key, data, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (session_key) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
		s.Key, s.Data, s.Expires.Unix())
	if err != nil {
		return wrap(d, "put console session", err)
	}
	return nil
}

// GetConsoleSession implements keyward.ConsoleSessions' GetConsoleSession
// on c.
func GetConsoleSession(c Conn, d Dialect, key string, now time.Time) (keyward.ConsoleSession, error) {
	t := MakeTx(c, d, true)
	s := keyward.ConsoleSession{Key: key}
	var exp int64
	err := t.queryRow(`SELECT data, expires_at FROM console_sessions WHERE session_key = ? AND expires_at > ?`, key, now.Unix()).Scan(&s.Data, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return keyward.ConsoleSession{}, errNoSuchConsoleSession()
	}
	if err != nil {
		return keyward.ConsoleSession{}, wrap(d, "get console session", err)
	}
	s.Expires = time.Unix(exp, 0).UTC()
	return s, nil
}

// DeleteConsoleSession implements keyward.ConsoleSessions'
// DeleteConsoleSession on c.
func DeleteConsoleSession(c Conn, d Dialect, key string) error {
	t := MakeTx(c, d, false)
	if _, err := t.exec(`DELETE FROM console_sessions WHERE session_key = ?`, key); err != nil {
		return wrap(d, "delete console session", err)
	}
	return nil
}
