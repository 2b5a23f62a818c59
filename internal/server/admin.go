package server

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/awsquery"
)

// reset answers POST /keyward/admin/reset: for test suites sharing one
// server, it empties an in-memory store and makes the first-start state
// again: the default account with the same root key, AWS's managed
// policies, and a new session-token key, so that no session issued before
// the reset outlives it. Only the default account's root may call it, with
// a SigV4-signed request (service iam); a server on a file or database
// store refuses.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	id := awsquery.NewRequestID()
	fail := func(err error) { awsquery.WriteError(w, s.log, awsquery.NamespaceIAM, id, err) }
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		fail(keyward.Errorf(keyward.ErrValidationError, "unreadable body"))
		return
	}
	c, err := s.authn.Verify(r, body, "iam")
	if err == nil {
		err = s.limit(c.AccessKeyID)
	}
	if err != nil {
		fail(err)
		return
	}
	if c.Kind != keyward.CallerRoot || c.AccountID != s.cfg.AccountID {
		fail(keyward.Errorf(keyward.ErrAccessDenied,
			"User: %s is not authorized to reset this server: only the root user of account %s may", c.ARN, s.cfg.AccountID))
		return
	}
	resetter, ok := s.store.(interface{ Reset(context.Context) error })
	if !ok || !s.cfg.Resettable || s.cfg.RootKeyID == "" {
		fail(keyward.Errorf(keyward.ErrInvalidAction, "Only a server on an in-memory store (--store sqlite::memory:) can be reset."))
		return
	}
	err = resetter.Reset(r.Context())
	if err == nil {
		err = s.store.Update(r.Context(), func(tx keyward.Tx) error {
			return CreateAccount(tx, s.cfg.AccountID, s.cfg.RootKeyID, s.cfg.RootSecret, s.cfg.KEK, time.Now())
		})
	}
	if err == nil {
		err = SeedManagedPolicies(r.Context(), s.store, s.log)
	}
	if err == nil {
		err = s.ring.Rotate(r.Context())
	}
	s.tokens.Forget()
	if s.iam != nil {
		s.iam.ForgetReports() // a credential report of the emptied store must not survive it
	}
	s.authz.Invalidate()
	if err != nil {
		fail(err)
		return
	}
	s.log.Info("store reset to its first-start state", "request_id", id, "caller", c.ARN)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(awsquery.HeaderRequestID, id)
	io.WriteString(w, `{"reset":true,"account":"`+s.cfg.AccountID+`"}`+"\n")
}
