package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON writes d in a canonical form: every list as an array, elements
// in AWS's usual order, conditions grouped by operator in the order they were
// written. Parse reads it back to the same document.
func (d *Document) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(&b, name)
		b.WriteByte(':')
	}
	if d.Version != "" {
		field("Version")
		writeString(&b, d.Version)
	}
	if d.ID != "" {
		field("Id")
		writeString(&b, d.ID)
	}
	field("Statement")
	b.WriteByte('[')
	for i := range d.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		d.Statements[i].write(&b)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func (s *Statement) write(b *bytes.Buffer) {
	b.WriteByte('{')
	if s.Sid != "" {
		b.WriteString(`"Sid":`)
		writeString(b, s.Sid)
		b.WriteByte(',')
	}
	b.WriteString(`"Effect":`)
	writeString(b, s.Effect.String())
	if s.Principal != nil {
		if s.NotPrincipal {
			b.WriteString(`,"NotPrincipal":`)
		} else {
			b.WriteString(`,"Principal":`)
		}
		s.Principal.write(b)
	}
	if s.NotAction {
		b.WriteString(`,"NotAction":`)
	} else {
		b.WriteString(`,"Action":`)
	}
	writeStrings(b, s.Action)
	if s.Resource != nil {
		if s.NotResource {
			b.WriteString(`,"NotResource":`)
		} else {
			b.WriteString(`,"Resource":`)
		}
		writeStrings(b, s.Resource)
	}
	if len(s.Condition) > 0 {
		b.WriteString(`,"Condition":{`)
		done := make([]bool, len(s.Condition))
		for i, c := range s.Condition {
			if done[i] {
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, c.Operator)
			b.WriteString(":{")
			n := 0
			for j := i; j < len(s.Condition); j++ {
				if done[j] || s.Condition[j].Operator != c.Operator {
					continue
				}
				done[j] = true
				if n > 0 {
					b.WriteByte(',')
				}
				n++
				writeString(b, s.Condition[j].Key)
				b.WriteByte(':')
				writeStrings(b, s.Condition[j].Values)
			}
			b.WriteByte('}')
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func (p *Principal) write(b *bytes.Buffer) {
	if p.All && p.AWS == nil && p.Service == nil && p.Federated == nil && p.CanonicalUser == nil {
		b.WriteString(`"*"`)
		return
	}
	b.WriteByte('{')
	n := 0
	for _, kv := range []struct {
		k string
		v []string
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"Federated", p.Federated}, {"CanonicalUser", p.CanonicalUser}} {
		if kv.v == nil {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		writeString(b, kv.k)
		b.WriteByte(':')
		writeStrings(b, kv.v)
	}
	b.WriteByte('}')
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

func writeStrings(b *bytes.Buffer, vals []string) {
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, v)
	}
	b.WriteByte(']')
}
