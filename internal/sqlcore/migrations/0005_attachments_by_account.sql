-- Tx.CountEntities counts an account's policy attachments (GetAccountSummary's
-- PolicyVersionsInUse) with this index instead of reading every attachment.
CREATE INDEX policy_attachments_account ON policy_attachments (account_id);
