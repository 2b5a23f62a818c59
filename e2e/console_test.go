package e2e

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/keyward/keyward/internal/totp"
)

// The console's browser tests: one headless Chromium (Debian's chromium
// package; KEYWARD_CHROMIUM names another binary) drives the console of
// the real keyward binary through the steps of issue 16, each checked
// through the API with the AWS SDK as well. With KEYWARD_SCREENSHOTS=DIR
// the pages' screenshots are written there (the README's come from
// `make screenshots`, which sets it to docs/console).

// chromiumPath finds the browser, or "" when the machine has none.
func chromiumPath() string {
	if p := os.Getenv("KEYWARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is one Chromium tab on a console.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	shots   string
	dialogs atomic.Int32 // JavaScript dialogs opened (alert, confirm): an XSS probe that ran would open one
}

// newBrowser starts Chromium with the flags a closed network needs (no
// Google hosts to wait for) and a fresh profile, for the test's length.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("no Chromium on this machine (apt-get install chromium, or set KEYWARD_CHROMIUM): the console's browser tests need one")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	tctx, cancelTimeout := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelBrowser(); cancelAlloc() })
	b := &browser{t: t, ctx: tctx, base: base, shots: os.Getenv("KEYWARD_SCREENSHOTS")}
	if b.shots == "" {
		b.shots = t.TempDir()
	}
	if err := chromedp.Do(b.ctx); err != nil { // starts the browser
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	// Every dialog is counted and dismissed: the console opens none but
	// its delete confirmations, which the steps accept explicitly.
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			if ev.Type != page.DialogTypeConfirm {
				b.dialogs.Add(1)
			}
			chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: ev.Type == page.DialogTypeConfirm})
		}
	}()
	return b
}

// open loads a console page.
func (b *browser) open(path string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
}

// set sets a field's value.
func (b *browser) set(css, value string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(css), value)); err != nil {
		b.t.Fatalf("set %s: %v", css, err)
	}
}

// click clicks an element that is no form's submit button.
func (b *browser) click(css string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		b.t.Fatalf("click %s: %v", css, err)
	}
}

// submit clicks a button that submits a form and waits for the next page.
func (b *browser) submit(css string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.dataset.old = "1"; true`)); err != nil {
		b.t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		b.t.Fatalf("submit %s: %v", css, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && !document.documentElement.dataset.old`))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("submit %s: no new page within 15 s", css)
}

// text is the text of the first element css selects.
func (b *browser) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s on %s: %v", css, b.location(), err)
	}
	return s
}

// count is how many elements css selects.
func (b *browser) count(css string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(css)+`).length`))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// html is the page's markup as the browser parsed it.
func (b *browser) html() string {
	s, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func (b *browser) location() string {
	s, _ := chromedp.Run(b.ctx, chromedp.Location())
	return s
}

// shot writes a full-page screenshot NAME.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// signIn signs in with an access key pair.
func (b *browser) signIn(c Creds) {
	b.t.Helper()
	b.open("/console/signin")
	b.set("#access_key_id", c.ID)
	b.set("#secret_access_key", c.Secret)
	b.submit(`[data-testid="signin"]`)
}

func (b *browser) signOut() {
	b.t.Helper()
	b.submit(`form[action="/console/signout"] button`)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantContains fails unless got contains want.
func wantContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

const (
	s3WriteDoc = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:PutObject", "s3:GetObject"],
      "Resource": "arn:aws:s3:::reports/*"
    }
  ]
}`
	// lintErrorDoc names an action S3 does not have, on line 6.
	lintErrorDoc = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObjekt",
      "Resource": "*"
    }
  ]
}`
)

