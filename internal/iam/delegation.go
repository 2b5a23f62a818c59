package iam

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// IAM's temporary delegation (see keyward.DelegationRequest for the
// lifecycle). Who may act on a request, after AWS's API reference and the
// IAM User Guide ("IAM temporary delegation", "Managing Permissions for
// Delegation Requests"):
//
//   - a request with no owner account can be seen from any account; once
//     it names one, only from that account; the partner's account sees
//     the requests it made (GetDelegationRequest, GetHumanReadableSummary),
//     which AWS does not say and Keyward allows, because it sends no
//     notifications;
//   - every action is authorized as usual, on
//     arn:aws:iam::CALLER-ACCOUNT:delegation-request/ID, with
//     iam:DelegationRequestOwner once the request has an owner;
//   - the owner (the principal that associated the request) has a default
//     permission to get, summarize, update (forward), reject and send it
//     and to list the requests it owns; any principal that may see an
//     unassigned request may associate it. A default permission acts as a
//     resource policy naming the caller: an explicit deny still wins.
//     Accepting always needs iam:AcceptDelegationRequest.
//
// Keyward sends no notification: the NotificationChannel is kept as given
// and shown to nobody but the partner's notification feed.

// DelegationRequestARN returns
// arn:aws:iam::ACCOUNT:delegation-request/ID, the resource delegation
// actions are authorized on (the Service Authorization Reference's
// delegation-request type).
func DelegationRequestARN(accountID, id string) string {
	return "arn:aws:iam::" + accountID + ":delegation-request/" + id
}

// DelegationPermission is AWS's DelegationPermission.
type DelegationPermission struct {
	PolicyTemplateARN string                   `xml:"PolicyTemplateArn,omitempty"`
	Parameters        Members[PolicyParameter] `xml:"Parameters,omitempty"`
}

// PolicyParameter is AWS's PolicyParameter.
type PolicyParameter struct {
	Name   string          `xml:"Name"`
	Values Members[string] `xml:"Values"`
	Type   string          `xml:"Type,omitempty"`
}

// DelegationRequest is AWS's DelegationRequest.
type DelegationRequest struct {
	DelegationRequestID           string                `xml:"DelegationRequestId"`
	OwnerAccountID                string                `xml:"OwnerAccountId,omitempty"`
	Description                   string                `xml:"Description,omitempty"`
	RequestMessage                string                `xml:"RequestMessage,omitempty"`
	Permissions                   *DelegationPermission `xml:"Permissions,omitempty"`
	PermissionPolicy              string                `xml:"PermissionPolicy,omitempty"`
	RolePermissionRestrictionARNs Members[string]       `xml:"RolePermissionRestrictionArns,omitempty"`
	OwnerID                       string                `xml:"OwnerId,omitempty"`
	ApproverID                    string                `xml:"ApproverId,omitempty"`
	State                         string                `xml:"State"`
	ExpirationTime                Time                  `xml:"ExpirationTime"`
	RequestorID                   string                `xml:"RequestorId"`
	RequestorName                 string                `xml:"RequestorName,omitempty"`
	CreateDate                    Time                  `xml:"CreateDate"`
	SessionDuration               int                   `xml:"SessionDuration"`
	RedirectURL                   string                `xml:"RedirectUrl,omitempty"`
	Notes                         string                `xml:"Notes,omitempty"`
	RejectionReason               string                `xml:"RejectionReason,omitempty"`
	OnlySendByOwner               bool                  `xml:"OnlySendByOwner"`
	UpdatedTime                   Time                  `xml:"UpdatedTime"`
}

