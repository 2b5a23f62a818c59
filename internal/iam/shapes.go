package iam

import (
	"encoding/xml"
	"net/url"
	"strings"
	"time"

	"github.com/keyward/keyward"
)

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
	Tags                *Members[Tag] `xml:"Tags,omitempty"` // nil: no element; empty: <Tags/>
}

// instanceProfileOut converts a stored profile, with Tags when it has
// some (GetInstanceProfile shows them always: see there).
func instanceProfileOut(p keyward.InstanceProfile, tags []keyward.Tag) InstanceProfile {
	out := InstanceProfile{
		Path:                p.Path,
		InstanceProfileName: p.Name,
		InstanceProfileID:   p.ID,
		ARN:                 p.ARN,
		CreateDate:          Time(p.CreateDate),
		Roles:               make(Members[Role], len(p.Roles)),
	}
	if len(tags) > 0 {
		t := tagsOut(tags)
		out.Tags = &t
	}
	for i, r := range p.Roles {
		out.Roles[i] = roleOut(r, nil, false)
	}
	return out
}
