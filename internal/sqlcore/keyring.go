package sqlcore

import "github.com/keyward/keyward"

// CreateKeyRingEntry implements keyward.Tx.
func (t *Tx) CreateKeyRingEntry(e keyward.KeyRingEntry) error {
	if err := t.writable(); err != nil {
		return err
	}
	m := e.Material
	if m == nil {
		m = []byte{}
	}
	n, err := t.exec(`INSERT INTO key_ring (id, material, create_date, not_after) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, e.ID, m, timeArg(e.CreateDate), timeArg(e.NotAfter))
	if err != nil {
		return t.internal("create key ring entry", err)
	}
	if n == 0 {
		return errKeyExists(e.ID)
	}
	return nil
}

// ListKeyRingEntries implements keyward.Tx.
func (t *Tx) ListKeyRingEntries() ([]keyward.KeyRingEntry, error) {
	return collect(t, "list key ring", `SELECT id, material, create_date, not_after FROM key_ring
		ORDER BY create_date IS NOT NULL, create_date, id COLLATE BINARY`, nil, func(r Row) (keyward.KeyRingEntry, error) {
		var e keyward.KeyRingEntry
		err := r.Scan(&e.ID, &e.Material, t.d.Time(&e.CreateDate), t.d.Time(&e.NotAfter))
		return e, err
	})
}

// DeleteKeyRingEntry implements keyward.Tx.
func (t *Tx) DeleteKeyRingEntry(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM key_ring WHERE id = ?`, id)
	if err != nil {
		return t.internal("delete key ring entry", err)
	}
	if n == 0 {
		return errNoSuchKey(id)
	}
	return nil
}
