package rolesanywhere

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// Certificate revocation lists, imported for a trust anchor: CreateSession
// refuses a certificate an enabled CRL of its trust anchor lists.

// CrlDetail is the model's CrlDetail.
type CrlDetail struct {
	CrlID          string    `json:"crlId"`
	CrlArn         string    `json:"crlArn"`
	Name           string    `json:"name"`
	Enabled        bool      `json:"enabled"`
	CrlData        []byte    `json:"crlData"`
	TrustAnchorArn string    `json:"trustAnchorArn"`
	CreatedAt      timestamp `json:"createdAt"`
	UpdatedAt      timestamp `json:"updatedAt"`
}

// CrlDetailResponse is the output of the CRL actions.
type CrlDetailResponse struct {
	Crl CrlDetail `json:"crl"`
}

func crlDetail(c *keyward.CRL) CrlDetailResponse {
	return CrlDetailResponse{Crl: CrlDetail{CrlID: c.ID, CrlArn: c.ARN, Name: c.Name, Enabled: c.Enabled, CrlData: c.Data,
		TrustAnchorArn: c.TrustAnchorARN, CreatedAt: timestamp(c.CreateDate), UpdatedAt: timestamp(c.UpdateDate)}}
}

// parseCRL reads a CRL, PEM (as AWS asks) or DER, and returns its DER.
func parseCRL(data []byte) ([]byte, error) {
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "X509 CRL" {
			return nil, errValidation("The CRL data holds a PEM block of type " + b.Type + ", not X509 CRL.")
		}
		der = b.Bytes
	} else if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----")) {
		return nil, errValidation("The CRL data is not a PEM-encoded X509 CRL.")
	}
	if _, err := x509.ParseRevocationList(der); err != nil {
		return nil, errValidation("The CRL data is not an X.509 certificate revocation list: " + err.Error())
	}
	return der, nil
}

type crlTarget struct {
	found bool
	arn   string
	c     keyward.CRL
	tags  []keyward.Tag
}

func (o *op) findCRL(id string) (*crlTarget, error) {
	t := &crlTarget{arn: o.arn("crl", id)}
	c, err := o.tx.GetCRL(id)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity || (err == nil && c.AccountID != o.c.AccountID) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	t.found, t.c, t.arn = true, c, c.ARN
	if t.tags, err = o.tx.ListTags(keyward.CRLRef(c.ARN)); err != nil {
		return nil, err
	}
	return t, nil
}

func (o *op) crl(action, id string) (*crlTarget, error) {
	t, err := o.findCRL(id)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, t.arn, resourceTags(nil, t.tags)); err != nil {
		return nil, err
	}
	if !t.found {
		return nil, notFound("CRL", id)
	}
	return t, nil
}

// ImportCrlInput is the model's ImportCrlRequest.
type ImportCrlInput struct {
	Name           string `json:"name"`
	CrlData        []byte `json:"crlData"`
	Enabled        *bool  `json:"enabled"`
	Tags           []tag  `json:"tags"`
	TrustAnchorArn string `json:"trustAnchorArn"`
}

