// Package storetest is the conformance suite every keyward.Store passes:
// Run exercises every Tx method, the error codes (NoSuchEntity,
// EntityAlreadyExists, DeleteConflict, InvalidInput for a bad marker),
// case-insensitive names, pagination markers and IsTruncated, rollback of a
// failed or panicking Update, read-only Views, concurrent Updates, entity
// counts, and the optional capabilities keyward.ActivityLog,
// keyward.Generations and keyward.ConsoleSessions (a store without one
// skips its tests, saying so).
// RunReplicas checks what two stores on one database see of each other,
// and RunReset a store that can be emptied in place (Resetter).
//
// Errors are checked by code, never by message: a store's messages are
// its own and neutral (keyward.Store), and AWS's sentences are iam's and
// sts's to write. The suite asks only that a message be there.
//
// The files are named by entity, as the stores' are: user.go tests users,
// and so on.
//
// A backend's test calls it with a function that opens a fresh, empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) keyward.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// and, for replicas, a function that opens two stores on one new database
// (the same file twice, the same DSN twice).
//
// What the suite pins beyond the interface's doc comments: times round-trip
// to the microsecond, in UTC; lists sort by lower-cased name in byte order
// (PostgreSQL needs COLLATE "C"), then by unique ID (ARN for policies, kind
// before name for ListEntitiesForPolicy); empty and nil slices are equal.
//
// The package imports only the root package keyward and go-cmp; it must stay
// free of any backend.
package storetest
