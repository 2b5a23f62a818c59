package console

import (
	"net/url"
	"strings"

	"github.com/keyward/keyward/internal/iam"
)

// accountData is the account settings page.
type accountData struct {
	Aliases   []string
	Policy    *iam.PasswordPolicy
	NoPolicy  bool
	SignInURL string
}

func (c *Console) account(p *page) error {
	p.Nav = "account"
	d := &accountData{}
	if al, err := call[iam.ListAccountAliasesOutput](p, "ListAccountAliases"); p.soft(err) {
		d.Aliases = al.AccountAliases
	}
	pp, err := call[iam.GetAccountPasswordPolicyOutput](p, "GetAccountPasswordPolicy")
	if ae, ok := err.(*apiError); ok && ae.Code == "NoSuchEntity" {
		d.NoPolicy = true
	} else if p.soft(err) {
		d.Policy = &pp.PasswordPolicy
	}
	d.SignInURL = "/console/signin"
	return p.render("account", d)
}

func (c *Console) accountOp(p *page) error {
	p.Nav = "account"
	back := Prefix + "account"
	var err error
	msg := ""
	switch p.r.PathValue("op") {
	case "alias":
		_, err = call[struct{}](p, "CreateAccountAlias", "AccountAlias", p.form("alias"))
		msg = "Account alias set."
	case "delete-alias":
		_, err = call[struct{}](p, "DeleteAccountAlias", "AccountAlias", p.form("alias"))
		msg = "Account alias deleted."
	case "password-policy":
		v := url.Values{}
		for _, f := range []string{"MinimumPasswordLength", "MaxPasswordAge", "PasswordReusePrevention"} {
			if x := p.form(f); x != "" {
				v.Set(f, x)
			}
		}
		for _, f := range []string{"RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters", "AllowUsersToChangePassword", "HardExpiry"} {
			v.Set(f, boolField(p.form(f)))
		}
		_, err = p.invoke("iam", "UpdateAccountPasswordPolicy", v)
		msg = "Password policy saved."
	case "delete-password-policy":
		_, err = call[struct{}](p, "DeleteAccountPasswordPolicy")
		msg = "Password policy deleted."
	default:
		return c.renderStatus(p.w, p.r, p, 404, "notfound", nil)
	}
	if err != nil {
		return err
	}
	return p.redirect(back, msg)
}

func boolField(v string) string {
	if strings.EqualFold(v, "on") || v == "1" || strings.EqualFold(v, "true") {
		return "true"
	}
	return "false"
}
