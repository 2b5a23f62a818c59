package rolesanywhere

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strconv"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// Trust anchors: the CAs whose certificates CreateSession accepts.

// MaxTags is how many tags one resource may hold ("Tags per resource",
// IAM Roles Anywhere's quotas).
const MaxTags = 50

// Source is the model's Source: a trust anchor's type and CA data.
type Source struct {
	SourceType string      `json:"sourceType,omitempty"`
	SourceData *SourceData `json:"sourceData,omitempty"`
}

// SourceData is the model's SourceData union.
type SourceData struct {
	X509CertificateData string `json:"x509CertificateData,omitempty"`
	AcmPcaArn           string `json:"acmPcaArn,omitempty"`
}

// NotificationSetting is the model's NotificationSetting (in requests) and
// NotificationSettingDetail (in responses).
type NotificationSetting struct {
	Enabled      *bool  `json:"enabled"`
	Event        string `json:"event"`
	Threshold    *int   `json:"threshold,omitempty"`
	Channel      string `json:"channel,omitempty"`
	ConfiguredBy string `json:"configuredBy,omitempty"`
}

// TrustAnchorDetail is the model's TrustAnchorDetail.
type TrustAnchorDetail struct {
	TrustAnchorID        string                `json:"trustAnchorId"`
	TrustAnchorArn       string                `json:"trustAnchorArn"`
	Name                 string                `json:"name"`
	Source               Source                `json:"source"`
	Enabled              bool                  `json:"enabled"`
	CreatedAt            timestamp             `json:"createdAt"`
	UpdatedAt            timestamp             `json:"updatedAt"`
	NotificationSettings []NotificationSetting `json:"notificationSettings"`
}

// TrustAnchorDetailResponse is the output of the trust anchor actions.
type TrustAnchorDetailResponse struct {
	TrustAnchor TrustAnchorDetail `json:"trustAnchor"`
}

func trustAnchorDetail(a *keyward.TrustAnchor) TrustAnchorDetailResponse {
	d := TrustAnchorDetail{TrustAnchorID: a.ID, TrustAnchorArn: a.ARN, Name: a.Name, Enabled: a.Enabled,
		Source:    Source{SourceType: a.SourceType, SourceData: &SourceData{X509CertificateData: a.SourceData}},
		CreatedAt: timestamp(a.CreateDate), UpdatedAt: timestamp(a.UpdateDate), NotificationSettings: []NotificationSetting{}}
	for _, n := range a.NotificationSettings {
		enabled, threshold := n.Enabled, n.Threshold
		d.NotificationSettings = append(d.NotificationSettings, NotificationSetting{Enabled: &enabled, Event: n.Event,
			Threshold: &threshold, Channel: n.Channel, ConfiguredBy: n.ConfiguredBy})
	}
	return TrustAnchorDetailResponse{TrustAnchor: d}
}

// The notification events, and AWS's default settings: each enabled, 45
// days before expiry, on every channel, configured by the service.
var notificationEvents = []string{"CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY"}

const (
	defaultThreshold = 45
	servicePrincipal = "rolesanywhere.amazonaws.com"
)

func defaultNotificationSettings() []keyward.NotificationSetting {
	out := make([]keyward.NotificationSetting, len(notificationEvents))
	for i, e := range notificationEvents {
		out[i] = keyward.NotificationSetting{Event: e, Channel: "ALL", Enabled: true, Threshold: defaultThreshold, ConfiguredBy: servicePrincipal}
	}
	return out
}

