-- The keys that sign outbound web identity tokens (sts:GetWebIdentityToken),
-- made on first use and rotated: each algorithm's signing key and the
-- retired ones still published (package outbound); private halves sealed
-- by the server (keyward.OutboundKey). The index finds an account by its
-- issuer, which the unauthenticated discovery endpoints look up.
CREATE TABLE outbound_keys (
	account_id  TEXT      NOT NULL,
	kid         TEXT      NOT NULL,
	alg         TEXT      NOT NULL,
	public_key  {{bytes}} NOT NULL,
	private_key {{bytes}} NOT NULL,
	create_date {{int64}},
	PRIMARY KEY (account_id, kid)
);
CREATE INDEX accounts_outbound_issuer ON accounts (outbound_issuer);
