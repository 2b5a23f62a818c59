package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/keyward/keyward"
)

func testRollback(t *testing.T, s keyward.Store) {
	update(t, s, func(tx keyward.Tx) error { return tx.CreateUser(newUser(acct, "existing")) })
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   func(tx keyward.Tx) error
		want error // nil: any error
	}{
		{"fn returns an error", func(tx keyward.Tx) error {
			if err := tx.CreateUser(newUser(acct, "half")); err != nil {
				return err
			}
			if err := tx.CreateGroup(newGroup(acct, "half")); err != nil {
				return err
			}
			if err := tx.AddUserToGroup(acct, "half", "half"); err != nil {
				return err
			}
			return boom
		}, boom},
		{"a write fails midway", func(tx keyward.Tx) error {
			if err := tx.CreateGroup(newGroup(acct, "half")); err != nil {
				return err
			}
			if err := tx.CreateUser(newUser(acct, "half")); err != nil {
				return err
			}
			return tx.CreateUser(newUser(acct, "EXISTING"))
		}, nil},
		{"fn changes then fails", func(tx keyward.Tx) error {
			if err := tx.DeleteUser(acct, "existing"); err != nil {
				return err
			}
			return boom
		}, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(t.Context(), tt.fn)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Update = %v, want %v", err, tt.want)
			}
			checkUntouched(t, s)
		})
	}
	t.Run("fn panics", func(t *testing.T) {
		func() {
			defer func() {
				if r := recover(); r != boom {
					t.Errorf("recover() = %v, want the panic value %v", r, boom)
				}
			}()
			s.Update(t.Context(), func(tx keyward.Tx) error {
				if err := tx.CreateUser(newUser(acct, "half")); err != nil {
					return err
				}
				panic(boom)
			})
		}()
		checkUntouched(t, s)
		// The store still works.
		update(t, s, func(tx keyward.Tx) error { return tx.CreateUser(newUser(acct, "after-panic")) })
		update(t, s, func(tx keyward.Tx) error { return tx.DeleteUser(acct, "after-panic") })
	})
}

// checkUntouched checks that the only user is "existing" and that there are
// no groups.
func checkUntouched(t *testing.T, s keyward.Store) {
	t.Helper()
	view(t, s, func(tx keyward.Tx) error {
		users, _, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		if len(users) != 1 || users[0].Name != "existing" {
			t.Errorf("ListUsers after rolled-back Update = %+v, want only existing", users)
		}
		groups, _, err := tx.ListGroups(acct, keyward.ListOptions{})
		wantOK(t, "ListGroups", err)
		if len(groups) != 0 {
			t.Errorf("ListGroups after rolled-back Update = %+v, want none", groups)
		}
		return nil
	})
}

func testViewIsReadOnly(t *testing.T, s keyward.Store) {
	err := s.View(t.Context(), func(tx keyward.Tx) error {
		return tx.CreateUser(newUser(acct, "sneaky"))
	})
	if err == nil {
		t.Errorf("CreateUser in View = nil, want an error")
	}
	view(t, s, func(tx keyward.Tx) error {
		_, err := tx.GetUser(acct, "sneaky")
		wantCode(t, "GetUser(sneaky)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}

// testConcurrentUpdates runs read-modify-write Updates from several
// goroutines and checks that none is lost.
func testConcurrentUpdates(t *testing.T, s keyward.Store) {
	const workers, each = 6, 15
	r := newRole(acct, "counter")
	update(t, s, func(tx keyward.Tx) error { return tx.CreateRole(r) })
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := s.Update(t.Context(), func(tx keyward.Tx) error {
					cur, err := tx.GetRole(acct, "counter")
					if err != nil {
						return err
					}
					cur.MaxSessionDuration++
					if err := tx.UpdateRole(cur); err != nil {
						return err
					}
					return tx.CreateUser(newUser(acct, fmt.Sprintf("w%d-%d", w, i)))
				})
				if err != nil {
					errs <- err
				}
				// Readers run alongside the writers.
				if err := s.View(t.Context(), func(tx keyward.Tx) error {
					_, err := tx.GetRole(acct, "counter")
					return err
				}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Update: %v", err)
	}
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRole(acct, "counter")
		wantOK(t, "GetRole", err)
		if want := r.MaxSessionDuration + workers*each; got.MaxSessionDuration != want {
			t.Errorf("counter = %d after %d increments, want %d", got.MaxSessionDuration, workers*each, want)
		}
		users, _, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		if len(users) != workers*each {
			t.Errorf("ListUsers = %d users, want %d", len(users), workers*each)
		}
		return nil
	})
}
