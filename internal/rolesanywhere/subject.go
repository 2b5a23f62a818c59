package rolesanywhere

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sts"
)

// Subjects: what CreateSession saw of each certificate subject, per
// account: its sessions and its refused attempts. Shapes from the API reference: ListSubjects
// (https://docs.aws.amazon.com/rolesanywhere/latest/APIReference/API_ListSubjects.html),
// GetSubject (.../API_GetSubject.html), SubjectSummary, SubjectDetail,
// CredentialSummary and InstanceProperty (.../API_<Shape>.html).

// SubjectSummary is the model's SubjectSummary.
type SubjectSummary struct {
	SubjectArn  string    `json:"subjectArn"`
	SubjectID   string    `json:"subjectId"`
	Enabled     bool      `json:"enabled"`
	X509Subject string    `json:"x509Subject"`
	LastSeenAt  timestamp `json:"lastSeenAt"`
	CreatedAt   timestamp `json:"createdAt"`
	UpdatedAt   timestamp `json:"updatedAt"`
}

// SubjectDetail is the model's SubjectDetail.
type SubjectDetail struct {
	SubjectSummary
	Credentials        []CredentialSummary `json:"credentials"`
	InstanceProperties []InstanceProperty  `json:"instanceProperties"`
}

// CredentialSummary is the model's CredentialSummary.
type CredentialSummary struct {
	SeenAt              timestamp `json:"seenAt"`
	SerialNumber        string    `json:"serialNumber"`
	Issuer              string    `json:"issuer"`
	Enabled             bool      `json:"enabled"`
	X509CertificateData string    `json:"x509CertificateData"`
	Failed              bool      `json:"failed"`
}

// InstanceProperty is the model's InstanceProperty.
type InstanceProperty struct {
	SeenAt     timestamp         `json:"seenAt"`
	Properties map[string]string `json:"properties"`
	Failed     bool              `json:"failed"`
}

func subjectSummary(s *keyward.RolesAnywhereSubject) SubjectSummary {
	return SubjectSummary{SubjectArn: s.ARN, SubjectID: s.ID, Enabled: s.Enabled, X509Subject: s.X509Subject,
		LastSeenAt: timestamp(s.LastSeenAt), CreatedAt: timestamp(s.CreateDate), UpdatedAt: timestamp(s.UpdateDate)}
}

func subjectDetail(s *keyward.RolesAnywhereSubject) SubjectDetail {
	d := SubjectDetail{SubjectSummary: subjectSummary(s), Credentials: []CredentialSummary{}, InstanceProperties: []InstanceProperty{}}
	for _, c := range s.Credentials {
		d.Credentials = append(d.Credentials, CredentialSummary{SeenAt: timestamp(c.SeenAt), SerialNumber: c.SerialNumber,
			Issuer: c.Issuer, Enabled: c.Enabled, X509CertificateData: c.CertificateData, Failed: c.Failed})
	}
	for _, p := range s.InstanceProperties {
		d.InstanceProperties = append(d.InstanceProperties, InstanceProperty{SeenAt: timestamp(p.SeenAt),
			Properties: p.Properties, Failed: p.Failed})
	}
	return d
}

// ListSubjectsOutput is the model's ListSubjectsResponse.
type ListSubjectsOutput struct {
	NextToken string           `json:"nextToken,omitempty"`
	Subjects  []SubjectSummary `json:"subjects"`
}

