package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/policy"
)

// Service implements IAM's actions. Store and Authz are required; the other
// fields have defaults.
type Service struct {
	Store keyward.Store
	Authz *authz.Authorizer
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Encrypt seals a new access key's secret for storage (AES-GCM with the
	// key ID as associated data, supplied by the server). The store only
	// ever sees its result. nil makes CreateAccessKey fail.
	Encrypt func(accessKeyID string, secret []byte) ([]byte, error)
	// IDs makes unique IDs and secrets; nil means RandomIDs.
	IDs IDSource
	// Secrets seals the secrets IAM keeps and must read back (MFA seeds,
	// server certificates' private keys, service-specific passwords),
	// each bound to its row's identity (SecretAD). nil makes the actions
	// that keep one fail.
	Secrets Sealer

	reports reports // last-accessed jobs and credential reports (lastaccessed.go)
}

// Sealer encrypts and decrypts secrets at rest with associated data: a
// *seal.Key under the server's key-encryption key.
type Sealer interface {
	Seal(plaintext, ad []byte) []byte
	Open(ciphertext, ad []byte) ([]byte, error)
}

// SecretAD is the associated data a secret of kind ("mfa",
// "server-certificate", "service-credential") is sealed with: the row's
// identity, so that a ciphertext moved to another row does not open.
func SecretAD(kind, id string) []byte { return seal.AD(kind, id) }

// sealer returns Secrets, or an internal error when it is missing.
func (s *Service) sealer() (Sealer, error) {
	if s.Secrets == nil {
		return nil, errors.New("iam: Service.Secrets is nil")
	}
	return s.Secrets, nil
}

// IDSource makes the unique IDs of new entities and the secrets of new
// access keys.
type IDSource interface {
	// ID returns a new unique ID: prefix followed by 17 characters from
	// A-Z and 2-7, 21 characters in all as AWS's IDs are.
	ID(prefix string) string
	// Secret returns a new 40-character secret access key.
	Secret() string
}

// ID prefixes, AWS's.
const (
	PrefixUser            = keyward.PrefixUser
	PrefixGroup           = keyward.PrefixGroup
	PrefixRole            = keyward.PrefixRole
	PrefixPolicy          = keyward.PrefixPolicy
	PrefixInstanceProfile = keyward.PrefixInstanceProfile
	PrefixAccessKey       = keyward.PrefixAccessKey
)

// RandomIDs draws IDs and secrets from crypto/rand, shaped as AWS's: access
// key IDs have 20 characters (AKIA and 16 more), unique IDs 21.
type RandomIDs struct{}

// ID implements IDSource.
func (RandomIDs) ID(prefix string) string {
	if prefix == PrefixAccessKey {
		return keyward.NewID(prefix)
	}
	return keyward.NewUniqueID(prefix)
}

// Secret implements IDSource: 40 characters from AWS's secret alphabet.
func (RandomIDs) Secret() string { return keyward.NewSecretAccessKey() }

func (s *Service) ids() IDSource {
	if s.IDs == nil {
		return RandomIDs{}
	}
	return s.IDs
}

// now returns the current time in UTC to the second, the precision AWS
// reports.
func (s *Service) now() time.Time {
	t := time.Now()
	if s.Clock != nil {
		t = s.Clock()
	}
	return t.UTC().Truncate(time.Second)
}

// invalidate tells the authorizer that permissions may have changed.
func (s *Service) invalidate() {
	if s.Authz != nil {
		s.Authz.Invalidate()
	}
}

// ARNs. Paths begin and end with "/", so PATH+NAME is the path and name.

func entityARN(accountID, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + accountID + ":" + kind + path + name
}

// UserARN returns arn:aws:iam::ACCOUNT:user/PATH/NAME.
func UserARN(accountID, path, name string) string {
	return entityARN(accountID, "user", path, name)
}

// GroupARN returns arn:aws:iam::ACCOUNT:group/PATH/NAME.
func GroupARN(accountID, path, name string) string {
	return entityARN(accountID, "group", path, name)
}

// RoleARN returns arn:aws:iam::ACCOUNT:role/PATH/NAME.
func RoleARN(accountID, path, name string) string {
	return entityARN(accountID, "role", path, name)
}

