-- Keyward's initial schema, for SQLite, PostgreSQL, CockroachDB and
-- YugabyteDB. The words in double braces are each database's own (see
-- internal/sqlcore/migration.go).
--
-- Times are 64-bit integer nanoseconds since the Unix epoch (UTC), NULL for the
-- zero time: exact, where PostgreSQL's TIMESTAMPTZ keeps microseconds, so an
-- export from one store imports unchanged into the other. *_fold columns
-- hold the name lower-cased by the store (in Go), so uniqueness and lookups
-- ignore case as AWS does; lists order them in byte order, which PostgreSQL
-- is told with COLLATE "C" in the query, not in the column, because
-- CockroachDB accepts "C" only in expressions. Entities are referenced by
-- their unique ID (users and groups can be renamed); OIDC providers have no
-- ID and are referenced by ARN. No foreign keys to accounts: AWS-managed
-- policies live in the pseudo-account "aws". No sequences: every key is
-- given by the store.

CREATE TABLE accounts (
	id          TEXT PRIMARY KEY,
	alias       TEXT UNIQUE,
	create_date {{int64}}
);

CREATE TABLE users (
	id                 TEXT PRIMARY KEY,
	account_id         TEXT NOT NULL,
	name               TEXT NOT NULL,
	name_fold          TEXT NOT NULL,
	path               TEXT NOT NULL,
	arn                TEXT NOT NULL,
	create_date        {{int64}},
	password_last_used {{int64}},
	boundary_arn       TEXT NOT NULL DEFAULT '',
	boundary_fold      TEXT NOT NULL DEFAULT '',
	UNIQUE (account_id, name_fold)
);
CREATE INDEX users_boundary ON users (boundary_fold);

CREATE TABLE iam_groups (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL,
	name        TEXT NOT NULL,
	name_fold   TEXT NOT NULL,
	path        TEXT NOT NULL,
	arn         TEXT NOT NULL,
	create_date {{int64}},
	UNIQUE (account_id, name_fold)
);

CREATE TABLE group_members (
	group_id TEXT NOT NULL REFERENCES iam_groups (id),
	user_id  TEXT NOT NULL REFERENCES users (id),
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE roles (
	id                   TEXT PRIMARY KEY,
	account_id           TEXT NOT NULL,
	name                 TEXT NOT NULL,
	name_fold            TEXT NOT NULL,
	path                 TEXT NOT NULL,
	arn                  TEXT NOT NULL,
	trust_policy         TEXT NOT NULL,
	description          TEXT NOT NULL DEFAULT '',
	max_session_duration {{int64}} NOT NULL,
	boundary_arn         TEXT NOT NULL DEFAULT '',
	boundary_fold        TEXT NOT NULL DEFAULT '',
	create_date          {{int64}},
	last_used_date       {{int64}},
	last_used_region     TEXT NOT NULL DEFAULT '',
	UNIQUE (account_id, name_fold)
);
CREATE INDEX roles_boundary ON roles (boundary_fold);

CREATE TABLE policies (
	id              TEXT PRIMARY KEY,
	account_id      TEXT NOT NULL,
	name            TEXT NOT NULL,
	name_fold       TEXT NOT NULL,
	path            TEXT NOT NULL,
	arn             TEXT NOT NULL,
	arn_fold        TEXT NOT NULL UNIQUE,
	default_version TEXT NOT NULL,
	next_version    {{int64}} NOT NULL,
	is_attachable   {{bool}} NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	create_date     {{int64}},
	update_date     {{int64}},
	UNIQUE (account_id, name_fold)
);
-- Each store has had, since its first schema, one index the other lacks
-- (this one and access_keys_user); both stay so that no existing database
-- changes. Evening them out takes a new migration.
{{only sqlite}} CREATE INDEX policies_name ON policies (name_fold, arn_fold);

CREATE TABLE policy_versions (
	policy_id   TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
	version_id  TEXT NOT NULL,
	number      {{int64}} NOT NULL,
	document    TEXT NOT NULL,
	create_date {{int64}},
	PRIMARY KEY (policy_id, version_id)
);

-- entity_kind is 'user', 'group' or 'role'; entity_id that entity's ID;
-- account_id the entity's account (an AWS-managed policy is attached in
-- many accounts, and each sees only its own attachments).
CREATE TABLE policy_attachments (
	entity_kind TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	account_id  TEXT NOT NULL,
	policy_id   TEXT NOT NULL REFERENCES policies (id),
	PRIMARY KEY (entity_kind, entity_id, policy_id)
);
CREATE INDEX policy_attachments_policy ON policy_attachments (policy_id);

