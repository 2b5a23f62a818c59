package rolesanywhere

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"slices"
	"unicode"

	"github.com/keyward/keyward"
)

// The certificate's attributes a session carries as principal tags
// (x509Subject/CN, x509Issuer/O, x509SAN/DNS, ...), as the profile's
// attribute mappings select them.

// rdnNames are the relative distinguished names mapped, by OID, with the
// short names AWS's tags use.
var rdnNames = []struct {
	oid  string
	name string
}{
	{"2.5.4.3", "CN"},
	{"2.5.4.6", "C"},
	{"2.5.4.7", "L"},
	{"2.5.4.8", "ST"},
	{"2.5.4.9", "STREET"},
	{"2.5.4.10", "O"},
	{"2.5.4.11", "OU"},
	{"2.5.4.5", "serialNumber"},
	{"0.9.2342.19200300.100.1.25", "DC"},
	{"0.9.2342.19200300.100.1.1", "UID"},
	{"1.2.840.113549.1.9.1", "emailAddress"},
}

// maxSessionTags is STS's limit of session tags.
const maxSessionTags = 50

// certificateTags returns the session tags of cert under mappings: each
// mapped relative distinguished name of the subject and issuer (the first
// value of each), and the first DNS name and URI of the subject
// alternative names. A value that is not a valid tag value (over 256
// characters, or with a character outside tags' set, such as a wildcard's
// "*") is left out: it could otherwise widen a policy that substitutes
// the tag into a pattern.
func certificateTags(cert *x509.Certificate, mappings []keyward.AttributeMapping) []keyward.Tag {
	specs := func(field string) []string {
		for _, m := range mappings {
			if m.CertificateField == field {
				return m.Specifiers
			}
		}
		return nil
	}
	var tags []keyward.Tag
	add := func(key, value string) {
		if value == "" || !validTagValue(value) || len(tags) >= maxSessionTags {
			return
		}
		for _, t := range tags {
			if t.Key == key {
				return
			}
		}
		tags = append(tags, keyward.Tag{Key: key, Value: value})
	}
	for _, f := range []struct {
		field string
		name  *pkix.Name
	}{{FieldSubject, &cert.Subject}, {FieldIssuer, &cert.Issuer}} {
		want := specs(f.field)
		all := slices.Contains(want, "*")
		for _, rdn := range rdnNames {
			if !all && !slices.Contains(want, rdn.name) {
				continue
			}
			for _, atv := range f.name.Names {
				if atv.Type.String() != rdn.oid {
					continue
				}
				if v, ok := atv.Value.(string); ok {
					add(f.field+"/"+rdn.name, v)
				}
				break
			}
		}
	}
	san := specs(FieldSAN)
	if (slices.Contains(san, "DNS") || slices.Contains(san, "*")) && len(cert.DNSNames) > 0 {
		add(FieldSAN+"/DNS", cert.DNSNames[0])
	}
	if (slices.Contains(san, "URI") || slices.Contains(san, "*")) && len(cert.URIs) > 0 {
		add(FieldSAN+"/URI", cert.URIs[0].String())
	}
	return tags
}

// validTagValue reports whether v may be a tag value: at most 256
// characters of letters, separators, digits and _.:/=+-@.
func validTagValue(v string) bool {
	n := 0
	for _, r := range v {
		n++
		if unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) {
			continue
		}
		switch r {
		case '_', '.', ':', '/', '=', '+', '-', '@':
			continue
		}
		return false
	}
	return n <= 256
}
