package sqlcore

import "github.com/keyward/keyward"

// qCountEntities counts in one statement, each count on an index that
// begins with account_id (migration 0005 adds policy_attachments'), so that
// GetAccountSummary reads numbers instead of lists.
const qCountEntities = `SELECT
	(SELECT COUNT(*) FROM users WHERE account_id = ?),
	(SELECT COUNT(*) FROM iam_groups WHERE account_id = ?),
	(SELECT COUNT(*) FROM roles WHERE account_id = ?),
	(SELECT COUNT(*) FROM policies WHERE account_id = ?),
	(SELECT COUNT(*) FROM instance_profiles WHERE account_id = ?),
	(SELECT COUNT(*) FROM oidc_providers WHERE account_id = ?),
	(SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND user_id IS NULL),
	(SELECT COUNT(*) FROM policy_attachments WHERE account_id = ?),
	(SELECT COUNT(*) FROM saml_providers WHERE account_id = ?),
	(SELECT COUNT(*) FROM mfa_devices WHERE account_id = ?),
	(SELECT COUNT(*) FROM mfa_devices WHERE account_id = ? AND enable_date IS NOT NULL),
	(SELECT COUNT(*) FROM mfa_devices WHERE account_id = ? AND root = ?),
	(SELECT COUNT(*) FROM server_certificates WHERE account_id = ?),
	(SELECT COUNT(*) FROM user_credentials WHERE account_id = ? AND kind = 'signing-certificate' AND user_id IS NULL)`

// CountEntities implements keyward.Tx.
func (t *Tx) CountEntities(accountID string) (keyward.EntityCounts, error) {
	var c keyward.EntityCounts
	a := accountID
	// Fourteen arguments: more than the Tx's buffer holds, but
	// GetAccountSummary is no hot path.
	err := t.queryRow(qCountEntities, a, a, a, a, a, a, a, a, a, a, a, a, true, a, a).Scan(&c.Users, &c.Groups, &c.Roles, &c.Policies,
		&c.InstanceProfiles, &c.OIDCProviders, &c.RootAccessKeys, &c.PolicyAttachments, &c.SAMLProviders,
		&c.MFADevices, &c.MFADevicesInUse, &c.RootMFA, &c.ServerCertificates, &c.RootSigningCertificates)
	if err != nil {
		return keyward.EntityCounts{}, t.internal("count entities", err)
	}
	return c, nil
}
