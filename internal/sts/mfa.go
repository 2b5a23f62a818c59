package sts

import (
	"context"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/totp"
)

// errMFA is AWS's refusal of an MFA serial number or code it cannot
// accept, the same whatever was wrong.
func errMFA() error {
	return keyward.Errorf(keyward.ErrAccessDenied, "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
}

// mfaRequested reports whether a request carries MFA, refusing half of it.
func mfaRequested(serial, code string) (bool, error) {
	if serial == "" && code == "" {
		return false, nil
	}
	if serial == "" || code == "" {
		return false, errMFA()
	}
	return true, nil
}

// verifyMFA checks that serial is a virtual MFA device assigned to the
// caller (an IAM user, or the root user) and code a current code of it not
// used before (RFC 6238, one step of drift either side), and records its
// step so that it is not accepted again. Role sessions and federated users
// have no MFA devices.
func (s *Service) verifyMFA(ctx context.Context, c *keyward.Caller, serial, code string, now time.Time) error {
	user, root := "", false
	switch c.Kind {
	case keyward.CallerRoot:
		root = true
	case keyward.CallerUser, keyward.CallerUserSession:
		user, root = c.UserName, c.UserName == ""
	default:
		return errMFA()
	}
	if !strings.HasPrefix(serial, "arn:aws:iam::"+c.AccountID+":mfa/") || s.Secrets == nil {
		return errMFA()
	}
	return s.Store.Update(ctx, func(tx keyward.Tx) error {
		d, err := tx.GetMFADevice(serial)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			return errMFA()
		}
		if err != nil {
			return err
		}
		if d.EnableDate.IsZero() || d.Root != root || !strings.EqualFold(d.UserName, user) {
			return errMFA()
		}
		// A user deleted and created again under its name has a new ID:
		// its devices went with it (DeleteUser refuses while it has one),
		// so a device assigned under the name is the caller's.
		seed, err := s.Secrets.Open(d.SeedCiphertext, seal.AD("mfa", d.SerialNumber))
		if err != nil {
			return err
		}
		step, ok := totp.Verify(seed, code, now, d.LastCounter)
		if !ok {
			return errMFA()
		}
		d.LastCounter = step
		return tx.UpdateMFADevice(d)
	})
}