func (s *Service) delegationOut(r *keyward.DelegationRequest) DelegationRequest {
	now := s.now()
	d := DelegationRequest{
		DelegationRequestID: r.ID, OwnerAccountID: r.OwnerAccountID, Description: r.Description,
		RequestMessage: r.RequestMessage, PermissionPolicy: r.PermissionPolicy,
		RolePermissionRestrictionARNs: r.RolePermissionRestrictionARNs, OwnerID: r.OwnerID, ApproverID: r.ApproverID,
		State: string(r.StateAt(now)), ExpirationTime: Time(r.ExpirationTime), RequestorID: r.RequestorAccountID,
		RequestorName: r.RequestorName, CreateDate: Time(r.CreateDate), SessionDuration: r.SessionDuration,
		RedirectURL: r.RedirectURL, Notes: r.Notes, RejectionReason: r.RejectionReason,
		OnlySendByOwner: r.OnlySendByOwner, UpdatedTime: Time(r.UpdateDate),
	}
	if r.PolicyTemplateARN != "" || len(r.Parameters) > 0 {
		d.Permissions = &DelegationPermission{PolicyTemplateARN: r.PolicyTemplateARN}
		for _, p := range r.Parameters {
			d.Permissions.Parameters = append(d.Permissions.Parameters, PolicyParameter{Name: p.Name, Values: p.Values, Type: p.Type})
		}
	}
	return d
}

// isOwner reports whether c is r's owner: the principal that associated
// it, by ARN and unique ID (a user deleted and created again is another).
func isOwner(c *keyward.Caller, r *keyward.DelegationRequest) bool {
	return r.OwnerID != "" && c.AccountID == r.OwnerAccountID && c.ARN == r.OwnerID && c.PrincipalID == r.OwnerPrincipalID
}

// seenBy reports whether c's account may see r at all: a customer's (any
// account before the request names one, then that account), or, for
// GetDelegationRequest and GetHumanReadableSummary, the partner's.
func seenBy(c *keyward.Caller, r *keyward.DelegationRequest, partnerToo bool) bool {
	return r.OwnerAccountID == "" || r.OwnerAccountID == c.AccountID || partnerToo && r.RequestorAccountID == c.AccountID
}

// delegationGrant says whether the caller has a default permission on a
// request it sees.
type delegationGrant func(c *keyward.Caller, r *keyward.DelegationRequest) bool

func ownerGrant(c *keyward.Caller, r *keyward.DelegationRequest) bool { return isOwner(c, r) }

func noGrant(*keyward.Caller, *keyward.DelegationRequest) bool { return false }

// associateGrant: whoever sees an unassigned request may claim it.
func associateGrant(_ *keyward.Caller, r *keyward.DelegationRequest) bool { return r.OwnerID == "" }

