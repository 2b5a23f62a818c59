package legacy

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed sqlite.txtar postgres.txtar
var archives embed.FS

// File is one of a store's old migration files.
type File struct {
	Version int
	Name    string // e.g. 0001_init.sql
	SQL     string
}

// Migrations returns the old migration files of store ("sqlite" or
// "postgres") in the order they are in the archive, which is version order.
func Migrations(store string) ([]File, error) {
	data, err := archives.ReadFile(store + ".txtar")
	if err != nil {
		return nil, fmt.Errorf("legacy: no migrations for store %q", store)
	}
	var files []File
	for line := range strings.Lines(string(data)) {
		if name, ok := marker(line); ok {
			num, _, _ := strings.Cut(name, "_")
			v, err := strconv.Atoi(num)
			if err != nil {
				return nil, fmt.Errorf("legacy: %s.txtar: file %s: name must be NNNN_what.sql", store, name)
			}
			files = append(files, File{Version: v, Name: name})
			continue
		}
		if len(files) > 0 { // before the first marker: the archive's comment
			files[len(files)-1].SQL += line
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("legacy: %s.txtar holds no files", store)
	}
	return files, nil
}

// marker reports whether line starts a file, "-- NNNN_what.sql --", and
// its name. SQL comments start with "-- " too, but none is a lone name
// ending in ".sql --".
func marker(line string) (string, bool) {
	line = strings.TrimSuffix(line, "\n")
	name, ok := strings.CutPrefix(line, "-- ")
	if !ok {
		return "", false
	}
	name, ok = strings.CutSuffix(name, " --")
	if !ok || !strings.HasSuffix(name, ".sql") || strings.ContainsAny(name, " \t") {
		return "", false
	}
	return name, true
}
