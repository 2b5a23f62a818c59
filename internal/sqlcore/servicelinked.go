package sqlcore

import "github.com/keyward/keyward"

// CreateServiceLinkedRoleDeletion implements keyward.Tx.
func (t *Tx) CreateServiceLinkedRoleDeletion(d keyward.ServiceLinkedRoleDeletion) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO slr_deletions (task_id, account_id, role_name, status, reason, create_date)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		d.TaskID, d.AccountID, d.RoleName, string(d.Status), d.Reason, timeArg(d.CreateDate))
	if err != nil {
		return t.internal("create deletion task", err)
	}
	if n == 0 {
		return errDeletionTaskExists(d.TaskID)
	}
	return nil
}

// GetServiceLinkedRoleDeletion implements keyward.Tx.
func (t *Tx) GetServiceLinkedRoleDeletion(taskID string) (keyward.ServiceLinkedRoleDeletion, error) {
	var d keyward.ServiceLinkedRoleDeletion
	var status string
	err := t.queryRow(`SELECT task_id, account_id, role_name, status, reason, create_date FROM slr_deletions
		WHERE task_id = ?`, taskID).Scan(&d.TaskID, &d.AccountID, &d.RoleName, &status, &d.Reason, t.d.Time(&d.CreateDate))
	if err != nil {
		return keyward.ServiceLinkedRoleDeletion{}, t.notFound("get deletion task", err, errNoSuchDeletionTask(taskID))
	}
	d.Status = keyward.DeletionTaskStatus(status)
	return d, nil
}

// UpdateServiceLinkedRoleDeletion implements keyward.Tx.
func (t *Tx) UpdateServiceLinkedRoleDeletion(d keyward.ServiceLinkedRoleDeletion) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE slr_deletions SET status = ?, reason = ? WHERE task_id = ?`,
		string(d.Status), d.Reason, d.TaskID)
	if err != nil {
		return t.internal("update deletion task", err)
	}
	if n == 0 {
		return errNoSuchDeletionTask(d.TaskID)
	}
	return nil
}
