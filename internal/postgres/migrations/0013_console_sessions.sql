-- The web console's sessions (keyward.ConsoleSessions), shared by every
-- replica. session_key is a hash of the browser's cookie.
CREATE TABLE console_sessions (
	session_key TEXT   PRIMARY KEY,
	data        BYTEA  NOT NULL,
	expires_at  BIGINT NOT NULL -- Unix seconds
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
