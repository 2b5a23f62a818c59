package rolesanywhere

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

func TestSubjectID(t *testing.T) {
	// The model's Uuid pattern (ScalarSubjectRequest.subjectId).
	uuid := regexp.MustCompile(`\A[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}\z`)
	a := subjectID("111122223333", "CN=web-1,O=Example")
	if !uuid.MatchString(a) {
		t.Errorf("subjectID = %q, want the model's UUID pattern", a)
	}
	if again := subjectID("111122223333", "CN=web-1,O=Example"); again != a {
		t.Errorf("subjectID twice = %q, %q, want one ID", a, again)
	}
	for _, other := range [][2]string{{"444455556666", "CN=web-1,O=Example"}, {"111122223333", "CN=web-2,O=Example"}} {
		if b := subjectID(other[0], other[1]); b == a {
			t.Errorf("subjectID(%q, %q) = %q, the ID of another account's or subject's", other[0], other[1], b)
		}
	}
}

func TestSeeSubject(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	cred := func(serial string, at time.Time) keyward.SubjectCredential {
		return keyward.SubjectCredential{SerialNumber: serial, Issuer: "CN=CA", CertificateData: "pem " + serial, Enabled: true, SeenAt: at}
	}
	sub := keyward.RolesAnywhereSubject{CreateDate: t0}
	seeSubject(&sub, cred("01", t0), map[string]string{"host": "h1"}, t0, false)
	seeSubject(&sub, cred("01", t1), map[string]string{"host": "h1"}, t1, false)
	seeSubject(&sub, cred("02", t1), nil, t1, false)
	want := keyward.RolesAnywhereSubject{CreateDate: t0, LastSeenAt: t1, UpdateDate: t1,
		Credentials:        []keyward.SubjectCredential{cred("01", t1), cred("02", t1)},
		InstanceProperties: []keyward.SubjectInstanceProperty{{Properties: map[string]string{"host": "h1"}, SeenAt: t1}}}
	if d := cmp.Diff(want, sub); d != "" {
		t.Errorf("seeSubject three times (-want +got):\n%s", d)
	}

	// A refused attempt is seen too, failed, and moves lastSeenAt; the
	// latest attempt sets failed, a new entry's and a known one's alike.
	t2, t3 := t1.Add(time.Minute), t1.Add(2*time.Minute)
	seeSubject(&sub, cred("01", t2), map[string]string{"host": "h1"}, t2, true)
	seeSubject(&sub, cred("03", t2), map[string]string{"host": "h2"}, t2, true)
	failed := func(c keyward.SubjectCredential) keyward.SubjectCredential { c.Failed = true; return c }
	want = keyward.RolesAnywhereSubject{CreateDate: t0, LastSeenAt: t2, UpdateDate: t2,
		Credentials: []keyward.SubjectCredential{failed(cred("01", t2)), cred("02", t1), failed(cred("03", t2))},
		InstanceProperties: []keyward.SubjectInstanceProperty{{Properties: map[string]string{"host": "h1"}, SeenAt: t2, Failed: true},
			{Properties: map[string]string{"host": "h2"}, SeenAt: t2, Failed: true}}}
	if d := cmp.Diff(want, sub); d != "" {
		t.Errorf("seeSubject after two refusals (-want +got):\n%s", d)
	}
	seeSubject(&sub, cred("01", t3), map[string]string{"host": "h1"}, t3, false)
	want.LastSeenAt, want.UpdateDate = t3, t3
	want.Credentials[0] = cred("01", t3)
	want.InstanceProperties[0] = keyward.SubjectInstanceProperty{Properties: map[string]string{"host": "h1"}, SeenAt: t3}
	if d := cmp.Diff(want, sub); d != "" {
		t.Errorf("seeSubject after a success that follows a refusal (-want +got):\n%s", d)
	}

	// Past maxSubjectEntries the least recently seen go.
	sub = keyward.RolesAnywhereSubject{}
	for i := range maxSubjectEntries + 2 {
		at := t0.Add(time.Duration(i) * time.Second)
		seeSubject(&sub, cred(fmt.Sprint(i), at), map[string]string{"n": fmt.Sprint(i)}, at, i%2 == 0)
	}
	if len(sub.Credentials) != maxSubjectEntries || len(sub.InstanceProperties) != maxSubjectEntries {
		t.Fatalf("seeSubject %d times kept %d certificates, %d property sets, want %d each",
			maxSubjectEntries+2, len(sub.Credentials), len(sub.InstanceProperties), maxSubjectEntries)
	}
	for _, c := range sub.Credentials {
		if c.SerialNumber == "0" || c.SerialNumber == "1" {
			t.Errorf("seeSubject kept certificate %s, one of the two least recently seen", c.SerialNumber)
		}
	}
	for _, p := range sub.InstanceProperties {
		if p.Properties["n"] == "0" || p.Properties["n"] == "1" {
			t.Errorf("seeSubject kept properties %v, one of the two least recently seen", p.Properties)
		}
	}
}

