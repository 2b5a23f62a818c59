package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"path/filepath"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/seal"
	"github.com/keyward/keyward/server"
)

const accountUsage = `usage:
  keyward account create [--id ACCOUNT] [--data DIR] [--store URL] [--kek-file FILE]
      Create an account and its root access key in the store the server uses,
      and print the credentials (the secret is shown only this once).
  keyward account list [--data DIR] [--store URL]
`

func runAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		fmt.Fprint(stderr, accountUsage)
		return &exitError{code: 2}
	}
	fs := flag.NewFlagSet("keyward account "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	id := fs.String("id", "", "the new account's 12-digit id (default: random)")
	fs.StringVar(&cfg.data, "data", "keyward-data", "data directory")
	fs.StringVar(&cfg.store, "store", "", "store URL (default sqlite:DATA/keyward.db)")
	fs.StringVar(&cfg.kekFile, "kek-file", "", "key-encryption key file (default: $KEYWARD_KEK, else DATA/kek)")
	if err := fs.Parse(args[1:]); err != nil {
		return &exitError{code: 2}
	}
	storeURL := cfg.store
	if storeURL == "" {
		storeURL = "sqlite:" + filepath.Join(cfg.data, "keyward.db")
	}
	if storeURL == "sqlite::memory:" {
		return usageError("account: an in-memory store lives only inside its server")
	}
	store, _, err := openStore(ctx, storeURL)
	if err != nil {
		return err
	}
	defer store.Close()
	if args[0] == "list" {
		return store.View(ctx, func(tx keyward.Tx) error {
			accounts, err := tx.ListAccounts()
			if err != nil {
				return err
			}
			for _, a := range accounts {
				fmt.Fprintf(stdout, "%s\t%s\t%s\n", a.ID, a.CreateDate.Format(time.RFC3339), a.Alias)
			}
			return nil
		})
	}
	kek, err := accountKEK(ctx, cfg, store)
	if err != nil {
		return err
	}
	key, err := seal.NewKey(kek)
	if err != nil {
		return err
	}
	if *id == "" {
		n, _ := rand.Int(rand.Reader, big.NewInt(9e11))
		*id = fmt.Sprintf("%012d", n.Int64()+1e11)
	}
	if !isAccountID(*id) {
		return usageError("account create: --id must be 12 digits, not %q", *id)
	}
	keyID, secret := keyward.NewID(keyward.PrefixAccessKey), keyward.NewSecretAccessKey()
	err = store.Update(ctx, func(tx keyward.Tx) error {
		return server.CreateAccount(tx, *id, keyID, secret, key, time.Now())
	})
	if err != nil {
		return fmt.Errorf("account create: %s", keyward.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "Created account %s; its root credentials (the secret is shown only this once):\n  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n", *id, keyID, secret)
	return nil
}

// accountKEK is the key-encryption key of the store `keyward account`
// works on: KEYWARD_KEK, --kek-file, or DATA/kek as serve finds it.
func accountKEK(ctx context.Context, cfg serveConfig, store keyward.Store) ([]byte, error) {
	st, err := cfg.check(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	if st.kek != nil {
		return st.kek, nil
	}
	empty, err := storeIsEmpty(ctx, store)
	if err != nil {
		return nil, err
	}
	return loadKEK(cfg.data, false, empty)
}
