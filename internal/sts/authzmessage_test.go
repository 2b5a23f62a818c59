package sts

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

func TestDecodeAuthorizationMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", `{"Version":"2012-10-17","Statement":[{"Sid":"Decode","Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"},{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	bob := e.user(acct, "bob")
	extra := map[string][]string{"s3:prefix": {"home/"}}
	res, err := e.authz.Evaluate(ctx, alice, "s3:ListBucket", "arn:aws:s3:::b", extra, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision != policy.ExplicitDeny {
		t.Fatalf("Evaluate(s3:ListBucket) = %v, want explicit deny", res.Decision)
	}
	enc, err := e.svc.Tokens.EncodeAuthorizationMessage(ctx, AuthorizationMessage(alice, "s3:ListBucket", "arn:aws:s3:::b", &res, extra))
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.svc.DecodeAuthorizationMessage(ctx, alice, &DecodeAuthorizationMessageInput{EncodedMessage: enc})
	if err != nil {
		t.Fatalf("DecodeAuthorizationMessage = %v", err)
	}
	var m struct {
		Allowed, ExplicitDeny bool
		MatchedStatements     struct {
			Items []struct{ StatementID, Effect string }
		}
		Context struct {
			Principal  struct{ ARN string }
			Action     string
			Conditions struct{ Items []struct{ Key string } }
		}
	}
	if err := json.Unmarshal([]byte(out.DecodedMessage), &m); err != nil {
		t.Fatalf("DecodedMessage %s: %v", out.DecodedMessage, err)
	}
	if m.Allowed || !m.ExplicitDeny || len(m.MatchedStatements.Items) != 1 || m.MatchedStatements.Items[0].StatementID != "NoS3" ||
		m.MatchedStatements.Items[0].Effect != "DENY" || m.Context.Principal.ARN != alice.ARN || m.Context.Action != "s3:ListBucket" ||
		len(m.Context.Conditions.Items) != 1 {
		t.Errorf("DecodedMessage = %s, want an explicit deny by NoS3 for alice on s3:ListBucket with one condition", out.DecodedMessage)
	}
	if _, err := e.svc.DecodeAuthorizationMessage(ctx, bob, &DecodeAuthorizationMessageInput{EncodedMessage: enc}); code(err) != keyward.ErrAccessDenied {
		t.Errorf("DecodeAuthorizationMessage(without permission) = %v, want AccessDenied", err)
	}
	// A session token is not a message, and an altered message is refused.
	tok, _ := e.svc.Tokens.Issue(ctx, sampleCaller(), "ASIAEXAMPLEEXAMPLE12", "s", start.Add(3600e9))
	for name, bad := range map[string]string{"session token": tok, "altered": enc[:len(enc)-3] + "AAA", "garbage": "hello"} {
		if _, err := e.svc.DecodeAuthorizationMessage(ctx, alice, &DecodeAuthorizationMessageInput{EncodedMessage: bad}); code(err) != ErrInvalidAuthorizationMessage {
			t.Errorf("DecodeAuthorizationMessage(%s) = %v, want InvalidAuthorizationMessageException", name, err)
		}
	}
}
