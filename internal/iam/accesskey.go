package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
)

// keyOwner finds the user the UserName member of an access key action names
// (the caller without it; root's keys have UserName "") and authorizes
// action on it. It returns the user's name as stored.
func (o *op) keyOwner(action string, userName *string) (string, error) {
	name := ""
	if userName != nil {
		name = *userName
	} else {
		n, root, err := callerUser(o.c)
		if err != nil {
			return "", err
		}
		if root {
			return "", o.authorize(action, arn.RootARN(o.c.AccountID), nil)
		}
		name = n
	}
	u, err := o.target(action, keyward.KindUser, name, nil)
	if err != nil {
		return "", err
	}
	return u.name, nil
}

// AccessKey is AWS's AccessKey shape: a new key with its secret.
type AccessKey struct {
	UserName        string `xml:"UserName,omitempty"` // empty for root's keys
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	CreateDate      Time   `xml:"CreateDate"`
}

// AccessKeyMetadata is AWS's AccessKeyMetadata shape.
type AccessKeyMetadata struct {
	UserName    string `xml:"UserName,omitempty"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  Time   `xml:"CreateDate"`
}

// CreateAccessKeyInput is CreateAccessKey's request.
type CreateAccessKeyInput struct {
	UserName *string `query:"UserName"`
}

// CreateAccessKeyOutput is CreateAccessKey's result.
type CreateAccessKeyOutput struct {
	AccessKey AccessKey `xml:"AccessKey"`
}

// CreateAccessKey creates an active access key for a user (the caller
// without UserName; root creates root keys). Its secret is shown here once
// and stored only sealed by Service.Encrypt. A user has at most 2 keys.
func (s *Service) CreateAccessKey(ctx context.Context, c *keyward.Caller, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
	if s.Encrypt == nil {
		return nil, errors.New("iam: Service.Encrypt is nil")
	}
	ids := s.ids()
	k := keyward.AccessKey{
		AccountID:   c.AccountID,
		AccessKeyID: ids.ID(PrefixAccessKey),
		Status:      keyward.StatusActive,
		CreateDate:  s.now(),
	}
	secret := ids.Secret()
	var err error
	if k.SecretCiphertext, err = s.Encrypt(k.AccessKeyID, []byte(secret)); err != nil {
		return nil, err
	}
	err = s.update(ctx, c, false, func(o *op) error {
		name, err := o.keyOwner("iam:CreateAccessKey", in.UserName)
		if err != nil {
			return err
		}
		k.UserName = name
		keys, err := o.ListAccessKeys(c.AccountID, k.UserName)
		if err != nil {
			return err
		}
		if len(keys) >= maxAccessKeysPerUser {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeysPerUser)
		}
		return said(o.CreateAccessKey(k), kindAccessKey, k.AccessKeyID)
	})
	if err != nil {
		return nil, err
	}
	return &CreateAccessKeyOutput{AccessKey: AccessKey{
		UserName:        k.UserName,
		AccessKeyID:     k.AccessKeyID,
		Status:          string(k.Status),
		SecretAccessKey: secret,
		CreateDate:      Time(k.CreateDate),
	}}, nil
}

// ownedKey returns the key with that ID when it belongs to the user (""
// for root) in the caller's account; otherwise AWS's NoSuchEntity.
func ownedKey(tx keyward.Tx, accountID, userName, keyID string) (keyward.AccessKey, error) {
	k, err := tx.GetAccessKey(keyID)
	if err == nil && (k.AccountID != accountID || !strings.EqualFold(k.UserName, userName)) {
		return k, notFound(kindAccessKey, keyID)
	}
	return k, said(err, kindAccessKey, keyID)
}

// UpdateAccessKeyInput is UpdateAccessKey's request.
type UpdateAccessKeyInput struct {
	UserName    *string `query:"UserName"`
	AccessKeyID string  `query:"AccessKeyId,required"`
	Status      string  `query:"Status,required"`
}

// UpdateAccessKey makes a key Active or Inactive.
func (s *Service) UpdateAccessKey(ctx context.Context, c *keyward.Caller, in *UpdateAccessKeyInput) (*struct{}, error) {
	if in.Status == "Expired" {
		return nil, keyward.Errorf(keyward.ErrInvalidInput, "Status Expired is not valid for access keys; use Active or Inactive.")
	}
	err := s.update(ctx, c, true, func(o *op) error {
		name, err := o.keyOwner("iam:UpdateAccessKey", in.UserName)
		if err != nil {
			return err
		}
		if _, err := ownedKey(o.Tx, c.AccountID, name, in.AccessKeyID); err != nil {
			return err
		}
		return o.SetAccessKeyStatus(in.AccessKeyID, keyward.AccessKeyStatus(in.Status))
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteAccessKeyInput is DeleteAccessKey's request.
type DeleteAccessKeyInput struct {
	UserName    *string `query:"UserName"`
	AccessKeyID string  `query:"AccessKeyId,required"`
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, c *keyward.Caller, in *DeleteAccessKeyInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		name, err := o.keyOwner("iam:DeleteAccessKey", in.UserName)
		if err != nil {
			return err
		}
		if _, err := ownedKey(o.Tx, c.AccountID, name, in.AccessKeyID); err != nil {
			return err
		}
		return o.DeleteAccessKey(in.AccessKeyID)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListAccessKeysInput is ListAccessKeys' request.
type ListAccessKeysInput struct {
	UserName *string `query:"UserName"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListAccessKeysOutput is ListAccessKeys' result.
type ListAccessKeysOutput struct {
	AccessKeyMetadata Members[AccessKeyMetadata] `xml:"AccessKeyMetadata"`
	IsTruncated       bool                       `xml:"IsTruncated"`
	Marker            string                     `xml:"Marker,omitempty"`
}

// ListAccessKeys lists a user's keys (the caller's without UserName),
// oldest first, without secrets.
func (s *Service) ListAccessKeys(ctx context.Context, c *keyward.Caller, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	var keys []keyward.AccessKey
	err := s.view(ctx, c, func(o *op) error {
		name, err := o.keyOwner("iam:ListAccessKeys", in.UserName)
		if err != nil {
			return err
		}
		keys, err = o.ListAccessKeys(c.AccountID, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListAccessKeysOutput{AccessKeyMetadata: make(Members[AccessKeyMetadata], len(page)), IsTruncated: next != "", Marker: next}
	for i, k := range page {
		out.AccessKeyMetadata[i] = AccessKeyMetadata{
			UserName:    k.UserName,
			AccessKeyID: k.AccessKeyID,
			Status:      string(k.Status),
			CreateDate:  Time(k.CreateDate),
		}
	}
	return out, nil
}

// GetAccessKeyLastUsedInput is GetAccessKeyLastUsed's request.
type GetAccessKeyLastUsedInput struct {
	AccessKeyID string `query:"AccessKeyId,required"`
}

// AccessKeyLastUsed is AWS's AccessKeyLastUsed shape. A key never used
// reports ServiceName and Region "N/A" and no date, as on AWS.
type AccessKeyLastUsed struct {
	LastUsedDate Time   `xml:"LastUsedDate"`
	ServiceName  string `xml:"ServiceName"`
	Region       string `xml:"Region"`
}

// GetAccessKeyLastUsedOutput is GetAccessKeyLastUsed's result.
type GetAccessKeyLastUsedOutput struct {
	UserName          string            `xml:"UserName,omitempty"`
	AccessKeyLastUsed AccessKeyLastUsed `xml:"AccessKeyLastUsed"`
}

// GetAccessKeyLastUsed reports when, where and for which service a key was
// last used. It is authorized on the key's owner.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, c *keyward.Caller, in *GetAccessKeyLastUsedInput) (*GetAccessKeyLastUsedOutput, error) {
	var k keyward.AccessKey
	err := s.view(ctx, c, func(o *op) error {
		var err error
		if k, err = o.GetAccessKey(in.AccessKeyID); err != nil {
			return said(err, kindAccessKey, in.AccessKeyID)
		}
		if k.AccountID != c.AccountID {
			return notFound(kindAccessKey, in.AccessKeyID)
		}
		if k.UserName == "" {
			return o.authorize("iam:GetAccessKeyLastUsed", arn.RootARN(c.AccountID), nil)
		}
		_, err = o.target("iam:GetAccessKeyLastUsed", keyward.KindUser, k.UserName, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &GetAccessKeyLastUsedOutput{UserName: k.UserName}
	if k.UserName == "" {
		out.UserName = "root"
	}
	if k.LastUsedDate.IsZero() {
		out.AccessKeyLastUsed = AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	} else {
		out.AccessKeyLastUsed = AccessKeyLastUsed{
			LastUsedDate: Time(k.LastUsedDate),
			ServiceName:  orNA(k.LastUsedService),
			Region:       orNA(k.LastUsedRegion),
		}
	}
	return out, nil
}

func orNA(s string) string {
	if s == "" {
		return "N/A"
	}
	return s
}
