package iam

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// The policy simulator. Its decisions are the engine's: it builds the same
// policy.Policies that authz builds for the real principal (authz.LoadPrincipal
// reads both) and calls the same Evaluate. What AWS's simulator fills in on
// its own it fills in too: the keys that follow from the simulated caller
// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username,
// and for SimulatePrincipalPolicy aws:userid and aws:PrincipalTag/KEY). Keys
// of the request's environment (aws:CurrentTime, aws:SourceIp, ...) come only
// from ContextEntries; policies that ask for them without them list them in
// MissingContextValues.
//
// Extensions: CallerArn may name any principal ARN (a role, an assumed-role
// session, an account root, a federated user), not only an IAM user, and
// ResourceOwner may be a bare account ID. ResourceHandlingOption is checked
// against AWS's EC2 scenarios and otherwise ignored: Keyward has no EC2
// resources to group.

// ContextEntry is AWS's ContextEntry: a condition key and its values for a
// simulation.
type ContextEntry struct {
	ContextKeyName   string   `query:"ContextKeyName"`
	ContextKeyValues []string `query:"ContextKeyValues"`
	ContextKeyType   string   `query:"ContextKeyType"`
}

// SimulatePrincipalPolicyInput is SimulatePrincipalPolicy's request.
type SimulatePrincipalPolicyInput struct {
	PolicySourceARN                    string         `query:"PolicySourceArn,required"`
	PolicyInputList                    []string       `query:"PolicyInputList"`
	PermissionsBoundaryPolicyInputList []string       `query:"PermissionsBoundaryPolicyInputList"`
	ActionNames                        []string       `query:"ActionNames,required"`
	ResourceARNs                       []string       `query:"ResourceArns"`
	ResourcePolicy                     *string        `query:"ResourcePolicy"`
	ResourceOwner                      *string        `query:"ResourceOwner"`
	CallerARN                          *string        `query:"CallerArn"`
	ContextEntries                     []ContextEntry `query:"ContextEntries"`
	ResourceHandlingOption             *string        `query:"ResourceHandlingOption"`
	MaxItems                           *int32         `query:"MaxItems"`
	Marker                             *string        `query:"Marker"`
}

// SimulateCustomPolicyInput is SimulateCustomPolicy's request.
type SimulateCustomPolicyInput struct {
	PolicyInputList                    []string       `query:"PolicyInputList,required"`
	PermissionsBoundaryPolicyInputList []string       `query:"PermissionsBoundaryPolicyInputList"`
	ActionNames                        []string       `query:"ActionNames,required"`
	ResourceARNs                       []string       `query:"ResourceArns"`
	ResourcePolicy                     *string        `query:"ResourcePolicy"`
	ResourceOwner                      *string        `query:"ResourceOwner"`
	CallerARN                          *string        `query:"CallerArn"`
	ContextEntries                     []ContextEntry `query:"ContextEntries"`
	ResourceHandlingOption             *string        `query:"ResourceHandlingOption"`
	MaxItems                           *int32         `query:"MaxItems"`
	Marker                             *string        `query:"Marker"`
}

// Position is AWS's Position: a line and column in a policy document.
type Position struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

// Statement is AWS's Statement shape: a statement that decided a
// simulation. The model's PolicySourceType enum (user, group, role,
// aws-managed, user-managed, resource, none) is not what IAM sends: its
// simulator says "IAM Policy" for every identity policy (inline, managed
// or given in PolicyInputList), "Permissions Boundary Policy" and
// "Resource Policy", and names an attached policy by its name and an
// inline one KIND_ENTITY_POLICY (role_deploy_s3-write), as responses
// recorded from AWS show. Positions are 1-based; a statement starts just
// after the token before it (policy.Statement.Lead) and ends just after
// its '}'.
type Statement struct {
	SourcePolicyID   string    `xml:"SourcePolicyId,omitempty"`
	SourcePolicyType string    `xml:"SourcePolicyType,omitempty"`
	StartPosition    *Position `xml:"StartPosition,omitempty"`
	EndPosition      *Position `xml:"EndPosition,omitempty"`
}

