package sts

import (
	"context"

	"github.com/keyward/keyward"
)

// Service implements STS's actions.
type Service struct{}

// GetCallerIdentityInput has no fields.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput is AWS's GetCallerIdentityResult.
type GetCallerIdentityOutput struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// GetCallerIdentity returns who signed the request. AWS allows it always: no
// policy can deny it.
func (s *Service) GetCallerIdentity(ctx context.Context, c *keyward.Caller, in *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	return &GetCallerIdentityOutput{UserID: c.UserID, Account: c.AccountID, Arn: c.ARN}, nil
}
