package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/server"
)

const accountUsage = `usage:
  keyward account create [--id ACCOUNT] [--data DIR] [--store URL] [--kek-file FILE]
      Create an account and its root access key in the store the server uses,
      and print the credentials (the secret is shown only this once).
  keyward account list [--data DIR] [--store URL]
      List the store's accounts: id, creation time and alias, one a line.
`

func runAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, accountUsage)
		return &exitError{code: 2}
	}
	switch args[0] {
	case "create", "list":
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, accountUsage)
		return nil
	default:
		fmt.Fprint(stderr, accountUsage)
		return usageError("unknown account command %q", args[0])
	}
	name := "account " + args[0]
	fs := flag.NewFlagSet("keyward "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	synopsis := accountUsage[len("usage:\n"):]
	if args[0] == "create" {
		synopsis = synopsis[:strings.Index(synopsis, "  keyward account list")]
	} else {
		synopsis = synopsis[strings.Index(synopsis, "  keyward account list"):]
	}
	fs.Usage = usageFunc(fs, synopsis) // policy.go
	var cfg serveConfig
	fs.StringVar(&cfg.data, "data", "keyward-data", "data directory of keyward serve")
	fs.StringVar(&cfg.store, "store", "", "store URL: sqlite:PATH or postgres://... (default sqlite:DATA/keyward.db)")
	var id *string
	if args[0] == "create" {
		id = fs.String("id", "", "the new account's 12-digit id (default: random)")
		fs.StringVar(&cfg.kekFile, "kek-file", "", "key-encryption key file (default: $KEYWARD_KEK, else DATA/kek)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("%s: unexpected argument %q", name, fs.Arg(0))
	}
	if id != nil && *id != "" && !arn.IsAccountID(*id) {
		return usageError("%s: --id must be 12 digits, not %q", name, *id)
	}
	store, err := openCommandStore(ctx, name, cfg.data, cfg.store, false) // export.go
	if err != nil {
		return err
	}
	defer store.Close()
	if args[0] == "list" {
		return store.View(ctx, func(tx keyward.Tx) error {
			accounts, err := tx.ListAccounts()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			for _, a := range accounts {
				fmt.Fprintf(stdout, "%s\t%s\t%s\n", a.ID, a.CreateDate.Format(time.RFC3339), a.Alias)
			}
			return nil
		})
	}
	kek, err := accountKEK(ctx, cfg, store)
	if err != nil {
		return commandError(name, err)
	}
	key, err := seal.NewKey(kek)
	if err != nil {
		return commandError(name, err)
	}
	if *id == "" {
		n, _ := rand.Int(rand.Reader, big.NewInt(9e11))
		*id = fmt.Sprintf("%012d", n.Int64()+1e11)
	}
	keyID, secret := keyward.NewID(keyward.PrefixAccessKey), keyward.NewSecretAccessKey()
	err = store.Update(ctx, func(tx keyward.Tx) error {
		return server.CreateAccount(tx, *id, keyID, secret, key, time.Now())
	})
	if err != nil {
		return fmt.Errorf("%s: %s", name, keyward.ErrorMessage(err))
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