// OrganizationsDecisionDetail is AWS's shape. SimulatePrincipalPolicy
// carries it: Keyward has no service control policies, so Organizations
// allows everything.
type OrganizationsDecisionDetail struct {
	AllowedByOrganizations bool `xml:"AllowedByOrganizations"`
}

// PermissionsBoundaryDecisionDetail says whether the boundary alone allows
// the action; present when a boundary took part.
type PermissionsBoundaryDecisionDetail struct {
	AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
}

// DecisionDetails is AWS's EvalDecisionDetails map (policy type to
// decision), written as the Query protocol writes maps. IAM fills it for
// cross-account simulations only; within one account it is present and
// empty when the simulation names a resource, and absent for "*".
type DecisionDetails []DecisionDetail

// DecisionDetail is one entry of DecisionDetails.
type DecisionDetail struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// MarshalXML implements xml.Marshaler: <entry><key/><value/></entry> per
// item, the element present even when empty.
func (d DecisionDetails) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for i := range d {
		if err := e.EncodeElement(&d[i], xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// ResourceSpecificResult is AWS's ResourceSpecificResult shape.
type ResourceSpecificResult struct {
	EvalResourceName                  string                             `xml:"EvalResourceName"`
	EvalResourceDecision              string                             `xml:"EvalResourceDecision"`
	MatchedStatements                 Members[Statement]                 `xml:"MatchedStatements"`
	MissingContextValues              Members[string]                    `xml:"MissingContextValues"`
	PermissionsBoundaryDecisionDetail *PermissionsBoundaryDecisionDetail `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
}

// EvaluationResult is AWS's EvaluationResult shape: one action on one
// resource. With ResourceArns, MissingContextValues is empty and the
// missing keys are under ResourceSpecificResults, as on AWS.
type EvaluationResult struct {
	EvalActionName                    string                             `xml:"EvalActionName"`
	EvalResourceName                  string                             `xml:"EvalResourceName"`
	EvalDecision                      string                             `xml:"EvalDecision"`
	MatchedStatements                 Members[Statement]                 `xml:"MatchedStatements"`
	MissingContextValues              Members[string]                    `xml:"MissingContextValues"`
	EvalDecisionDetails               *DecisionDetails                   `xml:"EvalDecisionDetails,omitempty"`
	OrganizationsDecisionDetail       *OrganizationsDecisionDetail       `xml:"OrganizationsDecisionDetail,omitempty"`
	PermissionsBoundaryDecisionDetail *PermissionsBoundaryDecisionDetail `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
	ResourceSpecificResults           Members[ResourceSpecificResult]    `xml:"ResourceSpecificResults,omitempty"`
}

// SimulatePolicyOutput is the result of both simulations.
type SimulatePolicyOutput struct {
	EvaluationResults Members[EvaluationResult] `xml:"EvaluationResults"`
	IsTruncated       bool                      `xml:"IsTruncated"`
	Marker            string                    `xml:"Marker,omitempty"`
}

// simPolicy is one policy of a simulation with what the output says of it.
type simPolicy struct {
	id, typ string
	doc     *policy.Document
}

// simulation is everything one simulation evaluates.
type simulation struct {
	identity, boundary []simPolicy
	resource           *simPolicy
	principal          string
	resourceAccount    string
	context            policy.Context
	actions, resources []string
	// organizations adds OrganizationsDecisionDetail to each result, as
	// SimulatePrincipalPolicy's results carry it.
	organizations bool
}

// resourceHandlingOptions are AWS's EC2 scenarios.
var resourceHandlingOptions = []string{"EC2-VPC-InstanceStore", "EC2-VPC-InstanceStore-Subnet", "EC2-VPC-EBS", "EC2-VPC-EBS-Subnet"}

// parseInputs parses the policies given in a request, named as AWS names
// them (PolicyInputList.1, ...).
func parseInputs(member string, docs []string, t policy.Type) ([]simPolicy, error) {
	out := make([]simPolicy, 0, len(docs))
	for i, d := range docs {
		id := member + "." + strconv.Itoa(i+1)
		doc, err := parseInput(id, d, t)
		if err != nil {
			return nil, err
		}
		out = append(out, simPolicy{id: id, typ: inputType(t), doc: doc})
	}
	return out, nil
}

func parseInput(id, d string, t policy.Type) (*policy.Document, error) {
	doc, err := policy.Parse([]byte(d), t)
	if err != nil {
		if pe, ok := err.(*policy.ParseError); ok {
			return nil, keyward.Errorf(keyward.ErrInvalidInput, "%s is not a valid policy: %s at line %d, column %d", id, pe.Message, pe.Line, pe.Column)
		}
		return nil, keyward.Errorf(keyward.ErrInvalidInput, "%s is not a valid policy: %v", id, err)
	}
	return doc, nil
}

// contextOf turns ContextEntries into a request context, checking each
// value against its type as AWS does.
func contextOf(entries []ContextEntry, ctx *policy.Context) error {
	for _, e := range entries {
		typ := e.ContextKeyType
		if typ == "" {
			typ = "string"
			if len(e.ContextKeyValues) > 1 {
				typ = "stringList"
			}
		}
		base, list := strings.CutSuffix(typ, "List")
		if !list && len(e.ContextKeyValues) > 1 {
			return keyward.Errorf(keyward.ErrInvalidInput, "Context key %s of type %s takes one value, not %d; use %sList.", e.ContextKeyName, typ, len(e.ContextKeyValues), typ)
		}
		for _, val := range e.ContextKeyValues {
			if !contextValueOK(base, val) {
				return keyward.Errorf(keyward.ErrInvalidInput, "Invalid value %q for context key %s of type %s.", val, e.ContextKeyName, typ)
			}
		}
		ctx.Set(e.ContextKeyName, e.ContextKeyValues...)
	}
	return nil
}

func contextValueOK(typ, v string) bool {
	switch typ {
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "boolean":
		return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "ip":
		if _, err := netip.ParseAddr(v); err == nil {
			return true
		}
		_, err := netip.ParsePrefix(v)
		return err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return err == nil
	case "date":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return true
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02", "2006-01-02T15:04:05"} {
			if _, err := time.Parse(layout, v); err == nil {
				return true
			}
		}
		return false
	}
	return true
}

// resourceAccount reads ResourceOwner: arn:aws:iam::ACCOUNT:root (AWS's
// form) or a bare account ID.
func resourceAccount(owner *string) (string, error) {
	if owner == nil {
		return "", nil
	}
	s := *owner
	if a, err := arn.Parse(s); err == nil && a.Service == "iam" && a.Resource == "root" && arn.IsAccountID(a.AccountID) {
		return a.AccountID, nil
	}
	if arn.IsAccountID(s) {
		return s, nil
	}
	return "", keyward.Errorf(keyward.ErrInvalidInput, "ResourceOwner %s is not an account ARN (arn:aws:iam::ACCOUNT-ID:root).", s)
}

// checkCaller checks a CallerArn: a principal ARN.
func checkCaller(s string) error {
	if arn.ParsePrincipal(s).Kind == arn.NotPrincipal {
		return keyward.Errorf(keyward.ErrInvalidInput, "CallerArn %s is not the ARN of an IAM user or other principal.", s)
	}
	return nil
}

// SimulateCustomPolicy decides each action on each resource against the
// policies given in the request: PolicyInputList as identity policies,
// PermissionsBoundaryPolicyInputList as the boundary, ResourcePolicy as
// the resource's policy, as the caller CallerArn.
func (s *Service) SimulateCustomPolicy(ctx context.Context, c *keyward.Caller, in *SimulateCustomPolicyInput) (*SimulatePolicyOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "iam:SimulateCustomPolicy", "*", nil); err != nil {
		return nil, err
	}
	sim, err := s.commonSimulation(in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ActionNames, in.ResourceARNs, in.ResourcePolicy, in.ResourceOwner, in.CallerARN, in.ContextEntries, in.ResourceHandlingOption)
	if err != nil {
		return nil, err
	}
	if in.ResourcePolicy != nil && in.CallerARN == nil {
		return nil, keyward.Errorf(keyward.ErrInvalidInput, "CallerArn is required when ResourcePolicy is given, for the Principal element to match against.")
	}
	if sim.principal != "" {
		sim.fillPrincipal("", nil)
	} else {
		sim.principal = anonymousCaller(c.AccountID)
	}
	return sim.run(in.Marker, in.MaxItems)
}

