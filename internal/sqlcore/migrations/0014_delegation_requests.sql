-- IAM's delegation requests (keyward.DelegationRequest, issue 15). IDs
-- sort in creation order. A partner's account has one request per workflow
-- ID. Parameters, restriction ARNs and the approver (the identity that
-- accepted, as it was then) are JSON text; token_ciphertext is the
-- exchange token's secret, sealed under the key-encryption key.
CREATE TABLE delegation_requests (
	id                       TEXT PRIMARY KEY,
	requestor_account_id     TEXT NOT NULL,
	requestor_name           TEXT NOT NULL DEFAULT '',
	requestor_arn            TEXT NOT NULL DEFAULT '',
	owner_account_id         TEXT NOT NULL DEFAULT '',
	owner_id                 TEXT NOT NULL DEFAULT '',
	owner_principal_id       TEXT NOT NULL DEFAULT '',
	description              TEXT NOT NULL DEFAULT '',
	request_message          TEXT NOT NULL DEFAULT '',
	workflow_id              TEXT NOT NULL,
	redirect_url             TEXT NOT NULL DEFAULT '',
	notification_channel     TEXT NOT NULL DEFAULT '',
	session_duration         {{int64}} NOT NULL,
	only_send_by_owner       {{bool}} NOT NULL,
	policy_template_arn      TEXT NOT NULL DEFAULT '',
	parameters               TEXT NOT NULL DEFAULT 'null',
	permission_policy        TEXT NOT NULL DEFAULT '',
	restriction_arns         TEXT NOT NULL DEFAULT '[]',
	state                    TEXT NOT NULL,
	approver_id              TEXT NOT NULL DEFAULT '',
	approver                 TEXT NOT NULL DEFAULT 'null',
	notes                    TEXT NOT NULL DEFAULT '',
	rejection_reason         TEXT NOT NULL DEFAULT '',
	create_date              {{int64}},
	update_date              {{int64}},
	expiration_time          {{int64}},
	token_release_date       {{int64}},
	token_ciphertext         {{bytes}} NOT NULL DEFAULT {{nobytes}},
	UNIQUE (requestor_account_id, workflow_id)
);
CREATE INDEX delegation_requests_owner ON delegation_requests (owner_account_id, id);
