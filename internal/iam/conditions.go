package iam

import "github.com/keyward/keyward"

// resourceTagConditions adds an existing resource's tags as
// aws:ResourceTag/KEY and, for IAM resources, iam:ResourceTag/KEY.
func resourceTagConditions(extra map[string][]string, tags []keyward.Tag) map[string][]string {
	if len(tags) == 0 {
		return extra
	}
	if extra == nil {
		extra = make(map[string][]string, 2*len(tags))
	}
	for _, t := range tags {
		v := []string{t.Value}
		extra["aws:ResourceTag/"+t.Key] = v
		extra["iam:ResourceTag/"+t.Key] = v
	}
	return extra
}

// withKey adds one condition key to extra.
func withKey(extra map[string][]string, key string, values ...string) map[string][]string {
	if extra == nil {
		extra = make(map[string][]string, 1)
	}
	extra[key] = values
	return extra
}
