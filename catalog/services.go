package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

//go:embed data/services.json.gz
var servicesData []byte

// Service is one service of the Service Authorization Reference.
type Service struct {
	Prefix        string // "s3", "iam", ...
	Name          string // "Amazon S3"
	Actions       []*Action
	ResourceTypes []*ResourceType
	ConditionKeys []*ConditionKey // the service's own keys, and the aws: keys it lists
	actions       map[string]*Action
	resources     map[string]*ResourceType
}

// Action is one action of a service.
type Action struct {
	Service          *Service
	Name             string // as AWS spells it: "GetObject"
	AccessLevel      string // "List", "Read", "Write", "Tagging, Write", "Permissions management, Write"
	Resources        []ActionResource
	ConditionKeys    []string // key names, templates such as aws:RequestTag/${TagKey} included
	DependentActions []string
	lower            string // "prefix:name", lower case
}

// ActionResource is a resource type an action acts on.
type ActionResource struct {
	Type          *ResourceType
	Required      bool
	ConditionKeys []string
}

// ResourceType is a kind of resource and its ARN format, e.g.
// arn:${Partition}:s3:::${BucketName}/${ObjectName}.
type ResourceType struct {
	Service       *Service
	Name          string
	ARNFormat     string
	ConditionKeys []string
	pattern       string // ARNFormat as an overlap pattern (arnFormatPattern)
}

// ConditionKey is a condition key and its type: String, ArrayOfString,
// ARN, ArrayOfARN, Numeric, Date, Bool, ArrayOfBool or IPAddress. Name may
// be a template (aws:RequestTag/${TagKey}, s3:ExistingObjectTag/<key>).
type ConditionKey struct {
	Name    string
	Type    string
	pattern string // lower case, the template's variables as *
}

// FullName returns "prefix:Name", e.g. "s3:GetObject".
func (a *Action) FullName() string { return a.Service.Prefix + ":" + a.Name }

// jsonCatalog is the generator's services.json.
type jsonCatalog struct {
	Source     string `json:"source"`
	GlobalKeys []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"globalKeys"`
	Services []struct {
		Prefix  string `json:"prefix"`
		Name    string `json:"name"`
		Actions []struct {
			Name      string `json:"name"`
			Access    string `json:"accessLevel"`
			Resources []struct {
				Type     string   `json:"type"`
				Required bool     `json:"required"`
				Keys     []string `json:"conditionKeys"`
			} `json:"resourceTypes"`
			Keys      []string `json:"conditionKeys"`
			Dependent []string `json:"dependentActions"`
		} `json:"actions"`
		Resources []struct {
			Name string   `json:"name"`
			ARN  string   `json:"arn"`
			Keys []string `json:"conditionKeys"`
		} `json:"resourceTypes"`
		Keys []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"conditionKeys"`
	} `json:"services"`
}

var services struct {
	once     sync.Once
	list     []*Service
	byPrefix map[string]*Service
	global   []*ConditionKey
	keys     map[string]*ConditionKey // every key, by lower-case name
	source   string
}

func loadServices() {
	zr, err := gzip.NewReader(bytes.NewReader(servicesData))
	if err != nil {
		panic("catalog: embedded services: " + err.Error())
	}
	var jc jsonCatalog
	if err := json.NewDecoder(zr).Decode(&jc); err != nil {
		panic("catalog: embedded services: " + err.Error())
	}
	services.source = jc.Source
	services.byPrefix = make(map[string]*Service, len(jc.Services))
	services.keys = map[string]*ConditionKey{}
	for _, k := range jc.GlobalKeys {
		ck := newKey(k.Name, k.Type)
		services.global = append(services.global, ck)
		services.keys[strings.ToLower(ck.Name)] = ck
	}
	for _, js := range jc.Services {
		s := &Service{Prefix: js.Prefix, Name: js.Name, actions: map[string]*Action{}, resources: map[string]*ResourceType{}}
		for _, jr := range js.Resources {
			r := &ResourceType{Service: s, Name: jr.Name, ARNFormat: jr.ARN, ConditionKeys: jr.Keys, pattern: arnFormatPattern(jr.ARN)}
			s.ResourceTypes = append(s.ResourceTypes, r)
			s.resources[r.Name] = r
		}
		for _, ja := range js.Actions {
			a := &Action{Service: s, Name: ja.Name, AccessLevel: ja.Access, ConditionKeys: ja.Keys, DependentActions: ja.Dependent,
				lower: strings.ToLower(js.Prefix + ":" + ja.Name)}
			for _, jr := range ja.Resources {
				rt := s.resources[jr.Type]
				if rt == nil {
					// A few actions name a resource type the service does
					// not define; keep the name with no ARN format.
					rt = &ResourceType{Service: s, Name: jr.Type}
				}
				a.Resources = append(a.Resources, ActionResource{Type: rt, Required: jr.Required, ConditionKeys: jr.Keys})
			}
			s.Actions = append(s.Actions, a)
			s.actions[strings.ToLower(a.Name)] = a
		}
		sort.Slice(s.Actions, func(i, j int) bool { return s.Actions[i].Name < s.Actions[j].Name })
		for _, jk := range js.Keys {
			ck := newKey(jk.Name, jk.Type)
			s.ConditionKeys = append(s.ConditionKeys, ck)
			if _, ok := services.keys[strings.ToLower(ck.Name)]; !ok {
				services.keys[strings.ToLower(ck.Name)] = ck
			}
		}
		services.list = append(services.list, s)
		services.byPrefix[s.Prefix] = s
	}
}

