package iam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// Last-accessed reports and credential reports, from what the server saw:
// the store's keyward.ActivityLog (written by the server for every request,
// at most once a minute per principal and action), the access keys' last
// use (authn) and the roles' RoleLastUsed (written when their sessions make
// requests). A store without ActivityLog reports no service as accessed.
//
// AWS runs both reports as jobs; Keyward completes them when asked, so
// GenerateServiceLastAccessedDetails's job is COMPLETED at once. Jobs and
// credential reports live in this process's memory: behind several
// replicas, ask the replica that generated them (or generate again).

// reports holds the jobs and credential reports of one Service. Reports
// are bounded: one credential report per account, and the newest maxJobs
// jobs (each kept at most jobTTL), so that asking for reports again and
// again cannot grow memory without bound.
type reports struct {
	mu         sync.Mutex
	jobs       map[string]*accessJob
	order      []string                     // job IDs, oldest first
	credential map[string]*credentialReport // by account
}

// ForgetReports drops the last-accessed jobs and credential reports kept
// in memory, as the server's reset of an in-memory store must: they
// describe entities that are gone.
func (s *Service) ForgetReports() {
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	s.reports.jobs, s.reports.order, s.reports.credential = nil, nil, nil
}

// Bounds of the last-accessed jobs kept in memory.
const (
	maxJobs = 1000
	jobTTL  = 24 * time.Hour
)

// addJob keeps job under id, dropping the oldest jobs past maxJobs and
// those older than jobTTL.
func (r *reports) addJob(id string, job *accessJob) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.jobs == nil {
		r.jobs = map[string]*accessJob{}
	}
	r.jobs[id] = job
	r.order = append(r.order, id)
	drop := 0
	for drop < len(r.order) && (len(r.order)-drop > maxJobs || job.created.Sub(r.jobs[r.order[drop]].created) > jobTTL) {
		delete(r.jobs, r.order[drop])
		drop++
	}
	r.order = append(r.order[:0:0], r.order[drop:]...)
}

// accessJob is one GenerateServiceLastAccessedDetails job, complete.
type accessJob struct {
	accountID   string
	granularity string
	created     time.Time
	services    []ServiceLastAccessed
	entities    map[string][]EntityDetails // by service namespace
}

type credentialReport struct {
	generated time.Time
	content   []byte
}

// credentialReportTTL is how long a credential report is served, and how
// long GenerateCredentialReport keeps an existing one (AWS: 4 hours).
const credentialReportTTL = 4 * time.Hour

// serviceNames are the names AWS's reports give the services Keyward
// serves or that policies commonly name; others are reported by namespace.
var serviceNames = map[string]string{
	"iam":            "AWS Identity and Access Management",
	"sts":            "AWS Security Token Service",
	"s3":             "Amazon S3",
	"ec2":            "Amazon EC2",
	"lambda":         "AWS Lambda",
	"dynamodb":       "Amazon DynamoDB",
	"sqs":            "Amazon SQS",
	"sns":            "Amazon SNS",
	"kms":            "AWS Key Management Service",
	"logs":           "Amazon CloudWatch Logs",
	"cloudwatch":     "Amazon CloudWatch",
	"secretsmanager": "AWS Secrets Manager",
}

// keywardServices are the namespaces Keyward itself serves: reports list
// them whenever a policy allows them, even through a wildcard.
var keywardServices = []string{"iam", "sts"}

// GenerateServiceLastAccessedDetailsInput is its action's request.
type GenerateServiceLastAccessedDetailsInput struct {
	ARN         string  `query:"Arn,required"`
	Granularity *string `query:"Granularity"`
}

// GenerateServiceLastAccessedDetailsOutput is its action's result.
type GenerateServiceLastAccessedDetailsOutput struct {
	JobID string `xml:"JobId"`
}

// TrackedActionLastAccessed is AWS's shape.
type TrackedActionLastAccessed struct {
	ActionName         string `xml:"ActionName"`
	LastAccessedEntity string `xml:"LastAccessedEntity,omitempty"`
	LastAccessedTime   Time   `xml:"LastAccessedTime"`
	LastAccessedRegion string `xml:"LastAccessedRegion,omitempty"`
}

