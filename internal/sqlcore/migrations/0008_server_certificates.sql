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
	private_key {{bytes}} NOT NULL,
	upload_date {{int64}},
	expiration  {{int64}},
	UNIQUE (account_id, name_fold)
);