// ListSubjects lists the account's subjects, sorted by x509Subject. It
// needs rolesanywhere:ListSubjects (on "*").
func (s *Service) ListSubjects(ctx context.Context, r *Request, in *ListInput) (*ListSubjectsOutput, error) {
	out := &ListSubjectsOutput{Subjects: []SubjectSummary{}}
	err := s.view(ctx, r, func(o *op) error {
		if err := o.authorize("rolesanywhere:ListSubjects", "*", nil); err != nil {
			return err
		}
		subjects, next, err := o.tx.ListRolesAnywhereSubjects(o.c.AccountID, in.options())
		if err != nil {
			return badToken(err)
		}
		out.Subjects, out.NextToken = out.Subjects[:0], next
		for i := range subjects {
			out.Subjects = append(out.Subjects, subjectSummary(&subjects[i]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScalarSubjectInput is the model's ScalarSubjectRequest.
type ScalarSubjectInput struct {
	SubjectID string `json:"subjectId"`
}

// GetSubjectOutput is the model's SubjectDetailResponse.
type GetSubjectOutput struct {
	Subject SubjectDetail `json:"subject"`
}

// GetSubject returns a subject of the caller's account, with the
// certificates and instance properties it was seen with. It needs
// rolesanywhere:GetSubject on the subject's ARN (as stored; as the
// request names it when there is none).
func (s *Service) GetSubject(ctx context.Context, r *Request, in *ScalarSubjectInput) (*GetSubjectOutput, error) {
	var out GetSubjectOutput
	err := s.view(ctx, r, func(o *op) error {
		sub, err := o.tx.GetRolesAnywhereSubject(in.SubjectID)
		found := err == nil && sub.AccountID == o.c.AccountID
		if err != nil && keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
			return err
		}
		resource := o.arn("subject", in.SubjectID)
		if found {
			resource = sub.ARN
		}
		if err := o.authorize("rolesanywhere:GetSubject", resource, nil); err != nil {
			return err
		}
		if !found {
			return notFound("subject", in.SubjectID)
		}
		out.Subject = subjectDetail(&sub)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// subjectID is the ID of an account's subject: UUID-shaped (the model's
// pattern), derived from the account and the x509Subject so that every
// replica names a subject alike without reading the store.
func subjectID(account, x509Subject string) string {
	return keyward.NameUUID(account + "\x00" + x509Subject)
}

// Bounds of what a subject keeps.
const (
	// subjectSeenEvery is how often a subject's lastSeenAt (and a known
	// certificate's or property set's seenAt) is written for attempts
	// alike: at most once a minute per replica, so that CreateSession
	// stays a read. A new subject, certificate or property set, or an
	// attempt whose outcome (failed or not) differs from the last one
	// written, is written at once.
	subjectSeenEvery = time.Minute
	// maxSubjectEntries bounds a subject's certificates and instance
	// property sets: the most recently seen are kept. AWS documents no
	// bound; a row must not grow without one.
	maxSubjectEntries = 50
)

// subjectSeen records the subjects of CreateSession's attempts. The zero
// value is ready; it is safe for concurrent use.
type subjectSeen struct {
	due sts.Throttle[seenKey]
}

// seenKey is a subject (its ID), a certificate (serial and issuer), a set
// of instance properties (propertiesKey) and the attempt's outcome.
type seenKey struct {
	id, serial, issuer, props string
	failed                    bool
}

// noteSubject records on its subject, in the trust anchor's account, that
// CreateSession's certificate (and instance properties, when props holds
// them) opened a session (refusal nil) or was refused (failed), and
// returns the subject's ARN. Only a refusal the client is told
// (a *keyward.Error) is recorded, not an internal failure. A failure to
// record is logged, never returned: a subject is a record, and must not
// change the answer it records.
func (s *Service) noteSubject(ctx context.Context, r *Request, g *sessionGrant, info *SessionInfo, cert *x509.Certificate,
	props map[string]string, now time.Time, refusal error) string {
	var ke *keyward.Error
	if refusal != nil && !errors.As(refusal, &ke) {
		return ""
	}
	region, _, _, _, _ := parseARN(g.anchor.ARN)
	arn, err := s.seen.Note(ctx, s.Store, g.anchor.AccountID, region, info, cert, props, now, refusal != nil)
	if err != nil {
		s.log().Warn("rolesanywhere: recording a subject", "request_id", r.ID, "subject_arn", arn, "err", err)
	}
	return arn
}

// Note records in st that cert's subject opened a session in account at
// now (or, when failed, was refused one), with its instance properties,
// and returns the subject's ARN, with the store's error if the record
// could not be written. info names the certificate as CreateSession's
// audit record does.
func (u *subjectSeen) Note(ctx context.Context, st keyward.Store, account, region string, info *SessionInfo,
	cert *x509.Certificate, props map[string]string, now time.Time, failed bool) (string, error) {
	x509Subject, serial, issuer := info.Subject, info.Serial, info.Issuer
	id := subjectID(account, x509Subject)
	arn := arnOf(region, account, "subject", id)
	key := seenKey{id, serial, issuer, propertiesKey(props), failed}
	if !u.due.Due(key, time.Time{}, now, subjectSeenEvery) {
		return arn, nil
	}
	now = now.UTC().Truncate(time.Second)
	cred := keyward.SubjectCredential{SerialNumber: serial, Issuer: issuer, Enabled: true, SeenAt: now,
		CertificateData: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))}
	var err error
	// Twice: another replica may create the subject between the read and
	// the write.
	for range 2 {
		err = st.Update(ctx, func(tx keyward.Tx) error {
			sub, err := tx.GetRolesAnywhereSubject(id)
			if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
				sub = keyward.RolesAnywhereSubject{AccountID: account, ID: id, ARN: arn, X509Subject: x509Subject,
					Enabled: true, CreateDate: now}
				seeSubject(&sub, cred, props, now, failed)
				return tx.CreateRolesAnywhereSubject(sub)
			}
			if err != nil {
				return err
			}
			arn = sub.ARN
			seeSubject(&sub, cred, props, now, failed)
			return tx.UpdateRolesAnywhereSubject(sub)
		})
		if keyward.ErrorCode(err) != keyward.ErrEntityAlreadyExists {
			break
		}
	}
	if err != nil {
		u.due.Forget(key) // the next attempt tries again
		return arn, err
	}
	// The latest attempt wins: an attempt with the other outcome is
	// written at once, however recent this one.
	other := key
	other.failed = !failed
	u.due.Forget(other)
	return arn, nil
}

// seeSubject records on sub an attempt at now with cred and props, failed
// or not: the latest attempt sets each entry's seenAt and failed, and the
// subject's lastSeenAt.
func seeSubject(sub *keyward.RolesAnywhereSubject, cred keyward.SubjectCredential, props map[string]string, now time.Time, failed bool) {
	sub.LastSeenAt, sub.UpdateDate = now, now
	cred.Failed = failed
	i := slices.IndexFunc(sub.Credentials, func(c keyward.SubjectCredential) bool {
		return c.SerialNumber == cred.SerialNumber && c.Issuer == cred.Issuer
	})
	if i < 0 {
		sub.Credentials = append(sub.Credentials, cred)
	} else {
		sub.Credentials[i].SeenAt, sub.Credentials[i].Failed = now, failed
	}
	if len(sub.Credentials) > maxSubjectEntries {
		sort.SliceStable(sub.Credentials, func(a, b int) bool { return sub.Credentials[a].SeenAt.After(sub.Credentials[b].SeenAt) })
		sub.Credentials = sub.Credentials[:maxSubjectEntries]
	}
	if len(props) == 0 {
		return
	}
	j := slices.IndexFunc(sub.InstanceProperties, func(p keyward.SubjectInstanceProperty) bool {
		return maps.Equal(p.Properties, props)
	})
	if j < 0 {
		sub.InstanceProperties = append(sub.InstanceProperties, keyward.SubjectInstanceProperty{Properties: props, SeenAt: now, Failed: failed})
	} else {
		sub.InstanceProperties[j].SeenAt, sub.InstanceProperties[j].Failed = now, failed
	}
	if len(sub.InstanceProperties) > maxSubjectEntries {
		sort.SliceStable(sub.InstanceProperties, func(a, b int) bool {
			return sub.InstanceProperties[a].SeenAt.After(sub.InstanceProperties[b].SeenAt)
		})
		sub.InstanceProperties = sub.InstanceProperties[:maxSubjectEntries]
	}
}

// propertiesKey is a canonical spelling of instance properties, for
// subjectSeen's keys.
func propertiesKey(props map[string]string) string {
	if len(props) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(props)) {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(props[k])
		b.WriteByte(0)
	}
	return b.String()
}
