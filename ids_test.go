package keyward

import (
	"regexp"
	"testing"
)

// TestUUIDs: NewUUID is a random version 4 UUID; NameUUID the same name's
// version 5-shaped UUID every time (the value is SHA-256's first 16 bytes
// with the version and variant bits set, computed apart from this code),
// which Roles Anywhere subjects and SAML providers' SAMLProviderUUIDs are.
func TestUUIDs(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if a, b := NewUUID(), NewUUID(); !v4.MatchString(a) || a == b {
		t.Errorf("NewUUID = %s, %s; want two different version 4 UUIDs", a, b)
	}
	const want = "36c92895-8530-5419-ba6a-b548698eebec"
	if got := NameUUID("111122223333\x00CN=workload-1,O=Example Corp"); got != want {
		t.Errorf("NameUUID = %s, want %s", got, want)
	}
}