// ImportCrl imports a CRL for a trust anchor of the account. It needs
// rolesanywhere:ImportCrl (on "*", with the tags). The CRL is disabled
// unless enabled is true. Its signature is checked when it is used,
// against the issuer of the certificate it may revoke.
func (s *Service) ImportCrl(ctx context.Context, r *Request, in *ImportCrlInput) (*CrlDetailResponse, error) {
	tags := toTags(in.Tags)
	now := s.now().UTC()
	var out CrlDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		if err := o.authorize("rolesanywhere:ImportCrl", "*", authz.RequestTags(nil, tags)); err != nil {
			return err
		}
		der, err := parseCRL(in.CrlData)
		if err != nil {
			return err
		}
		_, account, kind, taID, ok := parseARN(in.TrustAnchorArn)
		if !ok || kind != "trust-anchor" || account != o.c.AccountID {
			return notFound("trust anchor", in.TrustAnchorArn)
		}
		ta, err := o.findTrustAnchor(taID)
		if err != nil {
			return err
		}
		if !ta.found || ta.arn != in.TrustAnchorArn {
			return notFound("trust anchor", in.TrustAnchorArn)
		}
		if err := checkTags(nil, tags); err != nil {
			return err
		}
		id := keyward.NewUUID()
		c := keyward.CRL{AccountID: o.c.AccountID, ID: id, ARN: o.arn("crl", id), Name: in.Name, TrustAnchorARN: ta.arn,
			Data: der, Enabled: in.Enabled != nil && *in.Enabled, CreateDate: now, UpdateDate: now}
		if err := o.tx.CreateCRL(c); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := o.tx.TagEntity(keyward.CRLRef(c.ARN), tags); err != nil {
				return err
			}
		}
		out = crlDetail(&c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ScalarCrlInput is the model's ScalarCrlRequest.
type ScalarCrlInput struct {
	CrlID string `json:"crlId"`
}

// GetCrl returns a CRL. It needs rolesanywhere:GetCrl on it.
func (s *Service) GetCrl(ctx context.Context, r *Request, in *ScalarCrlInput) (*CrlDetailResponse, error) {
	var out CrlDetailResponse
	err := s.view(ctx, r, func(o *op) error {
		t, err := o.crl("rolesanywhere:GetCrl", in.CrlID)
		if err != nil {
			return err
		}
		out = crlDetail(&t.c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) changeCRL(ctx context.Context, r *Request, action, id string, change func(c *keyward.CRL) error) (*CrlDetailResponse, error) {
	var out CrlDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		t, err := o.crl(action, id)
		if err != nil {
			return err
		}
		c := t.c
		if err := change(&c); err != nil {
			return err
		}
		c.UpdateDate = s.now().UTC()
		if err := o.tx.UpdateCRL(c); err != nil {
			return err
		}
		out = crlDetail(&c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateCrlInput is the model's UpdateCrlRequest.
type UpdateCrlInput struct {
	CrlID   string  `json:"crlId"`
	Name    *string `json:"name"`
	CrlData []byte  `json:"crlData"`
}

// UpdateCrl changes a CRL's name or data. It needs rolesanywhere:UpdateCrl.
func (s *Service) UpdateCrl(ctx context.Context, r *Request, in *UpdateCrlInput) (*CrlDetailResponse, error) {
	return s.changeCRL(ctx, r, "rolesanywhere:UpdateCrl", in.CrlID, func(c *keyward.CRL) error {
		if in.CrlData != nil {
			der, err := parseCRL(in.CrlData)
			if err != nil {
				return err
			}
			c.Data = der
		}
		if in.Name != nil {
			c.Name = *in.Name
		}
		return nil
	})
}

// EnableCrl enables a CRL. It needs rolesanywhere:EnableCrl.
func (s *Service) EnableCrl(ctx context.Context, r *Request, in *ScalarCrlInput) (*CrlDetailResponse, error) {
	return s.changeCRL(ctx, r, "rolesanywhere:EnableCrl", in.CrlID, func(c *keyward.CRL) error {
		c.Enabled = true
		return nil
	})
}

// DisableCrl disables a CRL. It needs rolesanywhere:DisableCrl.
func (s *Service) DisableCrl(ctx context.Context, r *Request, in *ScalarCrlInput) (*CrlDetailResponse, error) {
	return s.changeCRL(ctx, r, "rolesanywhere:DisableCrl", in.CrlID, func(c *keyward.CRL) error {
		c.Enabled = false
		return nil
	})
}

// DeleteCrl deletes a CRL and its tags, and returns it as it was. It needs
// rolesanywhere:DeleteCrl.
func (s *Service) DeleteCrl(ctx context.Context, r *Request, in *ScalarCrlInput) (*CrlDetailResponse, error) {
	var out CrlDetailResponse
	err := s.update(ctx, r, func(o *op) error {
		t, err := o.crl("rolesanywhere:DeleteCrl", in.CrlID)
		if err != nil {
			return err
		}
		if err := o.tx.DeleteCRL(t.c.ID); err != nil {
			return err
		}
		out = crlDetail(&t.c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListCrlsOutput is the model's ListCrlsResponse.
type ListCrlsOutput struct {
	NextToken string      `json:"nextToken,omitempty"`
	Crls      []CrlDetail `json:"crls"`
}

// ListCrls lists the account's CRLs by name. It needs
// rolesanywhere:ListCrls.
func (s *Service) ListCrls(ctx context.Context, r *Request, in *ListInput) (*ListCrlsOutput, error) {
	out := &ListCrlsOutput{Crls: []CrlDetail{}}
	err := s.view(ctx, r, func(o *op) error {
		if err := o.authorize("rolesanywhere:ListCrls", "*", nil); err != nil {
			return err
		}
		crls, next, err := o.tx.ListCRLs(o.c.AccountID, in.options())
		if err != nil {
			return badToken(err)
		}
		out.Crls, out.NextToken = out.Crls[:0], next
		for i := range crls {
			out.Crls = append(out.Crls, crlDetail(&crls[i]).Crl)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
