-- SAML providers, the assertions already used (refused if replayed until
-- they expire), the account's STS token version and outbound federation
-- (issue 15).
CREATE TABLE saml_providers (
	arn         TEXT PRIMARY KEY,
	arn_fold    TEXT NOT NULL UNIQUE,
	account_id  TEXT NOT NULL,
	name        TEXT NOT NULL,
	metadata    TEXT NOT NULL,
	create_date {{int64}},
	valid_until {{int64}}
);
CREATE INDEX saml_providers_account ON saml_providers (account_id);

CREATE TABLE saml_assertions (
	provider_arn TEXT NOT NULL,
	id           TEXT NOT NULL,
	not_after    {{int64}} NOT NULL,
	PRIMARY KEY (provider_arn, id)
);
CREATE INDEX saml_assertions_expiry ON saml_assertions (not_after);

ALTER TABLE accounts ADD COLUMN token_version {{int64}} NOT NULL DEFAULT 0;
-- Outbound web identity federation: the account's issuer URL and whether it
-- is enabled.
ALTER TABLE accounts ADD COLUMN outbound_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN outbound_enabled {{bool}} NOT NULL DEFAULT {{false}};