// ServiceLastAccessed is AWS's shape. LastAuthenticated is absent for a
// service the policies allow but no one used.
type ServiceLastAccessed struct {
	ServiceName                string                             `xml:"ServiceName"`
	LastAuthenticated          Time                               `xml:"LastAuthenticated"`
	ServiceNamespace           string                             `xml:"ServiceNamespace"`
	LastAuthenticatedEntity    string                             `xml:"LastAuthenticatedEntity,omitempty"`
	LastAuthenticatedRegion    string                             `xml:"LastAuthenticatedRegion,omitempty"`
	TotalAuthenticatedEntities int                                `xml:"TotalAuthenticatedEntities"`
	TrackedActionsLastAccessed Members[TrackedActionLastAccessed] `xml:"TrackedActionsLastAccessed,omitempty"`
}

// EntityInfo is AWS's shape.
type EntityInfo struct {
	ARN  string `xml:"Arn"`
	Name string `xml:"Name"`
	Type string `xml:"Type"` // USER, ROLE, GROUP
	ID   string `xml:"Id"`
	Path string `xml:"Path,omitempty"`
}

// EntityDetails is AWS's shape.
type EntityDetails struct {
	EntityInfo        EntityInfo `xml:"EntityInfo"`
	LastAuthenticated Time       `xml:"LastAuthenticated"`
}

// accessEntity is one user, role or group a report covers, with the
// principals whose activity counts for it (a group's: its members').
type accessEntity struct {
	info       EntityInfo
	principals []string
}

// GenerateServiceLastAccessedDetails reports, for a user, group, role or
// managed policy, the services its policies allow and when each was last
// used (by the user or role; by a group's members; by the entities a
// policy is attached to), and with Granularity ACTION_LEVEL, which actions.
func (s *Service) GenerateServiceLastAccessedDetails(ctx context.Context, c *keyward.Caller, in *GenerateServiceLastAccessedDetailsInput) (*GenerateServiceLastAccessedDetailsOutput, error) {
	a, err := arn.Parse(in.ARN)
	kind, _, _ := strings.Cut(a.Resource, "/")
	if err != nil || a.Service != "iam" || (kind != "user" && kind != "group" && kind != "role" && kind != "policy") {
		return nil, keyward.Errorf(keyward.ErrInvalidInput, "ARN %s is not the ARN of a user, group, role or managed policy.", in.ARN)
	}
	var docs []*policy.Document
	var entities []accessEntity
	err = s.view(ctx, c, func(o *op) error {
		const action = "iam:GenerateServiceLastAccessedDetails"
		if kind == "policy" {
			p, err := o.policyTarget(action, in.ARN, false, nil)
			if err != nil {
				return err
			}
			docs, entities, err = policyScope(o.Tx, c.AccountID, p.arn)
			return err
		}
		e, p, err := o.source(action, in.ARN)
		if err != nil {
			return err
		}
		docs = docs[:0]
		for _, src := range p.Identity {
			docs = append(docs, src.Document)
		}
		entities, err = entityScope(o.Tx, e.ref(c.AccountID))
		return err
	})
	if err != nil {
		return nil, err
	}
	activity, err := s.activity(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	job := &accessJob{accountID: c.AccountID, granularity: deref(in.Granularity, "SERVICE_LEVEL"), created: s.now(), entities: map[string][]EntityDetails{}}
	job.build(docs, entities, activity)
	id := keyward.NewUUID()
	s.reports.addJob(id, job)
	return &GenerateServiceLastAccessedDetailsOutput{JobID: id}, nil
}

func (s *Service) activity(ctx context.Context, accountID string) ([]keyward.Activity, error) {
	log, ok := s.Store.(keyward.ActivityLog)
	if !ok {
		return nil, nil
	}
	return log.ListActivity(ctx, accountID)
}

func userEntity(u keyward.User) accessEntity {
	return accessEntity{info: EntityInfo{ARN: u.ARN, Name: u.Name, Type: "USER", ID: u.ID, Path: u.Path}, principals: []string{u.ARN}}
}

func roleEntity(r keyward.Role) accessEntity {
	return accessEntity{info: EntityInfo{ARN: r.ARN, Name: r.Name, Type: "ROLE", ID: r.ID, Path: r.Path}, principals: []string{r.ARN}}
}

// entityScope returns the entities a user's, role's or group's report
// lists: the user or role itself; a group's members.
func entityScope(tx keyward.Tx, ref keyward.EntityRef) ([]accessEntity, error) {
	switch ref.Kind {
	case keyward.KindUser:
		u, err := tx.GetUser(ref.AccountID, ref.Name)
		return []accessEntity{userEntity(u)}, err
	case keyward.KindRole:
		r, err := tx.GetRole(ref.AccountID, ref.Name)
		return []accessEntity{roleEntity(r)}, err
	}
	members, _, err := tx.ListGroupMembers(ref.AccountID, ref.Name, keyward.ListOptions{})
	var out []accessEntity
	for _, u := range members {
		out = append(out, userEntity(u))
	}
	return out, err
}

// policyScope returns a managed policy's default document and the users,
// groups and roles of the account it is attached to.
func policyScope(tx keyward.Tx, accountID, policyARN string) ([]*policy.Document, []accessEntity, error) {
	acct, ok := policyAccount(policyARN)
	if !ok || (acct != accountID && acct != keyward.AWSAccountID) {
		return nil, nil, keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s was not found.", policyARN)
	}
	mp, err := tx.GetPolicy(policyARN)
	if err != nil {
		return nil, nil, err
	}
	pv, err := tx.GetPolicyVersion(mp.ARN, mp.DefaultVersionID)
	if err != nil {
		return nil, nil, err
	}
	doc, err := policy.ParseWith([]byte(pv.Document), policy.Identity, policy.Options{Stored: true})
	if err != nil {
		return nil, nil, fmt.Errorf("iam: stored policy %s: %w", mp.ARN, err)
	}
	attached, _, err := tx.ListEntitiesForPolicy(mp.ARN, keyward.EntityListOptions{AccountID: accountID})
	if err != nil {
		return nil, nil, err
	}
	var out []accessEntity
	for _, e := range attached {
		switch e.Kind {
		case keyward.KindUser:
			u, err := tx.GetUser(accountID, e.Name)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, userEntity(u))
		case keyward.KindRole:
			r, err := tx.GetRole(accountID, e.Name)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, roleEntity(r))
		case keyward.KindGroup:
			g, err := tx.GetGroup(accountID, e.Name)
			if err != nil {
				return nil, nil, err
			}
			ge := accessEntity{info: EntityInfo{ARN: g.ARN, Name: g.Name, Type: "GROUP", ID: g.ID, Path: g.Path}}
			members, _, err := tx.ListGroupMembers(accountID, g.Name, keyward.ListOptions{})
			if err != nil {
				return nil, nil, err
			}
			for _, u := range members {
				ge.principals = append(ge.principals, u.ARN)
			}
			out = append(out, ge)
		}
	}
	return []*policy.Document{doc}, out, nil
}

