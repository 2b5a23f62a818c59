-- Server certificates (issue 15). private_key is sealed by IAM and never
-- returned.
CREATE TABLE server_certificates (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL,
	name        TEXT NOT NULL,
	name_fold   TEXT NOT NULL,
	path        TEXT NOT NULL,
	arn         TEXT NOT NULL,
	body        TEXT NOT NULL,
	chain       TEXT NOT NULL DEFAULT '',
	private_key BYTEA NOT NULL,
	upload_date BIGINT,
	expiration  BIGINT,
	UNIQUE (account_id, name_fold)
);
