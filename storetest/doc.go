// Package storetest is the conformance suite every keyward.Store passes:
// Run exercises every Tx method, the error codes (NoSuchEntity,
// EntityAlreadyExists, DeleteConflict, InvalidInput for a bad marker),
// case-insensitive names, pagination markers and IsTruncated, rollback of a
// failed or panicking Update, read-only Views and concurrent Updates.
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
// What the suite pins beyond the interface's doc comments: times round-trip
// to the microsecond, in UTC; lists sort by lower-cased name in byte order
// (PostgreSQL needs COLLATE "C"), then by unique ID (ARN for policies, kind
// before name for ListEntitiesForPolicy); empty and nil slices are equal.
//
// The package imports only the root package keyward and go-cmp; it must stay
// free of any backend.
package storetest