// allowedServices returns the namespaces that some Allow statement of docs
// covers, among the candidates: Keyward's own services, those the
// statements name, and those in the activity.
func allowedServices(docs []*policy.Document, activity []keyward.Activity) []string {
	cands := map[string]bool{}
	for _, s := range keywardServices {
		cands[s] = true
	}
	for _, a := range activity {
		cands[a.Service] = true
	}
	for _, d := range docs {
		for _, st := range d.Statements {
			for _, a := range st.Action {
				if svc, _, ok := strings.Cut(a, ":"); ok && !strings.ContainsAny(svc, "*?") {
					cands[strings.ToLower(svc)] = true
				}
			}
		}
	}
	var out []string
	for svc := range cands {
		if servicesAllow(docs, svc) {
			out = append(out, svc)
		}
	}
	sort.Strings(out)
	return out
}

// servicesAllow reports whether an Allow statement covers some action of
// the namespace svc.
func servicesAllow(docs []*policy.Document, svc string) bool {
	for _, d := range docs {
		for _, st := range d.Statements {
			if st.Effect != policy.Allow {
				continue
			}
			if st.NotAction {
				excluded := false
				for _, a := range st.Action {
					p, rest, _ := strings.Cut(strings.ToLower(a), ":")
					excluded = excluded || a == "*" || (wildMatch(p, svc) && rest == "*")
				}
				if !excluded {
					return true
				}
				continue
			}
			for _, a := range st.Action {
				p, _, _ := strings.Cut(strings.ToLower(a), ":")
				if a == "*" || wildMatch(p, svc) {
					return true
				}
			}
		}
	}
	return false
}

