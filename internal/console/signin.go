package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/internal/sts"
)

// signInData is the sign-in form.
type signInData struct {
	CSRF        string
	Message     string // why the browser is here (session expired)
	Error       string
	Next        string
	Account     string
	AccessKeyID string
	UserName    string
	Passwords   bool // password sign-in is available
	MFA         bool // ask for an MFA code
	Method      string
}

func (c *Console) signInForm(w http.ResponseWriter, r *http.Request) {
	if s := c.sessionOf(r); s != nil {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	d := &signInData{Message: r.URL.Query().Get("msg"), Next: safeNext(r.URL.Query().Get("next")), Account: c.cfg.AccountID,
		Passwords: c.cfg.Passwords != nil, Method: "key"}
	c.renderSignIn(w, r, http.StatusOK, d)
}

// renderSignIn sets a fresh pre-session CSRF cookie and shows the form.
func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, d *signInData) {
	d.CSRF = randomToken()
	setCookie(w, r, signInCookie, d.CSRF, c.now().Add(wizardTTL))
	c.renderStatus(w, r, nil, status, "signin", d)
}

// safeNext keeps only a path of the console as the page to go to after
// signing in: never another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return Prefix
	}
	return next
}

// signIn checks the form's credentials, issues the session's credential and
// sets the session cookie. A failed sign-in says only that it failed.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.renderStatus(w, r, nil, http.StatusBadRequest, "forbidden", nil)
		return
	}
	ck, err := r.Cookie(signInCookie)
	if err != nil || !equalTokens(ck.Value, r.PostForm.Get("csrf")) {
		c.renderStatus(w, r, nil, http.StatusForbidden, "forbidden", nil)
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	d := &signInData{Next: safeNext(f("next")), Account: f("account"), AccessKeyID: f("access_key_id"), UserName: f("username"),
		Passwords: c.cfg.Passwords != nil, Method: f("method")}
	var caller *keyward.Caller
	resetRequired := false
	if d.Method == "password" && c.cfg.Passwords != nil {
		caller, err = c.cfg.Passwords.SignIn(r.Context(), PasswordSignIn{Account: d.Account, UserName: d.UserName,
			Password: r.PostForm.Get("password"), MFACode: f("mfa_code"), SourceIP: sourceIP(r)})
		switch {
		case errors.Is(err, ErrMFARequired):
			d.MFA, d.Error = true, "Enter the code from your MFA device."
			c.renderSignIn(w, r, http.StatusUnauthorized, d)
			return
		case errors.Is(err, ErrPasswordResetRequired) && caller != nil:
			resetRequired, err = true, nil
		}
	} else {
		d.Method = "key"
		caller, err = c.cfg.Backend.CheckKey(r.Context(), sourceIP(r), d.AccessKeyID, r.PostForm.Get("secret_access_key"))
		if err == nil && d.Account != "" && d.Account != caller.AccountID && !c.aliasOf(r, caller, d.Account) {
			err = errors.New("console: the key is another account's")
		}
	}
	if err != nil {
		if keyward.ErrorCode(err) == keyward.ErrThrottling {
			d.Error = "Too many sign-in attempts. Wait a moment and try again."
		} else if d.Method == "password" {
			d.Error = "The sign-in failed: check the account, the user name, the password and the MFA code."
		} else {
			d.Error = "The sign-in failed: check the account, the access key ID and the secret access key."
		}
		c.log.Info("console: sign-in refused", "remote", sourceIP(r), "access_key_id", d.AccessKeyID, "user", d.UserName)
		c.renderSignIn(w, r, http.StatusUnauthorized, d)
		return
	}
	dur := c.cfg.UserSession
	label := caller.UserName
	if caller.Kind == keyward.CallerRoot {
		dur, label = c.cfg.RootSession, "root"
	}
	creds, err := c.cfg.Backend.Issue(r.Context(), caller, dur)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	s, err := c.sessions.add(frame{creds: creds, label: label, arn: caller.ARN}, resetRequired, c.now())
	if err != nil {
		c.internal(w, r, err)
		return
	}
	setCookie(w, r, signInCookie, "", c.now())
	setCookie(w, r, sessionCookie, s.id, creds.Expiration)
	next := d.Next
	if resetRequired {
		next = Prefix + "password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// aliasOf reports whether alias is the caller's account's alias, asked as
// the caller (who may not be allowed to list aliases: then it is not).
func (c *Console) aliasOf(r *http.Request, caller *keyward.Caller, alias string) bool {
	out, _, err := c.cfg.Backend.Invoke(r.Context(), caller, "iam", "ListAccountAliases", nil)
	if err != nil {
		return false
	}
	if o, ok := out.(*iam.ListAccountAliasesOutput); ok {
		for _, a := range o.AccountAliases {
			if a == alias {
				return true
			}
		}
	}
	return false
}

func (c *Console) signOut(p *page) error {
	c.sessions.remove(p.sess.id)
	setCookie(p.w, p.r, sessionCookie, "", c.now())
	http.Redirect(p.w, p.r, Prefix+"signin?msg="+strings.ReplaceAll("You have signed out.", " ", "+"), http.StatusSeeOther)
	return nil
}

// The forced password change: iam:ChangePassword as the user, which the
// account's password policy (AllowUsersToChangePassword) or the user's
// policies must allow, as on AWS.
func (c *Console) passwordForm(p *page) error { return p.render("password", nil) }

func (c *Console) changePassword(p *page) error {
	if p.r.PostForm.Get("new_password") != p.r.PostForm.Get("confirm_password") {
		return p.render("password", "The new passwords do not match.")
	}
	_, err := p.invoke("iam", "ChangePassword", pairs("OldPassword", p.r.PostForm.Get("old_password"), "NewPassword", p.r.PostForm.Get("new_password")))
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return p.render("password", ae.Message)
		}
		return err
	}
	p.sess.setChangePassword(false)
	return p.redirect(Prefix, "Your password has been changed.")
}

