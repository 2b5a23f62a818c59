package console

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"html/template"
	"math/big"
	"net/url"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/iam"
)

// A user's Security credentials tab, as AWS's console has it: the console
// password (login profile), MFA devices with the QR code to scan, access
// keys, SSH public keys, signing certificates and service-specific
// credentials. Every change is the IAM action AWS's console calls, as the
// signed-in principal.

// credentials is what the tab shows besides the access keys.
type credentials struct {
	// Login is the user's login profile, nil when the user has none;
	// LoginKnown is false when it could not be read (the error is shown).
	Login      *iam.LoginProfile
	LoginKnown bool
	MFA        []iam.MFADevice
	// Unassigned are the account's virtual MFA devices assigned to no one
	// (a sign-up left half done): this user may take one with two codes.
	Unassigned   []iam.VirtualMFADevice
	SSH          []iam.SSHPublicKeyMetadata
	Certificates []signingCertificate
	Service      []iam.ServiceSpecificCredentialMetadata
	Services     []servicePrincipal // the services that issue service-specific credentials
}

// signingCertificate is a signing certificate with what its body says.
type signingCertificate struct {
	iam.SigningCertificate
	Subject  string
	NotAfter time.Time
}

// credentialServices are the services IAM issues service-specific
// credentials for (AWS's list: CodeCommit, Keyspaces, Bedrock).
var credentialServices = []servicePrincipal{
	{"codecommit.amazonaws.com", "AWS CodeCommit (Git over HTTPS)"},
	{"cassandra.amazonaws.com", "Amazon Keyspaces (for Apache Cassandra)"},
	{"bedrock.amazonaws.com", "Amazon Bedrock (API key)"},
}

// loadCredentials reads the tab's sections; a section the caller may not
// read shows its error and stays empty.
func loadCredentials(p *page, name string) *credentials {
	d := &credentials{Services: credentialServices}
	lp, err := call[iam.GetLoginProfileOutput](p, "GetLoginProfile", "UserName", name)
	switch {
	case err == nil:
		d.Login, d.LoginKnown = &lp.LoginProfile, true
	case keyward.ErrorCode(unwrapAPI(err)) == keyward.ErrNoSuchEntity:
		d.LoginKnown = true
	default:
		p.soft(err)
	}
	if m, err := call[iam.ListMFADevicesOutput](p, "ListMFADevices", "UserName", name); p.soft(err) {
		d.MFA = m.MFADevices
	}
	// Quiet: a user managing their own credentials may not list the
	// account's devices, and needs nothing of this list.
	if v, err := call[iam.ListVirtualMFADevicesOutput](p, "ListVirtualMFADevices", "AssignmentStatus", "Unassigned", "MaxItems", "20"); err == nil {
		d.Unassigned = v.VirtualMFADevices
	}
	if k, err := call[iam.ListSSHPublicKeysOutput](p, "ListSSHPublicKeys", "UserName", name); p.soft(err) {
		d.SSH = k.SSHPublicKeys
	}
	if cs, err := call[iam.ListSigningCertificatesOutput](p, "ListSigningCertificates", "UserName", name); p.soft(err) {
		for _, c := range cs.Certificates {
			sc := signingCertificate{SigningCertificate: c}
			if b, _ := pem.Decode([]byte(c.CertificateBody)); b != nil {
				if x, err := x509.ParseCertificate(b.Bytes); err == nil {
					sc.Subject, sc.NotAfter = x.Subject.String(), x.NotAfter
				}
			}
			d.Certificates = append(d.Certificates, sc)
		}
	}
	if s, err := call[iam.ListServiceSpecificCredentialsOutput](p, "ListServiceSpecificCredentials", "UserName", name); p.soft(err) {
		d.Service = s.ServiceSpecificCredentials
	}
	return d
}

// unwrapAPI returns the *keyward.Error an apiError stands for, so that
// keyward.ErrorCode reads its code.
func unwrapAPI(err error) error {
	if ae, ok := err.(*apiError); ok {
		return &keyward.Error{Code: ae.Code, Message: ae.Message}
	}
	return err
}

// shownOnce is a page that shows a secret the API returns once (a
// generated password, a service-specific credential's password).
type shownOnce struct {
	Heading string
	Rows    []secretRow
	Note    string
	Back    string
}

type secretRow struct {
	Label, Value, TestID string
	Secret               bool
}

// mfaData is the page that shows a new virtual MFA device's QR code and
// secret, and takes two consecutive codes to assign it to the user.
type mfaData struct {
	UserName string
	Serial   string
	// QR is the PNG as a data: URL: the image travels in this page's
	// response only (no-store), never kept on the server between the
	// page and an image request; the CSP's img-src allows data: for it.
	QR     template.URL
	Secret string // the seed in base32, for typing into an app
	Error  *apiError
	Back   string
}

