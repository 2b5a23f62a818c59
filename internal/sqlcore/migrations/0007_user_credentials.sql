-- SSH public keys, signing certificates and service-specific credentials
-- (issue 15): kind is 'ssh-public-key', 'signing-certificate' or
-- 'service-specific'; user_id is NULL for the root user's signing
-- certificates; secret is a service-specific credential's password sealed
-- by IAM; expiration is when a service-specific credential expires (NULL:
-- never).
CREATE TABLE user_credentials (
	kind              TEXT NOT NULL,
	id                TEXT NOT NULL,
	account_id        TEXT NOT NULL,
	user_id           TEXT REFERENCES users (id),
	status            TEXT NOT NULL,
	create_date       {{int64}},
	expiration        {{int64}},
	body              TEXT NOT NULL DEFAULT '',
	fingerprint       TEXT NOT NULL DEFAULT '',
	service_name      TEXT NOT NULL DEFAULT '',
	service_user_name TEXT NOT NULL DEFAULT '',
	secret            {{bytes}},
	PRIMARY KEY (kind, id)
);
CREATE INDEX user_credentials_owner ON user_credentials (account_id, user_id);
CREATE INDEX user_credentials_user ON user_credentials (user_id);
