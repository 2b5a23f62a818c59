package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/internal/authn"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/internal/seal"
)

// CreateAccount adds an account and its root access key, the secret sealed
// under kek. The account's creation time keeps its full precision (answers
// show whole seconds): it orders accounts made within one second, so the
// first account stays the default.
func CreateAccount(tx keyward.Tx, id, keyID, secret string, kek *seal.Key, now time.Time) error {
	if err := tx.CreateAccount(keyward.Account{ID: id, CreateDate: now.UTC()}); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Second)
	return tx.CreateAccessKey(keyward.AccessKey{
		AccountID: id, AccessKeyID: keyID, Status: keyward.StatusActive, CreateDate: now,
		SecretCiphertext: kek.Seal([]byte(secret), authn.AccessKeyAD(keyID)),
	})
}

// Bootstrap is a store's first start: on a store with no account it creates
// accountID with the root key keyID/secret (created true); on any other it
// changes nothing and reports the default account, the first one created
// (accounts made later by `keyward account create` never take its place).
func Bootstrap(ctx context.Context, store keyward.Store, kek *seal.Key, accountID, keyID, secret string) (defaultAccount string, created bool, err error) {
	err = store.Update(ctx, func(tx keyward.Tx) error {
		created = false // fn runs again when a replica starting at once wins
		accounts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		if len(accounts) > 0 {
			first := accounts[0]
			for _, a := range accounts[1:] {
				if a.CreateDate.Before(first.CreateDate) {
					first = a
				}
			}
			defaultAccount = first.ID
			return nil
		}
		created, defaultAccount = true, accountID
		return CreateAccount(tx, accountID, keyID, secret, kek, time.Now())
	})
	return defaultAccount, created, err
}

// SeedManagedPolicies puts AWS's managed policies (arn:aws:iam::aws:policy/...)
// into the store at start and after a reset: every account can then read,
// attach and be authorized by them. Seeding is idempotent and only writes
// what the store lacks, so a restart on a kept store costs one read.
func SeedManagedPolicies(ctx context.Context, store keyward.Store, log *slog.Logger) error {
	start := time.Now()
	n, err := iam.SeedManagedPolicies(ctx, store)
	if err != nil {
		return err
	}
	if n > 0 && log != nil {
		log.Info("AWS-managed policies seeded", "policies", n, "source", catalog.ManagedSource(),
			"duration_ms", time.Since(start).Milliseconds())
	}
	return nil
}
