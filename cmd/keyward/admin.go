package main

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/awsquery"
)

// reset answers POST /keyward/admin/reset: for test suites sharing one
// server, it empties an in-memory store and recreates the first-start state
// (the default account and the same root key). Only the default account's
// root may call it, with a SigV4-signed request (service iam); a server on a
// file or database store refuses.
func (s *server) reset(w http.ResponseWriter, r *http.Request) {
	id := awsquery.NewRequestID()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		awsquery.WriteError(w, s.log, awsquery.NamespaceIAM, id, keyward.Errorf(keyward.ErrValidationError, "unreadable body"))
		return
	}
	c, err := s.authn.Verify(r, body, "iam")
	if err != nil {
		awsquery.WriteError(w, s.log, awsquery.NamespaceIAM, id, err)
		return
	}
	if c.Kind != keyward.CallerRoot || c.AccountID != s.accountID {
		awsquery.WriteError(w, s.log, awsquery.NamespaceIAM, id, keyward.Errorf(keyward.ErrAccessDenied,
			"User: %s is not authorized to reset this server: only the root user of account %s may", c.ARN, s.accountID))
		return
	}
	resetter, ok := s.store.(interface{ Reset(context.Context) error })
	if !ok || s.rootKeyID == "" {
		awsquery.WriteError(w, s.log, awsquery.NamespaceIAM, id, keyward.Errorf(keyward.ErrInvalidAction,
			"Only a server on an in-memory store (--store sqlite::memory:) can be reset."))
		return
	}
	if err := resetter.Reset(r.Context()); err != nil {
		awsquery.WriteError(w, s.log, awsquery.NamespaceIAM, id, keyward.Errorf(keyward.ErrInvalidAction, "%s", err.Error()))
		return
	}
	err = s.store.Update(r.Context(), func(tx keyward.Tx) error {
		return createAccount(tx, s.accountID, s.rootKeyID, s.rootSecret, s.key, time.Now())
	})
	if err == nil {
		err = seedManagedPolicies(r.Context(), s.store, s.log) // cmd/keyward/catalog.go
	}
	s.authz.Invalidate()
	if err != nil {
		awsquery.WriteError(w, s.log, awsquery.NamespaceIAM, id, err)
		return
	}
	s.log.Info("store reset to its first-start state", "request_id", id, "caller", c.ARN)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(awsquery.HeaderRequestID, id)
	io.WriteString(w, `{"reset":true,"account":"`+s.accountID+`"}`+"\n")
}
