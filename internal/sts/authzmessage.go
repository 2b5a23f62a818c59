package sts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"sort"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

// An encoded authorization message is sealed like a session token, under
// the ring's newest key, with its own version byte and associated data so
// that neither can pass for the other:
//
//	messageVersion (1 byte) | key id (8) | nonce (12) | AES-256-GCM(JSON)
const messageVersion = 2

var messageAD = []byte("keyward:authorization-message")

// AuthorizationMessage is the JSON AWS's DecodeAuthorizationMessage returns
// for a decision: whether it was allowed, whether an explicit deny decided
// it, the statements that matched, and the request's context.
func AuthorizationMessage(c *keyward.Caller, action, resource string, res *policy.Result, conditions map[string][]string) []byte {
	type value struct {
		Value string `json:"value"`
	}
	type values struct {
		Items []value `json:"items"`
	}
	type cond struct {
		Key    string `json:"key"`
		Values values `json:"values"`
	}
	type statement struct {
		StatementID      string `json:"statementId,omitempty"`
		Effect           string `json:"effect"`
		SourcePolicyID   string `json:"sourcePolicyId"`
		SourcePolicyType string `json:"sourcePolicyType"`
	}
	type msg struct {
		Allowed           bool `json:"allowed"`
		ExplicitDeny      bool `json:"explicitDeny"`
		MatchedStatements struct {
			Items []statement `json:"items"`
		} `json:"matchedStatements"`
		Failures struct {
			Items []string `json:"items"`
		} `json:"failures"`
		Context struct {
			Principal struct {
				ID   string `json:"id"`
				Name string `json:"name,omitempty"`
				ARN  string `json:"arn"`
			} `json:"principal"`
			Action     string `json:"action"`
			Resource   string `json:"resource"`
			Conditions struct {
				Items []cond `json:"items"`
			} `json:"conditions"`
		} `json:"context"`
	}
	var m msg
	m.Allowed = res.Decision == policy.Allowed
	m.ExplicitDeny = res.Decision == policy.ExplicitDeny
	m.MatchedStatements.Items = []statement{}
	for _, st := range res.Matched {
		m.MatchedStatements.Items = append(m.MatchedStatements.Items, statement{
			StatementID: st.Sid, Effect: strings.ToUpper(st.Effect.String()),
			SourcePolicyID: st.PolicyID, SourcePolicyType: st.Type.String(),
		})
	}
	m.Failures.Items = []string{}
	m.Context.Principal.ID = c.UserID
	m.Context.Principal.Name = c.UserName
	if c.Kind == keyward.CallerAssumedRole {
		m.Context.Principal.Name = c.RoleName + "/" + c.SessionName
	}
	m.Context.Principal.ARN = c.ARN
	m.Context.Action, m.Context.Resource = action, resource
	keys := make([]string, 0, len(conditions))
	for k := range conditions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m.Context.Conditions.Items = []cond{}
	for _, k := range keys {
		vs := values{Items: []value{}}
		for _, v := range conditions[k] {
			vs.Items = append(vs.Items, value{v})
		}
		m.Context.Conditions.Items = append(m.Context.Conditions.Items, cond{Key: k, Values: vs})
	}
	b, _ := json.Marshal(&m)
	return b
}

// EncodeAuthorizationMessage seals a message (AuthorizationMessage) so that
// only DecodeAuthorizationMessage, on any replica sharing the key ring, can
// read it. IAM and STS denials carry none, as AWS's do not; services that
// call Keyward to authorize their own actions can attach one to theirs.
func (t *Tokens) EncodeAuthorizationMessage(ctx context.Context, message []byte) (string, error) {
	k, err := t.Ring.signer(ctx, t.Ring.clock())
	if err != nil {
		return "", err
	}
	out := make([]byte, headerLen, headerLen+len(message)+k.aead.Overhead())
	out[0] = messageVersion
	copy(out[1:], k.id[:])
	rand.Read(out[1+keyIDLen : headerLen])
	ad := append(out[:headerLen:headerLen], messageAD...)
	out = k.aead.Seal(out, out[1+keyIDLen:headerLen], message, ad)
	return tokenEncoding.EncodeToString(out), nil
}

func (t *Tokens) decodeAuthorizationMessage(encoded string) ([]byte, bool) {
	raw, err := tokenEncoding.DecodeString(encoded)
	if err != nil || len(raw) < headerLen+16 || raw[0] != messageVersion {
		return nil, false
	}
	var id [keyIDLen]byte
	copy(id[:], raw[1:])
	k := t.Ring.opener(id, t.Ring.clock())
	if k == nil {
		return nil, false
	}
	ad := append(append([]byte(nil), raw[:headerLen]...), messageAD...)
	plain, err := k.aead.Open(nil, raw[1+keyIDLen:headerLen], raw[headerLen:], ad)
	return plain, err == nil
}

// DecodeAuthorizationMessageInput is AWS's DecodeAuthorizationMessageRequest.
type DecodeAuthorizationMessageInput struct {
	EncodedMessage string `query:"EncodedMessage"`
}

// DecodeAuthorizationMessageOutput is AWS's DecodeAuthorizationMessageResult.
type DecodeAuthorizationMessageOutput struct {
	DecodedMessage string `xml:"DecodedMessage"`
}

// DecodeAuthorizationMessage reads a message EncodeAuthorizationMessage
// sealed. It needs sts:DecodeAuthorizationMessage; anything Keyward did not
// seal (or sealed with a key since deleted) is
// InvalidAuthorizationMessageException.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, c *keyward.Caller, in *DecodeAuthorizationMessageInput) (*DecodeAuthorizationMessageOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "sts:DecodeAuthorizationMessage", "*", nil); err != nil {
		return nil, err
	}
	plain, ok := s.Tokens.decodeAuthorizationMessage(in.EncodedMessage)
	if !ok {
		return nil, keyward.Errorf(ErrInvalidAuthorizationMessage, "The encoded authorization message is invalid.")
	}
	return &DecodeAuthorizationMessageOutput{DecodedMessage: string(plain)}, nil
}
