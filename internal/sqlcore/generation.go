package sqlcore

import (
	"database/sql"
	"errors"
)

// Generation implements keyward.Generations' Generation on c.
func Generation(c Conn, d Dialect) (uint64, error) {
	t := MakeTx(c, d, true)
	var v int64
	err := t.queryRow(`SELECT value FROM keyward_generation WHERE id = 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // emptied by a store's Reset
	}
	if err != nil {
		return 0, t.internal("read generation", err)
	}
	return uint64(v), nil
}

// BumpGeneration is keyward.Generations' BumpGeneration as one statement,
// for the store to run in a transaction of its own: concurrent bumps queue
// on the row instead of failing, and each one changes the value.
const BumpGeneration = `INSERT INTO keyward_generation (id, value) VALUES (1, 1)
	ON CONFLICT (id) DO UPDATE SET value = keyward_generation.value + 1`
