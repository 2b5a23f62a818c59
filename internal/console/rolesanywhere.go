package console

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/rolesanywhere"
)

// IAM Roles Anywhere, read-only: the account's trust anchors (the CAs it
// trusts, with what their certificates say), profiles (the roles a
// certificate may get), CRLs and subjects (the certificate subjects that
// asked for sessions), each listed through the service's own API as the
// signed-in principal (rolesanywhere:ListTrustAnchors, ...), and a
// subject's page (rolesanywhere:GetSubject).

// rolesAnywhereData is the Roles Anywhere page.
type rolesAnywhereData struct {
	Anchors  []trustAnchor
	Profiles []rolesanywhere.ProfileDetail
	CRLs     []rolesanywhere.CrlDetail
	Subjects []rolesanywhere.SubjectSummary
	// Truncated says a list had more than the page reads.
	Truncated bool
}

// trustAnchor is a trust anchor with the CA certificates of its bundle.
type trustAnchor struct {
	rolesanywhere.TrustAnchorDetail
	CAs []caCertificate
}

type caCertificate struct {
	Subject  string
	NotAfter time.Time
	Expired  bool
}

// maxRolesAnywherePages bounds what the page reads of each list: 10
// pages of 50.
const maxRolesAnywherePages = 10

func (c *Console) rolesAnywhere(p *page) error {
	p.Nav = "rolesanywhere"
	d := &rolesAnywhereData{}
	now := c.now()
	d.Truncated = raPages(p, "ListTrustAnchors", func(out *rolesanywhere.ListTrustAnchorsOutput) string {
		for _, a := range out.TrustAnchors {
			ta := trustAnchor{TrustAnchorDetail: a}
			if a.Source.SourceData != nil {
				ta.CAs = bundleCAs(a.Source.SourceData.X509CertificateData, now)
			}
			d.Anchors = append(d.Anchors, ta)
		}
		return out.NextToken
	})
	d.Truncated = raPages(p, "ListProfiles", func(out *rolesanywhere.ListProfilesOutput) string {
		d.Profiles = append(d.Profiles, out.Profiles...)
		return out.NextToken
	}) || d.Truncated
	d.Truncated = raPages(p, "ListCrls", func(out *rolesanywhere.ListCrlsOutput) string {
		d.CRLs = append(d.CRLs, out.Crls...)
		return out.NextToken
	}) || d.Truncated
	d.Truncated = raPages(p, "ListSubjects", func(out *rolesanywhere.ListSubjectsOutput) string {
		d.Subjects = append(d.Subjects, out.Subjects...)
		return out.NextToken
	}) || d.Truncated
	return p.render("rolesanywhere", d)
}

// raSubject is a subject's page: the certificates and instance properties
// it was seen with, each with its latest attempt's outcome.
func (c *Console) raSubject(p *page) error {
	p.Nav = "rolesanywhere"
	out, err := callValues[rolesanywhere.GetSubjectOutput](p, "rolesanywhere", "GetSubject", pairs("subjectId", p.r.PathValue("id")))
	if err != nil {
		return err
	}
	p.Title = "Subject " + out.Subject.X509Subject
	return p.render("rasubject", &out.Subject)
}

// raPages reads a Roles Anywhere list page by page (at most
// maxRolesAnywherePages), giving each page to take, which returns the next
// token. A failure is shown on the page. It reports whether pages remain.
func raPages[T any](p *page, action string, take func(*T) string) bool {
	token := ""
	for range maxRolesAnywherePages {
		out, err := callValues[T](p, "rolesanywhere", action, pairs("nextToken", token, "pageSize", "50"))
		if !p.soft(err) {
			return false
		}
		if token = take(out); token == "" {
			return false
		}
	}
	return true
}

// bundleCAs reads the certificates of a trust anchor's PEM bundle.
func bundleCAs(bundle string, now time.Time) []caCertificate {
	var out []caCertificate
	rest := []byte(bundle)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out
		}
		if !strings.EqualFold(b.Type, "CERTIFICATE") {
			continue
		}
		if x, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, caCertificate{Subject: x.Subject.String(), NotAfter: x.NotAfter, Expired: now.After(x.NotAfter)})
		}
	}
}