func newKey(name, typ string) *ConditionKey {
	return &ConditionKey{Name: name, Type: typ, pattern: keyPattern(name)}
}

// Services returns every service, sorted by prefix. Shared: do not modify.
func Services() []*Service {
	services.once.Do(loadServices)
	return services.list
}

// ServicesSource names the npm package version the services come from.
func ServicesSource() string {
	services.once.Do(loadServices)
	return services.source
}

// FindService returns the service with that prefix (case-insensitive).
func FindService(prefix string) (*Service, bool) {
	services.once.Do(loadServices)
	s, ok := services.byPrefix[strings.ToLower(prefix)]
	return s, ok
}

// Action returns the service's action of that name (case-insensitive).
func (s *Service) Action(name string) (*Action, bool) {
	a, ok := s.actions[strings.ToLower(name)]
	return a, ok
}

// ResourceType returns the service's resource type of that name.
func (s *Service) ResourceType(name string) (*ResourceType, bool) {
	r, ok := s.resources[name]
	return r, ok
}

// FindAction returns the action "prefix:Name" (case-insensitive, no
// wildcards).
func FindAction(name string) (*Action, bool) {
	prefix, act, ok := strings.Cut(name, ":")
	if !ok {
		return nil, false
	}
	s, ok := FindService(prefix)
	if !ok {
		return nil, false
	}
	return s.Action(act)
}

// ExpandActionPattern returns the actions ("prefix:Name", sorted) that an
// Action element's pattern matches: case-insensitively, with * matching
// any run of characters and ? any one, as IAM matches actions. "*" is
// every action of every service.
func ExpandActionPattern(pattern string) []string {
	services.once.Do(loadServices)
	lp := strings.ToLower(pattern)
	candidates := services.list
	if prefix, _, ok := strings.Cut(lp, ":"); ok && !strings.ContainsAny(prefix, "*?") {
		s, ok := services.byPrefix[prefix]
		if !ok {
			return nil
		}
		candidates = []*Service{s}
	}
	var out []string
	for _, s := range candidates {
		for _, a := range s.Actions {
			if globMatch(lp, a.lower) {
				out = append(out, a.FullName())
			}
		}
	}
	sort.Strings(out)
	return out
}

// GlobalConditionKeys returns the aws: keys every request may carry
// (aws:SourceIp, aws:PrincipalTag/tag-key, ...), sorted by name.
func GlobalConditionKeys() []*ConditionKey {
	services.once.Do(loadServices)
	return services.global
}

// FindConditionKey returns the key named (case-insensitive), matching
// templates: aws:ResourceTag/team finds aws:ResourceTag/${TagKey}. Global
// keys come first.
func FindConditionKey(name string) (*ConditionKey, bool) {
	services.once.Do(loadServices)
	if k, ok := services.keys[strings.ToLower(name)]; ok {
		return k, true
	}
	for _, k := range services.global {
		if k.Matches(name) {
			return k, true
		}
	}
	prefix, _, _ := strings.Cut(name, ":")
	if s, ok := services.byPrefix[strings.ToLower(prefix)]; ok {
		for _, k := range s.ConditionKeys {
			if k.Matches(name) {
				return k, true
			}
		}
	}
	return nil, false
}

// Matches reports whether a key named in a policy is this key: the same
// name in any case, or an instance of the template.
func (k *ConditionKey) Matches(name string) bool {
	return globMatch(k.pattern, strings.ToLower(name))
}

// ConditionKey returns the key named if the action supports it: a global
// key, one of the action's own keys, or a key of one of its resource
// types. Names match case-insensitively and templates match their
// instances.
func (a *Action) ConditionKey(name string) (*ConditionKey, bool) {
	for _, k := range GlobalConditionKeys() {
		if k.Matches(name) {
			return k, true
		}
	}
	lists := [][]string{a.ConditionKeys}
	for _, r := range a.Resources {
		lists = append(lists, r.ConditionKeys, r.Type.ConditionKeys)
	}
	for _, l := range lists {
		for _, kn := range l {
			if globMatch(keyPattern(kn), strings.ToLower(name)) {
				if k, ok := FindConditionKey(kn); ok {
					return k, true
				}
				return &ConditionKey{Name: kn, Type: "String", pattern: keyPattern(kn)}, true
			}
		}
	}
	return nil, false
}

// AcceptsResource reports whether a Resource element's value (an ARN
// pattern, with * and ? and policy variables) can name a resource of this
// type. "*" is accepted by every type.
func (r *ResourceType) AcceptsResource(resource string) bool {
	if resource == "*" {
		return true
	}
	if r.pattern == "" {
		return false
	}
	return overlap(r.pattern, resourcePattern(resource))
}
