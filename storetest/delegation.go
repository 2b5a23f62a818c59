package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// newDelegation returns an unassigned request of the partner account
// acct2, made at t0 plus n seconds (so IDs sort in the order made).
func newDelegation(n int, workflow string) keyward.DelegationRequest {
	created := t0.Add(time.Duration(n) * time.Second)
	return keyward.DelegationRequest{
		ID:                  fmt.Sprintf("dr-%012x%020x", created.UnixMilli(), idSeq.Add(1)),
		RequestorAccountID:  acct2,
		RequestorARN:        "arn:aws:iam::" + acct2 + ":user/partner",
		Description:         "Set up the product",
		WorkflowID:          workflow,
		NotificationChannel: "arn:aws:sns:us-east-1:" + acct2 + ":partner",
		SessionDuration:     3600,
		PolicyTemplateARN:   "arn:aws:iam::" + acct2 + ":policy/template",
		PermissionPolicy:    doc1,
		State:               keyward.DelegationUnassigned,
		CreateDate:          created,
		UpdateDate:          created,
		ExpirationTime:      created.Add(keyward.DelegationUnassignedLifetime),
	}
}

func testDelegationRequest(t *testing.T, s keyward.Store) {
	a := newDelegation(1, "workflow-a")
	a.OwnerAccountID = acct
	a.RequestorName = "Partner"
	a.RequestMessage = "Please"
	a.RedirectURL = "https://partner.example.com/back"
	a.OnlySendByOwner = true
	a.Parameters = []keyward.DelegationParameter{{Name: "bucketName", Values: []string{"b1", "b2"}, Type: "stringList"}}
	a.RolePermissionRestrictionARNs = []string{"arn:aws:iam::" + acct2 + ":policy/boundary"}
	b := newDelegation(2, "workflow-b")
	c := newDelegation(3, "workflow-c")
	c.NotificationChannel = "arn:aws:sns:us-east-1:" + acct2 + ":other"
	update(t, s, func(tx keyward.Tx) error {
		for _, r := range []keyward.DelegationRequest{a, b, c} {
			wantOK(t, "CreateDelegationRequest("+r.WorkflowID+")", tx.CreateDelegationRequest(r))
		}
		wantCode(t, "CreateDelegationRequest(a again)", tx.CreateDelegationRequest(a), keyward.ErrEntityAlreadyExists)
		sameWorkflow := newDelegation(4, "workflow-a")
		err := tx.CreateDelegationRequest(sameWorkflow)
		wantCode(t, "CreateDelegationRequest(a's workflow ID)", err, keyward.ErrEntityAlreadyExists)
		if got := keyward.ErrorMessage(err); !strings.Contains(got, "workflow-a") {
			t.Errorf("CreateDelegationRequest(a's workflow ID) = %q; want the workflow ID named", got)
		}
		// The workflow ID is unique per partner account, not across them.
		otherPartner := newDelegation(5, "workflow-a")
		otherPartner.RequestorAccountID = acct
		wantOK(t, "CreateDelegationRequest(another partner's workflow-a)", tx.CreateDelegationRequest(otherPartner))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetDelegationRequest(a.ID)
		wantOK(t, "GetDelegationRequest(a)", err)
		diff(t, "GetDelegationRequest(a)", a, got)
		got, err = tx.GetDelegationRequest(b.ID)
		wantOK(t, "GetDelegationRequest(b)", err)
		diff(t, "GetDelegationRequest(b)", b, got)
		_, err = tx.GetDelegationRequest("dr-missing-missing-missing")
		wantCode(t, "GetDelegationRequest(missing)", err, keyward.ErrNoSuchEntity)
		// Nothing is owned yet: the owner account's list is empty even
		// though a names it.
		owned, next, err := tx.ListDelegationRequests(keyward.DelegationListOptions{OwnerAccountID: acct})
		wantOK(t, "ListDelegationRequests(owner, none owned)", err)
		diff(t, "ListDelegationRequests(owner, none owned)", []keyward.DelegationRequest(nil), owned)
		if next != "" {
			t.Errorf("ListDelegationRequests(owner, none owned) next = %q, want \"\"", next)
		}
		return nil
	})

	// a is associated, accepted and its token released; b associated by
	// another principal of the same account.
	owner := "arn:aws:iam::" + acct + ":user/alice"
	update(t, s, func(tx keyward.Tx) error {
		a.OwnerID, a.OwnerPrincipalID, a.State = owner, "AIDAALICE", keyward.DelegationFinalized
		a.ApproverID = "arn:aws:sts::" + acct + ":assumed-role/admin/bob"
		a.Approver = &keyward.DelegationApprover{Kind: keyward.CallerAssumedRole, ARN: a.ApproverID,
			UserID: "AROAADMIN:bob", PrincipalID: "AROAADMIN", RoleName: "admin", RoleARN: "arn:aws:iam::" + acct + ":role/admin",
			SessionName: "bob", SourceIdentity: "bob@example.com", SessionPolicies: []string{doc2},
			SessionTags: []keyward.Tag{{Key: "team", Value: "blue"}}, TransitiveTagKeys: []string{"team"}, Chained: true}
		a.Notes, a.RejectionReason = "Forwarded to the admins", ""
		a.UpdateDate = t0.Add(time.Hour)
		a.ExpirationTime = a.UpdateDate.Add(keyward.DelegationStateLifetime)
		a.TokenReleaseDate = a.UpdateDate
		a.TokenCiphertext = []byte{0, 1, 2, 0xff}
		wantOK(t, "UpdateDelegationRequest(a)", tx.UpdateDelegationRequest(a))
		b.OwnerAccountID, b.OwnerID, b.OwnerPrincipalID, b.State = acct, "arn:aws:iam::"+acct+":root", "", keyward.DelegationRejected
		b.RejectionReason = "No"
		wantOK(t, "UpdateDelegationRequest(b)", tx.UpdateDelegationRequest(b))
		wantCode(t, "UpdateDelegationRequest(missing)", tx.UpdateDelegationRequest(newDelegation(9, "x")), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetDelegationRequest(a.ID)
		wantOK(t, "GetDelegationRequest(a) after update", err)
		diff(t, "GetDelegationRequest(a) after update", a, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		// The fields an update does not write stay as created.
		changed := b
		changed.WorkflowID, changed.RequestorARN, changed.CreateDate = "other", "arn:aws:iam::"+acct2+":user/else", t0
		wantOK(t, "UpdateDelegationRequest(b, fixed fields changed)", tx.UpdateDelegationRequest(changed))
		got, err := tx.GetDelegationRequest(b.ID)
		wantOK(t, "GetDelegationRequest(b) after update", err)
		diff(t, "GetDelegationRequest(b) after update", b, got)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		owned, _, err := tx.ListDelegationRequests(keyward.DelegationListOptions{OwnerAccountID: acct})
		wantOK(t, "ListDelegationRequests(owner)", err)
		diff(t, "ListDelegationRequests(owner)", []keyward.DelegationRequest{a, b}, owned)
		mine, _, err := tx.ListDelegationRequests(keyward.DelegationListOptions{OwnerAccountID: acct, OwnerID: owner})
		wantOK(t, "ListDelegationRequests(owner alice)", err)
		diff(t, "ListDelegationRequests(owner alice)", []keyward.DelegationRequest{a}, mine)
		none, _, err := tx.ListDelegationRequests(keyward.DelegationListOptions{OwnerAccountID: acct2})
		wantOK(t, "ListDelegationRequests(partner as owner)", err)
		diff(t, "ListDelegationRequests(partner as owner)", []keyward.DelegationRequest(nil), none)
		made, _, err := tx.ListDelegationRequests(keyward.DelegationListOptions{RequestorAccountID: acct2})
		wantOK(t, "ListDelegationRequests(requestor)", err)
		diff(t, "ListDelegationRequests(requestor)", []keyward.DelegationRequest{a, b, c}, made)
		byChannel, _, err := tx.ListDelegationRequests(keyward.DelegationListOptions{RequestorAccountID: acct2, NotificationChannel: a.NotificationChannel})
		wantOK(t, "ListDelegationRequests(channel)", err)
		diff(t, "ListDelegationRequests(channel)", []keyward.DelegationRequest{a, b}, byChannel)
		other, _, err := tx.ListDelegationRequests(keyward.DelegationListOptions{NotificationChannel: c.NotificationChannel})
		wantOK(t, "ListDelegationRequests(another channel)", err)
		diff(t, "ListDelegationRequests(another channel)", []keyward.DelegationRequest{c}, other)
		// Pages, in creation order.
		first, next, err := tx.ListDelegationRequests(keyward.DelegationListOptions{RequestorAccountID: acct2, MaxItems: 2})
		wantOK(t, "ListDelegationRequests(MaxItems 2)", err)
		diff(t, "ListDelegationRequests(MaxItems 2)", []keyward.DelegationRequest{a, b}, first)
		if next == "" {
			t.Fatalf("ListDelegationRequests(MaxItems 2) next = \"\", want a marker")
		}
		rest, next, err := tx.ListDelegationRequests(keyward.DelegationListOptions{RequestorAccountID: acct2, MaxItems: 2, Marker: next})
		wantOK(t, "ListDelegationRequests(page 2)", err)
		diff(t, "ListDelegationRequests(page 2)", []keyward.DelegationRequest{c}, rest)
		if next != "" {
			t.Errorf("ListDelegationRequests(page 2) next = %q, want \"\"", next)
		}
		_, _, err = tx.ListDelegationRequests(keyward.DelegationListOptions{RequestorAccountID: acct2, Marker: "not-a-marker"})
		wantCode(t, "ListDelegationRequests(bad marker)", err, keyward.ErrInvalidInput)
		return nil
	})
}