CREATE TABLE inline_policies (
	entity_kind TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	name        TEXT NOT NULL,
	name_fold   TEXT NOT NULL,
	document    TEXT NOT NULL,
	PRIMARY KEY (entity_kind, entity_id, name_fold)
);

CREATE TABLE tags (
	entity_kind TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	tag_key     TEXT NOT NULL,
	key_fold    TEXT NOT NULL,
	tag_value   TEXT NOT NULL,
	PRIMARY KEY (entity_kind, entity_id, key_fold)
);

CREATE TABLE instance_profiles (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL,
	name        TEXT NOT NULL,
	name_fold   TEXT NOT NULL,
	path        TEXT NOT NULL,
	arn         TEXT NOT NULL,
	create_date {{int64}},
	UNIQUE (account_id, name_fold)
);

CREATE TABLE instance_profile_roles (
	profile_id TEXT NOT NULL REFERENCES instance_profiles (id),
	role_id    TEXT NOT NULL REFERENCES roles (id),
	PRIMARY KEY (profile_id, role_id)
);
CREATE INDEX instance_profile_roles_role ON instance_profile_roles (role_id);

-- user_id is NULL for the account's root credentials. secret is ciphertext
-- sealed by the caller.
CREATE TABLE access_keys (
	id                TEXT PRIMARY KEY,
	account_id        TEXT NOT NULL,
	user_id           TEXT REFERENCES users (id),
	secret            {{bytes}} NOT NULL,
	status            TEXT NOT NULL,
	create_date       {{int64}},
	last_used_date    {{int64}},
	last_used_service TEXT NOT NULL DEFAULT '',
	last_used_region  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_keys_owner ON access_keys (account_id, user_id);
-- PostgreSQL's only (see policies_name).
{{only postgres}} CREATE INDEX access_keys_user ON access_keys (user_id);

-- client_ids and thumbprints are JSON arrays of strings.
CREATE TABLE oidc_providers (
	arn         TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL,
	url         TEXT NOT NULL,
	client_ids  TEXT NOT NULL,
	thumbprints TEXT NOT NULL,
	create_date {{int64}}
);
CREATE INDEX oidc_providers_account ON oidc_providers (account_id);

CREATE TABLE password_policies (
	account_id                   TEXT PRIMARY KEY,
	minimum_password_length      {{int64}} NOT NULL,
	require_symbols              {{bool}} NOT NULL,
	require_numbers              {{bool}} NOT NULL,
	require_uppercase_characters {{bool}} NOT NULL,
	require_lowercase_characters {{bool}} NOT NULL,
	allow_users_to_change        {{bool}} NOT NULL,
	expire_passwords             {{bool}} NOT NULL,
	max_password_age             {{int64}} NOT NULL,
	password_reuse_prevention    {{int64}} NOT NULL,
	hard_expiry                  {{bool}} NOT NULL
);

CREATE TABLE slr_deletions (
	task_id     TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL,
	role_name   TEXT NOT NULL,
	status      TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	create_date {{int64}}
);

CREATE TABLE key_ring (
	id          TEXT PRIMARY KEY,
	material    {{bytes}} NOT NULL,
	create_date {{int64}},
	not_after   {{int64}}
);