// credentialOp runs a Security credentials form of user name; handled is
// false for an op that is not one of them.
func (c *Console) credentialOp(p *page, name, back, op string) (handled bool, err error) {
	tab := back + "?tab=credentials"
	switch op {
	case "password-create", "password-update":
		return true, c.setPassword(p, name, tab, op == "password-create")
	case "mfa-create":
		out, err := call[iam.CreateVirtualMFADeviceOutput](p, "CreateVirtualMFADevice", "VirtualMFADeviceName", p.form("device_name"))
		if err != nil {
			return true, err
		}
		d := &mfaData{UserName: name, Serial: out.VirtualMFADevice.SerialNumber, Back: tab}
		if png, err := base64.StdEncoding.DecodeString(out.VirtualMFADevice.QRCodePNG); err == nil && bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			// Built from bytes that decoded as a PNG: the URL cannot be
			// anything but an image.
			d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		}
		if seed, err := base64.StdEncoding.DecodeString(out.VirtualMFADevice.Base32StringSeed); err == nil {
			d.Secret = string(seed)
		}
		p.Title = "Assign MFA device"
		return true, p.render("mfa", d)
	case "mfa-enable":
		serial := p.form("serial")
		_, err := call[struct{}](p, "EnableMFADevice", "UserName", name, "SerialNumber", serial,
			"AuthenticationCode1", p.form("code1"), "AuthenticationCode2", p.form("code2"))
		if ae, ok := err.(*apiError); ok {
			// The QR code is gone (IAM shows it once); the codes of an app
			// that scanned it still work, or the device is deleted.
			p.Title = "Assign MFA device"
			p.status = keyward.HTTPStatus(ae.Code)
			return true, p.render("mfa", &mfaData{UserName: name, Serial: serial, Error: ae, Back: tab})
		} else if err != nil {
			return true, err
		}
		return true, p.redirect(tab, "MFA device "+serial+" assigned to "+name+".")
	case "mfa-remove":
		// AWS's console's Remove: deactivate, then delete the virtual device.
		serial := p.form("serial")
		if _, err := call[struct{}](p, "DeactivateMFADevice", "UserName", name, "SerialNumber", serial); err != nil {
			return true, err
		}
		if _, err := call[struct{}](p, "DeleteVirtualMFADevice", "SerialNumber", serial); err != nil {
			return true, err
		}
		return true, p.redirect(tab, "MFA device "+serial+" removed.")
	case "ssh-upload", "cert-upload":
		body, err := p.fileOrForm("file", "body")
		if err != nil {
			return true, err
		}
		if op == "ssh-upload" {
			_, err = call[iam.UploadSSHPublicKeyOutput](p, "UploadSSHPublicKey", "UserName", name, "SSHPublicKeyBody", body)
		} else {
			_, err = call[iam.UploadSigningCertificateOutput](p, "UploadSigningCertificate", "UserName", name, "CertificateBody", body)
		}
		if err != nil {
			return true, err
		}
		msg := "SSH public key uploaded."
		if op == "cert-upload" {
			msg = "Signing certificate uploaded."
		}
		return true, p.redirect(tab, msg)
	case "service-create", "service-reset":
		var cred iam.ServiceSpecificCredential
		if op == "service-create" {
			out, err := call[iam.CreateServiceSpecificCredentialOutput](p, "CreateServiceSpecificCredential", "UserName", name,
				"ServiceName", p.form("service"), "CredentialAgeDays", p.form("age_days"))
			if err != nil {
				return true, err
			}
			cred = out.ServiceSpecificCredential
		} else {
			out, err := call[iam.ResetServiceSpecificCredentialOutput](p, "ResetServiceSpecificCredential", "UserName", name,
				"ServiceSpecificCredentialId", p.form("credential_id"))
			if err != nil {
				return true, err
			}
			cred = out.ServiceSpecificCredential
		}
		d := &shownOnce{Heading: "Service-specific credential for " + cred.ServiceName, Back: tab,
			Rows: []secretRow{
				{Label: "Credential ID", Value: cred.ServiceSpecificCredentialID, TestID: "credential-id"},
				{Label: "User name", Value: cred.ServiceUserName, TestID: "service-user-name"},
				{Label: "Password", Value: cred.ServicePassword, TestID: "service-password", Secret: true},
			}}
		if !time.Time(cred.ExpirationDate).IsZero() {
			d.Note = "It expires " + formatDate(cred.ExpirationDate) + "."
		}
		return true, p.render("secret", d)
	}
	sop, ok := credentialOps[op]
	if !ok {
		return false, nil
	}
	return true, p.runOp(sop, name, back)
}