// commonSimulation reads the members both simulations share.
func (s *Service) commonSimulation(policies, boundaries, actions, resources []string, resourcePolicy, owner, callerARN *string, entries []ContextEntry, rho *string) (*simulation, error) {
	if rho != nil {
		ok := false
		for _, o := range resourceHandlingOptions {
			ok = ok || *rho == o
		}
		if !ok {
			return nil, keyward.Errorf(keyward.ErrInvalidInput, "Invalid ResourceHandlingOption %s: use one of %s.", *rho, strings.Join(resourceHandlingOptions, ", "))
		}
	}
	if len(actions) == 0 {
		return nil, keyward.Errorf(keyward.ErrInvalidInput, "ActionNames must name at least one action.")
	}
	sim := &simulation{actions: actions, resources: resources}
	var err error
	if sim.identity, err = parseInputs("PolicyInputList", policies, policy.Identity); err != nil {
		return nil, err
	}
	if sim.boundary, err = parseInputs("PermissionsBoundaryPolicyInputList", boundaries, policy.Boundary); err != nil {
		return nil, err
	}
	if resourcePolicy != nil {
		doc, err := parseInput("ResourcePolicy", *resourcePolicy, policy.Resource)
		if err != nil {
			return nil, err
		}
		sim.resource = &simPolicy{id: "ResourcePolicy", typ: sourceResource, doc: doc}
	}
	if sim.resourceAccount, err = resourceAccount(owner); err != nil {
		return nil, err
	}
	if callerARN != nil {
		if err := checkCaller(*callerARN); err != nil {
			return nil, err
		}
		sim.principal = *callerARN
	}
	if err := contextOf(entries, &sim.context); err != nil {
		return nil, err
	}
	return sim, nil
}

