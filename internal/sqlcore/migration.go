package sqlcore

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered change of a store's schema: a file
// migrations/NNNN_what.sql. Each store keeps its own files (the column
// types differ) and applies them its own way.
type Migration struct {
	Version int
	Path    string // in the store's fs.FS
}

// Migrations lists the files migrations/*.sql of fsys in version order. A
// name not of the form NNNN_what.sql, or two files of one version, is an
// error: the build carries it, so it is the developer's.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", base)
		}
		if other, ok := seen[v]; ok {
			return nil, fmt.Errorf("migrations %s and %s have one version", other, base)
		}
		seen[v] = base
		ms = append(ms, Migration{v, name})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}
