package iam

import (
	"context"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/sqlite"
)

const (
	testAccount  = "111122223333"
	otherAccount = "444455556666"
)

// testClock is a fixed time with a fraction of a second, which outputs
// must drop.
var testClock = time.Date(2026, 11, 26, 23, 52, 2, 123456789, time.UTC)

// newService returns a Service over a fresh in-memory SQLite store with
// two accounts, and the first account's root caller.
func newService(t testing.TB) (*Service, *keyward.Caller) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Update(ctx, func(tx keyward.Tx) error {
		for _, id := range []string{testAccount, otherAccount} {
			if err := tx.CreateAccount(keyward.Account{ID: id, CreateDate: testClock.Truncate(time.Second)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{
		Store: st,
		Authz: authz.New(st),
		Clock: func() time.Time { return testClock },
		// The server seals secrets with AES-GCM; the tests only need to
		// see that the store gets the sealed form, not the secret.
		Encrypt: func(id string, secret []byte) ([]byte, error) { return []byte("sealed:" + id), nil },
	}
	return s, rootOf(testAccount)
}

func rootOf(account string) *keyward.Caller {
	return &keyward.Caller{Kind: keyward.CallerRoot, AccountID: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account}
}

// userCaller creates user name with the given inline identity policies
// (written straight to the store) and returns it as a caller.
func userCaller(t *testing.T, s *Service, name string, policies ...string) *keyward.Caller {
	t.Helper()
	ctx := context.Background()
	out, err := s.CreateUser(ctx, rootOf(testAccount), &CreateUserInput{UserName: name})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	err = s.Store.Update(ctx, func(tx keyward.Tx) error {
		for i, doc := range policies {
			p := keyward.InlinePolicy{Owner: keyward.UserRef(testAccount, name), PolicyName: "p" + string(rune('0'+i)), Document: doc}
			if err := tx.PutInlinePolicy(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Authz.Invalidate()
	return &keyward.Caller{Kind: keyward.CallerUser, AccountID: testAccount, ARN: out.User.ARN, UserID: out.User.UserID, PrincipalID: out.User.UserID, UserName: name}
}

// allow is an identity policy allowing actions on resources.
func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// wantCode fails unless err has the AWS code want ("" for success).
func wantCode(t *testing.T, call string, err error, want string) {
	t.Helper()
	if got := keyward.ErrorCode(err); got != want {
		t.Fatalf("%s: error %v, want code %q", call, err, want)
	}
}

// wantError fails unless err has the code and message.
func wantError(t *testing.T, call string, err error, code, msg string) {
	t.Helper()
	wantCode(t, call, err, code)
	if got := keyward.ErrorMessage(err); got != msg {
		t.Fatalf("%s: message\n %q\nwant\n %q", call, got, msg)
	}
}

// marshal encodes a result as WriteResult does, under <ActionResult>.
func marshal(t *testing.T, action string, v any) string {
	t.Helper()
	b, err := xml.Marshal(struct {
		XMLName xml.Name
		V       any
	}{XMLName: xml.Name{Local: action + "Result"}, V: v})
	if err != nil {
		t.Fatalf("marshal %s: %v", action, err)
	}
	// The wrapper adds a <V> level; drop it.
	s := string(b)
	s = strings.Replace(s, "<V>", "", 1)
	if i := strings.LastIndex(s, "</V>"); i >= 0 {
		s = s[:i] + s[i+len("</V>"):]
	}
	return s
}

func TestRandomIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, prefix := range []string{PrefixUser, PrefixGroup, PrefixRole, PrefixPolicy, PrefixInstanceProfile, PrefixAccessKey} {
		for range 50 {
			id := RandomIDs{}.ID(prefix)
			want := 21 // unique IDs: AIDA and 17 more, as AWS's
			if prefix == PrefixAccessKey {
				want = 20 // access key IDs: AKIA and 16 more
			}
			if len(id) != want || !strings.HasPrefix(id, prefix) || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
				t.Fatalf("ID(%q) = %q, want %d characters: %s then [A-Z2-7]", prefix, id, want, prefix)
			}
			if seen[id] {
				t.Fatalf("ID(%q) repeated %q", prefix, id)
			}
			seen[id] = true
		}
	}
	sec := RandomIDs{}.Secret()
	if len(sec) != 40 || strings.Trim(sec, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") != "" {
		t.Fatalf("Secret() = %q, want 40 base64 characters", sec)
	}
}

func TestEncodeDocument(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\", \"a+b\": \"*\"}"
	got := EncodeDocument(doc)
	want := "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C%20%22a%2Bb%22%3A%20%22%2A%22%7D"
	if got != want {
		t.Fatalf("EncodeDocument(%q) = %q, want %q", doc, got, want)
	}
	if back, err := url.QueryUnescape(got); err != nil || back != doc {
		t.Fatalf("QueryUnescape(EncodeDocument(%q)) = %q, %v", doc, back, err)
	}
	if back, err := url.PathUnescape(got); err != nil || back != doc {
		t.Fatalf("PathUnescape(EncodeDocument(%q)) = %q, %v", doc, back, err)
	}
}

func TestPageOf(t *testing.T) {
	all := []int{1, 2, 3, 4, 5}
	var got []int
	var marker *string
	pages := 0
	for {
		page, next, err := pageOf(all, marker, ptr(int32(2)))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
		if next == "" {
			break
		}
		marker = ptr(next)
	}
	if pages != 3 || len(got) != 5 || got[4] != 5 {
		t.Fatalf("pageOf by 2 gave %v in %d pages, want 1..5 in 3", got, pages)
	}
	_, _, err := pageOf(all, ptr("x"), nil)
	wantCode(t, "pageOf(marker x)", err, keyward.ErrInvalidInput)
}

func TestMembers_Empty(t *testing.T) {
	got := marshal(t, "ListUsers", &ListUsersOutput{Users: Members[User]{}})
	want := "<ListUsersResult><Users></Users><IsTruncated>false</IsTruncated></ListUsersResult>"
	if got != want {
		t.Fatalf("empty ListUsers = %s, want %s", got, want)
	}
}

// ptr returns a pointer to v, for optional inputs.
func ptr[T any](v T) *T { return &v }