// PolicyARN returns arn:aws:iam::ACCOUNT:policy/PATH/NAME.
func PolicyARN(accountID, path, name string) string {
	return entityARN(accountID, "policy", path, name)
}

// InstanceProfileARN returns arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME.
func InstanceProfileARN(accountID, path, name string) string {
	return entityARN(accountID, "instance-profile", path, name)
}

// listResource is the resource AWS authorizes List* actions on: the kind's
// ARN up to the path prefix ("arn:aws:iam::123456789012:user/" for
// ListUsers without PathPrefix), as AWS's denials name it.
func listResource(accountID, kind string, pathPrefix *string) string {
	p := "/"
	if pathPrefix != nil && *pathPrefix != "" {
		p = *pathPrefix
	}
	return "arn:aws:iam::" + accountID + ":" + kind + p
}

// resourceTagConditions adds an existing resource's tags as
// aws:ResourceTag/KEY and, for IAM resources, iam:ResourceTag/KEY.
func resourceTagConditions(extra map[string][]string, tags []keyward.Tag) map[string][]string {
	if len(tags) == 0 {
		return extra
	}
	if extra == nil {
		extra = make(map[string][]string, 2*len(tags))
	}
	for _, t := range tags {
		v := []string{t.Value}
		extra["aws:ResourceTag/"+t.Key] = v
		extra["iam:ResourceTag/"+t.Key] = v
	}
	return extra
}

// Quotas and defaults (AWS-FACTS.md, "IAM and AWS STS quotas").
const (
	maxTags                   = 50
	maxAccessKeysPerUser      = 2
	maxGroupsPerUser          = 10
	maxRolesPerProfile        = 1
	defaultMaxItems           = 100
	defaultMaxSessionDuration = 3600
	maxTrustPolicyChars       = 2048
)

// listOptions turns the paging members into store options; MaxItems
// defaults to 100, as on AWS.
// pageInput is the page of an account-wide List action (ListUsers,
// ListGroups, ListRoles, ListInstanceProfiles).
type pageInput struct {
	PathPrefix, Marker *string
	MaxItems           *int32
}

// listByPath runs an account-wide List action: it checks the page, authorizes
// action on the path listed (kind's ARN with the path prefix, as IAM does),
// and reads one page with list, converted by conv.
func listByPath[E, O any](ctx context.Context, s *Service, c *keyward.Caller, action, kind string, in pageInput,
	list func(tx keyward.Tx, accountID string, opts keyward.ListOptions) ([]E, string, error),
	conv func([]E) Members[O]) (items Members[O], truncated bool, marker string, err error) {
	err = s.view(ctx, c, func(o *op) error {
		if err := o.authorize(action, listResource(c.AccountID, kind, in.PathPrefix), nil); err != nil {
			return err
		}
		page, next, err := list(o.Tx, c.AccountID, listOptions(in.PathPrefix, in.Marker, in.MaxItems))
		if err != nil {
			return err
		}
		items, truncated, marker = conv(page), next != "", next
		return nil
	})
	if err != nil {
		return nil, false, "", err
	}
	return items, truncated, marker, nil
}

func listOptions(pathPrefix, marker *string, maxItems *int32) keyward.ListOptions {
	o := keyward.ListOptions{MaxItems: defaultMaxItems}
	if pathPrefix != nil {
		o.PathPrefix = *pathPrefix
	}
	if marker != nil {
		o.Marker = *marker
	}
	if maxItems != nil {
		o.MaxItems = int(*maxItems)
	}
	return o
}

