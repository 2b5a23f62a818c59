-- Console passwords and virtual MFA devices (issue 15).
--
-- password_hash is an encoded argon2id hash made by IAM; history holds the
-- hashes of earlier passwords, newest first, as a JSON array of strings.
CREATE TABLE login_profiles (
	user_id        TEXT PRIMARY KEY REFERENCES users (id),
	account_id     TEXT NOT NULL,
	password_hash  TEXT NOT NULL,
	reset_required {{bool}} NOT NULL,
	create_date    {{int64}},
	changed_date   {{int64}},
	history        TEXT NOT NULL DEFAULT '[]'
);

-- serial is the device's ARN; serial_fold makes it unique regardless of
-- case. seed is the TOTP seed sealed by IAM. user_id is the assigned user,
-- root true when the device is the root user's; last_counter is the TOTP
-- step of the last code accepted, so a code is accepted once.
CREATE TABLE mfa_devices (
	serial       TEXT PRIMARY KEY,
	serial_fold  TEXT NOT NULL UNIQUE,
	account_id   TEXT NOT NULL,
	path         TEXT NOT NULL,
	name         TEXT NOT NULL,
	seed         {{bytes}} NOT NULL,
	user_id      TEXT REFERENCES users (id),
	root         {{bool}} NOT NULL DEFAULT {{false}},
	enable_date  {{int64}},
	create_date  {{int64}},
	last_counter {{int64}} NOT NULL DEFAULT 0
);
CREATE INDEX mfa_devices_account ON mfa_devices (account_id);
CREATE INDEX mfa_devices_user ON mfa_devices (user_id);