// switchRoleData is the switch-role form.
type switchRoleData struct {
	Account, RoleName, DisplayName, Duration string
	Error                                    *apiError
	Recent                                   []string
}

func (c *Console) switchRoleForm(p *page) error {
	d := &switchRoleData{Account: p.caller.AccountID, RoleName: p.query("role"), Duration: "3600"}
	if a := p.query("account"); a != "" {
		d.Account = a
	}
	return p.render("switchrole", d)
}

// switchRole assumes a role as the session's current identity
// (sts:AssumeRole, with its trust policy, duration and chaining rules), and
// pushes the role's session on the session's stack.
func (c *Console) switchRole(p *page) error {
	d := &switchRoleData{Account: p.form("account"), RoleName: p.form("role"), DisplayName: p.form("display_name"), Duration: p.form("duration")}
	roleARN := d.RoleName
	if !strings.HasPrefix(roleARN, "arn:") {
		roleARN = "arn:aws:iam::" + d.Account + ":role/" + strings.TrimPrefix(d.RoleName, "/")
	}
	sessionName := p.caller.UserName
	if sessionName == "" {
		sessionName = p.caller.SessionName
	}
	if len(sessionName) < 2 {
		sessionName = "console-session"
	}
	out, err := callValues[sts.AssumeRoleOutput](p, "sts", "AssumeRole", pairs("RoleArn", roleARN, "RoleSessionName", sessionName, "DurationSeconds", d.Duration))
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			d.Error = ae
			p.status = keyward.HTTPStatus(ae.Code)
			return p.render("switchrole", d)
		}
		return err
	}
	cr := Credentials{AccessKeyID: out.Credentials.AccessKeyID, SessionToken: out.Credentials.SessionToken, Expiration: out.Credentials.Expiration}
	label := d.DisplayName
	if label == "" {
		label = roleARN[strings.LastIndex(roleARN, "/")+1:]
	}
	p.sess.push(frame{creds: cr, label: label, arn: out.AssumedRoleUser.Arn})
	return p.redirect(Prefix, "You are now acting as "+out.AssumedRoleUser.Arn+".")
}

func (c *Console) switchBack(p *page) error {
	p.sess.pop()
	return p.redirect(Prefix, "You are back to your own identity.")
}

// prettyJSON indents a JSON document for display; anything else is shown
// as it is.
func prettyJSON(doc string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(doc), "", "  "); err != nil {
		return doc
	}
	return b.String()
}
