-- Last use of each action by each principal (keyward.ActivityLog), for
-- IAM's last-accessed reports.
CREATE TABLE activity (
	account_id TEXT      NOT NULL,
	principal  TEXT      NOT NULL,
	service    TEXT      NOT NULL,
	action     TEXT      NOT NULL,
	region     TEXT      NOT NULL,
	used_at    {{int64}} NOT NULL, -- Unix seconds
	PRIMARY KEY (account_id, principal, service, action)
);
