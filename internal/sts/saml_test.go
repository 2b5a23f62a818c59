package sts

import "testing"

func TestSAMLACS(t *testing.T) {
	for _, tt := range []struct {
		name, xml, want string
	}{
		{"global", `<Response Destination="https://signin.aws.amazon.com/saml"/>`, SAMLACSURL},
		{"regional", `<Response Destination="https://eu-west-1.signin.aws.amazon.com/saml"/>`, "https://eu-west-1.signin.aws.amazon.com/saml"},
		{"another host", `<Response Destination="https://evil.example.com/saml"/>`, SAMLACSURL},
		{"a lookalike", `<Response Destination="https://eu-west-1.signin.aws.amazon.com.evil.example/saml"/>`, SAMLACSURL},
		{"none", `<Response/>`, SAMLACSURL},
		{"not XML", `nope`, SAMLACSURL},
	} {
		if got := samlACS([]byte(tt.xml)); got != tt.want {
			t.Errorf("%s: samlACS(%q) = %q, want %q", tt.name, tt.xml, got, tt.want)
		}
	}
}
