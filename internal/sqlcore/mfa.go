package sqlcore

import (
	"math"

	"github.com/keyward/keyward"
)

const mfaSelect = `SELECT m.serial, m.account_id, m.path, m.name, m.seed, COALESCE(u.name, ''), m.root,
	m.enable_date, m.create_date, m.last_counter FROM mfa_devices m LEFT JOIN users u ON u.id = m.user_id`

func (t *Tx) scanMFA(r Row) (keyward.MFADevice, error) {
	var d keyward.MFADevice
	err := r.Scan(&d.SerialNumber, &d.AccountID, &d.Path, &d.Name, &d.SeedCiphertext, &d.UserName, &d.Root,
		t.d.Time(&d.EnableDate), t.d.Time(&d.CreateDate), &d.LastCounter)
	return d, err
}

// mfaUserID resolves a device's user: NULL when unassigned or root's.
func (t *Tx) mfaUserID(d keyward.MFADevice) (any, error) {
	if d.UserName == "" {
		return nil, nil
	}
	return t.entityID(keyward.KindUser, d.AccountID, d.UserName)
}

// CreateMFADevice implements keyward.Tx.
func (t *Tx) CreateMFADevice(d keyward.MFADevice) error {
	if err := t.writable(); err != nil {
		return err
	}
	uid, err := t.mfaUserID(d)
	if err != nil {
		return err
	}
	seed := d.SeedCiphertext
	if seed == nil {
		seed = []byte{}
	}
	n, err := t.exec(`INSERT INTO mfa_devices (serial, serial_fold, account_id, path, name, seed, user_id, root,
		enable_date, create_date, last_counter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		d.SerialNumber, fold(d.SerialNumber), d.AccountID, d.Path, d.Name, seed, uid, d.Root,
		timeArg(d.EnableDate), timeArg(d.CreateDate), d.LastCounter)
	if err != nil {
		return t.internal("create mfa device", err)
	}
	if n == 0 {
		return errMFADeviceExists(d.SerialNumber)
	}
	return nil
}

// GetMFADevice implements keyward.Tx.
func (t *Tx) GetMFADevice(serialNumber string) (keyward.MFADevice, error) {
	d, err := t.scanMFA(t.queryRow(mfaSelect+` WHERE m.serial = ?`, serialNumber))
	if err != nil {
		return keyward.MFADevice{}, t.notFound("get mfa device", err, errNoSuchMFADevice(serialNumber))
	}
	return d, nil
}

// UpdateMFADevice implements keyward.Tx.
func (t *Tx) UpdateMFADevice(d keyward.MFADevice) error {
	if err := t.writable(); err != nil {
		return err
	}
	uid, err := t.mfaUserID(d)
	if err != nil {
		return err
	}
	n, err := t.exec(`UPDATE mfa_devices SET user_id = ?, root = ?, enable_date = ?, last_counter = ? WHERE serial = ?`,
		uid, d.Root, timeArg(d.EnableDate), d.LastCounter, d.SerialNumber)
	if err != nil {
		return t.internal("update mfa device", err)
	}
	if n == 0 {
		return errNoSuchMFADevice(d.SerialNumber)
	}
	return nil
}

// DeleteMFADevice implements keyward.Tx.
func (t *Tx) DeleteMFADevice(serialNumber string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(keyward.MFADeviceRef(serialNumber))
	if err != nil {
		return err
	}
	return t.deleteEntity("delete mfa device", keyward.KindMFADevice, id, `DELETE FROM mfa_devices WHERE serial = ?`)
}

// ListMFADevices implements keyward.Tx.
func (t *Tx) ListMFADevices(accountID string) ([]keyward.MFADevice, error) {
	return collect(t, "list mfa devices", mfaSelect+` WHERE m.account_id = ? ORDER BY m.serial COLLATE BINARY`,
		[]any{accountID}, t.scanMFA)
}

// ListMFADevicePage implements keyward.Tx. SQLite takes no OFFSET without
// a LIMIT, so "all" is the largest LIMIT both databases take.
func (t *Tx) ListMFADevicePage(accountID string, opts keyward.MFADeviceListOptions) ([]keyward.MFADevice, error) {
	q := mfaSelect + ` WHERE m.account_id = ?`
	switch {
	case opts.Assigned == nil:
	case *opts.Assigned:
		q += ` AND m.enable_date IS NOT NULL`
	default:
		q += ` AND m.enable_date IS NULL`
	}
	limit := int64(math.MaxInt64)
	if opts.Limit > 0 {
		limit = int64(opts.Limit)
	}
	return collect(t, "list mfa device page", q+` ORDER BY m.serial COLLATE BINARY LIMIT ? OFFSET ?`,
		[]any{accountID, limit, int64(max(opts.Offset, 0))}, t.scanMFA)
}
