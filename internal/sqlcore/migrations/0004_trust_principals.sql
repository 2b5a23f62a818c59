-- Each role's trust-policy principals bound to unique IDs (keyward.Role's
-- TrustPrincipalIDs), as a JSON object from principal ARN to unique ID.
ALTER TABLE roles ADD COLUMN trust_principal_ids TEXT NOT NULL DEFAULT '{}';