// fillPrincipal adds the context keys that follow from the simulated
// caller when ContextEntries left them out: userID as aws:userid and the
// entity's tags as aws:PrincipalTag/KEY (SimulatePrincipalPolicy), then
// what policy.FillPrincipalContext derives from the ARN.
func (sim *simulation) fillPrincipal(userID string, tags []keyward.Tag) {
	set := func(k, v string) {
		if v != "" && !sim.context.Has(k) {
			sim.context.Set(k, v)
		}
	}
	set("aws:userid", userID)
	for _, t := range tags {
		set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	r := policy.Request{Principal: sim.principal, Context: sim.context}
	policy.FillPrincipalContext(&r)
	sim.context = r.Context
}

// SimulatePrincipalPolicy decides each action on each resource for a
// user, group or role with its own policies (a user's with its groups'),
// as authorization decides for its callers, plus PolicyInputList. A
// PermissionsBoundaryPolicyInputList replaces the entity's boundary.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, c *keyward.Caller, in *SimulatePrincipalPolicyInput) (*SimulatePolicyOutput, error) {
	var src *entity
	var p *authz.Principal
	err := s.view(ctx, c, func(o *op) error {
		var err error
		src, p, err = o.source("iam:SimulatePrincipalPolicy", in.PolicySourceARN)
		return err
	})
	if err != nil {
		return nil, err
	}
	sim, err := s.commonSimulation(in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ActionNames, in.ResourceARNs, in.ResourcePolicy, in.ResourceOwner, in.CallerARN, in.ContextEntries, in.ResourceHandlingOption)
	if err != nil {
		return nil, err
	}
	entityARN, userID := src.arn, src.user.ID
	given := sim.identity
	sim.identity = sourcePolicies(p.Identity)
	sim.identity = append(sim.identity, given...)
	if len(in.PermissionsBoundaryPolicyInputList) == 0 && p.Boundary != nil {
		sim.boundary = sourcePolicies([]authz.Source{*p.Boundary})
		sim.boundary[0].typ = sourceBoundary
	}
	sim.organizations = true
	// The caller is CallerArn, else the user or role itself (a role's
	// sessions act with its policies; AWS asks for CallerArn there when a
	// ResourcePolicy is given, Keyward takes the role's ARN).
	if sim.principal == "" && src.kind != keyward.KindGroup {
		sim.principal = entityARN
	}
	switch {
	case sim.principal == "":
		if in.ResourcePolicy != nil {
			return nil, keyward.Errorf(keyward.ErrInvalidInput, "CallerArn is required when ResourcePolicy is given and PolicySourceArn is a group.")
		}
		sim.principal = anonymousCaller(c.AccountID)
	case sim.principal == entityARN:
		sim.fillPrincipal(userID, p.Tags) // userID is "" for roles
	default:
		sim.fillPrincipal("", nil)
	}
	return sim.run(in.Marker, in.MaxItems)
}

