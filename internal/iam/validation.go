package iam

import (
	"errors"
	"strings"
	"unicode"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

// Quotas and defaults (AWS-FACTS.md, "IAM and AWS STS quotas").
const (
	maxTags                   = 50
	maxAccessKeysPerUser      = 2
	maxGroupsPerUser          = 10
	maxRolesPerProfile        = 1
	defaultMaxItems           = 100
	defaultMaxSessionDuration = 3600
	maxTrustPolicyChars       = 2048
)

// checkTagSet refuses duplicate keys (keys are case-insensitive) and keys
// AWS reserves, in AWS's words.
func checkTagSet(tags []keyward.Tag) error {
	for i, t := range tags {
		for _, u := range tags[:i] {
			if strings.EqualFold(t.Key, u.Key) {
				return keyward.Errorf(keyward.ErrInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
		if len(t.Key) >= 4 && strings.EqualFold(t.Key[:4], "aws:") {
			return keyward.Errorf(keyward.ErrInvalidInput, "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS tags.")
		}
	}
	return nil
}

// checkPolicyDocument parses doc as a policy of type t (with the rules of a
// managed policy when o says so) and turns a grammar error into AWS's
// MalformedPolicyDocument with AWS's own sentence; Keyward's explanation,
// with its line and column, is for keyward policy validate.
func checkPolicyDocument(doc string, t policy.Type, o ...policy.Options) error {
	var opts policy.Options
	if len(o) > 0 {
		opts = o[0]
	}
	if _, err := policy.ParseWith([]byte(doc), t, opts); err != nil {
		var pe *policy.ParseError
		if errors.As(err, &pe) {
			return keyward.Errorf(keyward.ErrMalformedPolicyDocument, "%s", pe.AWSMessage)
		}
		return keyward.Errorf(keyward.ErrMalformedPolicyDocument, "Syntax errors in policy.")
	}
	return nil
}

// charsWithoutSpace counts a document's characters, white space not
// counted, as AWS's managed policy size quota does.
func charsWithoutSpace(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
