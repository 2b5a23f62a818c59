package sqlcore

import (
	"github.com/keyward/keyward"
)

// IAM's delegation requests (migration 0014). Parameters, restriction
// ARNs and the approver are JSON text columns; the requests are found by
// ID and listed in ID order, which is creation order.

const delegationCols = `id, requestor_account_id, requestor_name, requestor_arn, owner_account_id, owner_id,
	owner_principal_id, description, request_message, workflow_id, redirect_url, notification_channel,
	session_duration, only_send_by_owner, policy_template_arn, parameters, permission_policy, restriction_arns,
	state, approver_id, approver, notes, rejection_reason, create_date, update_date, expiration_time,
	token_release_date, token_ciphertext`

func (t *Tx) scanDelegation(r Row) (keyward.DelegationRequest, error) {
	var d keyward.DelegationRequest
	var state string
	err := r.Scan(&d.ID, &d.RequestorAccountID, &d.RequestorName, &d.RequestorARN, &d.OwnerAccountID, &d.OwnerID,
		&d.OwnerPrincipalID, &d.Description, &d.RequestMessage, &d.WorkflowID, &d.RedirectURL, &d.NotificationChannel,
		&d.SessionDuration, &d.OnlySendByOwner, &d.PolicyTemplateARN, jsonValue{"parameters", &d.Parameters},
		&d.PermissionPolicy, jsonList{&d.RolePermissionRestrictionARNs}, &state, &d.ApproverID,
		jsonValue{"approver", &d.Approver}, &d.Notes, &d.RejectionReason, t.d.Time(&d.CreateDate),
		t.d.Time(&d.UpdateDate), t.d.Time(&d.ExpirationTime), t.d.Time(&d.TokenReleaseDate), &d.TokenCiphertext)
	d.State = keyward.DelegationState(state)
	if len(d.TokenCiphertext) == 0 {
		d.TokenCiphertext = nil
	}
	return d, err
}

func delegationKey(d keyward.DelegationRequest) (string, string) { return d.ID, d.ID }

// delegationArgs are the columns an update writes, in delegationSet's
// order.
func delegationArgs(d keyward.DelegationRequest) ([]any, error) {
	params, err := jsonArg(d.Parameters)
	if err != nil {
		return nil, err
	}
	approver, err := jsonArg(d.Approver)
	if err != nil {
		return nil, err
	}
	return []any{d.RequestorName, d.OwnerAccountID, d.OwnerID, d.OwnerPrincipalID, d.Description, d.RequestMessage,
		d.RedirectURL, d.NotificationChannel, d.SessionDuration, d.OnlySendByOwner, d.PolicyTemplateARN, params,
		d.PermissionPolicy, jsonListArg(d.RolePermissionRestrictionARNs), string(d.State), d.ApproverID, approver,
		d.Notes, d.RejectionReason, timeArg(d.UpdateDate), timeArg(d.ExpirationTime), timeArg(d.TokenReleaseDate),
		bytesArg(d.TokenCiphertext)}, nil
}

const delegationSet = `requestor_name = ?, owner_account_id = ?, owner_id = ?, owner_principal_id = ?,
	description = ?, request_message = ?, redirect_url = ?, notification_channel = ?, session_duration = ?,
	only_send_by_owner = ?, policy_template_arn = ?, parameters = ?, permission_policy = ?, restriction_arns = ?,
	state = ?, approver_id = ?, approver = ?, notes = ?, rejection_reason = ?, update_date = ?,
	expiration_time = ?, token_release_date = ?, token_ciphertext = ?`

// CreateDelegationRequest implements keyward.Tx.
func (t *Tx) CreateDelegationRequest(d keyward.DelegationRequest) error {
	if err := t.writable(); err != nil {
		return err
	}
	// The workflow ID is unique per requestor: look first, so that the
	// conflict is told apart from a taken ID.
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM delegation_requests WHERE requestor_account_id = ? AND workflow_id = ?`,
		d.RequestorAccountID, d.WorkflowID).Scan(&n); err != nil {
		return t.internal("create delegation request", err)
	}
	if n > 0 {
		return errDelegationWorkflowExists(d.WorkflowID)
	}
	args, err := delegationArgs(d)
	if err != nil {
		return t.internal("create delegation request", err)
	}
	args = append([]any{d.ID, d.RequestorAccountID, d.RequestorARN, d.WorkflowID, timeArg(d.CreateDate)}, args...)
	n64, err := t.exec(`INSERT INTO delegation_requests (id, requestor_account_id, requestor_arn, workflow_id, create_date,
		requestor_name, owner_account_id, owner_id, owner_principal_id, description, request_message, redirect_url,
		notification_channel, session_duration, only_send_by_owner, policy_template_arn, parameters, permission_policy,
		restriction_arns, state, approver_id, approver, notes, rejection_reason, update_date, expiration_time,
		token_release_date, token_ciphertext)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, args...)
	if err != nil {
		return t.internal("create delegation request", err)
	}
	if n64 == 0 {
		return errDelegationExists(d.ID)
	}
	return nil
}

// GetDelegationRequest implements keyward.Tx.
func (t *Tx) GetDelegationRequest(id string) (keyward.DelegationRequest, error) {
	d, err := t.scanDelegation(t.queryRow(`SELECT `+delegationCols+` FROM delegation_requests WHERE id = ?`, id))
	if err != nil {
		return keyward.DelegationRequest{}, t.notFound("get delegation request", err, errNoSuchDelegation(id))
	}
	return d, nil
}

// UpdateDelegationRequest implements keyward.Tx.
func (t *Tx) UpdateDelegationRequest(d keyward.DelegationRequest) error {
	if err := t.writable(); err != nil {
		return err
	}
	args, err := delegationArgs(d)
	if err != nil {
		return t.internal("update delegation request", err)
	}
	n, err := t.exec(`UPDATE delegation_requests SET `+delegationSet+` WHERE id = ?`, append(args, d.ID)...)
	if err != nil {
		return t.internal("update delegation request", err)
	}
	if n == 0 {
		return errNoSuchDelegation(d.ID)
	}
	return nil
}

// ListDelegationRequests implements keyward.Tx.
func (t *Tx) ListDelegationRequests(opts keyward.DelegationListOptions) ([]keyward.DelegationRequest, string, error) {
	q := `SELECT ` + delegationCols + ` FROM delegation_requests WHERE 1 = 1`
	var args []any
	if opts.OwnerAccountID != "" {
		q += ` AND owner_account_id = ? AND owner_id <> ''`
		args = append(args, opts.OwnerAccountID)
	}
	if opts.OwnerID != "" {
		q += ` AND owner_id = ?`
		args = append(args, opts.OwnerID)
	}
	if opts.RequestorAccountID != "" {
		q += ` AND requestor_account_id = ?`
		args = append(args, opts.RequestorAccountID)
	}
	if opts.NotificationChannel != "" {
		q += ` AND notification_channel = ?`
		args = append(args, opts.NotificationChannel)
	}
	return page(t, "list delegation requests", q, args,
		keyward.ListOptions{Marker: opts.Marker, MaxItems: opts.MaxItems}, "id", "id", t.scanDelegation, delegationKey)
}