// anonymousCaller is the principal of a simulation without a caller (no
// CallerArn, and a group's policies): an IAM user of the account that no
// policy names, whose own keys (aws:username, aws:PrincipalArn, ...) are
// left out of the context, so policies that test them report them missing.
func anonymousCaller(accountID string) string {
	return "arn:aws:iam::" + accountID + ":user/keyward-simulated-caller"
}

// sourceEntity reads a PolicySourceArn: a user, group or role of the
// caller's account.
func sourceEntity(c *keyward.Caller, s string) (keyward.EntityRef, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" {
		return keyward.EntityRef{}, keyward.Errorf(keyward.ErrInvalidInput, "Invalid ARN %s: PolicySourceArn must be the ARN of a user, group or role.", s)
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	var k keyward.EntityKind
	switch kind {
	case "user":
		k = keyward.KindUser
	case "group":
		k = keyward.KindGroup
	case "role":
		k = keyward.KindRole
	default:
		return keyward.EntityRef{}, keyward.Errorf(keyward.ErrInvalidInput, "Invalid ARN %s: PolicySourceArn must be the ARN of a user, group or role.", s)
	}
	if name == "" {
		return keyward.EntityRef{}, keyward.Errorf(keyward.ErrInvalidInput, "Invalid ARN %s: no entity name.", s)
	}
	if a.AccountID != c.AccountID {
		return keyward.EntityRef{}, keyward.Errorf(keyward.ErrNoSuchEntity, "The %s with name %s cannot be found.", kind, name)
	}
	return keyward.EntityRef{Kind: k, AccountID: a.AccountID, Name: name}, nil
}

// source finds the user, group or role a PolicySourceArn names and
// authorizes action on it, as stored, with its tags; then reads its
// policies as authz does. The ARN must name the entity exactly (path
// included; the name in any case, as names go): an ARN whose path is not
// the entity's names nothing, and is NoSuchEntity once the caller may know.
func (o *op) source(action, sourceARN string) (*entity, *authz.Principal, error) {
	ref, err := sourceEntity(o.c, sourceARN)
	if err != nil {
		return nil, nil, err
	}
	e, err := o.find(ref.Kind, ref.Name)
	if err != nil {
		return nil, nil, err
	}
	if e.found && !strings.EqualFold(e.arn, sourceARN) {
		e = &entity{kind: ref.Kind, name: ref.Name, arn: sourceARN}
	}
	if err := o.authorize(action, e.arn, e.keys(nil)); err != nil {
		return nil, nil, err
	}
	if !e.found {
		return nil, nil, e.missing()
	}
	p, err := authz.LoadPrincipal(o.Tx, e.ref(o.c.AccountID))
	if err != nil {
		return nil, nil, err
	}
	return e, p, nil
}

