package iam

import (
	"context"
	"encoding/json"
	"time"

	"github.com/keyward/keyward"
)

// The delegation notification feed: Keyward's stand-in for the SNS topic
// AWS publishes a partner's notifications to (IAM User Guide, "Building
// your integration", "Configuring Notifications"). Keyward has no SNS and
// publishes nothing; instead the partner's account reads, from its topic's
// feed, the notifications AWS would have published there, in AWS's message
// format: for each of its requests on the topic, a StateChange message
// for its current state (once it left UNASSIGNED), and, while the released
// access lasts, the ExchangeToken message carrying the token that STS
// GetDelegatedAccessToken takes. It is served by the Query API as the
// action ListDelegationNotifications of Keyward's own service (Version
// FeedVersion, signed for service "keyward"), authorized as
// keyward:ListDelegationNotifications on the topic's ARN.

// FeedVersion and FeedNamespace are the Query API version that selects the
// feed, and its responses' XML namespace.
const (
	FeedVersion   = "2025-11-15"
	FeedNamespace = "https://github.com/keyward/keyward/doc/2025-11-15/"
)

// DelegationFeed serves the notification feed (see FeedVersion). Get one
// with Service.DelegationFeed.
type DelegationFeed struct{ s *Service }

// DelegationFeed returns the service's notification feed.
func (s *Service) DelegationFeed() *DelegationFeed { return &DelegationFeed{s: s} }

// ListDelegationNotificationsInput is the feed's request: the topic (a
// NotificationChannel of the caller's account's requests) and a page.
type ListDelegationNotificationsInput struct {
	TopicARN string  `query:"TopicArn,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// Notification is one message AWS would have published to the topic, as
// an SNS notification carries it: Message is the JSON text of AWS's
// delegation message.
type Notification struct {
	MessageID string `xml:"MessageId"`
	TopicARN  string `xml:"TopicArn"`
	Timestamp Time   `xml:"Timestamp"`
	Message   string `xml:"Message"`
}

// ListDelegationNotificationsOutput is a page of notifications: those of
// MaxItems requests (default 100), oldest request first.
type ListDelegationNotificationsOutput struct {
	Notifications Members[Notification] `xml:"Notifications"`
	Marker        string                `xml:"Marker,omitempty"`
	IsTruncated   bool                  `xml:"IsTruncated"`
}

// delegationMessage is AWS's delegation notification message.
type delegationMessage struct {
	Type                string
	RequestID           string `json:"RequestId"`
	RequestorWorkflowID string `json:"RequestorWorkflowId"`
	State               string
	OwnerAccountID      string `json:"OwnerAccountId"`
	ExchangeToken       string `json:",omitempty"`
	ExpiresAt           string `json:",omitempty"`
	UpdatedAt           string
}

// iso8601 writes times as AWS's messages do: UTC with milliseconds.
func iso8601(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ListDelegationNotifications returns the notifications of the caller's
// account's requests on a topic.
func (f *DelegationFeed) ListDelegationNotifications(ctx context.Context, c *keyward.Caller, in *ListDelegationNotificationsInput) (*ListDelegationNotificationsOutput, error) {
	s := f.s
	out := &ListDelegationNotificationsOutput{Notifications: Members[Notification]{}}
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("keyward:ListDelegationNotifications", in.TopicARN, nil); err != nil {
			return err
		}
		opts := keyward.DelegationListOptions{RequestorAccountID: c.AccountID, NotificationChannel: in.TopicARN, MaxItems: defaultMaxItems}
		if in.Marker != nil {
			opts.Marker = *in.Marker
		}
		if in.MaxItems != nil {
			opts.MaxItems = int(*in.MaxItems)
		}
		page, next, err := o.ListDelegationRequests(opts)
		if err != nil {
			return err
		}
		now := s.now()
		for i := range page {
			ns, err := f.notifications(&page[i], now)
			if err != nil {
				return err
			}
			out.Notifications = append(out.Notifications, ns...)
		}
		out.Marker, out.IsTruncated = next, next != ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// notifications are the messages of one request at now.
func (f *DelegationFeed) notifications(r *keyward.DelegationRequest, now time.Time) ([]Notification, error) {
	state := r.StateAt(now)
	if state == keyward.DelegationUnassigned {
		return nil, nil
	}
	at := r.UpdateDate
	if state != r.State {
		at = r.ExpirationTime // expired by the clock
	}
	msg := delegationMessage{Type: "StateChange", RequestID: r.ID, RequestorWorkflowID: r.WorkflowID, State: string(state),
		OwnerAccountID: r.OwnerAccountID, UpdatedAt: iso8601(at)}
	var out []Notification
	add := func(m delegationMessage, kind string) error {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		out = append(out, Notification{MessageID: r.ID + "/" + kind + "/" + string(m.State), TopicARN: r.NotificationChannel,
			Timestamp: Time(at), Message: string(b)})
		return nil
	}
	if err := add(msg, "state"); err != nil {
		return nil, err
	}
	if state == keyward.DelegationFinalized && len(r.TokenCiphertext) > 0 && now.Before(r.AccessExpiry()) {
		sealer, err := f.s.sealer()
		if err != nil {
			return nil, err
		}
		secret, err := sealer.Open(r.TokenCiphertext, SecretAD(keyward.DelegationTokenSealKind, r.ID))
		if err != nil {
			return nil, err
		}
		msg.Type, msg.ExchangeToken, msg.ExpiresAt = "ExchangeToken", keyward.DelegationToken(r.ID, string(secret)), iso8601(r.AccessExpiry())
		if err := add(msg, "token"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