// applyNotificationSettings sets the given settings over current, each
// configured by the account.
func applyNotificationSettings(current []keyward.NotificationSetting, in []NotificationSetting, account string) []keyward.NotificationSetting {
	out := append([]keyward.NotificationSetting(nil), current...)
	for _, n := range in {
		ch := n.Channel
		if ch == "" {
			ch = "ALL"
		}
		s := keyward.NotificationSetting{Event: n.Event, Channel: ch, Enabled: n.Enabled != nil && *n.Enabled, Threshold: defaultThreshold, ConfiguredBy: account}
		if n.Threshold != nil {
			s.Threshold = *n.Threshold
		}
		replaced := false
		for i := range out {
			if out[i].Event == s.Event && out[i].Channel == s.Channel {
				out[i], replaced = s, true
			}
		}
		if !replaced {
			out = append(out, s)
		}
	}
	return out
}

// checkSource checks a trust anchor's source: a CERTIFICATE_BUNDLE of one
// or more CA certificates (AWS's requirements for a CA: X.509 v3, basic
// constraints CA:true, the certificate-signing key usage, and a signature
// algorithm of SHA-256 or stronger). It returns the bundle as it is kept.
func checkSource(src Source) (string, error) {
	switch src.SourceType {
	case keyward.SourceCertificateBundle:
	case "":
		return "", errValidation("The trust anchor's source must have a sourceType: " + keyward.SourceCertificateBundle + ".")
	default:
		return "", errValidation("Trust anchors of type " + src.SourceType + " are not supported by this server: use " +
			keyward.SourceCertificateBundle + " with the CA's certificates.")
	}
	if src.SourceData == nil || src.SourceData.X509CertificateData == "" {
		return "", errValidation("A " + keyward.SourceCertificateBundle + " trust anchor needs sourceData.x509CertificateData: the CA certificates, PEM-encoded.")
	}
	if src.SourceData.AcmPcaArn != "" {
		return "", errValidation("A " + keyward.SourceCertificateBundle + " trust anchor takes x509CertificateData, not acmPcaArn.")
	}
	if _, err := parseBundle(src.SourceData.X509CertificateData); err != nil {
		return "", err
	}
	return src.SourceData.X509CertificateData, nil
}

// parseBundle reads a PEM bundle of CA certificates and checks each.
func parseBundle(data string) ([]*x509.Certificate, error) {
	rest := []byte(data)
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, errValidation("The certificate bundle holds a PEM block of type " + b.Type + ": only CERTIFICATE blocks are accepted.")
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, errValidation("Certificate " + strconv.Itoa(len(certs)+1) + " of the bundle does not parse: " + err.Error())
		}
		if err := checkCA(c); err != nil {
			return nil, errValidation("Certificate " + strconv.Itoa(len(certs)+1) + " of the bundle (" + c.Subject.String() + ") " + err.Error())
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errValidation("The certificate bundle holds no PEM-encoded certificate.")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errValidation("The certificate bundle holds text that is not a PEM block.")
	}
	return certs, nil
}

