package sqlcore

import "testing"

func TestRebinder(t *testing.T) {
	tests := []struct {
		name    string
		collate string
		dollar  bool
		q, want string
	}{
		{"sqlite, nothing to do", "", false,
			`SELECT id FROM users WHERE account_id = ? AND name_fold = ?`,
			`SELECT id FROM users WHERE account_id = ? AND name_fold = ?`},
		{"sqlite drops the marker", "", false,
			`SELECT id FROM users WHERE (name_fold COLLATE BINARY, id COLLATE BINARY) > (?, ?) ORDER BY name_fold COLLATE BINARY`,
			`SELECT id FROM users WHERE (name_fold, id) > (?, ?) ORDER BY name_fold`},
		{"postgres numbers and collates", ` COLLATE "C"`, true,
			`SELECT id FROM users WHERE account_id = ? AND (name_fold COLLATE BINARY, id COLLATE BINARY) > (?, ?) LIMIT ?`,
			`SELECT id FROM users WHERE account_id = $1 AND (name_fold COLLATE "C", id COLLATE "C") > ($2, $3) LIMIT $4`},
		{"postgres leaves quoted ? alone", ` COLLATE "C"`, true,
			`SELECT '?' || name, 'it''s?' FROM t WHERE a = ? AND b = '?' AND c = ?`,
			`SELECT '?' || name, 'it''s?' FROM t WHERE a = $1 AND b = '?' AND c = $2`},
		{"ten and more", ` COLLATE "C"`, true,
			`VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			`VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rebind := Rebinder(tt.collate, tt.dollar)
			for range 2 { // the second time from memory
				if got := rebind(tt.q); got != tt.want {
					t.Errorf("Rebinder(%q, %v)(%q) = %q, want %q", tt.collate, tt.dollar, tt.q, got, tt.want)
				}
			}
		})
	}
}
