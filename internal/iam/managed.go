package iam

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
)

// SeedManagedPolicies makes every AWS-managed policy of the catalog exist
// in the store, under account keyward.AWSAccountID, so that attaching one,
// listing its entities and authorizing with it work as for any policy.
// The store keeps each policy with its default version only; the older
// versions are read from the catalog (see awsPolicyVersions). It is
// idempotent: policies already present with the catalog's default version
// are left alone, and one whose default version changed (a newer catalog
// on an old store) gets the new version as its default. It returns how many
// policies it added or updated.
func SeedManagedPolicies(ctx context.Context, st keyward.Store) (int, error) {
	have := map[string]keyward.ManagedPolicy{}
	err := st.View(ctx, func(tx keyward.Tx) error {
		// The account is irrelevant to Scope AWS but for the counts.
		list, _, err := tx.ListPolicies(keyward.AWSAccountID, keyward.PolicyListOptions{Scope: keyward.ScopeAWS})
		for _, p := range list {
			have[p.ARN] = p
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("seed AWS-managed policies: %w", err)
	}
	var todo []*catalog.Policy
	for _, p := range catalog.ManagedPolicies() {
		if old, ok := have[p.ARN]; !ok || old.DefaultVersionID != p.DefaultVersionID {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	err = st.Update(ctx, func(tx keyward.Tx) error {
		// Another replica starting at the same time may have seeded since
		// the View: look again inside the transaction, so that what is
		// created is decided atomically (and decided again when the store
		// runs fn again after a conflict).
		list, _, err := tx.ListPolicies(keyward.AWSAccountID, keyward.PolicyListOptions{Scope: keyward.ScopeAWS})
		if err != nil {
			return err
		}
		now := make(map[string]keyward.ManagedPolicy, len(list))
		for _, p := range list {
			now[p.ARN] = p
		}
		for _, p := range todo {
			old, ok := now[p.ARN]
			switch {
			case ok && old.DefaultVersionID == p.DefaultVersionID:
				// seeded by another replica meanwhile
			case ok:
				if err := updateManaged(tx, old, p); err != nil {
					return err
				}
			default:
				if err := createManaged(tx, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("seed AWS-managed policies: %w", err)
	}
	return len(todo), nil
}

// createManaged writes one AWS-managed policy with its default version.
// The store's CreatePolicy writes a v1; when the default is another
// version, it is added as the default (CreatePolicyVersion with IsDefault
// sets the policy's default) and the v1 removed.
func createManaged(tx keyward.Tx, p *catalog.Policy) error {
	def := p.Default()
	mp := keyward.ManagedPolicy{
		AccountID:        keyward.AWSAccountID,
		ID:               managedPolicyID(p.ARN),
		Name:             p.Name,
		Path:             p.Path,
		ARN:              p.ARN,
		DefaultVersionID: "v1",
		IsAttachable:     p.IsAttachable,
		Description:      p.Description,
		CreateDate:       p.CreateDate,
		UpdateDate:       p.UpdateDate,
	}
	if def.ID == "v1" {
		return tx.CreatePolicy(mp, def.Document())
	}
	// The v1 only stands in until the default arrives: an empty document
	// keeps the writes small.
	if err := tx.CreatePolicy(mp, "{}"); err != nil {
		return err
	}
	if _, err := tx.CreatePolicyVersion(keyward.PolicyVersion{
		PolicyARN: p.ARN, VersionID: def.ID, Document: def.Document(), IsDefault: true, CreateDate: def.CreateDate,
	}); err != nil {
		return err
	}
	return tx.DeletePolicyVersion(p.ARN, "v1")
}

// updateManaged moves a stored AWS-managed policy to the catalog's default
// version, keeping only that one.
func updateManaged(tx keyward.Tx, old keyward.ManagedPolicy, p *catalog.Policy) error {
	def := p.Default()
	versions, err := tx.ListPolicyVersions(old.ARN)
	if err != nil {
		return err
	}
	exists := false
	for _, v := range versions {
		exists = exists || v.VersionID == def.ID
	}
	if !exists {
		if _, err := tx.CreatePolicyVersion(keyward.PolicyVersion{
			PolicyARN: old.ARN, VersionID: def.ID, Document: def.Document(), IsDefault: true, CreateDate: def.CreateDate,
		}); err != nil {
			return err
		}
	}
	old.DefaultVersionID, old.UpdateDate = def.ID, p.UpdateDate
	if err := tx.UpdatePolicy(old); err != nil {
		return err
	}
	for _, v := range versions {
		if v.VersionID != def.ID {
			if err := tx.DeletePolicyVersion(old.ARN, v.VersionID); err != nil {
				return err
			}
		}
	}
	return nil
}

// managedPolicyID is an AWS-managed policy's unique ID: ANPA and 17
// characters of [A-Z2-7] drawn from the ARN, so every store and replica
// gives a policy the same ID. (AWS's real IDs are not in the catalog.)
func managedPolicyID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return PrefixPolicy + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// awsPolicyVersions returns an AWS-managed policy's versions from the
// catalog, newest first, with documents; ok is false when the catalog
// does not have the policy (the store's rows then answer).
func awsPolicyVersions(arn string) (versions []keyward.PolicyVersion, ok bool) {
	p, ok := catalog.ManagedPolicy(arn)
	if !ok {
		return nil, false
	}
	for i := len(p.Versions) - 1; i >= 0; i-- {
		v := p.Versions[i]
		versions = append(versions, keyward.PolicyVersion{
			PolicyARN:  p.ARN,
			VersionID:  v.ID,
			IsDefault:  v.ID == p.DefaultVersionID,
			CreateDate: v.CreateDate,
		})
	}
	return versions, true
}

// awsPolicyVersion returns one version of an AWS-managed policy from the
// catalog, with its document; ok is false when the catalog does not have
// the policy. A version the policy lacks is AWS's NoSuchEntity.
func awsPolicyVersion(arn, versionID string) (v keyward.PolicyVersion, ok bool, err error) {
	p, ok := catalog.ManagedPolicy(arn)
	if !ok {
		return keyward.PolicyVersion{}, false, nil
	}
	for _, cv := range p.Versions {
		if cv.ID == versionID {
			return keyward.PolicyVersion{
				PolicyARN: p.ARN, VersionID: cv.ID, Document: cv.Document(),
				IsDefault: cv.ID == p.DefaultVersionID, CreateDate: cv.CreateDate,
			}, true, nil
		}
	}
	return keyward.PolicyVersion{}, true, keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
}

// attachServiceLinkedPolicies attaches the AWS-managed policies AWS gives a
// new service-linked role (catalog.ServiceLinkedRoleFor), those the store
// holds (SeedManagedPolicies puts every one of the catalog there).
func attachServiceLinkedPolicies(tx keyward.Tx, r keyward.Role, arns []string) error {
	for _, arn := range arns {
		if _, err := tx.GetPolicy(arn); keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			continue
		} else if err != nil {
			return err
		}
		if err := tx.AttachPolicy(keyward.RoleRef(r.AccountID, r.Name), arn); err != nil {
			return err
		}
	}
	return nil
}