// setPassword creates or changes a user's console password: the one typed,
// or one generated to the account's password policy and shown once; and
// whether it must be changed at the next sign-in. Changing only that is an
// UpdateLoginProfile without a password.
func (c *Console) setPassword(p *page, name, back string, create bool) error {
	password := ""
	switch p.form("password_mode") {
	case "custom":
		if password = p.r.PostForm.Get("password"); password == "" {
			// Else an update would change only the reset flag, silently.
			return &apiError{Action: "console", Code: keyward.ErrValidationError, Message: "Type the custom password, or choose another option."}
		}
	case "auto":
		password = generatePassword(minPasswordLength(p))
	}
	reset := boolField(p.form("reset"))
	var err error
	if create {
		_, err = call[iam.CreateLoginProfileOutput](p, "CreateLoginProfile", "UserName", name, "Password", password, "PasswordResetRequired", reset)
	} else {
		_, err = call[struct{}](p, "UpdateLoginProfile", "UserName", name, "Password", password, "PasswordResetRequired", reset)
	}
	if err != nil {
		return err
	}
	if p.form("password_mode") != "auto" {
		msg := "Console password of " + name + " updated."
		if create {
			msg = "Console access enabled for " + name + "."
		}
		return p.redirect(back, msg)
	}
	d := &shownOnce{Heading: "Console password of " + name, Back: back,
		Rows: []secretRow{
			{Label: "Sign-in page", Value: p.signInURL(), TestID: "signin-url"},
			{Label: "Account", Value: p.caller.AccountID},
			{Label: "User name", Value: name},
			{Label: "Password", Value: password, TestID: "generated-password", Secret: true},
		}}
	if reset == "true" {
		d.Note = name + " must choose a new password at the first sign-in."
	}
	return p.render("secret", d)
}

// signInURL is the console's sign-in page as this request reached it.
func (p *page) signInURL() string {
	scheme := "http"
	if p.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + p.r.Host + Prefix + "signin"
}

// minPasswordLength is the account's password policy's minimum length, 0
// when there is no policy or the caller may not read it.
func minPasswordLength(p *page) int {
	out, err := call[iam.GetAccountPasswordPolicyOutput](p, "GetAccountPasswordPolicy")
	if err != nil {
		return 0
	}
	return out.PasswordPolicy.MinimumPasswordLength
}

// The character classes of a generated password: one of each, so that any
// password policy's RequireX holds (the symbols are AWS's allowed ones).
var passwordClasses = []string{
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"abcdefghijkmnopqrstuvwxyz",
	"23456789",
	"!@#$%^&*()_+-=[]{}|",
}

// generatePassword makes a random password of at least 20 characters (the
// policy's minimum when longer, up to IAM's 128), with every class.
func generatePassword(minLength int) string {
	n := min(max(20, minLength), 128)
	all := ""
	for _, c := range passwordClasses {
		all += c
	}
	pick := func(set string) byte {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic(err) // crypto/rand does not fail (Go 1.24+)
		}
		return set[i.Int64()]
	}
	b := make([]byte, 0, n)
	for _, c := range passwordClasses {
		b = append(b, pick(c))
	}
	for len(b) < n {
		b = append(b, pick(all))
	}
	// Shuffle, so that the classes' places are not fixed.
	for i := len(b) - 1; i > 0; i-- {
		j, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		b[i], b[j.Int64()] = b[j.Int64()], b[i]
	}
	return string(b)
}

// credentialOps are the tab's forms that call one action.
var credentialOps = map[string]simpleOp{
	"password-delete": {"DeleteLoginProfile", func(p *page, n string) url.Values {
		return pairs("UserName", n)
	}, "Console access disabled for %s: the password is deleted.", "credentials"},
	"mfa-deactivate": {"DeactivateMFADevice", func(p *page, n string) url.Values {
		return pairs("UserName", n, "SerialNumber", p.form("serial"))
	}, "MFA device deactivated: it is now unassigned.", "credentials"},
	"mfa-delete": {"DeleteVirtualMFADevice", func(p *page, n string) url.Values {
		return pairs("SerialNumber", p.form("serial"))
	}, "Virtual MFA device deleted.", "credentials"},
	"ssh-status": {"UpdateSSHPublicKey", func(p *page, n string) url.Values {
		return pairs("UserName", n, "SSHPublicKeyId", p.form("key_id"), "Status", p.form("status"))
	}, "SSH public key updated.", "credentials"},
	"ssh-delete": {"DeleteSSHPublicKey", func(p *page, n string) url.Values {
		return pairs("UserName", n, "SSHPublicKeyId", p.form("key_id"))
	}, "SSH public key deleted.", "credentials"},
	"cert-status": {"UpdateSigningCertificate", func(p *page, n string) url.Values {
		return pairs("UserName", n, "CertificateId", p.form("certificate_id"), "Status", p.form("status"))
	}, "Signing certificate updated.", "credentials"},
	"cert-delete": {"DeleteSigningCertificate", func(p *page, n string) url.Values {
		return pairs("UserName", n, "CertificateId", p.form("certificate_id"))
	}, "Signing certificate deleted.", "credentials"},
	"service-status": {"UpdateServiceSpecificCredential", func(p *page, n string) url.Values {
		return pairs("UserName", n, "ServiceSpecificCredentialId", p.form("credential_id"), "Status", p.form("status"))
	}, "Service-specific credential updated.", "credentials"},
	"service-delete": {"DeleteServiceSpecificCredential", func(p *page, n string) url.Values {
		return pairs("UserName", n, "ServiceSpecificCredentialId", p.form("credential_id"))
	}, "Service-specific credential deleted.", "credentials"},
}
