-- IAM Roles Anywhere: trust anchors, profiles and CRLs (keyward.TrustAnchor,
-- keyward.RolesAnywhereProfile, keyward.CRL). IDs are UUIDs; ARNs keep the
-- region they were created in. List and structured fields are JSON text.
-- Their tags live in the tags table, under their IDs.

CREATE TABLE ra_trust_anchors (
	id                    TEXT PRIMARY KEY,
	account_id            TEXT NOT NULL,
	arn                   TEXT NOT NULL UNIQUE,
	name                  TEXT NOT NULL,
	source_type           TEXT NOT NULL,
	source_data           TEXT NOT NULL,
	enabled               {{bool}} NOT NULL,
	notification_settings TEXT NOT NULL DEFAULT 'null',
	create_date           {{int64}},
	update_date           {{int64}}
);
CREATE INDEX ra_trust_anchors_account ON ra_trust_anchors (account_id, name, id);

CREATE TABLE ra_profiles (
	id                          TEXT PRIMARY KEY,
	account_id                  TEXT NOT NULL,
	arn                         TEXT NOT NULL UNIQUE,
	name                        TEXT NOT NULL,
	enabled                     {{bool}} NOT NULL,
	role_arns                   TEXT NOT NULL,
	managed_policy_arns         TEXT NOT NULL,
	session_policy              TEXT NOT NULL DEFAULT '',
	duration_seconds            {{int64}} NOT NULL,
	require_instance_properties {{bool}} NOT NULL,
	accept_role_session_name    {{bool}} NOT NULL,
	attribute_mappings          TEXT NOT NULL DEFAULT 'null',
	created_by                  TEXT NOT NULL DEFAULT '',
	create_date                 {{int64}},
	update_date                 {{int64}}
);
CREATE INDEX ra_profiles_account ON ra_profiles (account_id, name, id);

CREATE TABLE ra_crls (
	id               TEXT PRIMARY KEY,
	account_id       TEXT NOT NULL,
	arn              TEXT NOT NULL UNIQUE,
	name             TEXT NOT NULL,
	trust_anchor_arn TEXT NOT NULL,
	data             {{bytes}} NOT NULL,
	enabled          {{bool}} NOT NULL,
	create_date      {{int64}},
	update_date      {{int64}}
);
CREATE INDEX ra_crls_account ON ra_crls (account_id, name, id);
CREATE INDEX ra_crls_trust_anchor ON ra_crls (trust_anchor_arn);