// The simulator's names of the policy types (see Statement).
const (
	sourceIdentity = "IAM Policy"
	sourceBoundary = "Permissions Boundary Policy"
	sourceResource = "Resource Policy"
)

// inputType is the SourcePolicyType of a policy given in a request.
func inputType(t policy.Type) string {
	if t == policy.Boundary {
		return sourceBoundary
	}
	return sourceIdentity
}

// sourcePolicies names an entity's policies as the simulator does: an
// attached policy by its name, an inline one as KIND_ENTITY_POLICY.
func sourcePolicies(srcs []authz.Source) []simPolicy {
	out := make([]simPolicy, len(srcs))
	for i, src := range srcs {
		id := src.Name
		if src.ARN == "" {
			id = string(src.Owner.Kind) + "_" + src.Owner.Name + "_" + src.Name
		}
		out[i] = simPolicy{id: id, typ: sourceIdentity, doc: src.Document}
	}
	return out
}

// run evaluates every action on every resource and returns the page asked
// for. Policies get internal ids (their index) so that two policies with
// one name stay apart; the output names them as AWS does.
func (sim *simulation) run(marker *string, maxItems *int32) (*SimulatePolicyOutput, error) {
	var all []simPolicy
	set := func(ps []simPolicy) *policy.Set {
		pols := make([]policy.Policy, len(ps))
		for i, p := range ps {
			pols[i] = policy.Policy{ID: strconv.Itoa(len(all)), Document: p.doc}
			all = append(all, p)
		}
		return policy.NewSet(pols...)
	}
	ps := policy.Policies{Identity: set(sim.identity)}
	var boundaryOnly *policy.Policies
	if len(sim.boundary) > 0 {
		ps.Boundary = set(sim.boundary)
		boundaryOnly = &policy.Policies{Identity: ps.Boundary}
	}
	if sim.resource != nil {
		ps.Resource = set([]simPolicy{*sim.resource})
	}
	resources := sim.resources
	perResource := len(resources) > 0
	if !perResource {
		resources = []string{"*"}
	}
	type pair struct{ action, resource string }
	var pairs []pair
	for _, a := range sim.actions {
		for _, r := range resources {
			pairs = append(pairs, pair{a, r})
		}
	}
	page, next, err := pageOf(pairs, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := &SimulatePolicyOutput{EvaluationResults: make(Members[EvaluationResult], 0, len(page)), IsTruncated: next != "", Marker: next}
	var res policy.Result
	for _, p := range page {
		req := policy.Request{Principal: sim.principal, Action: p.action, Resource: p.resource, ResourceAccount: sim.resourceAccount, Context: sim.context}
		ps.Evaluate(&req, &res)
		matched := make(Members[Statement], 0, len(res.Matched))
		for _, m := range res.Matched {
			i, _ := strconv.Atoi(m.PolicyID)
			start := m.Start
			if doc := all[i].doc; m.Statement < len(doc.Statements) {
				start = doc.Statements[m.Statement].Lead
			}
			matched = append(matched, Statement{
				SourcePolicyID:   all[i].id,
				SourcePolicyType: all[i].typ,
				StartPosition:    &Position{Line: start.Line, Column: start.Column},
				EndPosition:      &Position{Line: m.End.Line, Column: m.End.Column},
			})
		}
		missing := append(Members[string](nil), res.Missing...)
		sort.Strings(missing)
		var bd *PermissionsBoundaryDecisionDetail
		if boundaryOnly != nil {
			var bres policy.Result
			boundaryOnly.Evaluate(&req, &bres)
			bd = &PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: bres.Decision == policy.Allowed}
		}
		er := EvaluationResult{
			EvalActionName:                    p.action,
			EvalResourceName:                  p.resource,
			EvalDecision:                      res.Decision.String(),
			MatchedStatements:                 matched,
			MissingContextValues:              missing,
			PermissionsBoundaryDecisionDetail: bd,
		}
		if sim.organizations {
			er.OrganizationsDecisionDetail = &OrganizationsDecisionDetail{AllowedByOrganizations: true}
		}
		if perResource {
			er.EvalDecisionDetails = &DecisionDetails{}
			er.MissingContextValues = Members[string]{}
			er.ResourceSpecificResults = Members[ResourceSpecificResult]{{
				EvalResourceName:                  p.resource,
				EvalResourceDecision:              res.Decision.String(),
				MatchedStatements:                 matched,
				MissingContextValues:              missing,
				PermissionsBoundaryDecisionDetail: bd,
			}}
		}
		out.EvaluationResults = append(out.EvaluationResults, er)
	}
	return out, nil
}

