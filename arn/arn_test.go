package arn

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want ARN
		err  error
	}{
		{"arn:aws:s3:::bucket/key", ARN{"aws", "s3", "", "", "bucket/key"}, nil},
		{"arn:aws:logs:us-east-1:111122223333:log-group:name:*", ARN{"aws", "logs", "us-east-1", "111122223333", "log-group:name:*"}, nil},
		{"arn:aws:iam::111122223333:user/division/alice", ARN{"aws", "iam", "", "111122223333", "user/division/alice"}, nil},
		{"aws:s3:::bucket", ARN{}, ErrPrefix},
		{"arn:aws:s3::bucket", ARN{}, ErrSections},
		{"arn::s3:::bucket", ARN{}, ErrEmpty},
		{"arn:aws:s3:::", ARN{}, ErrEmpty},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if got != tt.want || err != tt.err {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestParsePrincipal(t *testing.T) {
	tests := []struct {
		in   string
		want Principal
	}{
		{"arn:aws:iam::111122223333:root", Principal{Kind: Root, AccountID: "111122223333"}},
		{"arn:aws:iam::111122223333:user/alice", Principal{Kind: User, AccountID: "111122223333", Name: "alice", Path: "/"}},
		{"arn:aws:iam::111122223333:user/div/team/alice", Principal{Kind: User, AccountID: "111122223333", Name: "alice", Path: "/div/team/"}},
		{"arn:aws:iam::111122223333:role/service-role/Admin", Principal{Kind: Role, AccountID: "111122223333", Name: "Admin", Path: "/service-role/"}},
		{"arn:aws:sts::111122223333:assumed-role/Admin/bob", Principal{Kind: AssumedRole, AccountID: "111122223333", Name: "Admin", Session: "bob"}},
		{"arn:aws:sts::111122223333:federated-user/carol", Principal{Kind: FederatedUser, AccountID: "111122223333", Name: "carol"}},
		{"arn:aws:iam::111122223333:group/devs", Principal{}},
		{"arn:aws:sts::111122223333:assumed-role/Admin", Principal{}},
		{"arn:aws:iam::111122223333:user/", Principal{}},
		{"sns.amazonaws.com", Principal{}},
	}
	for _, tt := range tests {
		if got := ParsePrincipal(tt.in); got != tt.want {
			t.Errorf("ParsePrincipal(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestIAM(t *testing.T) {
	if got, want := IAM("111122223333", "user", "/div/", "alice"), "arn:aws:iam::111122223333:user/div/alice"; got != want {
		t.Errorf("IAM() = %q, want %q", got, want)
	}
	if got, want := IAM("111122223333", "role", "", "r"), "arn:aws:iam::111122223333:role/r"; got != want {
		t.Errorf("IAM() = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:::b/k", "arn:aws:iam::1:user/a", "arn:aws:sts::1:assumed-role/r/s", "arn:::::", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if a != (ARN{}) {
				t.Fatalf("Parse(%q) returned %+v with error %v", s, a, err)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("reparse of %q = %+v, %v", s, b, err)
		}
		_ = ParsePrincipal(s)
	})
}

func BenchmarkParsePrincipal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ParsePrincipal("arn:aws:sts::111122223333:assumed-role/Admin/bob")
	}
}
