package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:generate go run gen/main.go -out data

//go:embed data/managed.bin.gz
var managedData []byte

// Policy is one AWS-managed policy, as every account sees it under
// arn:aws:iam::aws:policy/.
type Policy struct {
	Name             string
	Path             string // "/", "/service-role/", "/aws-service-role/", ...
	ARN              string
	Description      string // not in the sources: always ""
	DefaultVersionID string
	IsAttachable     bool
	CreateDate       time.Time
	UpdateDate       time.Time
	Versions         []PolicyVersion // oldest first; numbers may skip, as AWS's do
}

// PolicyVersion is one version of an AWS-managed policy.
type PolicyVersion struct {
	ID         string
	CreateDate time.Time
	lines      string // the document: its line numbers, as varint deltas (see decodeManaged)
}

// Document returns the version's policy document: JSON indented by four
// spaces. The documents of all versions come to some 54 MB, so each is
// built when asked for rather than kept.
func (v PolicyVersion) Document() string {
	n, size := 0, 0
	for l := range docLines(v.lines) {
		n, size = n+1, size+len(managed.lines[l])
	}
	var b strings.Builder
	b.Grow(size + n)
	i := 0
	for l := range docLines(v.lines) {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(managed.lines[l])
		i++
	}
	return b.String()
}

// docLines yields the line numbers a version's deltas encode (checked by
// decodeManaged).
func docLines(deltas string) func(func(int) bool) {
	return func(yield func(int) bool) {
		prev := -1
		for len(deltas) > 0 {
			d, n := binary.Varint([]byte(deltas[:min(len(deltas), binary.MaxVarintLen64)]))
			deltas = deltas[n:]
			prev += 1 + int(d)
			if !yield(prev) {
				return
			}
		}
	}
}

// Default returns the policy's default version.
func (p *Policy) Default() PolicyVersion {
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersionID {
			return v
		}
	}
	return PolicyVersion{} // the generator refuses data where this happens
}

var managed struct {
	once   sync.Once
	list   []*Policy
	lines  []string
	byARN  map[string]*Policy
	source string
	err    error
}

func loadManaged() {
	managed.list, managed.lines, managed.source, managed.err = decodeManaged(managedData)
	if managed.err != nil {
		panic("catalog: embedded managed policies: " + managed.err.Error())
	}
	managed.byARN = make(map[string]*Policy, len(managed.list))
	for _, p := range managed.list {
		managed.byARN[strings.ToLower(p.ARN)] = p
	}
}

// ManagedPolicies returns every AWS-managed policy, sorted by name. The
// slice and the policies are shared: do not modify them.
func ManagedPolicies() []*Policy {
	managed.once.Do(loadManaged)
	return managed.list
}

// ManagedPolicy returns the AWS-managed policy with that ARN (compared
// case-insensitively, as IAM compares policy ARNs).
func ManagedPolicy(arn string) (*Policy, bool) {
	managed.once.Do(loadManaged)
	p, ok := managed.byARN[strings.ToLower(arn)]
	return p, ok
}

// ManagedSource names the npm package version the policies come from.
func ManagedSource() string {
	managed.once.Do(loadManaged)
	return managed.source
}

// decodeManaged reads the generator's format (gzip'd):
//
//	str magic, str source, uvarint nlines, nlines × str line,
//	uvarint npolicies, npolicies × {
//	  str name, str path, str defaultVersion, uvarint created, uvarint updated,
//	  uvarint nversions, nversions × {
//	    str id, uvarint created, uvarint nlines, nlines × varint delta } }
//
// where str is a uvarint length and bytes, times are Unix seconds, and a
// document is its lines joined by "\n", each line number being the
// previous one's plus one plus delta.
func decodeManaged(gz []byte) (list []*Policy, lines []string, source string, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, nil, "", err
	}
	// The gzip trailer's last four bytes hold the data's size: read it in
	// one allocation, and keep it as one string that lines and documents
	// share.
	var buf bytes.Buffer
	if len(gz) >= 4 {
		buf.Grow(int(binary.LittleEndian.Uint32(gz[len(gz)-4:])) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, nil, "", err
	}
	d := dec{b: buf.String()}
	if magic := d.str(); magic != "keyward-managed-1" {
		return nil, nil, "", fmt.Errorf("unknown format %q", magic)
	}
	source = d.str()
	lines = make([]string, d.uvarint())
	for i := range lines {
		lines[i] = d.str()
	}
	list = make([]*Policy, d.uvarint())
	for i := range list {
		p := &Policy{Name: d.str(), Path: d.str(), DefaultVersionID: d.str()}
		p.CreateDate, p.UpdateDate = d.time(), d.time()
		p.ARN = "arn:aws:iam::aws:policy" + p.Path + p.Name
		p.IsAttachable = p.Path != "/aws-service-role/"
		p.Versions = make([]PolicyVersion, d.uvarint())
		for j := range p.Versions {
			v := PolicyVersion{ID: d.str(), CreateDate: d.time()}
			n := d.uvarint()
			start := d.b
			prev := -1
			for range n {
				prev += 1 + int(d.varint())
				if prev < 0 || prev >= len(lines) {
					return nil, nil, "", fmt.Errorf("%s %s: line %d out of range", p.Name, v.ID, prev)
				}
			}
			v.lines = start[:len(start)-len(d.b)]
			p.Versions[j] = v
		}
		list[i] = p
	}
	if d.err != nil {
		return nil, nil, "", d.err
	}
	if !sort.SliceIsSorted(list, func(i, j int) bool { return list[i].Name < list[j].Name }) {
		return nil, nil, "", errors.New("policies not sorted by name")
	}
	return list, lines, source, nil
}

// dec reads what the generator's enc wrote; the first error sticks.
type dec struct {
	b   string
	err error
}

func (d *dec) uvarint() int {
	v, n := binary.Uvarint(d.head())
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.head())
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string {
	n := d.uvarint()
	if n > len(d.b) {
		d.fail()
		return ""
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

// head returns the bytes a varint may take. (The conversion of a short
// string to bytes does not allocate.)
func (d *dec) head() []byte { return []byte(d.b[:min(len(d.b), binary.MaxVarintLen64)]) }

func (d *dec) time() time.Time { return time.Unix(int64(d.uvarint()), 0).UTC() }

func (d *dec) fail() {
	if d.err == nil {
		d.err = errors.New("truncated data")
	}
	d.b = ""
}
