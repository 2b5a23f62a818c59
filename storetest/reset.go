package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// Resetter is a store that can be emptied in place, as the SQLite store
// kept in memory can, for test suites that share one server.
type Resetter interface {
	Reset(ctx context.Context) error
}

// RunReset runs the tests of Reset. open must return a new store that
// implements Resetter and can be reset.
func RunReset(t *testing.T, open func(t *testing.T) keyward.Store) {
	s := open(t)
	r, ok := s.(Resetter)
	if !ok {
		t.Fatalf("%T has no Reset(context.Context) error", s)
	}
	u := newUser(acct, "alice")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateAccount", tx.CreateAccount(keyward.Account{ID: acct, CreateDate: t0}))
		wantOK(t, "CreateUser", tx.CreateUser(u))
		wantOK(t, "CreatePolicy", tx.CreatePolicy(newPolicy(acct, "p"), doc1))
		wantOK(t, "AttachPolicy", tx.AttachPolicy(keyward.UserRef(acct, "alice"), newPolicy(acct, "p").ARN))
		return tx.TagEntity(keyward.UserRef(acct, "alice"), []keyward.Tag{{Key: "team", Value: "blue"}})
	})
	log, hasLog := s.(keyward.ActivityLog)
	if hasLog {
		err := log.RecordActivity(t.Context(), []keyward.Activity{{AccountID: acct, Principal: u.ARN, Service: "iam",
			Action: "GetUser", Region: "us-east-1", Time: time.Now()}})
		wantOK(t, "RecordActivity", err)
	}
	gen, hasGen := s.(keyward.Generations)
	if hasGen {
		wantOK(t, "BumpGeneration", gen.BumpGeneration(t.Context()))
	}

	wantOK(t, "Reset", r.Reset(t.Context()))

	view(t, s, func(tx keyward.Tx) error {
		accounts, err := tx.ListAccounts()
		wantOK(t, "ListAccounts after Reset", err)
		diff(t, "ListAccounts after Reset", []keyward.Account(nil), accounts)
		_, err = tx.GetUser(acct, "alice")
		wantCode(t, "GetUser after Reset", err, keyward.ErrNoSuchEntity)
		counts, err := tx.CountEntities(acct)
		wantOK(t, "CountEntities after Reset", err)
		diff(t, "CountEntities after Reset", keyward.EntityCounts{}, counts)
		return nil
	})
	if hasLog {
		acts, err := log.ListActivity(t.Context(), acct)
		wantOK(t, "ListActivity after Reset", err)
		diff(t, "ListActivity after Reset", []keyward.Activity(nil), acts)
	}
	if hasGen {
		// Generations promise only that a bump changes the value (Reset
		// may take it back to an earlier number): the counter must still
		// work.
		before := generation(t, gen)
		wantOK(t, "BumpGeneration after Reset", gen.BumpGeneration(t.Context()))
		if v := generation(t, gen); v == before {
			t.Errorf("Generation after Reset and a bump = %d, unchanged", v)
		}
	}
	// The store is as a fresh Open leaves it: the same entities can be
	// created again.
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateAccount after Reset", tx.CreateAccount(keyward.Account{ID: acct, CreateDate: t0}))
		return tx.CreateUser(u)
	})
}
