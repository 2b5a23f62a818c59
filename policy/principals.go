package policy

import (
	"bytes"
	"encoding/json"
)

// IsUniqueID reports whether s has the shape of an IAM unique ID as AWS
// shows one in a policy's Principal element in place of a user or role
// that was deleted (AIDA... for users, AROA... for roles: the prefix and 17
// characters of A-Z and 2-7). Such a principal matches no request: it names
// an entity that no longer exists.
func IsUniqueID(s string) bool {
	if len(s) != 21 || (s[:4] != "AIDA" && s[:4] != "AROA") {
		return false
	}
	for i := 4; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// MapAWSPrincipals returns a copy of the policy document data in which every
// AWS principal of a statement's Principal or NotPrincipal element is
// replaced by fn's answer for it, and everything else is kept byte for
// byte. It is how IAM shows a trust policy whose principals were bound to
// unique IDs when it was saved: a renamed user under its new ARN, a deleted
// one under its unique ID. A document that does not parse as JSON is
// returned unchanged.
func MapAWSPrincipals(data []byte, fn func(string) string) []byte {
	root, jerr := parseJSON(data)
	if jerr != nil || root.kind != jObject {
		return data
	}
	var edits []edit
	stmts := root.get("Statement")
	if stmts == nil {
		return data
	}
	list := []*node{stmts}
	if stmts.kind == jArray {
		list = stmts.elems
	}
	for _, st := range list {
		if st.kind != jObject {
			continue
		}
		for _, key := range []string{"Principal", "NotPrincipal"} {
			p := st.get(key)
			if p == nil || p.kind != jObject {
				continue
			}
			aws := p.get("AWS")
			if aws == nil {
				continue
			}
			vals := []*node{aws}
			if aws.kind == jArray {
				vals = aws.elems
			}
			for _, v := range vals {
				if v.kind != jString {
					continue
				}
				if to := fn(v.str); to != v.str {
					q, _ := json.Marshal(to) // a string always marshals
					edits = append(edits, edit{v.off, v.end, q})
				}
			}
		}
	}
	if len(edits) == 0 {
		return data
	}
	var b bytes.Buffer
	last := 0
	for _, e := range edits { // in document order: statements are read in order
		b.Write(data[last:e.from])
		b.Write(e.text)
		last = e.to
	}
	b.Write(data[last:])
	return b.Bytes()
}

type edit struct {
	from, to int
	text     []byte
}
