-- The web console's sessions (keyward.ConsoleSessions), shared by every
-- process on the database. session_key is a hash of the browser's cookie.
CREATE TABLE console_sessions (
	session_key TEXT      PRIMARY KEY,
	data        {{bytes}} NOT NULL,
	expires_at  {{int64}} NOT NULL -- Unix seconds
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
