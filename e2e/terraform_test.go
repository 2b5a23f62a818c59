package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/crypto/ssh"
)

// tfMirror finds a local filesystem mirror holding the AWS provider:
// KEYWARD_TF_MIRROR, or /opt/tf-plugins where the project's machines keep
// one.
func tfMirror() string {
	for _, dir := range []string{os.Getenv("KEYWARD_TF_MIRROR"), "/opt/tf-plugins"} {
		if dir == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, "registry.terraform.io", "hashicorp", "aws")); err == nil && fi.IsDir() {
			return dir
		}
	}
	return ""
}

// TestTerraform_Credentials: every credential resource of Terraform's AWS
// provider that issue 15 names is created through Keyward, read back
// without drift (a second plan changes nothing), and destroyed:
// aws_iam_user_login_profile, aws_iam_virtual_mfa_device,
// aws_iam_saml_provider, aws_iam_user_ssh_key, aws_iam_signing_certificate,
// aws_iam_server_certificate and aws_iam_service_specific_credential.
// It takes 45 to 100 seconds (Terraform starts the AWS provider, a large
// binary, for each command), so it runs when KEYWARD_TERRAFORM=1:
// cd e2e && KEYWARD_TERRAFORM=1 go test -run TestTerraform -v.
func TestTerraform_Credentials(t *testing.T) {
	if os.Getenv("KEYWARD_TERRAFORM") == "" {
		t.Skip("slow (45 to 100 s): set KEYWARD_TERRAFORM=1 to run it")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed")
	}
	mirror := tfMirror()
	if mirror == "" {
		t.Skip("no local mirror of the hashicorp/aws provider (set KEYWARD_TF_MIRROR to the folder holding registry.terraform.io)")
	}
	s := startServer(t)
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("cli.tfrc", `provider_installation {
  filesystem_mirror {
    path    = "`+mirror+`"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(&key.PublicKey)
	write("id_rsa.pub", string(ssh.MarshalAuthorizedKey(pub)))
	cert := selfSigned(t, key, "www.example.com")
	write("cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
	write("key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	idp := newTestIdP(t, "arn:aws:iam::"+testAccount+":role/x", "arn:aws:iam::"+testAccount+":saml-provider/tf")
	write("idp.xml", idp.metadata)
	write("main.tf", `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "`+s.Root.ID+`"
  secret_key                  = "`+s.Root.Secret+`"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    iam = "`+s.URL+`"
    sts = "`+s.URL+`"
  }
}

resource "aws_iam_user" "alice" {
  name          = "alice"
  force_destroy = true
}

resource "aws_iam_user_login_profile" "alice" {
  user                    = aws_iam_user.alice.name
  password_reset_required = true
}

resource "aws_iam_virtual_mfa_device" "phone" {
  virtual_mfa_device_name = "alice-phone"
  tags                    = { owner = "alice" }
}

resource "aws_iam_saml_provider" "idp" {
  name                   = "tf"
  saml_metadata_document = file("${path.module}/idp.xml")
  tags                   = { team = "sso" }
}

resource "aws_iam_user_ssh_key" "alice" {
  username   = aws_iam_user.alice.name
  encoding   = "SSH"
  public_key = file("${path.module}/id_rsa.pub")
}

resource "aws_iam_signing_certificate" "alice" {
  user_name        = aws_iam_user.alice.name
  certificate_body = file("${path.module}/cert.pem")
}

resource "aws_iam_server_certificate" "www" {
  name             = "www"
  certificate_body = file("${path.module}/cert.pem")
  private_key      = file("${path.module}/key.pem")
  tags             = { env = "test" }
}

resource "aws_iam_service_specific_credential" "git" {
  service_name = "codecommit.amazonaws.com"
  user_name    = aws_iam_user.alice.name
}
`)
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "cli.tfrc"), "TF_IN_AUTOMATION=1",
			"TF_DATA_DIR="+filepath.Join(dir, ".terraform"), "CHECKPOINT_DISABLE=1", "AWS_EC2_METADATA_DISABLED=true")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	start := time.Now()
	if out, err := run("init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	if out, err := run("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	// Read back: a plan after apply must change nothing.
	if out, err := run("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Errorf("terraform plan after apply shows drift (or failed): %v\n%s", err, out)
	}
	root := s.IAM(s.Root)
	keys, err := root.ListSSHPublicKeys(ctx(t), &iam.ListSSHPublicKeysInput{UserName: aws.String("alice")})
	if err != nil || len(keys.SSHPublicKeys) != 1 {
		t.Errorf("ListSSHPublicKeys after apply = %+v, %v; want Terraform's key", keys, err)
	}
	if out, err := run("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform destroy: %v\n%s", err, out)
	}
	users, err := root.ListUsers(ctx(t), &iam.ListUsersInput{})
	if err != nil || len(users.Users) != 0 {
		t.Errorf("ListUsers after destroy = %+v, %v; want none", users, err)
	}
	for _, check := range []struct {
		what string
		n    func() (int, error)
	}{
		{"virtual MFA devices", func() (int, error) {
			o, err := root.ListVirtualMFADevices(ctx(t), &iam.ListVirtualMFADevicesInput{})
			return len(o.VirtualMFADevices), err
		}},
		{"SAML providers", func() (int, error) {
			o, err := root.ListSAMLProviders(ctx(t), &iam.ListSAMLProvidersInput{})
			return len(o.SAMLProviderList), err
		}},
		{"server certificates", func() (int, error) {
			o, err := root.ListServerCertificates(ctx(t), &iam.ListServerCertificatesInput{})
			return len(o.ServerCertificateMetadataList), err
		}},
	} {
		if n, err := check.n(); err != nil || n != 0 {
			t.Errorf("%s after destroy: %d, %v; want none", check.what, n, err)
		}
	}
	t.Logf("terraform init, apply, plan and destroy of 8 resources: %s", time.Since(start).Round(time.Second))
}
