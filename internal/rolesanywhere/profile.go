package rolesanywhere

import (
	"context"
	"slices"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// Profiles: which roles a certificate may assume, and what narrows the
// sessions it gets.

// DefaultDuration is a profile's session duration when it sets none.
const DefaultDuration = 3600

// Certificate fields of attribute mappings.
const (
	FieldSubject = "x509Subject"
	FieldIssuer  = "x509Issuer"
	FieldSAN     = "x509SAN"
)

// defaultMappings are the attribute mappings of a new profile, AWS's: every
// relative distinguished name of the subject and the issuer, and the
// first DNS name, directory name and URI of the subject alternative names.
func defaultMappings() []keyward.AttributeMapping {
	return []keyward.AttributeMapping{
		{CertificateField: FieldSubject, Specifiers: []string{"*"}},
		{CertificateField: FieldIssuer, Specifiers: []string{"*"}},
		{CertificateField: FieldSAN, Specifiers: []string{"DNS", "URI", "Name"}},
	}
}

// AttributeMapping is the model's AttributeMapping.
type AttributeMapping struct {
	CertificateField string        `json:"certificateField"`
	MappingRules     []MappingRule `json:"mappingRules"`
}

// MappingRule is the model's MappingRule.
type MappingRule struct {
	Specifier string `json:"specifier"`
}

// ProfileDetail is the model's ProfileDetail.
type ProfileDetail struct {
	ProfileID                 string             `json:"profileId"`
	ProfileArn                string             `json:"profileArn"`
	Name                      string             `json:"name"`
	RequireInstanceProperties bool               `json:"requireInstanceProperties"`
	Enabled                   bool               `json:"enabled"`
	CreatedBy                 string             `json:"createdBy,omitempty"`
	SessionPolicy             string             `json:"sessionPolicy,omitempty"`
	RoleArns                  []string           `json:"roleArns"`
	ManagedPolicyArns         []string           `json:"managedPolicyArns"`
	CreatedAt                 timestamp          `json:"createdAt"`
	UpdatedAt                 timestamp          `json:"updatedAt"`
	DurationSeconds           int                `json:"durationSeconds"`
	AcceptRoleSessionName     bool               `json:"acceptRoleSessionName"`
	AttributeMappings         []AttributeMapping `json:"attributeMappings"`
}

// ProfileDetailResponse is the output of the profile actions.
type ProfileDetailResponse struct {
	Profile ProfileDetail `json:"profile"`
}

func profileDetail(p *keyward.RolesAnywhereProfile) ProfileDetailResponse {
	d := ProfileDetail{ProfileID: p.ID, ProfileArn: p.ARN, Name: p.Name, RequireInstanceProperties: p.RequireInstanceProperties,
		Enabled: p.Enabled, CreatedBy: p.CreatedBy, SessionPolicy: p.SessionPolicy,
		RoleArns: append([]string{}, p.RoleARNs...), ManagedPolicyArns: append([]string{}, p.ManagedPolicyARNs...),
		CreatedAt: timestamp(p.CreateDate), UpdatedAt: timestamp(p.UpdateDate), DurationSeconds: p.DurationSeconds,
		AcceptRoleSessionName: p.AcceptRoleSessionName, AttributeMappings: []AttributeMapping{}}
	if d.DurationSeconds == 0 {
		d.DurationSeconds = DefaultDuration
	}
	for _, m := range p.AttributeMappings {
		am := AttributeMapping{CertificateField: m.CertificateField, MappingRules: []MappingRule{}}
		for _, s := range m.Specifiers {
			am.MappingRules = append(am.MappingRules, MappingRule{Specifier: s})
		}
		d.AttributeMappings = append(d.AttributeMappings, am)
	}
	return ProfileDetailResponse{Profile: d}
}

// checkSessionPolicy parses a profile's inline session policy.
func checkSessionPolicy(doc string) error {
	if doc == "" {
		return nil
	}
	if _, err := policy.Parse([]byte(doc), policy.Session); err != nil {
		return errValidation("The session policy is not a valid policy document: " + firstLine(err.Error()))
	}
	return nil
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// passRoles authorizes iam:PassRole on each role a profile names, for the
// service (iam:PassedToService rolesanywhere.amazonaws.com): whoever can
// name a role in a profile hands it to every certificate its trust policy
// accepts, so they must be allowed to pass it.
func (o *op) passRoles(roles []string) error {
	extra := map[string][]string{"iam:PassedToService": {servicePrincipal}}
	for _, r := range roles {
		if err := o.authorize("iam:PassRole", r, extra); err != nil {
			return err
		}
	}
	return nil
}

// profileTarget is a profile a request names by ID, as stored: found only
// in the caller's account.
type profileTarget struct {
	found bool
	arn   string
	p     keyward.RolesAnywhereProfile
	tags  []keyward.Tag
}

func (o *op) findProfile(id string) (*profileTarget, error) {
	t := &profileTarget{arn: o.arn("profile", id)}
	p, err := o.tx.GetRolesAnywhereProfile(id)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity || (err == nil && p.AccountID != o.c.AccountID) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	t.found, t.p, t.arn = true, p, p.ARN
	if t.tags, err = o.tx.ListTags(keyward.RolesAnywhereProfileRef(p.ARN)); err != nil {
		return nil, err
	}
	return t, nil
}

func (o *op) profile(action, id string) (*profileTarget, error) {
	t, err := o.findProfile(id)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, t.arn, resourceTags(nil, t.tags)); err != nil {
		return nil, err
	}
	if !t.found {
		return nil, notFound("profile", id)
	}
	return t, nil
}

// CreateProfileInput is the model's CreateProfileRequest.
type CreateProfileInput struct {
	Name                      string   `json:"name"`
	RequireInstanceProperties *bool    `json:"requireInstanceProperties"`
	SessionPolicy             string   `json:"sessionPolicy"`
	RoleArns                  []string `json:"roleArns"`
	ManagedPolicyArns         []string `json:"managedPolicyArns"`
	DurationSeconds           *int     `json:"durationSeconds"`
	Enabled                   *bool    `json:"enabled"`
	Tags                      []tag    `json:"tags"`
	AcceptRoleSessionName     *bool    `json:"acceptRoleSessionName"`
}

// CreateProfile creates a profile. It needs rolesanywhere:CreateProfile
// (on "*", with the tags as aws:RequestTag/KEY and aws:TagKeys) and
// iam:PassRole on each role it names. The profile is disabled unless
// enabled is true; its sessions last durationSeconds (default 3,600); it
// maps the certificate's attributes as AWS's default mapping does.
func (s *Service) CreateProfile(ctx context.Context, r *Request, in *CreateProfileInput) (*ProfileDetailResponse, error) {
	tags := toTags(in.Tags)
	now := s.now().UTC()
	var out ProfileDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		if err := o.authorize("rolesanywhere:CreateProfile", "*", authz.RequestTags(nil, tags)); err != nil {
			return err
		}
		if err := o.passRoles(in.RoleArns); err != nil {
			return err
		}
		if err := checkSessionPolicy(in.SessionPolicy); err != nil {
			return err
		}
		if err := checkTags(nil, tags); err != nil {
			return err
		}
		id := keyward.NewUUID()
		p := keyward.RolesAnywhereProfile{AccountID: o.c.AccountID, ID: id, ARN: o.arn("profile", id), Name: in.Name,
			Enabled: in.Enabled != nil && *in.Enabled, RoleARNs: in.RoleArns, ManagedPolicyARNs: in.ManagedPolicyArns,
			SessionPolicy: in.SessionPolicy, DurationSeconds: DefaultDuration,
			RequireInstanceProperties: in.RequireInstanceProperties != nil && *in.RequireInstanceProperties,
			AcceptRoleSessionName:     in.AcceptRoleSessionName != nil && *in.AcceptRoleSessionName,
			AttributeMappings:         defaultMappings(), CreatedBy: o.c.ARN, CreateDate: now, UpdateDate: now}
		if in.DurationSeconds != nil {
			p.DurationSeconds = *in.DurationSeconds
		}
		if err := o.tx.CreateRolesAnywhereProfile(p); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := o.tx.TagEntity(keyward.RolesAnywhereProfileRef(p.ARN), tags); err != nil {
				return err
			}
		}
		out = profileDetail(&p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ScalarProfileInput is the model's ScalarProfileRequest.
type ScalarProfileInput struct {
	ProfileID string `json:"profileId"`
}

// GetProfile returns a profile. It needs rolesanywhere:GetProfile on it.
func (s *Service) GetProfile(ctx context.Context, r *Request, in *ScalarProfileInput) (*ProfileDetailResponse, error) {
	var out ProfileDetailResponse
	err := s.view(ctx, r, func(o *op) error {
		t, err := o.profile("rolesanywhere:GetProfile", in.ProfileID)
		if err != nil {
			return err
		}
		out = profileDetail(&t.p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// changeProfile runs the actions that change one profile.
func (s *Service) changeProfile(ctx context.Context, r *Request, action, id string, change func(o *op, p *keyward.RolesAnywhereProfile) error) (*ProfileDetailResponse, error) {
	var out ProfileDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		t, err := o.profile(action, id)
		if err != nil {
			return err
		}
		p := t.p
		if err := change(o, &p); err != nil {
			return err
		}
		p.UpdateDate = s.now().UTC()
		if err := o.tx.UpdateRolesAnywhereProfile(p); err != nil {
			return err
		}
		out = profileDetail(&p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateProfileInput is the model's UpdateProfileRequest.
type UpdateProfileInput struct {
	ProfileID             string    `json:"profileId"`
	Name                  *string   `json:"name"`
	SessionPolicy         *string   `json:"sessionPolicy"`
	RoleArns              *[]string `json:"roleArns"`
	ManagedPolicyArns     *[]string `json:"managedPolicyArns"`
	DurationSeconds       *int      `json:"durationSeconds"`
	AcceptRoleSessionName *bool     `json:"acceptRoleSessionName"`
}

// UpdateProfile changes what a request gives of a profile. It needs
// rolesanywhere:UpdateProfile on it, and iam:PassRole on the roles it
// newly names.
func (s *Service) UpdateProfile(ctx context.Context, r *Request, in *UpdateProfileInput) (*ProfileDetailResponse, error) {
	return s.changeProfile(ctx, r, "rolesanywhere:UpdateProfile", in.ProfileID, func(o *op, p *keyward.RolesAnywhereProfile) error {
		if in.RoleArns != nil {
			var added []string
			for _, a := range *in.RoleArns {
				if !slices.Contains(p.RoleARNs, a) {
					added = append(added, a)
				}
			}
			if err := o.passRoles(added); err != nil {
				return err
			}
			p.RoleARNs = *in.RoleArns
		}
		if in.SessionPolicy != nil {
			if err := checkSessionPolicy(*in.SessionPolicy); err != nil {
				return err
			}
			p.SessionPolicy = *in.SessionPolicy
		}
		if in.Name != nil {
			p.Name = *in.Name
		}
		if in.ManagedPolicyArns != nil {
			p.ManagedPolicyARNs = *in.ManagedPolicyArns
		}
		if in.DurationSeconds != nil {
			p.DurationSeconds = *in.DurationSeconds
		}
		if in.AcceptRoleSessionName != nil {
			p.AcceptRoleSessionName = *in.AcceptRoleSessionName
		}
		return nil
	})
}

// EnableProfile enables a profile. It needs rolesanywhere:EnableProfile.
func (s *Service) EnableProfile(ctx context.Context, r *Request, in *ScalarProfileInput) (*ProfileDetailResponse, error) {
	return s.changeProfile(ctx, r, "rolesanywhere:EnableProfile", in.ProfileID, func(o *op, p *keyward.RolesAnywhereProfile) error {
		p.Enabled = true
		return nil
	})
}

// DisableProfile disables a profile: CreateSession refuses it from then
// on. It needs rolesanywhere:DisableProfile.
func (s *Service) DisableProfile(ctx context.Context, r *Request, in *ScalarProfileInput) (*ProfileDetailResponse, error) {
	return s.changeProfile(ctx, r, "rolesanywhere:DisableProfile", in.ProfileID, func(o *op, p *keyward.RolesAnywhereProfile) error {
		p.Enabled = false
		return nil
	})
}

// PutAttributeMappingInput is the model's PutAttributeMappingRequest.
type PutAttributeMappingInput struct {
	ProfileID        string        `json:"profileId"`
	CertificateField string        `json:"certificateField"`
	MappingRules     []MappingRule `json:"mappingRules"`
}

// PutAttributeMappingOutput is the model's PutAttributeMappingResponse.
type PutAttributeMappingOutput = ProfileDetailResponse

// PutAttributeMapping adds mapping rules (specifiers) to one certificate
// field of a profile. It needs rolesanywhere:PutAttributeMapping.
func (s *Service) PutAttributeMapping(ctx context.Context, r *Request, in *PutAttributeMappingInput) (*PutAttributeMappingOutput, error) {
	return s.changeProfile(ctx, r, "rolesanywhere:PutAttributeMapping", in.ProfileID, func(o *op, p *keyward.RolesAnywhereProfile) error {
		var specs []string
		for _, m := range in.MappingRules {
			specs = append(specs, m.Specifier)
		}
		mappings := append([]keyward.AttributeMapping(nil), p.AttributeMappings...)
		for i := range mappings {
			if mappings[i].CertificateField == in.CertificateField {
				merged := append([]string(nil), mappings[i].Specifiers...)
				for _, sp := range specs {
					if !slices.Contains(merged, sp) {
						merged = append(merged, sp)
					}
				}
				mappings[i].Specifiers = merged
				p.AttributeMappings = mappings
				return nil
			}
		}
		p.AttributeMappings = append(mappings, keyward.AttributeMapping{CertificateField: in.CertificateField, Specifiers: specs})
		return nil
	})
}

// DeleteAttributeMappingInput is the model's DeleteAttributeMappingRequest.
type DeleteAttributeMappingInput struct {
	ProfileID        string   `json:"profileId"`
	CertificateField string   `json:"certificateField"`
	Specifiers       []string `json:"specifiers"`
}

// DeleteAttributeMapping removes the given specifiers of a certificate
// field, or the field's whole mapping when none is given. It needs
// rolesanywhere:DeleteAttributeMapping.
func (s *Service) DeleteAttributeMapping(ctx context.Context, r *Request, in *DeleteAttributeMappingInput) (*PutAttributeMappingOutput, error) {
	return s.changeProfile(ctx, r, "rolesanywhere:DeleteAttributeMapping", in.ProfileID, func(o *op, p *keyward.RolesAnywhereProfile) error {
		var out []keyward.AttributeMapping
		for _, m := range p.AttributeMappings {
			if m.CertificateField == in.CertificateField {
				if len(in.Specifiers) == 0 {
					continue
				}
				var kept []string
				for _, sp := range m.Specifiers {
					if !slices.Contains(in.Specifiers, sp) {
						kept = append(kept, sp)
					}
				}
				if len(kept) == 0 {
					continue
				}
				m.Specifiers = kept
			}
			out = append(out, m)
		}
		p.AttributeMappings = out
		return nil
	})
}

// DeleteProfile deletes a profile and its tags, and returns it as it was.
// It needs rolesanywhere:DeleteProfile.
func (s *Service) DeleteProfile(ctx context.Context, r *Request, in *ScalarProfileInput) (*ProfileDetailResponse, error) {
	var out ProfileDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		t, err := o.profile("rolesanywhere:DeleteProfile", in.ProfileID)
		if err != nil {
			return err
		}
		if err := o.tx.DeleteRolesAnywhereProfile(t.p.ID); err != nil {
			return err
		}
		out = profileDetail(&t.p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListProfilesOutput is the model's ListProfilesResponse.
type ListProfilesOutput struct {
	NextToken string          `json:"nextToken,omitempty"`
	Profiles  []ProfileDetail `json:"profiles"`
}

// ListProfiles lists the account's profiles by name. It needs
// rolesanywhere:ListProfiles.
func (s *Service) ListProfiles(ctx context.Context, r *Request, in *ListInput) (*ListProfilesOutput, error) {
	out := &ListProfilesOutput{Profiles: []ProfileDetail{}}
	err := s.view(ctx, r, func(o *op) error {
		if err := o.authorize("rolesanywhere:ListProfiles", "*", nil); err != nil {
			return err
		}
		profiles, next, err := o.tx.ListRolesAnywhereProfiles(o.c.AccountID, in.options())
		if err != nil {
			return badToken(err)
		}
		out.Profiles, out.NextToken = out.Profiles[:0], next
		for i := range profiles {
			out.Profiles = append(out.Profiles, profileDetail(&profiles[i]).Profile)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