// TestConsole_Browser walks the console as its users do, in one browser
// and against one server: each step is a subtest, and each depends on the
// ones before it.
func TestConsole_Browser(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser suite takes about 25 seconds")
	}
	trail := filepath.Join(t.TempDir(), "audit.log")
	s := startServer(t, "--audit", trail)
	b := newBrowser(t, s.URL)
	api := s.IAM(s.Root)
	acct := s.Account
	roleARN := func(name string) string { return "arn:aws:iam::" + acct + ":role/" + name }

	// What the steps need that the console is not tested on here.
	slr, err := api.CreateServiceLinkedRole(ctx(t), &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")})
	must(t, err)
	slrName := aws.ToString(slr.Role.RoleName)
	bob := newUserWithKey(t, s, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN("ops")+`"}]}`)
	_, err = api.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("ops"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/bob"},"Action":"sts:AssumeRole"}]}`)})
	must(t, err)
	_, err = api.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("ops"), PolicyName: aws.String("operate"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails"],"Resource":"*"},{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"` + roleARN("ops") + `"}]}`)})
	must(t, err)

	t.Run("sign in", func(t *testing.T) {
		b.open("/console/users")
		if loc := b.location(); !strings.Contains(loc, "/console/signin") {
			t.Fatalf("a page without a session went to %s, want the sign-in form", loc)
		}
		b.set("#access_key_id", s.Root.ID)
		b.set("#secret_access_key", "wrong")
		b.submit(`[data-testid="signin"]`)
		wantContains(t, "sign-in error", b.text(`[data-testid="signin-error"]`), "The sign-in failed")
		b.signIn(s.Root)
		wantContains(t, "header identity", b.text(`[data-testid="identity"]`), "root @ "+acct)
		if n := b.count(`[data-testid="check"]`); n != 6 {
			t.Errorf("dashboard shows %d security checks, want 6", n)
		}
		b.shot("dashboard")
	})

	// carol signs in with a password and an MFA device, both set up by an
	// administrator in her Security credentials tab.
	const carolPassword = "Carol-Passw0rd!"
	var carolSeed []byte
	t.Run("a user's console password and MFA device, its QR code under the CSP", func(t *testing.T) {
		_, err := api.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("carol")})
		must(t, err)
		b.open("/console/users/carol?tab=credentials")
		b.click(`[data-testid="password-custom"]`)
		b.set("#password", carolPassword)
		b.click(`input[name="reset"]`) // carol keeps this password
		b.submit(`[data-testid="password-save"]`)
		wantContains(t, "flash", b.text(`[data-testid="flash"]`), "Console access enabled for carol")
		b.set(`[data-testid="mfa-name"]`, "carol-phone")
		b.submit(`[data-testid="mfa-create"]`)
		// The QR code is a data: PNG in the page: it loads only if the
		// Content-Security-Policy lets it.
		loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			`(function () { var i = document.querySelector('[data-testid="mfa-qr"]'); return !!i && i.complete && i.naturalWidth > 0; })()`))
		must(t, err)
		if !loaded {
			t.Errorf("the MFA device's QR code image did not load")
		}
		seed, err := totp.Encoding.DecodeString(b.text(`[data-testid="mfa-secret"]`))
		if err != nil {
			t.Fatalf("the secret shown is not base32: %v", err)
		}
		b.shot("mfa-device")
		step := totp.Step(time.Now())
		b.set(`[data-testid="mfa-code1"]`, totp.Code(seed, step-2))
		b.set(`[data-testid="mfa-code2"]`, totp.Code(seed, step-1))
		b.submit(`[data-testid="mfa-enable"]`)
		wantContains(t, "flash", b.text(`[data-testid="flash"]`), "assigned to carol")
		wantContains(t, "MFA devices", b.text(`[data-testid="mfa-devices"]`), "mfa/carol-phone")
		b.shot("security-credentials")
		devs, err := api.ListMFADevices(ctx(t), &iam.ListMFADevicesInput{UserName: aws.String("carol")})
		must(t, err)
		if len(devs.MFADevices) != 1 || aws.ToString(devs.MFADevices[0].SerialNumber) != "arn:aws:iam::"+acct+":mfa/carol-phone" {
			t.Errorf("ListMFADevices(carol) = %d devices, want carol-phone", len(devs.MFADevices))
		}
		carolSeed = seed
	})

	t.Run("sign in with a password and an MFA code", func(t *testing.T) {
		if carolSeed == nil {
			t.Skip("carol has no MFA device: the step before failed")
		}
		b.signOut()
		b.open("/console/signin")
		b.click(`input[name="method"][value="password"]`)
		b.set("#username", "carol")
		b.set("#password", carolPassword)
		b.submit(`[data-testid="signin"]`)
		wantContains(t, "sign-in", b.text(`[data-testid="signin-error"]`), "MFA device")
		b.set("#password", carolPassword)
		b.set("#mfa_code", totp.Code(carolSeed, totp.Step(time.Now())))
		b.submit(`[data-testid="signin"]`)
		wantContains(t, "header identity", b.text(`[data-testid="identity"]`), "carol @ "+acct)
		if n := b.count(`[data-testid="mfa-badge"]`); n != 1 {
			t.Errorf("the header shows %d MFA badges for a session signed in with MFA, want 1", n)
		}
		b.signOut()
		b.signIn(s.Root)
	})

	t.Run("a SAML provider, and a role trusting it made with the wizard", func(t *testing.T) {
		provARN := "arn:aws:iam::" + acct + ":saml-provider/TestIdP"
		idp := newTestIdP(t, roleARN("saml-admins"), provARN)
		// No session tags: the wizard's trust policy, as AWS's console
		// writes it, allows sts:AssumeRoleWithSAML alone.
		idp.session.CustomAttributes = idp.session.CustomAttributes[:2]
		b.open("/console/providers")
		b.set(`[data-testid="saml-name"]`, "TestIdP")
		b.set(`[data-testid="saml-metadata"]`, idp.metadata)
		b.submit(`[data-testid="saml-add"]`)
		wantContains(t, "flash", b.text(`[data-testid="flash"]`), "SAML provider TestIdP added")
		wantContains(t, "issuer", b.text(`[data-testid="saml-issuer"]`), idp.srv.URL+"/metadata")
		b.shot("saml-provider")
		b.submit(`[data-testid="saml-assign-role"]`)
		chosen, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="entity-saml"]').checked`))
		must(t, err)
		if !chosen {
			t.Errorf("the wizard opened from the provider does not have SAML chosen")
		}
		b.submit(`[data-testid="wizard-next"]`)
		b.submit(`[data-testid="wizard-next"]`)
		b.set(`[data-testid="role-name"]`, "saml-admins")
		b.submit(`[data-testid="wizard-next"]`)
		review := b.text(`[data-testid="review-trust"]`)
		for _, want := range []string{`"Federated": "` + provARN + `"`, `"Action": "sts:AssumeRoleWithSAML"`, `"SAML:aud": "https://signin.aws.amazon.com/saml"`} {
			wantContains(t, "review trust policy", review, want)
		}
		b.shot("create-role-saml")
		b.submit(`[data-testid="wizard-create"]`)
		wantContains(t, "flash", b.text(`[data-testid="flash"]`), "Role saml-admins created")

		out, err := api.GetRole(ctx(t), &iam.GetRoleInput{RoleName: aws.String("saml-admins")})
		must(t, err)
		doc, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
		want := `{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`
		wantContains(t, "GetRole(saml-admins) trust policy", strings.Join(strings.Fields(doc), ""), want)
		// The trust policy works: the IdP's signed response assumes the role.
		enc, _ := idp.response(t)
		res, err := s.STS(Creds{}).AssumeRoleWithSAML(ctx(t), &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN("saml-admins")),
			PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(enc)}, func(o *sts.Options) { o.Credentials = aws.AnonymousCredentials{} })
		if err != nil {
			t.Fatalf("AssumeRoleWithSAML into the wizard's role: %v", err)
		}
		if got := aws.ToString(res.AssumedRoleUser.Arn); got != "arn:aws:sts::"+acct+":assumed-role/saml-admins/alice" {
			t.Errorf("AssumeRoleWithSAML = %s, want the session assumed-role/saml-admins/alice", got)
		}
	})

	t.Run("create a role for Lambda with the wizard", func(t *testing.T) {
		b.open("/console/roles/new")
		b.click(`[data-testid="entity-service"]`)
		b.set("#service", "lambda.amazonaws.com")
		b.submit(`[data-testid="wizard-next"]`)
		b.set(`[data-testid="policy-search"]`, "AWSLambdaBasicExecutionRole")
		b.submit(`[data-testid="policy-search-go"]`)
		b.click(`input[value="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]`)
		b.submit(`[data-testid="wizard-next"]`)
		b.set(`[data-testid="role-name"]`, "lambda-worker")
		b.set("#description", "Runs the report builder")
		b.submit(`[data-testid="wizard-next"]`)
		review := b.text(`[data-testid="review-trust"]`)
		wantContains(t, "review trust policy", review, `"Service": "lambda.amazonaws.com"`)
		b.shot("create-role-review")
		b.submit(`[data-testid="wizard-create"]`)
		wantContains(t, "flash", b.text(`[data-testid="flash"]`), "Role lambda-worker created")

		out, err := api.GetRole(ctx(t), &iam.GetRoleInput{RoleName: aws.String("lambda-worker")})
		must(t, err)
		doc, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
		for _, want := range []string{`"Service":"lambda.amazonaws.com"`, `"Action":"sts:AssumeRole"`, `"Effect":"Allow"`} {
			wantContains(t, "GetRole trust policy", strings.Join(strings.Fields(doc), ""), want)
		}
		att, err := api.ListAttachedRolePolicies(ctx(t), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("lambda-worker")})
		must(t, err)
		if len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" {
			t.Errorf("ListAttachedRolePolicies(lambda-worker) = %d policies, want AWSLambdaBasicExecutionRole alone", len(att.AttachedPolicies))
		}
	})

	t.Run("attach an AWS-managed and an inline policy", func(t *testing.T) {
		b.open("/console/roles/lambda-worker")
		b.set(`input[list="attach-list"]`, "arn:aws:iam::aws:policy/ReadOnlyAccess")
		b.submit(`form[action$="/attach"] button`)
		b.open("/console/inline/role/lambda-worker")
		b.set("#name", "s3-write")
		b.set("#document", s3WriteDoc)
		b.submit(`[data-testid="save-policy"]`)
		wantContains(t, "flash", b.text(`[data-testid="flash"]`), "Inline policy s3-write saved")
		b.shot("role")

		att, err := api.ListAttachedRolePolicies(ctx(t), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("lambda-worker")})
		must(t, err)
		found := false
		for _, p := range att.AttachedPolicies {
			found = found || aws.ToString(p.PolicyArn) == "arn:aws:iam::aws:policy/ReadOnlyAccess"
		}
		if !found {
			t.Errorf("ReadOnlyAccess is not attached to lambda-worker after the console attached it")
		}
		if _, err := api.GetRolePolicy(ctx(t), &iam.GetRolePolicyInput{RoleName: aws.String("lambda-worker"), PolicyName: aws.String("s3-write")}); err != nil {
			t.Errorf("GetRolePolicy(lambda-worker, s3-write): %v", err)
		}
	})

	t.Run("a lint error is shown at its line and refuses the save", func(t *testing.T) {
		b.open("/console/inline/role/lambda-worker")
		b.set("#name", "typo")
		b.set("#document", lintErrorDoc)
		b.submit(`[data-testid="save-policy"]`)
		wantContains(t, "blocked message", b.text(`[data-testid="lint-blocked"]`), "Not saved")
		wantContains(t, "finding under its line", b.text(`li.bad [data-testid="finding-at-line"]`), "line 6, column")
		wantContains(t, "finding", b.text(`li.bad [data-testid="finding-at-line"]`), "INVALID_ACTION")
		if got := b.text(`ol.numbered li.bad code`); !strings.Contains(got, "s3:GetObjekt") {
			t.Errorf("the highlighted line is %q, want line 6 with s3:GetObjekt", got)
		}
		b.shot("policy-editor-lint")
		if _, err := api.GetRolePolicy(ctx(t), &iam.GetRolePolicyInput{RoleName: aws.String("lambda-worker"), PolicyName: aws.String("typo")}); errorCode(err) != "NoSuchEntity" {
			t.Errorf("GetRolePolicy(typo) after a refused save: %v, want NoSuchEntity", err)
		}
	})

	t.Run("a boundary caps the role and the simulator says so", func(t *testing.T) {
		b.open("/console/roles/lambda-worker")
		b.set(`input[list="boundary-list"]`, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
		b.submit(`form[action$="/boundary"] button`)
		wantContains(t, "boundary", b.text(`[data-testid="role-boundary"]`), "AmazonS3ReadOnlyAccess")
		b.open("/console/simulator")
		b.set(`[data-testid="sim-principal"]`, roleARN("lambda-worker"))
		b.set(`[data-testid="sim-actions"]`, "s3:PutObject\ns3:GetObject")
		b.set("#resources", "arn:aws:s3:::reports/q3.csv")
		b.submit(`[data-testid="simulate"]`)
		rows := b.html()
		put := rows[strings.Index(rows, "s3:PutObject</code>"):]
		wantContains(t, "s3:PutObject row", put[:min(len(put), 600)], "implicitDeny")
		wantContains(t, "s3:PutObject explanation", put[:min(len(put), 900)], "the permissions boundary does not allow s3:PutObject")
		get := rows[strings.Index(rows, "s3:GetObject</code>"):]
		wantContains(t, "s3:GetObject row", get[:min(len(get), 600)], "allowed")
		b.shot("simulator")
	})

	t.Run("a service-linked role cannot be edited", func(t *testing.T) {
		b.open("/console/roles/" + slrName + "?tab=trust")
		wantContains(t, "notice", b.text(`[data-testid="slr-notice"]`), "elasticbeanstalk.amazonaws.com")
		if n := b.count(`[data-testid="edit-trust"]`); n != 0 {
			t.Errorf("the service-linked role's page offers %d trust edits, want none", n)
		}
		b.open("/console/roles/" + slrName + "/trust")
		b.submit(`[data-testid="save-policy"]`)
		wantContains(t, "refusal", b.text(`[data-testid="error-message"]`), "Cannot perform the operation on the protected role")
		wantContains(t, "code", b.text(`[data-testid="apierror"] h2`), "UnmodifiableEntity")
	})

	t.Run("hostile values render inert", func(t *testing.T) {
		const desc = `<script>alert("desc")</script><img src=x onerror=alert(1)>`
		_, err := api.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("xss"), Description: aws.String(desc),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		must(t, err)
		_, err = api.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("xss"), PolicyName: aws.String("probe"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:UserAgent":"</textarea><script>alert(2)</script>"}}}]}`)})
		must(t, err)
		_, err = api.CreatePolicy(ctx(t), &iam.CreatePolicyInput{PolicyName: aws.String("probe"), Description: aws.String(`"><svg onload=alert(3)>`),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)})
		must(t, err)
		b.open("/console/roles/xss")
		if got := b.text(`[data-testid="role-description"]`); got != desc {
			t.Errorf("role description shown as %q, want the literal text %q", got, desc)
		}
		b.open("/console/roles")
		b.open("/console/inline/role/xss?name=probe")
		doc, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#document")))
		must(t, err)
		wantContains(t, "editor text", doc, "</textarea><script>alert(2)</script>")
		b.open("/console/policy?arn=" + url.QueryEscape("arn:aws:iam::"+acct+":policy/probe"))
		wantContains(t, "policy page", b.text("dl.facts"), `"><svg onload=alert(3)>`)
		time.Sleep(200 * time.Millisecond) // a script that ran would have opened its dialog by now
		if n := b.dialogs.Load(); n != 0 {
			t.Errorf("%d JavaScript dialogs opened: a hostile value ran as script", n)
		}
	})

	t.Run("a user without permission sees the explained AccessDenied", func(t *testing.T) {
		b.signOut()
		b.signIn(bob)
		b.open("/console/users")
		wantContains(t, "error", b.text(`[data-testid="error-message"]`), "is not authorized to perform: iam:ListUsers")
		wantContains(t, "explanation", b.text(`[data-testid="explanation"]`), "implicitDeny")
		b.shot("access-denied")
	})

	t.Run("switch role, revoke its sessions, and the old session is refused", func(t *testing.T) {
		b.open("/console/switch-role")
		b.set("#role", "ops")
		b.submit(`[data-testid="switch-role"]`)
		wantContains(t, "header identity", b.text(`[data-testid="identity"]`), "ops")
		b.open("/console/users")
		wantContains(t, "users listed as role ops", b.text(`[data-testid="users"]`), "bob")
		// aws:TokenIssueTime has whole seconds: revoke a second later than
		// the session was issued, so that it is strictly older.
		time.Sleep(1100 * time.Millisecond)
		b.open("/console/roles/ops?tab=sessions")
		b.submit(`[data-testid="revoke"]`)
		// The page after the revocation is read with the revoked session.
		wantContains(t, "old session", b.text(`[data-testid="error-message"]`), "with an explicit deny in an identity-based policy")
		wantContains(t, "deciding policy", b.text(`[data-testid="explanation"]`), "AWSRevokeOlderSessions")
		b.submit(`[data-testid="switch-back"]`)
		wantContains(t, "header identity", b.text(`[data-testid="identity"]`), "bob")
	})

	t.Run("audit trail and trust graph", func(t *testing.T) {
		b.signOut()
		b.signIn(s.Root)
		b.open("/console/audit?decision=denied")
		trailText := b.text(`[data-testid="trail"]`)
		wantContains(t, "audit trail", trailText, "iam:ListUsers")
		wantContains(t, "audit trail", trailText, "user/bob")
		b.shot("audit-trail")
		// breakglass trusts the account: dave's own policy lets him in.
		_, err := api.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("breakglass"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`)})
		must(t, err)
		newUserWithKey(t, s, "dave", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN("breakglass")+`"}]}`)
		b.open("/console/graph")
		g := b.html()
		for _, want := range []string{"lambda-worker", "ops", "lambda.amazonaws.com", "user bob", "Account " + acct + " (this account)",
			"user dave → breakglass: sts:AssumeRole (allowed by its own policies"} {
			wantContains(t, "trust graph", g, want)
		}
		if strings.Contains(g, "user bob → breakglass") {
			t.Errorf("the trust graph lets bob assume breakglass: his policies allow only ops")
		}
		b.shot("trust-graph")
		b.open("/console/users")
		b.shot("users")
		b.open("/console/policy?arn=" + url.QueryEscape("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"))
		wantContains(t, "policy summary", b.text(`[data-testid="policy-summary"]`), "Amazon S3")
		b.shot("policy-summary")
	})
	t.Run("Roles Anywhere's trust anchors and profiles", func(t *testing.T) {
		w := newRAWorld(t, s)
		b.open("/console/rolesanywhere")
		anchors := b.text(`[data-testid="trust-anchors"]`)
		for _, want := range []string{"test-ca", w.anchorARN, "Enabled", "CN=Keyward Test Root CA"} {
			wantContains(t, "trust anchors", anchors, want)
		}
		profiles := b.text(`[data-testid="ra-profiles"]`)
		for _, want := range []string{"workload", w.profileARN, w.roleARN, "3600 seconds"} {
			wantContains(t, "profiles", profiles, want)
		}
		wantContains(t, "subjects", b.text(`[data-testid="ra-subjects"]`), "No subjects.")
		b.shot("roles-anywhere")
	})
}
