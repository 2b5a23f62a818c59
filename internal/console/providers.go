package console

import (
	"encoding/xml"
	"net/url"
	"strings"

	"github.com/keyward/keyward/internal/iam"
)

// The identity providers: OpenID Connect and SAML 2.0, listed, created,
// viewed, updated and deleted with IAM's actions.

// providersData is the identity providers page.
type providersData struct {
	OIDC []oidcProvider
	SAML []samlProvider
}

type oidcProvider struct {
	ARN string
	iam.GetOpenIDConnectProviderOutput
}

// samlProvider is a SAML provider of the list: its name is its ARN's last
// segment.
type samlProvider struct {
	iam.SAMLProviderListEntry
	Name string
}

func (c *Console) providers(p *page) error {
	p.Nav = "providers"
	d := &providersData{}
	if l, err := call[iam.ListOpenIDConnectProvidersOutput](p, "ListOpenIDConnectProviders"); p.soft(err) {
		for _, e := range l.OpenIDConnectProviderList {
			op := oidcProvider{ARN: e.ARN}
			if g, err := call[iam.GetOpenIDConnectProviderOutput](p, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", e.ARN); p.soft(err) {
				op.GetOpenIDConnectProviderOutput = *g
			}
			d.OIDC = append(d.OIDC, op)
		}
	}
	if l, err := call[iam.ListSAMLProvidersOutput](p, "ListSAMLProviders"); p.soft(err) {
		for _, e := range l.SAMLProviderList {
			d.SAML = append(d.SAML, samlProvider{SAMLProviderListEntry: e, Name: samlProviderName(e.ARN)})
		}
	}
	return p.render("providers", d)
}

// samlProviderName is the NAME of arn:aws:iam::ACCOUNT:saml-provider/NAME.
func samlProviderName(arn string) string {
	if i := strings.Index(arn, ":saml-provider/"); i >= 0 {
		return arn[i+len(":saml-provider/"):]
	}
	return arn
}

// samlProviderData is a SAML provider's page.
type samlProviderData struct {
	ARN, Name string
	iam.GetSAMLProviderOutput
	Issuer string // the metadata's entityID
}

func (c *Console) samlProvider(p *page) error {
	p.Nav = "providers"
	arn := p.query("arn")
	out, err := call[iam.GetSAMLProviderOutput](p, "GetSAMLProvider", "SAMLProviderArn", arn)
	if err != nil {
		return err
	}
	d := &samlProviderData{ARN: arn, Name: samlProviderName(arn), GetSAMLProviderOutput: *out, Issuer: metadataIssuer(out.SAMLMetadataDocument)}
	p.Title = "SAML provider " + d.Name
	return p.render("samlprovider", d)
}

// metadataIssuer reads the entityID of a SAML metadata document (the
// issuer its responses name), "" when there is none to read.
func metadataIssuer(doc string) string {
	var ed struct {
		EntityID string `xml:"entityID,attr"`
	}
	if xml.Unmarshal([]byte(doc), &ed) != nil {
		return ""
	}
	return ed.EntityID
}

func (c *Console) providerOp(p *page) error {
	p.Nav = "providers"
	back := Prefix + "providers"
	switch p.r.PathValue("op") {
	case "new":
		v := pairs("Url", p.form("url"))
		addList(v, "ClientIDList", lines(p.form("client_ids")))
		addList(v, "ThumbprintList", lines(p.form("thumbprints")))
		if _, err := p.invoke("iam", "CreateOpenIDConnectProvider", v); err != nil {
			return err
		}
		return p.redirect(back, "Identity provider added.")
	case "delete":
		if _, err := call[struct{}](p, "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", p.form("arn")); err != nil {
			return err
		}
		return p.redirect(back, "Identity provider deleted.")
	case "saml-new":
		doc, err := p.fileOrForm("metadata_file", "metadata")
		if err != nil {
			return err
		}
		v := pairs("Name", p.form("name"), "SAMLMetadataDocument", doc)
		addTags(v, p.r.PostForm["tag_key"], p.r.PostForm["tag_value"])
		out, err := callValues[iam.CreateSAMLProviderOutput](p, "iam", "CreateSAMLProvider", v)
		if err != nil {
			return err
		}
		return p.redirect(samlURL(out.SAMLProviderARN), "SAML provider "+p.form("name")+" added.")
	case "saml-update":
		doc, err := p.fileOrForm("metadata_file", "metadata")
		if err != nil {
			return err
		}
		arn := p.form("arn")
		if _, err := call[iam.UpdateSAMLProviderOutput](p, "UpdateSAMLProvider", "SAMLProviderArn", arn, "SAMLMetadataDocument", doc); err != nil {
			return err
		}
		return p.redirect(samlURL(arn), "Metadata of "+samlProviderName(arn)+" updated.")
	case "saml-delete":
		arn := p.form("arn")
		if _, err := call[struct{}](p, "DeleteSAMLProvider", "SAMLProviderArn", arn); err != nil {
			return err
		}
		return p.redirect(back, "SAML provider "+samlProviderName(arn)+" deleted.")
	}
	return c.renderStatus(p.w, p.r, p, 404, "notfound", nil)
}

// samlURL is a SAML provider's page.
func samlURL(arn string) string { return Prefix + "providers/saml?arn=" + url.QueryEscape(arn) }