// GetContextKeysForCustomPolicyInput is GetContextKeysForCustomPolicy's
// request.
type GetContextKeysForCustomPolicyInput struct {
	PolicyInputList []string `query:"PolicyInputList,required"`
}

// GetContextKeysForPrincipalPolicyInput is
// GetContextKeysForPrincipalPolicy's request.
type GetContextKeysForPrincipalPolicyInput struct {
	PolicySourceARN string   `query:"PolicySourceArn,required"`
	PolicyInputList []string `query:"PolicyInputList"`
}

// GetContextKeysForPolicyOutput is the result of both context-key actions.
type GetContextKeysForPolicyOutput struct {
	ContextKeyNames Members[string] `xml:"ContextKeyNames"`
}

// GetContextKeysForCustomPolicy lists the condition keys the policies use,
// in conditions and as policy variables.
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, c *keyward.Caller, in *GetContextKeysForCustomPolicyInput) (*GetContextKeysForPolicyOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "iam:GetContextKeysForCustomPolicy", "*", nil); err != nil {
		return nil, err
	}
	ps, err := parseInputs("PolicyInputList", in.PolicyInputList, policy.Identity)
	if err != nil {
		return nil, err
	}
	return &GetContextKeysForPolicyOutput{ContextKeyNames: contextKeys(ps)}, nil
}

// GetContextKeysForPrincipalPolicy lists the condition keys used by the
// policies of a user (with its groups'), group or role, and by
// PolicyInputList.
func (s *Service) GetContextKeysForPrincipalPolicy(ctx context.Context, c *keyward.Caller, in *GetContextKeysForPrincipalPolicyInput) (*GetContextKeysForPolicyOutput, error) {
	var p *authz.Principal
	err := s.view(ctx, c, func(o *op) error {
		var err error
		_, p, err = o.source("iam:GetContextKeysForPrincipalPolicy", in.PolicySourceARN)
		return err
	})
	if err != nil {
		return nil, err
	}
	given, err := parseInputs("PolicyInputList", in.PolicyInputList, policy.Identity)
	if err != nil {
		return nil, err
	}
	return &GetContextKeysForPolicyOutput{ContextKeyNames: contextKeys(append(sourcePolicies(p.Identity), given...))}, nil
}

// contextKeys returns the keys the policies' conditions test and their
// variables name, once each (keys are case-insensitive), sorted.
func contextKeys(ps []simPolicy) Members[string] {
	seen := map[string]bool{}
	out := Members[string]{}
	add := func(k string) {
		if lk := strings.ToLower(k); k != "" && !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	vars := func(s string) {
		for {
			i := strings.Index(s, "${")
			if i < 0 {
				return
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return
			}
			key, _, _ := strings.Cut(s[i+2:i+j], ",")
			if key = strings.TrimSpace(key); key != "*" && key != "?" && key != "$" {
				add(key)
			}
			s = s[i+j+1:]
		}
	}
	for _, p := range ps {
		variables := p.doc.Version == policy.Version2012
		for _, st := range p.doc.Statements {
			for _, c := range st.Condition {
				add(c.Key)
				if variables {
					for _, val := range c.Values {
						vars(val)
					}
				}
			}
			if variables {
				for _, r := range st.Resource {
					vars(r)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}