// defaultPermission is a default permission as a resource policy: action
// on resource for principal alone.
func defaultPermission(principal, action, resource string, cond map[string]string) (*policy.Set, error) {
	stmt := `{"Effect":"Allow","Principal":{"AWS":` + strconv.Quote(principal) + `},"Action":` + strconv.Quote(action) +
		`,"Resource":` + strconv.Quote(resource)
	if len(cond) > 0 {
		stmt += `,"Condition":{"StringEquals":{`
		first := true
		for k, v := range cond {
			if !first {
				stmt += ","
			}
			first = false
			stmt += strconv.Quote(k) + ":" + strconv.Quote(v)
		}
		stmt += "}}"
	}
	d, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[`+stmt+`}]}`), policy.Resource)
	if err != nil {
		return nil, err
	}
	return policy.NewSet(policy.Policy{ID: "DefaultPermission", Document: d}), nil
}

// authorizeQuery is op.authorize for a query that may carry a resource
// policy (a default permission).
func (o *op) authorizeQuery(q authz.Query) error {
	d, err := o.s.Authz.Decide(o.ctx, o.Tx, o.c, q)
	if err != nil {
		return err
	}
	err = o.s.Authz.Enforce(o.c, &d)
	o.decisions = append(o.decisions, d)
	return err
}

// delegationTarget reads request id and authorizes action on it for the
// caller: NoSuchEntity, after the authorization, when it does not exist or
// the caller's account may not see it.
func (o *op) delegationTarget(action, id string, partnerToo bool, grant delegationGrant) (*keyward.DelegationRequest, error) {
	return o.delegationTargetARN(action, DelegationRequestARN(o.c.AccountID, id), id, partnerToo, grant)
}

func (o *op) delegationTargetARN(action, arn, id string, partnerToo bool, grant delegationGrant) (*keyward.DelegationRequest, error) {
	r, err := o.GetDelegationRequest(id)
	found := err == nil
	if err != nil && keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
		return nil, err
	}
	found = found && seenBy(o.c, &r, partnerToo) && strings.HasPrefix(arn, "arn:aws:iam::"+o.c.AccountID+":")
	q := authz.Query{Action: action, Resource: arn}
	if found {
		if r.OwnerID != "" {
			q.Extra = map[string][]string{"iam:DelegationRequestOwner": {r.OwnerID}}
		}
		if grant(o.c, &r) {
			if q.ResourcePolicy, err = defaultPermission(o.c.ARN, action, arn, nil); err != nil {
				return nil, err
			}
		}
	}
	if err := o.authorizeQuery(q); err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound(kindDelegation, id)
	}
	return &r, nil
}

// inState checks that r is, at now, in one of the states action acts on.
func inState(r *keyward.DelegationRequest, now time.Time, action string, states ...keyward.DelegationState) error {
	st := r.StateAt(now)
	if st == keyward.DelegationExpired {
		return keyward.Errorf(keyward.ErrInvalidInput, "The delegation request %s has expired.", r.ID)
	}
	for _, s := range states {
		if st == s {
			return nil
		}
	}
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = string(s)
	}
	return keyward.Errorf(keyward.ErrInvalidInput, "The delegation request %s is %s: %s acts only on a request that is %s.",
		r.ID, st, action, strings.Join(names, " or "))
}

// moveTo puts r in state at now, with the state's lifetime.
func moveTo(r *keyward.DelegationRequest, state keyward.DelegationState, now time.Time) {
	r.State, r.UpdateDate, r.ExpirationTime = state, now, keyward.DelegationExpiry(state, now)
}

// CreateDelegationRequestInput is AWS's CreateDelegationRequestRequest.
type CreateDelegationRequestInput struct {
	OwnerAccountID      string                 `query:"OwnerAccountId"`
	Description         string                 `query:"Description,required"`
	PolicyTemplateARN   string                 `query:"Permissions.PolicyTemplateArn"`
	Parameters          []PolicyParameterInput `query:"Permissions.Parameters"`
	RequestMessage      string                 `query:"RequestMessage"`
	RequestorWorkflowID string                 `query:"RequestorWorkflowId,required"`
	RedirectURL         string                 `query:"RedirectUrl"`
	NotificationChannel string                 `query:"NotificationChannel,required"`
	SessionDuration     int                    `query:"SessionDuration,required"`
	OnlySendByOwner     bool                   `query:"OnlySendByOwner"`
}

// PolicyParameterInput is one member of Permissions.Parameters.
type PolicyParameterInput struct {
	Name   string   `query:"Name"`
	Values []string `query:"Values"`
	Type   string   `query:"Type"`
}

// CreateDelegationRequestOutput is AWS's CreateDelegationRequestResponse.
// Keyward's console has no page for delegation requests, so it gives no
// ConsoleDeepLink (which AWS's model makes optional).
type CreateDelegationRequestOutput struct {
	ConsoleDeepLink     string `xml:"ConsoleDeepLink,omitempty"`
	DelegationRequestID string `xml:"DelegationRequestId"`
}

// CreateDelegationRequest makes a delegation request for the caller's
// account, the partner: the permissions it asks for are its policy
// template (Permissions.PolicyTemplateArn, a managed policy of its own
// account or an AWS managed policy: Keyward's stand-in for AWS's
// registered templates, whose text is the template) rendered with
// Permissions.Parameters, checked and kept as the request's
// PermissionPolicy. NotificationChannel must be an SNS topic ARN of the
// caller's account, as AWS requires; nothing is published to it.
// Authorized as iam:CreateDelegationRequest on the new request's ARN, with
// iam:DelegationDuration, iam:NotificationChannel and iam:TemplateArn.
func (s *Service) CreateDelegationRequest(ctx context.Context, c *keyward.Caller, in *CreateDelegationRequestInput) (*CreateDelegationRequestOutput, error) {
	now := s.now()
	id := keyward.NewDelegationRequestID(now)
	arn := DelegationRequestARN(c.AccountID, id)
	extra := map[string][]string{
		"iam:DelegationDuration":  {strconv.Itoa(in.SessionDuration)},
		"iam:NotificationChannel": {in.NotificationChannel},
	}
	if in.PolicyTemplateARN != "" {
		extra["iam:TemplateArn"] = []string{in.PolicyTemplateARN}
	}
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:CreateDelegationRequest", arn, extra); err != nil {
			return err
		}
		if in.PolicyTemplateARN == "" {
			return invalidInput("Permissions must name a PolicyTemplateArn: the policy template of the permissions the request asks for.")
		}
		if !snsTopicOf(in.NotificationChannel, c.AccountID) {
			return invalidInput("The NotificationChannel %s is not an Amazon SNS topic ARN of account %s: the topic must belong to the account that makes the request.",
				in.NotificationChannel, c.AccountID)
		}
		doc, err := o.templateDocument(in.PolicyTemplateARN)
		if err != nil {
			return err
		}
		params := make([]keyward.DelegationParameter, len(in.Parameters))
		for i, p := range in.Parameters {
			params[i] = keyward.DelegationParameter{Name: p.Name, Values: p.Values, Type: p.Type}
		}
		rendered, err := renderTemplate(doc, params)
		if err != nil {
			return err
		}
		name := ""
		if a, err := o.GetAccount(c.AccountID); err != nil {
			return err
		} else if len(a.Alias) <= 30 {
			name = a.Alias // AWS's RequestorName holds at most 30 characters
		}
		// The ID is new and random: a conflict is the requestor's
		// workflow ID.
		return said(o.CreateDelegationRequest(keyward.DelegationRequest{
			ID: id, RequestorAccountID: c.AccountID, RequestorName: name, RequestorARN: c.ARN,
			OwnerAccountID: in.OwnerAccountID, Description: in.Description, RequestMessage: in.RequestMessage,
			WorkflowID: in.RequestorWorkflowID, RedirectURL: in.RedirectURL, NotificationChannel: in.NotificationChannel,
			SessionDuration: in.SessionDuration, OnlySendByOwner: in.OnlySendByOwner, PolicyTemplateARN: in.PolicyTemplateARN,
			Parameters: params, PermissionPolicy: rendered, RolePermissionRestrictionARNs: boundariesOf(rendered),
			State: keyward.DelegationUnassigned, CreateDate: now, UpdateDate: now,
			ExpirationTime: keyward.DelegationExpiry(keyward.DelegationUnassigned, now),
		}), kindWorkflow, in.RequestorWorkflowID)
	})
	if err != nil {
		return nil, err
	}
	return &CreateDelegationRequestOutput{DelegationRequestID: id}, nil
}

// snsTopicOf reports whether arn is an SNS topic ARN of the account:
// arn:aws:sns:REGION:ACCOUNT:NAME.
func snsTopicOf(arn, accountID string) bool {
	f := strings.Split(arn, ":")
	return len(f) == 6 && f[0] == "arn" && f[1] == "aws" && f[2] == "sns" && f[3] != "" && f[4] == accountID && f[5] != ""
}

// templateDocument reads a policy template: the default version of a
// managed policy of the caller's account, or of an AWS managed policy.
func (o *op) templateDocument(arn string) (string, error) {
	missing := invalidInput("The policy template %s cannot be found: a policy template is a managed policy of the requesting account, or an AWS managed policy.", arn)
	acct, ok := policyAccount(arn)
	if !ok || acct != o.c.AccountID && acct != keyward.AWSAccountID {
		return "", missing
	}
	if acct == keyward.AWSAccountID {
		// AWS's managed policies are the catalog's (the store may not
		// hold them).
		if v, ok, err := awsDefaultDocument(arn); ok || err != nil {
			return v, err
		}
		return "", missing
	}
	p, err := o.GetPolicyInAccount(o.c.AccountID, arn)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return "", missing
	}
	if err != nil {
		return "", err
	}
	v, err := o.GetPolicyVersion(p.ARN, p.DefaultVersionID)
	if err != nil {
		return "", err
	}
	return v.Document, nil
}

// awsDefaultDocument is the default version's document of an AWS managed
// policy, from the catalog.
func awsDefaultDocument(arn string) (string, bool, error) {
	p, ok := catalog.ManagedPolicy(arn)
	if !ok {
		return "", false, nil
	}
	v, _, err := awsPolicyVersion(p.ARN, p.DefaultVersionID)
	return v.Document, true, err
}

// boundariesOf lists the permissions boundaries a rendered policy lets
// roles be given (the values of iam:PermissionsBoundary in its Allow
// statements): AWS's RolePermissionRestrictionArns.
func boundariesOf(doc string) []string {
	d, err := policy.ParseWith([]byte(doc), policy.Session, policy.Options{Stored: true})
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, st := range d.Statements {
		if st.Effect != policy.Allow {
			continue
		}
		for _, c := range st.Condition {
			if !strings.EqualFold(c.Key, "iam:PermissionsBoundary") {
				continue
			}
			for _, v := range c.Values {
				if !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// GetDelegationRequestInput is AWS's GetDelegationRequestRequest.
type GetDelegationRequestInput struct {
	DelegationRequestID       string `query:"DelegationRequestId,required"`
	DelegationPermissionCheck bool   `query:"DelegationPermissionCheck"`
}

// GetDelegationRequestOutput is AWS's GetDelegationRequestResponse.
type GetDelegationRequestOutput struct {
	DelegationRequest     DelegationRequest `xml:"DelegationRequest"`
	PermissionCheckStatus string            `xml:"PermissionCheckStatus,omitempty"`
	PermissionCheckResult string            `xml:"PermissionCheckResult,omitempty"`
}

// GetDelegationRequest returns a request (to the partner's account without
// OwnerId, ApproverId and Notes, which are the customer's business). With
// DelegationPermissionCheck,
// it also says whether the caller's own permissions cover what the
// request asks for (see permissionCheck): AWS runs that check
// asynchronously; Keyward answers it at once, COMPLETE.
func (s *Service) GetDelegationRequest(ctx context.Context, c *keyward.Caller, in *GetDelegationRequestInput) (*GetDelegationRequestOutput, error) {
	var out GetDelegationRequestOutput
	err := s.view(ctx, c, func(o *op) error {
		r, err := o.delegationTarget("iam:GetDelegationRequest", in.DelegationRequestID, true, ownerGrant)
		if err != nil {
			return err
		}
		out = GetDelegationRequestOutput{DelegationRequest: s.delegationOut(r)}
		if c.AccountID != r.OwnerAccountID && c.AccountID == r.RequestorAccountID {
			// The partner sees its request, not who in the customer's
			// account handled it, nor their notes to each other.
			d := &out.DelegationRequest
			d.OwnerID, d.ApproverID, d.Notes = "", "", ""
		}
		if in.DelegationPermissionCheck {
			out.PermissionCheckStatus = "COMPLETE"
			if out.PermissionCheckResult, err = o.permissionCheck(r.PermissionPolicy); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// maxPermissionChecks bounds the decisions one permission check makes;
// past it the answer is UNSURE.
const maxPermissionChecks = 500

// permissionCheck simulates the caller's own permissions on each action
// and resource the policy allows: ALLOWED when every one is allowed,
// DENIED when one is denied, UNSURE when that cannot be told (a statement
// with conditions or NotAction/NotResource, an action pattern the catalog
// cannot expand, a denial on a resource pattern, too many pairs). The
// decisions are a simulation: none is reported as an authorization.
func (o *op) permissionCheck(doc string) (string, error) {
	d, err := policy.ParseWith([]byte(doc), policy.Session, policy.Options{Stored: true})
	if err != nil {
		return "", err
	}
	unsure, checks := false, 0
	for _, st := range d.Statements {
		if st.Effect != policy.Allow {
			continue // a Deny narrows the delegation; it needs no permission
		}
		if st.NotAction || st.NotResource {
			unsure = true
			continue
		}
		if len(st.Condition) > 0 {
			unsure = true
		}
		for _, pattern := range st.Action {
			actions := []string{pattern}
			if strings.ContainsAny(pattern, "*?") {
				if actions = catalog.ExpandActionPattern(pattern); len(actions) == 0 {
					unsure = true
					continue
				}
			}
			for _, a := range actions {
				for _, res := range st.Resource {
					if checks++; checks > maxPermissionChecks {
						return "UNSURE", nil
					}
					allowed, explicit, err := o.simulate(a, res)
					if err != nil {
						return "", err
					}
					if allowed {
						continue
					}
					if !explicit && strings.ContainsAny(res, "*?") {
						// A pattern the caller's policies do not cover
						// whole may still be covered in part: denied on
						// a resource it matches, it is not covered at all.
						sample := strings.NewReplacer("*", "keyward-sample", "?", "x").Replace(res)
						if allowed, _, err = o.simulate(a, sample); err != nil {
							return "", err
						}
						if allowed {
							unsure = true
							continue
						}
					}
					return "DENIED", nil
				}
			}
		}
	}
	if unsure {
		return "UNSURE", nil
	}
	return "ALLOWED", nil
}

// simulate decides action on resource for the caller, without reporting
// the decision: whether it is allowed, and whether a policy denies it
// explicitly.
func (o *op) simulate(action, resource string) (allowed, explicit bool, err error) {
	d, err := o.s.Authz.Decide(o.ctx, o.Tx, o.c, authz.Query{Action: action, Resource: resource})
	if err != nil {
		return false, false, err
	}
	return d.Result.Decision == policy.Allowed, d.Result.Decision == policy.ExplicitDeny, nil
}

// ListDelegationRequestsInput is AWS's ListDelegationRequestsRequest.
type ListDelegationRequestsInput struct {
	OwnerID  *string `query:"OwnerId"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListDelegationRequestsOutput is AWS's ListDelegationRequestsResponse,
