package sqlcore

import "github.com/keyward/keyward"

var qListTags = prepared(`SELECT tag_key, tag_value FROM tags WHERE entity_kind = ? AND entity_id = ?
	ORDER BY key_fold COLLATE BINARY`)

// TagEntity implements keyward.Tx.
func (t *Tx) TagEntity(entity keyward.EntityRef, tags []keyward.Tag) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(entity)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := t.exec(`INSERT INTO tags (entity_kind, entity_id, tag_key, key_fold, tag_value)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (entity_kind, entity_id, key_fold) DO UPDATE SET tag_key = excluded.tag_key,
				tag_value = excluded.tag_value`,
			string(entity.Kind), id, tag.Key, fold(tag.Key), tag.Value); err != nil {
			return t.internal("tag", err)
		}
	}
	return nil
}

// UntagEntity implements keyward.Tx.
func (t *Tx) UntagEntity(entity keyward.EntityRef, keys []string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(entity)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := t.exec(`DELETE FROM tags WHERE entity_kind = ? AND entity_id = ? AND key_fold = ?`,
			string(entity.Kind), id, fold(k)); err != nil {
			return t.internal("untag", err)
		}
	}
	return nil
}

// ListTags implements keyward.Tx.
func (t *Tx) ListTags(entity keyward.EntityRef) ([]keyward.Tag, error) {
	id, err := t.refID(entity)
	if err != nil {
		return nil, err
	}
	return collect(t, "list tags", qListTags, []any{string(entity.Kind), id},
		func(r Row) (keyward.Tag, error) {
			var tag keyward.Tag
			err := r.Scan(&tag.Key, &tag.Value)
			return tag, err
		})
}
