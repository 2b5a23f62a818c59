package sts_test

import (
	"context"
	"fmt"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/sqlite"
	"github.com/keyward/keyward/internal/sts"
)

// A session token seals the session's caller and secret; it opens only for
// its own access key id and only until it expires.
func ExampleTokens() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	kek, _ := seal.NewKey(seal.GenerateKey()) // the server's key-encryption key
	ring, err := sts.NewKeyRing(ctx, sts.KeyRingConfig{Store: store, KEK: kek})
	if err != nil {
		panic(err)
	}
	tokens := sts.NewTokens(ring)

	session := &keyward.Caller{
		Kind: keyward.CallerAssumedRole, AccountID: "111122223333",
		ARN:      "arn:aws:sts::111122223333:assumed-role/admin/alice",
		RoleName: "admin", SessionName: "alice",
	}
	keyID := sts.TemporaryAccessKeyID("111122223333")
	now := time.Now()
	token, err := tokens.Issue(ctx, session, keyID, "the session's secret", now.Add(time.Hour))
	if err != nil {
		panic(err)
	}

	s, err := tokens.OpenSession(token, keyID, now)
	fmt.Println(s.Caller.ARN, s.Secret, err)
	_, err = tokens.OpenSession(token, sts.TemporaryAccessKeyID("111122223333"), now)
	fmt.Println(err)
	_, err = tokens.OpenSession(token, keyID, now.Add(time.Hour))
	fmt.Println(err)
	// Output:
	// arn:aws:sts::111122223333:assumed-role/admin/alice the session's secret <nil>
	// InvalidClientTokenId: The security token included in the request is invalid.
	// ExpiredToken: The security token included in the request is expired
}
