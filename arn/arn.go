// Package arn parses and formats Amazon Resource Names:
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
//
// It imports only the standard library, so that the policy engine and anything
// else can use it alone. Matching ARNs against policy patterns is the policy
// package's business: it needs policy variables and a zero-allocation path.
package arn

import (
	"errors"
	"strings"
)

// ARN is a parsed Amazon Resource Name. Resource keeps everything after the
// fifth colon, colons included (arn:aws:logs:us-east-1:1:log-group:name:*).
type ARN struct {
	Partition string
	Service   string
	Region    string
	AccountID string
	Resource  string
}

// Errors returned by Parse.
var (
	ErrPrefix   = errors.New(`arn: does not begin with "arn:"`)
	ErrSections = errors.New("arn: fewer than six colon-separated sections")
	ErrEmpty    = errors.New("arn: partition, service or resource is empty")
)

// Parse splits s into its sections. It checks the shape only: any service,
// region and account are accepted, because new ones appear all the time.
func Parse(s string) (ARN, error) {
	if !strings.HasPrefix(s, "arn:") {
		return ARN{}, ErrPrefix
	}
	var parts [5]string
	rest := s
	for i := range parts {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ARN{}, ErrSections
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], AccountID: parts[4], Resource: rest}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, ErrEmpty
	}
	return a, nil
}

// String formats a as an ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// IAM returns the ARN of an IAM entity: arn:aws:iam::ACCOUNT:KIND/PATH+NAME, where
// path begins and ends with "/" (IAM's rule), as in user/division/alice.
func IAM(account, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

// Principal describes the principal an ARN names, as policies see it.
type Principal struct {
	Kind      PrincipalKind
	AccountID string
	// Name is the user, role or federated-user name; for an assumed-role
	// session it is the role's name.
	Name string
	// Session is the role session name of an assumed-role ARN.
	Session string
	// Path is the IAM path of a user or role ARN ("/" when none).
	Path string
}

// PrincipalKind says what kind of principal an ARN names.
type PrincipalKind uint8

const (
	NotPrincipal  PrincipalKind = iota // not a principal ARN
	Root                               // arn:aws:iam::ACCOUNT:root
	User                               // arn:aws:iam::ACCOUNT:user/PATH/NAME
	Role                               // arn:aws:iam::ACCOUNT:role/PATH/NAME
	AssumedRole                        // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	FederatedUser                      // arn:aws:sts::ACCOUNT:federated-user/NAME
)

// ParsePrincipal reads a principal ARN. It returns Kind NotPrincipal when s is
// not the ARN of an account root, user, role, role session or federated user.
// It does not allocate.
func ParsePrincipal(s string) Principal {
	a, err := Parse(s)
	if err != nil {
		return Principal{}
	}
	switch a.Service {
	case "iam":
		if a.Resource == "root" {
			return Principal{Kind: Root, AccountID: a.AccountID}
		}
		kind, rest, ok := strings.Cut(a.Resource, "/")
		if !ok || rest == "" {
			return Principal{}
		}
		path, name := "/", rest
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			path, name = a.Resource[len(kind):len(kind)+1+i+1], rest[i+1:]
		}
		if name == "" {
			return Principal{}
		}
		switch kind {
		case "user":
			return Principal{Kind: User, AccountID: a.AccountID, Name: name, Path: path}
		case "role":
			return Principal{Kind: Role, AccountID: a.AccountID, Name: name, Path: path}
		}
	case "sts":
		kind, rest, ok := strings.Cut(a.Resource, "/")
		if !ok {
			return Principal{}
		}
		switch kind {
		case "assumed-role":
			role, session, ok := strings.Cut(rest, "/")
			if !ok || role == "" || session == "" {
				return Principal{}
			}
			return Principal{Kind: AssumedRole, AccountID: a.AccountID, Name: role, Session: session}
		case "federated-user":
			if rest == "" {
				return Principal{}
			}
			return Principal{Kind: FederatedUser, AccountID: a.AccountID, Name: rest}
		}
	}
	return Principal{}
}

// IsAccountID reports whether s is an AWS account ID: twelve digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// RootARN returns the ARN of an account's root user, arn:aws:iam::ACCOUNT:root.
func RootARN(accountID string) string { return "arn:aws:iam::" + accountID + ":root" }