// wildMatch matches s against a pattern with * and ?.
func wildMatch(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildMatch(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildMatch(p[1:], s[1:])
	}
	return s != "" && p[0] == s[0] && wildMatch(p[1:], s[1:])
}

// build fills the job's services and entity details.
func (j *accessJob) build(docs []*policy.Document, entities []accessEntity, activity []keyward.Activity) {
	owner := map[string][]int{} // principal ARN -> entity indexes
	for i, e := range entities {
		for _, p := range e.principals {
			owner[p] = append(owner[p], i)
		}
	}
	for _, svc := range allowedServices(docs, activity) {
		out := ServiceLastAccessed{ServiceName: serviceNames[svc], ServiceNamespace: svc}
		if out.ServiceName == "" {
			out.ServiceName = svc
		}
		last := make([]time.Time, len(entities))
		actions := map[string]*TrackedActionLastAccessed{}
		for _, a := range activity {
			idx, ok := owner[a.Principal]
			if !ok || a.Service != svc {
				continue
			}
			for _, i := range idx {
				if a.Time.After(last[i]) {
					last[i] = a.Time
				}
			}
			if a.Time.After(time.Time(out.LastAuthenticated)) {
				out.LastAuthenticated, out.LastAuthenticatedEntity, out.LastAuthenticatedRegion = Time(a.Time), a.Principal, a.Region
			}
			t := actions[a.Action]
			if t == nil {
				t = &TrackedActionLastAccessed{ActionName: a.Action}
				actions[a.Action] = t
			}
			if a.Time.After(time.Time(t.LastAccessedTime)) {
				t.LastAccessedTime, t.LastAccessedEntity, t.LastAccessedRegion = Time(a.Time), a.Principal, a.Region
			}
		}
		var details []EntityDetails
		for i, e := range entities {
			if !last[i].IsZero() {
				out.TotalAuthenticatedEntities++
			}
			details = append(details, EntityDetails{EntityInfo: e.info, LastAuthenticated: Time(last[i])})
		}
		sort.SliceStable(details, func(a, b int) bool {
			return time.Time(details[a].LastAuthenticated).After(time.Time(details[b].LastAuthenticated))
		})
		if j.granularity == "ACTION_LEVEL" {
			for _, name := range sortedNames(actions) {
				out.TrackedActionsLastAccessed = append(out.TrackedActionsLastAccessed, *actions[name])
			}
		}
		j.services = append(j.services, out)
		j.entities[svc] = details
	}
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// job returns the caller's account's job with that ID.
func (s *Service) job(c *keyward.Caller, id string) (*accessJob, error) {
	s.reports.mu.Lock()
	j := s.reports.jobs[id]
	s.reports.mu.Unlock()
	if j == nil || j.accountID != c.AccountID {
		return nil, keyward.Errorf(keyward.ErrNoSuchEntity, "The job with ID %s cannot be found.", id)
	}
	return j, nil
}

// GetServiceLastAccessedDetailsInput is its action's request.
type GetServiceLastAccessedDetailsInput struct {
	JobID    string  `query:"JobId,required"`
	MaxItems *int32  `query:"MaxItems"`
	Marker   *string `query:"Marker"`
}

// GetServiceLastAccessedDetailsOutput is its action's result.
type GetServiceLastAccessedDetailsOutput struct {
	JobStatus            string                       `xml:"JobStatus"`
	JobType              string                       `xml:"JobType"`
	JobCreationDate      Time                         `xml:"JobCreationDate"`
	ServicesLastAccessed Members[ServiceLastAccessed] `xml:"ServicesLastAccessed"`
	JobCompletionDate    Time                         `xml:"JobCompletionDate"`
	IsTruncated          bool                         `xml:"IsTruncated"`
	Marker               string                       `xml:"Marker,omitempty"`
}

// GetServiceLastAccessedDetails returns a job's report, one service per
// item, sorted by namespace.
func (s *Service) GetServiceLastAccessedDetails(ctx context.Context, c *keyward.Caller, in *GetServiceLastAccessedDetailsInput) (*GetServiceLastAccessedDetailsOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "iam:GetServiceLastAccessedDetails", "*", nil); err != nil {
		return nil, err
	}
	j, err := s.job(c, in.JobID)
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(j.services, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &GetServiceLastAccessedDetailsOutput{
		JobStatus: "COMPLETED", JobType: j.granularity, JobCreationDate: Time(j.created), JobCompletionDate: Time(j.created),
		ServicesLastAccessed: Members[ServiceLastAccessed](page), IsTruncated: next != "", Marker: next,
	}, nil
}

// GetServiceLastAccessedDetailsWithEntitiesInput is its action's request.
type GetServiceLastAccessedDetailsWithEntitiesInput struct {
	JobID            string  `query:"JobId,required"`
	ServiceNamespace string  `query:"ServiceNamespace,required"`
	MaxItems         *int32  `query:"MaxItems"`
	Marker           *string `query:"Marker"`
}

// GetServiceLastAccessedDetailsWithEntitiesOutput is its action's result.
type GetServiceLastAccessedDetailsWithEntitiesOutput struct {
	JobStatus         string                 `xml:"JobStatus"`
	JobCreationDate   Time                   `xml:"JobCreationDate"`
	JobCompletionDate Time                   `xml:"JobCompletionDate"`
	EntityDetailsList Members[EntityDetails] `xml:"EntityDetailsList"`
	IsTruncated       bool                   `xml:"IsTruncated"`
	Marker            string                 `xml:"Marker,omitempty"`
}

// GetServiceLastAccessedDetailsWithEntities returns, for one service of a
// job, each entity of the report and when it last used the service, most
// recent first.
func (s *Service) GetServiceLastAccessedDetailsWithEntities(ctx context.Context, c *keyward.Caller, in *GetServiceLastAccessedDetailsWithEntitiesInput) (*GetServiceLastAccessedDetailsWithEntitiesOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "iam:GetServiceLastAccessedDetailsWithEntities", "*", nil); err != nil {
		return nil, err
	}
	j, err := s.job(c, in.JobID)
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(j.entities[strings.ToLower(in.ServiceNamespace)], in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &GetServiceLastAccessedDetailsWithEntitiesOutput{
		JobStatus: "COMPLETED", JobCreationDate: Time(j.created), JobCompletionDate: Time(j.created),
		EntityDetailsList: Members[EntityDetails](page), IsTruncated: next != "", Marker: next,
	}, nil
}

// ListPoliciesGrantingServiceAccessInput is its action's request.
type ListPoliciesGrantingServiceAccessInput struct {
	Marker            *string  `query:"Marker"`
	ARN               string   `query:"Arn,required"`
	ServiceNamespaces []string `query:"ServiceNamespaces,required"`
}

// PolicyGrantingServiceAccess is AWS's shape. EntityType and EntityName
// name the owner of an inline policy.
type PolicyGrantingServiceAccess struct {
	PolicyName string `xml:"PolicyName"`
	PolicyType string `xml:"PolicyType"` // INLINE, MANAGED
	PolicyARN  string `xml:"PolicyArn,omitempty"`
	EntityType string `xml:"EntityType,omitempty"`
	EntityName string `xml:"EntityName,omitempty"`
}

// ListPoliciesGrantingServiceAccessEntry is AWS's shape.
type ListPoliciesGrantingServiceAccessEntry struct {
	ServiceNamespace string                               `xml:"ServiceNamespace"`
	Policies         Members[PolicyGrantingServiceAccess] `xml:"Policies"`
}

// ListPoliciesGrantingServiceAccessOutput is its action's result.
type ListPoliciesGrantingServiceAccessOutput struct {
	PoliciesGrantingServiceAccess Members[ListPoliciesGrantingServiceAccessEntry] `xml:"PoliciesGrantingServiceAccess"`
	IsTruncated                   bool                                            `xml:"IsTruncated"`
	Marker                        string                                          `xml:"Marker,omitempty"`
}

// ListPoliciesGrantingServiceAccess lists, for each namespace, the
// identity policies of a user (its own and its groups'), group or role
// that allow some action of that service.
func (s *Service) ListPoliciesGrantingServiceAccess(ctx context.Context, c *keyward.Caller, in *ListPoliciesGrantingServiceAccessInput) (*ListPoliciesGrantingServiceAccessOutput, error) {
	var p *authz.Principal
	err := s.view(ctx, c, func(o *op) error {
		var err error
		_, p, err = o.source("iam:ListPoliciesGrantingServiceAccess", in.ARN)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &ListPoliciesGrantingServiceAccessOutput{PoliciesGrantingServiceAccess: Members[ListPoliciesGrantingServiceAccessEntry]{}}
	for _, ns := range in.ServiceNamespaces {
		e := ListPoliciesGrantingServiceAccessEntry{ServiceNamespace: ns, Policies: Members[PolicyGrantingServiceAccess]{}}
		for _, src := range p.Identity {
			if !servicesAllow([]*policy.Document{src.Document}, strings.ToLower(ns)) {
				continue
			}
			g := PolicyGrantingServiceAccess{PolicyName: src.Name, PolicyType: "MANAGED", PolicyARN: src.ARN}
			if src.ARN == "" {
				g.PolicyType, g.EntityType, g.EntityName = "INLINE", strings.ToUpper(string(src.Owner.Kind)), src.Owner.Name
			}
			e.Policies = append(e.Policies, g)
		}
		out.PoliciesGrantingServiceAccess = append(out.PoliciesGrantingServiceAccess, e)
	}
	return out, nil
}

// GenerateCredentialReportOutput is its action's result.
type GenerateCredentialReportOutput struct {
	State       string `xml:"State"`
	Description string `xml:"Description,omitempty"`
}

// GenerateCredentialReport makes the account's credential report, unless
// one younger than four hours exists. Keyward makes it at once, so the
// first call answers STARTED and the report is ready.
func (s *Service) GenerateCredentialReport(ctx context.Context, c *keyward.Caller, _ *struct{}) (*GenerateCredentialReportOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "iam:GenerateCredentialReport", "*", nil); err != nil {
		return nil, err
	}
	now := s.now()
	s.reports.mu.Lock()
	r := s.reports.credential[c.AccountID]
	s.reports.mu.Unlock()
	if r != nil && now.Sub(r.generated) < credentialReportTTL {
		return &GenerateCredentialReportOutput{State: "COMPLETE"}, nil
	}
	content, err := s.credentialCSV(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	s.reports.mu.Lock()
	if s.reports.credential == nil {
		s.reports.credential = map[string]*credentialReport{}
	}
	s.reports.credential[c.AccountID] = &credentialReport{generated: now, content: content}
	s.reports.mu.Unlock()
	return &GenerateCredentialReportOutput{State: "STARTED", Description: "No report exists. Starting a new report generation task"}, nil
}

// GetCredentialReportOutput is its action's result. Content is the CSV,
// base64-encoded as AWS's XML carries blobs.
type GetCredentialReportOutput struct {
	Content       string `xml:"Content"`
	ReportFormat  string `xml:"ReportFormat"`
	GeneratedTime Time   `xml:"GeneratedTime"`
}

// GetCredentialReport returns the report GenerateCredentialReport made.
func (s *Service) GetCredentialReport(ctx context.Context, c *keyward.Caller, _ *struct{}) (*GetCredentialReportOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "iam:GetCredentialReport", "*", nil); err != nil {
		return nil, err
	}
	s.reports.mu.Lock()
	r := s.reports.credential[c.AccountID]
	s.reports.mu.Unlock()
	if r == nil {
		return nil, keyward.Errorf("ReportNotPresent", "Credential report not present. Use GenerateCredentialReport to generate one.")
	}
	if s.now().Sub(r.generated) >= credentialReportTTL {
		return nil, keyward.Errorf("ReportExpired", "Credential report has expired. Use GenerateCredentialReport to generate a new one.")
	}
	return &GetCredentialReportOutput{Content: base64.StdEncoding.EncodeToString(r.content), ReportFormat: "text/csv", GeneratedTime: Time(r.generated)}, nil
}

// credentialColumns are AWS's credential report columns, in order.
var credentialColumns = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
	"access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
	"cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

// reportTime is a credential report's date format (ISO 8601 with offset).
func reportTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// keyColumns are one access key's five columns.
func keyColumns(keys []keyward.AccessKey, i int) []string {
	if i >= len(keys) {
		return []string{"false", "N/A", "N/A", "N/A", "N/A"}
	}
	k := keys[i]
	used, region, service := "N/A", "N/A", "N/A"
	if !k.LastUsedDate.IsZero() {
		used, region, service = reportTime(k.LastUsedDate), orNA(k.LastUsedRegion), orNA(k.LastUsedService)
	}
	return []string{fmt.Sprint(k.Status == keyward.StatusActive), reportTime(k.CreateDate), used, region, service}
}

// certColumns are one signing certificate's two columns.
func certColumns(certs []keyward.UserCredential, i int) []string {
	if i >= len(certs) {
		return []string{"false", "N/A"}
	}
	return []string{fmt.Sprint(certs[i].Status == keyward.StatusActive), reportTime(certs[i].CreateDate)}
}

// byUser groups items by their user's name, keeping their order.
func byUser[T any](items []T, user func(T) string) map[string][]T {
	m := map[string][]T{}
	for _, it := range items {
		m[user(it)] = append(m[user(it)], it)
	}
	return m
}

// credentialCSV writes the account's credential report: the root user's
// row, then one per user sorted by name, from what the store holds (login
// profiles and real sign-ins, MFA devices, access keys, signing
// certificates).
func (s *Service) credentialCSV(ctx context.Context, accountID string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(credentialColumns)
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		acct, err := tx.GetAccount(accountID)
		if err != nil {
			return err
		}
		// One read each for the whole account, grouped by user name as
		// the store spells it (root's under ""): a read per user made the
		// report of 10,000 users take seconds.
		keys, err := tx.ListAccountAccessKeys(accountID)
		if err != nil {
			return err
		}
		keysOf := byUser(keys, func(k keyward.AccessKey) string { return k.UserName })
		certs, err := tx.ListAccountUserCredentials(keyward.CredentialSigningCertificate, accountID)
		if err != nil {
			return err
		}
		certsOf := byUser(certs, func(c keyward.UserCredential) string { return c.UserName })
		profiles, err := tx.ListLoginProfiles(accountID)
		if err != nil {
			return err
		}
		profileOf := make(map[string]keyward.LoginProfile, len(profiles))
		for _, p := range profiles {
			profileOf[p.UserName] = p
		}
		devices, err := tx.ListMFADevices(accountID)
		if err != nil {
			return err
		}
		mfa := map[string]bool{} // folded user name, "" for root
		for _, d := range devices {
			if !d.EnableDate.IsZero() {
				mfa[strings.ToLower(d.UserName)] = true
			}
		}
		pol, err := passwordPolicy(tx, accountID)
		if err != nil {
			return err
		}
		row := []string{"<root_account>", arn.RootARN(accountID), reportTime(acct.CreateDate), "not_supported", "no_information", "not_supported", "not_supported", fmt.Sprint(mfa[""])}
		row = append(append(append(append(row, keyColumns(keysOf[""], 0)...), keyColumns(keysOf[""], 1)...), certColumns(certsOf[""], 0)...), certColumns(certsOf[""], 1)...)
		w.Write(row)
		users, _, err := tx.ListUsers(accountID, keyward.ListOptions{})
		if err != nil {
			return err
		}
		for _, u := range users {
			keys, certs := keysOf[u.Name], certsOf[u.Name]
			enabled, pwUsed, pwChanged, pwNext := "false", "N/A", "N/A", "N/A"
			if p, ok := profileOf[u.Name]; ok {
				enabled, pwUsed, pwChanged = "true", "no_information", reportTime(p.PasswordChangedDate)
				if !u.PasswordLastUsed.IsZero() {
					pwUsed = reportTime(u.PasswordLastUsed)
				}
				if pol != nil && pol.MaxPasswordAge > 0 {
					pwNext = reportTime(p.PasswordChangedDate.AddDate(0, 0, pol.MaxPasswordAge))
				}
			} else if !u.PasswordLastUsed.IsZero() {
				pwUsed = reportTime(u.PasswordLastUsed)
			}
			row := []string{u.Name, u.ARN, reportTime(u.CreateDate), enabled, pwUsed, pwChanged, pwNext, fmt.Sprint(mfa[strings.ToLower(u.Name)])}
			row = append(append(append(append(row, keyColumns(keys, 0)...), keyColumns(keys, 1)...), certColumns(certs, 0)...), certColumns(certs, 1)...)
			w.Write(row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