// TestSubjectDetail_JSON: GetSubject's shape, as the API reference's
// response syntax gives it
// (https://docs.aws.amazon.com/rolesanywhere/latest/APIReference/API_GetSubject.html).
func TestSubjectDetail_JSON(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := keyward.RolesAnywhereSubject{AccountID: "111122223333", ID: "36c92895-8530-5419-ba6a-b548698eebec",
		ARN:         "arn:aws:rolesanywhere:us-east-1:111122223333:subject/36c92895-8530-5419-ba6a-b548698eebec",
		X509Subject: "CN=web-1", Enabled: true, LastSeenAt: t0, CreateDate: t0, UpdateDate: t0,
		Credentials: []keyward.SubjectCredential{{SerialNumber: "0a", Issuer: "CN=CA", CertificateData: "PEM", Enabled: true, SeenAt: t0}}}
	got, err := json.Marshal(GetSubjectOutput{Subject: subjectDetail(&s)})
	if err != nil {
		t.Fatal(err)
	}
	ts := `"2026-01-02T03:04:05.000Z"`
	want := `{"subject":{"subjectArn":"` + s.ARN + `","subjectId":"` + s.ID + `","enabled":true,"x509Subject":"CN=web-1",` +
		`"lastSeenAt":` + ts + `,"createdAt":` + ts + `,"updatedAt":` + ts + `,` +
		`"credentials":[{"seenAt":` + ts + `,"serialNumber":"0a","issuer":"CN=CA","enabled":true,"x509CertificateData":"PEM","failed":false}],` +
		`"instanceProperties":[]}}`
	if string(got) != want {
		t.Errorf("json.Marshal(GetSubject) =\n%s\nwant\n%s", got, want)
	}
	list, err := json.Marshal(ListSubjectsOutput{Subjects: []SubjectSummary{subjectSummary(&s)}, NextToken: "n"})
	if err != nil {
		t.Fatal(err)
	}
	wantList := `{"nextToken":"n","subjects":[{"subjectArn":"` + s.ARN + `","subjectId":"` + s.ID + `","enabled":true,` +
		`"x509Subject":"CN=web-1","lastSeenAt":` + ts + `,"createdAt":` + ts + `,"updatedAt":` + ts + `}]}`
	if string(list) != wantList {
		t.Errorf("json.Marshal(ListSubjects) =\n%s\nwant\n%s", list, wantList)
	}
}

// TestCreateSessionInput_CheckInstanceProperties: CreateSession bounds
// instance properties as the model's InstancePropertyMap does, since a
// subject keeps them.
func TestCreateSessionInput_CheckInstanceProperties(t *testing.T) {
	arns := CreateSessionInput{ProfileArn: "p", RoleArn: "r", TrustAnchorArn: "t"}
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprint("k", i)] = "v"
	}
	fiftyOne := maps.Clone(fifty)
	fiftyOne["k50"] = "v"
	long := strings.Repeat("x", 201)
	tests := []struct {
		name    string
		props   map[string]string
		message string // "" when accepted
	}{
		{"none", nil, ""},
		{"fifty", fifty, ""},
		{"fifty-one", fiftyOne, "Value at 'instanceProperties' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"long value", map[string]string{"host": long}, "at 'instanceProperties.host.member.value' failed to satisfy constraint: Member must have length less than or equal to 200"},
		{"long key", map[string]string{long: "v"}, "failed to satisfy constraint: Member must have length less than or equal to 200"},
		{"empty value", map[string]string{"host": ""}, "at 'instanceProperties.host.member.value' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		in := arns
		in.InstanceProperties = tt.props
		err := in.check()
		if tt.message == "" {
			if err != nil {
				t.Errorf("check(%s) = %v, want nil", tt.name, err)
			}
			continue
		}
		if keyward.ErrorCode(err) != ErrValidation || !strings.Contains(keyward.ErrorMessage(err), tt.message) {
			t.Errorf("check(%s) = %v, want %s with %q", tt.name, err, ErrValidation, tt.message)
		}
	}
}
