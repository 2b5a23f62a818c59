package iam

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/outbound"
)

func TestService_ServerCertificates(t *testing.T) {
	s, root := newService(t)
	withSecrets(t, s)
	ctx := context.Background()
	cert, key := testCertificate(t, "www.example.com", testClock.Add(-time.Hour), testClock.Add(90*24*time.Hour))
	chain, _ := testCertificate(t, "ca.example.com", testClock.Add(-time.Hour), testClock.Add(365*24*time.Hour))
	_, otherKey := testCertificate(t, "other", testClock.Add(-time.Hour), testClock.Add(time.Hour))
	expired, expiredKey := testCertificate(t, "old", testClock.Add(-2*time.Hour), testClock.Add(-time.Hour))
	for _, tt := range []struct {
		name, body, key, chain, code string
	}{
		{"mismatched key", cert, otherKey, "", keyward.ErrKeyPairMismatch},
		{"expired", expired, expiredKey, "", keyward.ErrMalformedCertificate},
		{"bad chain", cert, key, "not a chain", keyward.ErrMalformedCertificate},
		{"bad key", cert, "not a key", "", keyward.ErrMalformedCertificate},
	} {
		_, err := s.UploadServerCertificate(ctx, root, &UploadServerCertificateInput{ServerCertificateName: "www", CertificateBody: tt.body, PrivateKey: tt.key, CertificateChain: &tt.chain})
		wantCode(t, "UploadServerCertificate("+tt.name+")", err, tt.code)
	}
	out, err := s.UploadServerCertificate(ctx, root, &UploadServerCertificateInput{Path: ptr("/cloudfront/"), ServerCertificateName: "www",
		CertificateBody: cert, PrivateKey: key, CertificateChain: &chain, Tags: []keyward.Tag{{Key: "env", Value: "prod"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := out.ServerCertificateMetadata
	if m.ARN != "arn:aws:iam::111122223333:server-certificate/cloudfront/www" || !strings.HasPrefix(m.ServerCertificateID, "ASCA") ||
		time.Time(m.Expiration) != testClock.Add(90*24*time.Hour).Truncate(time.Second) || len(out.Tags) != 1 {
		t.Errorf("UploadServerCertificate = %+v", out)
	}
	_, err = s.UploadServerCertificate(ctx, root, &UploadServerCertificateInput{ServerCertificateName: "WWW", CertificateBody: cert, PrivateKey: key})
	wantCode(t, "UploadServerCertificate(same name)", err, keyward.ErrEntityAlreadyExists)
	got, err := s.GetServerCertificate(ctx, root, &GetServerCertificateInput{ServerCertificateName: "www"})
	if err != nil || got.ServerCertificate.CertificateBody != strings.TrimSpace(cert) || got.ServerCertificate.CertificateChain != strings.TrimSpace(chain) {
		t.Fatalf("GetServerCertificate = %+v, %v", got, err)
	}
	if xml := marshal(t, "GetServerCertificate", got); strings.Contains(xml, "PRIVATE KEY") {
		t.Errorf("GetServerCertificate shows the private key: %s", xml)
	}
	s.Store.View(ctx, func(tx keyward.Tx) error {
		c, err := tx.GetServerCertificate(testAccount, "www")
		if err != nil || strings.Contains(string(c.PrivateKeyCiphertext), "PRIVATE KEY") {
			t.Errorf("stored certificate %+v, %v: the key must be sealed", c, err)
		}
		return nil
	})
	if _, err := s.UpdateServerCertificate(ctx, root, &UpdateServerCertificateInput{ServerCertificateName: "www", NewPath: ptr("/"), NewServerCertificateName: ptr("web")}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListServerCertificates(ctx, root, &ListServerCertificatesInput{})
	if err != nil || len(list.ServerCertificateMetadataList) != 1 || list.ServerCertificateMetadataList[0].ARN != "arn:aws:iam::111122223333:server-certificate/web" {
		t.Errorf("ListServerCertificates = %+v, %v", list, err)
	}
	tags, err := s.ListServerCertificateTags(ctx, root, &ListServerCertificateTagsInput{ServerCertificateName: "web"})
	if err != nil || len(tags.Tags) != 1 {
		t.Errorf("ListServerCertificateTags = %+v, %v", tags, err)
	}
	sum, err := s.GetAccountSummary(ctx, root, &GetAccountSummaryInput{})
	if n, _ := sum.Get("ServerCertificates"); err != nil || n != 1 {
		t.Errorf("GetAccountSummary ServerCertificates = %d, %v; want 1", n, err)
	}
	if _, err := s.SetSecurityTokenServicePreferences(ctx, root, &SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v2Token"}); err != nil {
		t.Fatal(err)
	}
	sum, _ = s.GetAccountSummary(ctx, root, &GetAccountSummaryInput{})
	if v, _ := sum.Get("GlobalEndpointTokenVersion"); v != 2 {
		t.Errorf("GlobalEndpointTokenVersion = %d after v2Token, want 2", v)
	}
	if _, err := s.DeleteServerCertificate(ctx, root, &DeleteServerCertificateInput{ServerCertificateName: "web"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetServerCertificate(ctx, root, &GetServerCertificateInput{ServerCertificateName: "web"})
	wantError(t, "GetServerCertificate(deleted)", err, keyward.ErrNoSuchEntity, "The Server Certificate with name web cannot be found.")
}

func TestService_OutboundWebIdentityFederation(t *testing.T) {
	s, root := newService(t)
	withSecrets(t, s)
	s.Outbound = outbound.NewIssuers("https://kw.example")
	ctx := context.Background()
	_, err := s.GetOutboundWebIdentityFederationInfo(ctx, root, &GetOutboundWebIdentityFederationInfoInput{})
	wantCode(t, "GetOutboundWebIdentityFederationInfo(never enabled)", err, keyward.ErrFeatureDisabled)
	_, err = s.DisableOutboundWebIdentityFederation(ctx, root, &DisableOutboundWebIdentityFederationInput{})
	wantCode(t, "DisableOutboundWebIdentityFederation(not enabled)", err, keyward.ErrFeatureDisabled)
	on, err := s.EnableOutboundWebIdentityFederation(ctx, root, &EnableOutboundWebIdentityFederationInput{})
	// Clients are told Keyward's form; the store keeps AWS's, of the same UUID.
	uuid, ok := strings.CutPrefix(on.IssuerIdentifier, "https://kw.example/keyward/outbound/")
	if err != nil || !ok || !outbound.ValidUUID(uuid) {
		t.Fatalf("EnableOutboundWebIdentityFederation = %+v, %v; want https://kw.example/keyward/outbound/UUID", on, err)
	}
	keysOf := func() []keyward.OutboundKey {
		var keys []keyward.OutboundKey
		err := s.Store.View(ctx, func(tx keyward.Tx) error {
			a, err := tx.GetAccount(root.AccountID)
			if err != nil {
				return err
			}
			if a.OutboundIssuer != outbound.StoredIssuer(uuid) {
				t.Errorf("stored issuer = %q, want %q", a.OutboundIssuer, outbound.StoredIssuer(uuid))
			}
			keys, err = tx.ListOutboundKeys(root.AccountID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	made := keysOf()
	var algs []string
	for _, k := range made {
		algs = append(algs, k.Algorithm)
	}
	slices.Sort(algs)
	if !slices.Equal(algs, []string{outbound.ES384, outbound.RS256}) {
		t.Fatalf("keys after Enable sign %v, want one ES384 and one RS256 key", algs)
	}
	_, err = s.EnableOutboundWebIdentityFederation(ctx, root, &EnableOutboundWebIdentityFederationInput{})
	wantCode(t, "EnableOutboundWebIdentityFederation(again)", err, keyward.ErrFeatureEnabled)
	if _, err := s.DisableOutboundWebIdentityFederation(ctx, root, &DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	info, err := s.GetOutboundWebIdentityFederationInfo(ctx, root, &GetOutboundWebIdentityFederationInfoInput{})
	if err != nil || info.IssuerIdentifier != on.IssuerIdentifier || info.JwtVendingEnabled {
		t.Errorf("GetOutboundWebIdentityFederationInfo after Disable = %+v, %v; want the issuer kept, disabled", info, err)
	}
	again, err := s.EnableOutboundWebIdentityFederation(ctx, root, &EnableOutboundWebIdentityFederationInput{})
	if err != nil || again.IssuerIdentifier != on.IssuerIdentifier {
		t.Errorf("EnableOutboundWebIdentityFederation again = %+v, %v; want the same issuer", again, err)
	}
	if kept := keysOf(); len(kept) != 2 || kept[0].KeyID != made[0].KeyID || kept[1].KeyID != made[1].KeyID {
		t.Errorf("%d keys after Disable and Enable, want the same two", len(kept))
	}
}