// checkCA applies AWS's requirements of a CA certificate.
func checkCA(c *x509.Certificate) error {
	switch {
	case c.Version != 3:
		return errString("is not an X.509 v3 certificate")
	case !c.BasicConstraintsValid || !c.IsCA:
		return errString("is not a CA: its basic constraints must say CA:true")
	case c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0:
		return errString("may not sign certificates: its key usage lacks keyCertSign")
	case weakSignature(c.SignatureAlgorithm):
		return errString("is signed with " + c.SignatureAlgorithm.String() + ": SHA-256 or stronger is required")
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

func weakSignature(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

// trustAnchorTarget is a trust anchor a request names by ID, as stored:
// found only in the caller's account.
type trustAnchorTarget struct {
	found bool
	arn   string
	a     keyward.TrustAnchor
	tags  []keyward.Tag
}

func (o *op) findTrustAnchor(id string) (*trustAnchorTarget, error) {
	t := &trustAnchorTarget{arn: o.arn("trust-anchor", id)}
	a, err := o.tx.GetTrustAnchor(id)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity || (err == nil && a.AccountID != o.c.AccountID) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	t.found, t.a, t.arn = true, a, a.ARN
	if t.tags, err = o.tx.ListTags(keyward.TrustAnchorRef(a.ARN)); err != nil {
		return nil, err
	}
	return t, nil
}

// trustAnchor finds the trust anchor id and authorizes action on it: the
// common first step of the actions on one trust anchor.
func (o *op) trustAnchor(action, id string) (*trustAnchorTarget, error) {
	t, err := o.findTrustAnchor(id)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, t.arn, resourceTags(nil, t.tags)); err != nil {
		return nil, err
	}
	if !t.found {
		return nil, notFound("trust anchor", id)
	}
	return t, nil
}

func notFound(what, id string) error {
	return keyward.Errorf(ErrResourceNotFound, "The %s %s was not found.", what, id)
}

// checkTags applies the tag quota and refuses keys given twice.
func checkTags(existing, adding []keyward.Tag) error {
	seen := map[string]bool{}
	for _, t := range adding {
		if seen[t.Key] {
			return errValidation("Duplicate tag key " + t.Key + ".")
		}
		seen[t.Key] = true
	}
	n := len(adding)
	for _, t := range existing {
		if !seen[t.Key] {
			n++
		}
	}
	if n > MaxTags {
		return keyward.Errorf(ErrTooManyTags, "A resource can have at most %d tags.", MaxTags)
	}
	return nil
}

// CreateTrustAnchorInput is the model's CreateTrustAnchorRequest.
type CreateTrustAnchorInput struct {
	Name                 string                `json:"name"`
	Source               Source                `json:"source"`
	Enabled              *bool                 `json:"enabled"`
	Tags                 []tag                 `json:"tags"`
	NotificationSettings []NotificationSetting `json:"notificationSettings"`
}

// CreateTrustAnchor creates a trust anchor from a bundle of CA
// certificates. It needs rolesanywhere:CreateTrustAnchor (on "*", with
// the tags as aws:RequestTag/KEY and aws:TagKeys). The anchor is disabled
// unless enabled is true, and carries AWS's default notification settings
// unless others are given.
func (s *Service) CreateTrustAnchor(ctx context.Context, r *Request, in *CreateTrustAnchorInput) (*TrustAnchorDetailResponse, error) {
	tags := toTags(in.Tags)
	now := s.now().UTC()
	var out TrustAnchorDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		if err := o.authorize("rolesanywhere:CreateTrustAnchor", "*", authz.RequestTags(nil, tags)); err != nil {
			return err
		}
		data, err := checkSource(in.Source)
		if err != nil {
			return err
		}
		if err := checkTags(nil, tags); err != nil {
			return err
		}
		id := keyward.NewUUID()
		a := keyward.TrustAnchor{AccountID: o.c.AccountID, ID: id, ARN: o.arn("trust-anchor", id), Name: in.Name,
			SourceType: in.Source.SourceType, SourceData: data, Enabled: in.Enabled != nil && *in.Enabled,
			NotificationSettings: applyNotificationSettings(defaultNotificationSettings(), in.NotificationSettings, o.c.AccountID),
			CreateDate:           now, UpdateDate: now}
		if err := o.tx.CreateTrustAnchor(a); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := o.tx.TagEntity(keyward.TrustAnchorRef(a.ARN), tags); err != nil {
				return err
			}
		}
		out = trustAnchorDetail(&a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ScalarTrustAnchorInput is the model's ScalarTrustAnchorRequest.
type ScalarTrustAnchorInput struct {
	TrustAnchorID string `json:"trustAnchorId"`
}

// GetTrustAnchor returns a trust anchor. It needs
// rolesanywhere:GetTrustAnchor on it.
func (s *Service) GetTrustAnchor(ctx context.Context, r *Request, in *ScalarTrustAnchorInput) (*TrustAnchorDetailResponse, error) {
	var out TrustAnchorDetailResponse
	err := s.view(ctx, r, func(o *op) error {
		t, err := o.trustAnchor("rolesanywhere:GetTrustAnchor", in.TrustAnchorID)
		if err != nil {
			return err
		}
		out = trustAnchorDetail(&t.a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// changeTrustAnchor runs the actions that change one trust anchor: find,
// authorize action, change (when change is not nil) and write.
func (s *Service) changeTrustAnchor(ctx context.Context, r *Request, action, id string, change func(o *op, a *keyward.TrustAnchor) error) (*TrustAnchorDetailResponse, error) {
	var out TrustAnchorDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		t, err := o.trustAnchor(action, id)
		if err != nil {
			return err
		}
		a := t.a
		if err := change(o, &a); err != nil {
			return err
		}
		a.UpdateDate = s.now().UTC()
		if err := o.tx.UpdateTrustAnchor(a); err != nil {
			return err
		}
		out = trustAnchorDetail(&a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateTrustAnchorInput is the model's UpdateTrustAnchorRequest.
type UpdateTrustAnchorInput struct {
	TrustAnchorID string  `json:"trustAnchorId"`
	Name          *string `json:"name"`
	Source        *Source `json:"source"`
}

// UpdateTrustAnchor changes a trust anchor's name and source. It needs
// rolesanywhere:UpdateTrustAnchor on it.
func (s *Service) UpdateTrustAnchor(ctx context.Context, r *Request, in *UpdateTrustAnchorInput) (*TrustAnchorDetailResponse, error) {
	return s.changeTrustAnchor(ctx, r, "rolesanywhere:UpdateTrustAnchor", in.TrustAnchorID, func(o *op, a *keyward.TrustAnchor) error {
		if in.Name != nil {
			a.Name = *in.Name
		}
		if in.Source != nil {
			data, err := checkSource(*in.Source)
			if err != nil {
				return err
			}
			a.SourceType, a.SourceData = in.Source.SourceType, data
		}
		return nil
	})
}

// EnableTrustAnchor enables a trust anchor. It needs
// rolesanywhere:EnableTrustAnchor on it.
func (s *Service) EnableTrustAnchor(ctx context.Context, r *Request, in *ScalarTrustAnchorInput) (*TrustAnchorDetailResponse, error) {
	return s.changeTrustAnchor(ctx, r, "rolesanywhere:EnableTrustAnchor", in.TrustAnchorID, func(o *op, a *keyward.TrustAnchor) error {
		a.Enabled = true
		return nil
	})
}

// DisableTrustAnchor disables a trust anchor: CreateSession refuses its
// certificates from then on. It needs rolesanywhere:DisableTrustAnchor.
func (s *Service) DisableTrustAnchor(ctx context.Context, r *Request, in *ScalarTrustAnchorInput) (*TrustAnchorDetailResponse, error) {
	return s.changeTrustAnchor(ctx, r, "rolesanywhere:DisableTrustAnchor", in.TrustAnchorID, func(o *op, a *keyward.TrustAnchor) error {
		a.Enabled = false
		return nil
	})
}

// PutNotificationSettingsInput is the model's PutNotificationSettingsRequest.
type PutNotificationSettingsInput struct {
	TrustAnchorID        string                `json:"trustAnchorId"`
	NotificationSettings []NotificationSetting `json:"notificationSettings"`
}

// PutNotificationSettings sets notification settings of a trust anchor
// (kept and shown; Keyward sends no notification). It needs
// rolesanywhere:PutNotificationSettings on it.
func (s *Service) PutNotificationSettings(ctx context.Context, r *Request, in *PutNotificationSettingsInput) (*TrustAnchorDetailResponse, error) {
	return s.changeTrustAnchor(ctx, r, "rolesanywhere:PutNotificationSettings", in.TrustAnchorID, func(o *op, a *keyward.TrustAnchor) error {
		a.NotificationSettings = applyNotificationSettings(a.NotificationSettings, in.NotificationSettings, o.c.AccountID)
		return nil
	})
}

// ResetNotificationSettingsInput is the model's ResetNotificationSettingsRequest.
type ResetNotificationSettingsInput struct {
	TrustAnchorID           string `json:"trustAnchorId"`
	NotificationSettingKeys []struct {
		Event   string `json:"event"`
		Channel string `json:"channel"`
	} `json:"notificationSettingKeys"`
}

// ResetNotificationSettings puts AWS's defaults back for the settings
// named. It needs rolesanywhere:ResetNotificationSettings on the anchor.
func (s *Service) ResetNotificationSettings(ctx context.Context, r *Request, in *ResetNotificationSettingsInput) (*TrustAnchorDetailResponse, error) {
	return s.changeTrustAnchor(ctx, r, "rolesanywhere:ResetNotificationSettings", in.TrustAnchorID, func(o *op, a *keyward.TrustAnchor) error {
		defaults := defaultNotificationSettings()
		for _, k := range in.NotificationSettingKeys {
			ch := k.Channel
			if ch == "" {
				ch = "ALL"
			}
			for i := range a.NotificationSettings {
				n := &a.NotificationSettings[i]
				if n.Event != k.Event || n.Channel != ch {
					continue
				}
				for _, d := range defaults {
					if d.Event == k.Event {
						*n = d
						n.Channel = ch
					}
				}
			}
		}
		return nil
	})
}

// DeleteTrustAnchor deletes a trust anchor and its tags (its CRLs stay,
// and answer for no certificate until an anchor of that ARN exists). It
// needs rolesanywhere:DeleteTrustAnchor on it, and returns it as it was.
func (s *Service) DeleteTrustAnchor(ctx context.Context, r *Request, in *ScalarTrustAnchorInput) (*TrustAnchorDetailResponse, error) {
	var out TrustAnchorDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		t, err := o.trustAnchor("rolesanywhere:DeleteTrustAnchor", in.TrustAnchorID)
		if err != nil {
			return err
		}
		if err := o.tx.DeleteTrustAnchor(t.a.ID); err != nil {
			return err
		}
		out = trustAnchorDetail(&t.a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListInput is the model's ListRequest.
type ListInput struct {
	NextToken string `json:"nextToken"`
	PageSize  *int   `json:"pageSize"`
}

// DefaultPageSize is a list's page size when the request gives none.
const DefaultPageSize = 50

func (in *ListInput) options() keyward.ListOptions {
	n := DefaultPageSize
	if in.PageSize != nil && *in.PageSize > 0 {
		n = *in.PageSize
	}
	return keyward.ListOptions{Marker: in.NextToken, MaxItems: n}
}

// badToken words the store's refusal of a marker as this API's.
func badToken(err error) error {
	if keyward.ErrorCode(err) == keyward.ErrInvalidInput {
		return errValidation("Invalid nextToken.")
	}
	return err
}

// ListTrustAnchorsOutput is the model's ListTrustAnchorsResponse.
type ListTrustAnchorsOutput struct {
	NextToken    string              `json:"nextToken,omitempty"`
	TrustAnchors []TrustAnchorDetail `json:"trustAnchors"`
}

// ListTrustAnchors lists the account's trust anchors by name. It needs
// rolesanywhere:ListTrustAnchors.
func (s *Service) ListTrustAnchors(ctx context.Context, r *Request, in *ListInput) (*ListTrustAnchorsOutput, error) {
	out := &ListTrustAnchorsOutput{TrustAnchors: []TrustAnchorDetail{}}
	err := s.view(ctx, r, func(o *op) error {
		if err := o.authorize("rolesanywhere:ListTrustAnchors", "*", nil); err != nil {
			return err
		}
		anchors, next, err := o.tx.ListTrustAnchors(o.c.AccountID, in.options())
		if err != nil {
			return badToken(err)
		}
		out.TrustAnchors, out.NextToken = out.TrustAnchors[:0], next
		for i := range anchors {
			out.TrustAnchors = append(out.TrustAnchors, trustAnchorDetail(&anchors[i]).TrustAnchor)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