// pageOf cuts a whole list (one the store returns unpaged) into AWS's
// pages. The marker is the index of the page's first item in decimal; a
// marker that is not one is InvalidInput, as on AWS.
func pageOf[T any](all []T, marker *string, maxItems *int32) (page []T, next string, err error) {
	start := 0
	if marker != nil {
		n, perr := strconv.Atoi(*marker)
		if perr != nil || n < 0 || n > len(all) {
			return nil, "", keyward.Errorf(keyward.ErrInvalidInput, "Invalid Marker.")
		}
		start = n
	}
	size := defaultMaxItems
	if maxItems != nil {
		size = int(*maxItems)
	}
	end := len(all)
	if size > 0 && start+size < end {
		end = start + size
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

// checkTagSet refuses duplicate keys (keys are case-insensitive) and keys
// AWS reserves, in AWS's words.
func checkTagSet(tags []keyward.Tag) error {
	for i, t := range tags {
		for _, u := range tags[:i] {
			if strings.EqualFold(t.Key, u.Key) {
				return keyward.Errorf(keyward.ErrInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
		if len(t.Key) >= 4 && strings.EqualFold(t.Key[:4], "aws:") {
			return keyward.Errorf(keyward.ErrInvalidInput, "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS tags.")
		}
	}
	return nil
}

// tagConditions adds the condition keys of a request carrying tags:
// aws:RequestTag/KEY for each tag and aws:TagKeys listing the keys.
func tagConditions(extra map[string][]string, tags []keyward.Tag) map[string][]string {
	if len(tags) == 0 {
		return extra
	}
	if extra == nil {
		extra = make(map[string][]string, len(tags)+1)
	}
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = t.Key
		extra["aws:RequestTag/"+t.Key] = []string{t.Value}
	}
	extra["aws:TagKeys"] = keys
	return extra
}

// checkPolicyDocument parses doc as a policy of type t (with the rules of a
// managed policy when o says so) and turns a grammar error into AWS's
// MalformedPolicyDocument with AWS's own sentence; Keyward's explanation,
// with its line and column, is for keyward policy validate.
func checkPolicyDocument(doc string, t policy.Type, o ...policy.Options) error {
	var opts policy.Options
	if len(o) > 0 {
		opts = o[0]
	}
	if _, err := policy.ParseWith([]byte(doc), t, opts); err != nil {
		var pe *policy.ParseError
		if errors.As(err, &pe) {
			return keyward.Errorf(keyward.ErrMalformedPolicyDocument, "%s", pe.AWSMessage)
		}
		return keyward.Errorf(keyward.ErrMalformedPolicyDocument, "Syntax errors in policy.")
	}
	return nil
}

// charsWithoutSpace counts a document's characters, white space not
// counted, as AWS's managed policy size quota does.
func charsWithoutSpace(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// EncodeDocument URL-encodes a policy document as IAM's responses carry
// it: every byte outside A-Z, a-z, 0-9 and -_.~ percent-encoded (spaces as
// %20). The CLI decodes it; the Go SDK leaves it to the caller
// (url.QueryUnescape).
func EncodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// Output shapes shared by several actions.

// Time is a timestamp as IAM's responses write it (ISO 8601, UTC, whole
// seconds: 2026-11-26T23:52:02Z). The zero Time writes nothing, so optional
// dates need no pointer.
type Time time.Time

// MarshalXML implements xml.Marshaler.
func (t Time) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if time.Time(t).IsZero() {
		return nil
	}
	return e.EncodeElement(time.Time(t).UTC().Format("2006-01-02T15:04:05Z"), start)
}

// Members is a list written as AWS writes lists: one <member> element per
// item inside the list's element, which is present even when the list is
// empty (<Users></Users>).
type Members[T any] []T

// MarshalXML implements xml.Marshaler.
func (m Members[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	member := xml.StartElement{Name: xml.Name{Local: "member"}}
	for i := range m {
		if err := e.EncodeElement(&m[i], member); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Tag is a tag in a response.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func tagsOut(tags []keyward.Tag) Members[Tag] {
	if len(tags) == 0 {
		return nil
	}
	out := make(Members[Tag], len(tags))
	for i, t := range tags {
		out[i] = Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// PermissionsBoundary is AWS's AttachedPermissionsBoundary.
type PermissionsBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"` // always PermissionsBoundaryPolicy
	PermissionsBoundaryARN  string `xml:"PermissionsBoundaryArn"`
}

func boundaryOut(arn string) *PermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &PermissionsBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryARN: arn}
}

// User is AWS's User shape.
type User struct {
	Path                string               `xml:"Path,omitempty"` // empty only for the root user (GetUser)
	UserName            string               `xml:"UserName,omitempty"`
	UserID              string               `xml:"UserId"`
	ARN                 string               `xml:"Arn"`
	CreateDate          Time                 `xml:"CreateDate"`
	PasswordLastUsed    Time                 `xml:"PasswordLastUsed"`
	PermissionsBoundary *PermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                Members[Tag]         `xml:"Tags,omitempty"`
}

// userOut converts a stored user; tags are shown by GetUser and CreateUser
// only, as on AWS.
func userOut(u keyward.User, tags []keyward.Tag) User {
	return User{
		Path:                u.Path,
		UserName:            u.Name,
		UserID:              u.ID,
		ARN:                 u.ARN,
		CreateDate:          Time(u.CreateDate),
		PasswordLastUsed:    Time(u.PasswordLastUsed),
		PermissionsBoundary: boundaryOut(u.PermissionsBoundaryARN),
		Tags:                tagsOut(tags),
	}
}

// Group is AWS's Group shape.
type Group struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	ARN        string `xml:"Arn"`
	CreateDate Time   `xml:"CreateDate"`
}

func groupOut(g keyward.Group) Group {
	return Group{Path: g.Path, GroupName: g.Name, GroupID: g.ID, ARN: g.ARN, CreateDate: Time(g.CreateDate)}
}

// RoleLastUsed is AWS's RoleLastUsed shape.
type RoleLastUsed struct {
	LastUsedDate Time   `xml:"LastUsedDate"`
	Region       string `xml:"Region,omitempty"`
}

// Role is AWS's Role shape. AssumeRolePolicyDocument is URL-encoded.
type Role struct {
	Path                     string               `xml:"Path"`
	RoleName                 string               `xml:"RoleName"`
	RoleID                   string               `xml:"RoleId"`
	ARN                      string               `xml:"Arn"`
	CreateDate               Time                 `xml:"CreateDate"`
	AssumeRolePolicyDocument string               `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string               `xml:"Description,omitempty"`
	MaxSessionDuration       int                  `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *PermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                     Members[Tag]         `xml:"Tags,omitempty"`
	RoleLastUsed             *RoleLastUsed        `xml:"RoleLastUsed,omitempty"`
}

// roleOut converts a stored role. full adds what GetRole shows and the list
// actions leave out (RoleLastUsed; tags when given).
func roleOut(r keyward.Role, tags []keyward.Tag, full bool) Role {
	out := Role{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleID:                   r.ID,
		ARN:                      r.ARN,
		CreateDate:               Time(r.CreateDate),
		AssumeRolePolicyDocument: EncodeDocument(r.AssumeRolePolicyDocument),
		Description:              r.Description,
		MaxSessionDuration:       r.MaxSessionDuration,
		PermissionsBoundary:      boundaryOut(r.PermissionsBoundaryARN),
		Tags:                     tagsOut(tags),
	}
	if full {
		out.RoleLastUsed = &RoleLastUsed{LastUsedDate: Time(r.LastUsedDate), Region: r.LastUsedRegion}
	}
	return out
}

// InstanceProfile is AWS's InstanceProfile shape.
type InstanceProfile struct {
	Path                string        `xml:"Path"`
	InstanceProfileName string        `xml:"InstanceProfileName"`
	InstanceProfileID   string        `xml:"InstanceProfileId"`
	ARN                 string        `xml:"Arn"`
	CreateDate          Time          `xml:"CreateDate"`
	Roles               Members[Role] `xml:"Roles"`
	Tags                Members[Tag]  `xml:"Tags,omitempty"`
}

func instanceProfileOut(p keyward.InstanceProfile, tags []keyward.Tag) InstanceProfile {
	out := InstanceProfile{
		Path:                p.Path,
		InstanceProfileName: p.Name,
		InstanceProfileID:   p.ID,
		ARN:                 p.ARN,
		CreateDate:          Time(p.CreateDate),
		Roles:               make(Members[Role], len(p.Roles)),
		Tags:                tagsOut(tags),
	}
	for i, r := range p.Roles {
		out.Roles[i] = roleOut(r, nil, false)
	}
	return out
}

// deref returns *p, or def when p is nil.
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