// whose isTruncated is spelled so in AWS's model.
type ListDelegationRequestsOutput struct {
	DelegationRequests Members[DelegationRequest] `xml:"DelegationRequests"`
	Marker             string                     `xml:"Marker,omitempty"`
	IsTruncated        bool                       `xml:"isTruncated"`
}

// ListDelegationRequests lists the requests the caller's account owns
// (only associated ones, as AWS says), oldest first, optionally of one
// owner. iam:ListDelegationRequests (resource "*", with
// iam:DelegationRequestOwner for OwnerId) lists any owner's; without it a
// principal lists the requests it owns, AWS's default permission.
func (s *Service) ListDelegationRequests(ctx context.Context, c *keyward.Caller, in *ListDelegationRequestsInput) (*ListDelegationRequestsOutput, error) {
	owner := ""
	if in.OwnerID != nil {
		owner = *in.OwnerID
	}
	var out ListDelegationRequestsOutput
	err := s.view(ctx, c, func(o *op) error {
		q := authz.Query{Action: "iam:ListDelegationRequests", Resource: "*"}
		if owner != "" {
			q.Extra = map[string][]string{"iam:DelegationRequestOwner": {owner}}
		}
		d, err := o.s.Authz.Decide(o.ctx, o.Tx, c, q)
		if err != nil {
			return err
		}
		if d.Result.Decision != policy.Allowed && (owner == "" || owner == c.ARN) {
			// The caller's own requests, by its default permission.
			owner = c.ARN
			q.Extra = map[string][]string{"iam:DelegationRequestOwner": {owner}}
			if q.ResourcePolicy, err = defaultPermission(c.ARN, q.Action, "*", map[string]string{"iam:DelegationRequestOwner": c.ARN}); err != nil {
				return err
			}
			if err := o.authorizeQuery(q); err != nil {
				return err
			}
		} else {
			err = o.s.Authz.Enforce(c, &d)
			o.decisions = append(o.decisions, d)
			if err != nil {
				return err
			}
		}
		opts := keyward.DelegationListOptions{OwnerAccountID: c.AccountID, OwnerID: owner, MaxItems: defaultMaxItems}
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
		out.DelegationRequests = Members[DelegationRequest]{}
		for i := range page {
			out.DelegationRequests = append(out.DelegationRequests, s.delegationOut(&page[i]))
		}
		out.Marker, out.IsTruncated = next, next != ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DelegationRequestIDInput is the request of the actions that take only a
// DelegationRequestId.
type DelegationRequestIDInput struct {
	DelegationRequestID string `query:"DelegationRequestId,required"`
}

// AssociateDelegationRequestInput is AWS's AssociateDelegationRequestRequest.
type AssociateDelegationRequestInput = DelegationRequestIDInput

// AcceptDelegationRequestInput is AWS's AcceptDelegationRequestRequest.
type AcceptDelegationRequestInput = DelegationRequestIDInput

// SendDelegationTokenInput is AWS's SendDelegationTokenRequest.
type SendDelegationTokenInput = DelegationRequestIDInput

// NotesInput is the request of the actions that take a
// DelegationRequestId and Notes.
type NotesInput struct {
	DelegationRequestID string  `query:"DelegationRequestId,required"`
	Notes               *string `query:"Notes"`
}

// RejectDelegationRequestInput is AWS's RejectDelegationRequestRequest.
type RejectDelegationRequestInput = NotesInput

// UpdateDelegationRequestInput is AWS's UpdateDelegationRequestRequest.
type UpdateDelegationRequestInput = NotesInput

// transition runs one state change of a request: it finds and authorizes
// the request, checks its state, and lets change write it.
func (s *Service) transition(ctx context.Context, c *keyward.Caller, action, id string, grant delegationGrant,
	from []keyward.DelegationState, change func(o *op, r *keyward.DelegationRequest) error) error {
	return s.update(ctx, c, false, func(o *op) error {
		r, err := o.delegationTarget("iam:"+action, id, false, grant)
		if err != nil {
			return err
		}
		if err := inState(r, s.now(), action, from...); err != nil {
			return err
		}
		if err := change(o, r); err != nil {
			return err
		}
		return o.UpdateDelegationRequest(*r)
	})
}

// AssociateDelegationRequest makes the caller the owner of an unassigned
// request (and its account the owner account, when the partner named
// none): ASSIGNED. Any principal that may see the request may, unless a
// policy denies iam:AssociateDelegationRequest.
func (s *Service) AssociateDelegationRequest(ctx context.Context, c *keyward.Caller, in *AssociateDelegationRequestInput) (*struct{}, error) {
	err := s.transition(ctx, c, "AssociateDelegationRequest", in.DelegationRequestID, associateGrant,
		[]keyward.DelegationState{keyward.DelegationUnassigned}, func(o *op, r *keyward.DelegationRequest) error {
			r.OwnerAccountID, r.OwnerID, r.OwnerPrincipalID = c.AccountID, c.ARN, c.PrincipalID
			moveTo(r, keyward.DelegationAssigned, s.now())
			return nil
		})
	return nil, err
}

// UpdateDelegationRequest forwards a request to an administrator, with
// Notes: PENDING_APPROVAL.
func (s *Service) UpdateDelegationRequest(ctx context.Context, c *keyward.Caller, in *UpdateDelegationRequestInput) (*struct{}, error) {
	err := s.transition(ctx, c, "UpdateDelegationRequest", in.DelegationRequestID, ownerGrant,
		[]keyward.DelegationState{keyward.DelegationAssigned, keyward.DelegationPendingApproval}, func(o *op, r *keyward.DelegationRequest) error {
			if in.Notes != nil {
				r.Notes = *in.Notes
			}
			moveTo(r, keyward.DelegationPendingApproval, s.now())
			return nil
		})
	return nil, err
}

// AcceptDelegationRequest approves a request: ACCEPTED. The caller is the
// identity the delegated credentials will act as, as it is now (a role
// session's tags and source identity included); the request's policy
// narrows it, so the partner never gets more than the approver has. It always needs iam:AcceptDelegationRequest. The root user cannot
// accept on Keyward: AWS lets it for requests of up to four hours, but
// Keyward's policy engine does not narrow a root session by a session
// policy, so it refuses rather than hand out a root session.
func (s *Service) AcceptDelegationRequest(ctx context.Context, c *keyward.Caller, in *AcceptDelegationRequestInput) (*struct{}, error) {
	err := s.transition(ctx, c, "AcceptDelegationRequest", in.DelegationRequestID, noGrant,
		[]keyward.DelegationState{keyward.DelegationAssigned, keyward.DelegationPendingApproval}, func(o *op, r *keyward.DelegationRequest) error {
			a, err := approverOf(c, r)
			if err != nil {
				return err
			}
			r.ApproverID, r.Approver = c.ARN, a
			moveTo(r, keyward.DelegationAccepted, s.now())
			return nil
		})
	return nil, err
}

// approverOf is what a request keeps of the principal that accepts it:
// an IAM user (or its GetSessionToken session), or a role session without
// session policies.
func approverOf(c *keyward.Caller, r *keyward.DelegationRequest) (*keyward.DelegationApprover, error) {
	a := &keyward.DelegationApprover{
		Kind: c.Kind, ARN: c.ARN, UserID: c.UserID, PrincipalID: c.PrincipalID, UserName: c.UserName,
		RoleName: c.RoleName, RoleARN: c.RoleARN, SessionName: c.SessionName, SourceIdentity: c.SourceIdentity,
		SessionPolicies: c.SessionPolicies, SessionTags: c.SessionTags, TransitiveTagKeys: c.TransitiveTagKeys, Chained: c.Chained,
	}
	switch {
	case len(c.SessionPolicies) > 0:
		// The delegated session's policy would join the approver's session
		// policies, and session policies add up (any one allows): the
		// partner could get what the approver's session may not do.
		return nil, keyward.Errorf(keyward.ErrAccessDenied,
			"User: %s cannot accept delegation request %s: its session has session policies, which Keyward cannot combine with the request's. Accept it as an IAM user, or from a role session without session policies.", c.ARN, r.ID)
	case c.Kind == keyward.CallerRoot || c.PrincipalID == "":
		return nil, keyward.Errorf(keyward.ErrAccessDenied,
			"The root user cannot accept delegation request %s on this server: Keyward cannot narrow a root session to the request's policy. Accept it as an IAM user or role.", r.ID)
	case c.Kind == keyward.CallerUserSession:
		// A GetSessionToken session approves as its user: the delegated
		// credentials are the user's, narrowed by the request.
		a.Kind = keyward.CallerUser
	case c.Kind != keyward.CallerUser && c.Kind != keyward.CallerAssumedRole:
		return nil, keyward.Errorf(keyward.ErrAccessDenied, "User: %s cannot accept delegation request %s: only IAM users and role sessions can.", c.ARN, r.ID)
	}
	return a, nil
}

// RejectDelegationRequest rejects a request before its token is sent,
// with Notes as the reason: REJECTED.
func (s *Service) RejectDelegationRequest(ctx context.Context, c *keyward.Caller, in *RejectDelegationRequestInput) (*struct{}, error) {
	err := s.transition(ctx, c, "RejectDelegationRequest", in.DelegationRequestID, ownerGrant,
		[]keyward.DelegationState{keyward.DelegationAssigned, keyward.DelegationPendingApproval, keyward.DelegationAccepted},
		func(o *op, r *keyward.DelegationRequest) error {
			if in.Notes != nil {
				r.RejectionReason = *in.Notes
			}
			moveTo(r, keyward.DelegationRejected, s.now())
			return nil
		})
	return nil, err
}

// SendDelegationToken releases an accepted request's exchange token:
// FINALIZED, and the delegated access starts, for SessionDuration seconds.
// AWS publishes the token to the partner's SNS topic; Keyward publishes
// nothing, and keeps the token sealed for the partner's notification feed.
// With OnlySendByOwner, only the owner may send it.
func (s *Service) SendDelegationToken(ctx context.Context, c *keyward.Caller, in *SendDelegationTokenInput) (*struct{}, error) {
	sealer, err := s.sealer()
	if err != nil {
		return nil, err
	}
	err = s.transition(ctx, c, "SendDelegationToken", in.DelegationRequestID, ownerGrant,
		[]keyward.DelegationState{keyward.DelegationAccepted}, func(o *op, r *keyward.DelegationRequest) error {
			if r.OnlySendByOwner && !isOwner(c, r) {
				return keyward.Errorf(keyward.ErrAccessDenied,
					"User: %s is not authorized to perform: iam:SendDelegationToken on resource: %s because the partner asked that only the request's owner send its token",
					c.ARN, DelegationRequestARN(c.AccountID, r.ID))
			}
			secret := keyward.NewDelegationSecret()
			r.TokenCiphertext = sealer.Seal([]byte(secret), SecretAD(keyward.DelegationTokenSealKind, r.ID))
			now := s.now()
			r.TokenReleaseDate = now
			moveTo(r, keyward.DelegationFinalized, now)
			return nil
		})
	return nil, err
}
