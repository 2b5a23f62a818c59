package postgres_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/sqlite"
)

// BenchmarkStores runs the same store-level operations on SQLite (a file)
// and PostgreSQL (when KEYWARD_TEST_POSTGRES is set), side by side:
//
//	go test ./postgres -run '^$' -bench Stores -benchtime 2s
//
// The store holds 1000 users and 1000 roles; user-500 is in two groups,
// with inline, attached and boundary policies, so that PolicySetLoad (an
// authorization with a cold cache: every policy of the principal read and
// compiled) does what a first request does.
func BenchmarkStores(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) keyward.Store
	}{
		{"sqlite", func(b *testing.B) keyward.Store {
			s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "k.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
		{"postgres", func(b *testing.B) keyward.Store { return open(b, pgtest.DSN(b)) }},
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			fill(b, s)
			b.Run("GetUser", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.View(b.Context(), func(tx keyward.Tx) error {
						_, err := tx.GetUser(acct, "USER-500")
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("GetRole", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.View(b.Context(), func(tx keyward.Tx) error {
						_, err := tx.GetRole(acct, "role-500")
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("GetAccessKey", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.View(b.Context(), func(tx keyward.Tx) error {
						_, err := tx.GetAccessKey(accessKeyID)
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("LoadPrincipal", func(b *testing.B) {
				// The store's part of a cold authorization: every policy
				// of user-500 and its groups read (and parsed) in one View.
				b.ReportAllocs()
				for b.Loop() {
					if err := s.View(b.Context(), func(tx keyward.Tx) error {
						_, err := authz.LoadPrincipal(tx, keyward.UserRef(acct, "user-500"))
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
			i := 0 // outside the sub-benchmark: -count runs it again on the same store
			b.Run("CreateUser", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					i++
					u := user(fmt.Sprintf("new-%d", i), fmt.Sprintf("AIDANEW%013d", i))
					if err := s.Update(b.Context(), func(tx keyward.Tx) error { return tx.CreateUser(u) }); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("CreatePolicyVersion", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Update(b.Context(), func(tx keyward.Tx) error {
						_, err := tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: policyARN("versioned"),
							Document: allowDoc("s3:PutObject"), CreateDate: time.Now().UTC()})
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("PolicySetLoad", func(b *testing.B) {
				az := authz.New(s)
				c := &keyward.Caller{Kind: keyward.CallerUser, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":user/user-500",
					UserID: fmt.Sprintf("AIDA%016d", 500), UserName: "user-500"}
				b.ReportAllocs()
				for b.Loop() {
					az.Invalidate() // cold: every iteration reads and compiles the principal's policies
					if err := az.Authorize(b.Context(), c, "s3:GetObject", "arn:aws:s3:::bucket/key", nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

const (
	acct        = "111122223333"
	accessKeyID = "AKIABENCHMARK0000500"
)

func policyARN(name string) string { return "arn:aws:iam::" + acct + ":policy/" + name }

func allowDoc(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
}

func user(name, id string) keyward.User {
	return keyward.User{AccountID: acct, ID: id, Name: name, Path: "/",
		ARN: "arn:aws:iam::" + acct + ":user/" + name, CreateDate: time.Now().UTC()}
}

// fill writes the benchmarks' data set.
func fill(b *testing.B, s keyward.Store) {
	b.Helper()
	err := s.Update(b.Context(), func(tx keyward.Tx) error {
		if err := tx.CreateAccount(keyward.Account{ID: acct}); err != nil {
			return err
		}
		for i := range 1000 {
			if err := tx.CreateUser(user(fmt.Sprintf("user-%d", i), fmt.Sprintf("AIDA%016d", i))); err != nil {
				return err
			}
			name := fmt.Sprintf("role-%d", i)
			if err := tx.CreateRole(keyward.Role{AccountID: acct, ID: fmt.Sprintf("AROA%016d", i), Name: name, Path: "/",
				ARN: "arn:aws:iam::" + acct + ":role/" + name, MaxSessionDuration: 3600,
				AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}); err != nil {
				return err
			}
		}
		for _, name := range []string{"read", "write", "list", "boundary", "versioned"} {
			if err := tx.CreatePolicy(keyward.ManagedPolicy{AccountID: acct, ID: "ANPA" + name, Name: name, Path: "/",
				ARN: policyARN(name), IsAttachable: true}, allowDoc("s3:*")); err != nil {
				return err
			}
		}
		u, err := tx.GetUser(acct, "user-500")
		if err != nil {
			return err
		}
		u.PermissionsBoundaryARN = policyARN("boundary")
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		ref := keyward.UserRef(acct, "user-500")
		for i, g := range []string{"devs", "ops"} {
			if err := tx.CreateGroup(keyward.Group{AccountID: acct, ID: fmt.Sprintf("AGPA%016d", i), Name: g, Path: "/",
				ARN: "arn:aws:iam::" + acct + ":group/" + g}); err != nil {
				return err
			}
			if err := tx.AddUserToGroup(acct, g, "user-500"); err != nil {
				return err
			}
			if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.GroupRef(acct, g), PolicyName: "inline",
				Document: allowDoc("ec2:Describe*")}); err != nil {
				return err
			}
			if err := tx.AttachPolicy(keyward.GroupRef(acct, g), policyARN("list")); err != nil {
				return err
			}
		}
		for _, p := range []string{"read", "write"} {
			if err := tx.AttachPolicy(ref, policyARN(p)); err != nil {
				return err
			}
		}
		for i := range 2 {
			if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: ref, PolicyName: fmt.Sprintf("inline-%d", i),
				Document: allowDoc("sqs:SendMessage")}); err != nil {
				return err
			}
		}
		if err := tx.CreateAccessKey(keyward.AccessKey{AccountID: acct, UserName: "user-500", AccessKeyID: accessKeyID,
			SecretCiphertext: make([]byte, 60), Status: keyward.StatusActive, CreateDate: time.Now().UTC()}); err != nil {
			return err
		}
		return tx.TagEntity(ref, []keyward.Tag{{Key: "team", Value: "blue"}})
	})
	if err != nil {
		b.Fatal(err)
	}
}
