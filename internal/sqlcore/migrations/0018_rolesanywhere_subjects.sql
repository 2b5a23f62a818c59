-- IAM Roles Anywhere's subjects (keyward.RolesAnywhereSubject): one per
-- certificate subject per account, written by CreateSession. The
-- certificates and instance properties seen are JSON text lists.
CREATE TABLE ra_subjects (
	id                  TEXT PRIMARY KEY,
	account_id          TEXT NOT NULL,
	arn                 TEXT NOT NULL,
	x509_subject        TEXT NOT NULL,
	enabled             {{bool}} NOT NULL DEFAULT {{true}},
	last_seen_at        {{int64}},
	credentials         TEXT NOT NULL DEFAULT 'null',
	instance_properties TEXT NOT NULL DEFAULT 'null',
	create_date         {{int64}},
	update_date         {{int64}},
	UNIQUE (account_id, x509_subject)
);
