package catalog

import (
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

//go:embed data/servicelinked.json
var serviceLinkedData []byte

// ServiceLinkedRole is how AWS makes the service-linked role of one
// service: what CreateServiceLinkedRole does for its service principal.
type ServiceLinkedRole struct {
	// Service is the service principal (acm.amazonaws.com).
	Service string `json:"service"`
	// Role is the role's name (AWSServiceRoleForCertificateManager), to
	// which a custom suffix adds "_SUFFIX".
	Role string `json:"role"`
	// CustomSuffix says whether CreateServiceLinkedRole takes one; AWS
	// refuses it for most services.
	CustomSuffix bool `json:"customSuffix"`
	// Policies are the names of the AWS-managed policies, under
	// /aws-service-role/, that AWS attaches to the role.
	Policies []string `json:"policies"`
	// Description is what AWS sets when the request gives none; "" where
	// no source records it.
	Description string `json:"description"`
	// Sources name where the row comes from (keys of data/servicelinked.json's
	// "sources").
	Sources []string `json:"sources"`
}

// PolicyARNs returns the ARNs of the role's policies.
func (r *ServiceLinkedRole) PolicyARNs() []string {
	out := make([]string, len(r.Policies))
	for i, p := range r.Policies {
		out[i] = "arn:aws:iam::aws:policy/aws-service-role/" + p
	}
	return out
}

var serviceLinked struct {
	once sync.Once
	list []*ServiceLinkedRole
	by   map[string]*ServiceLinkedRole
	err  error
}

func loadServiceLinked() {
	var f struct {
		Roles []*ServiceLinkedRole `json:"roles"`
	}
	if serviceLinked.err = json.Unmarshal(serviceLinkedData, &f); serviceLinked.err != nil {
		return
	}
	sort.Slice(f.Roles, func(i, j int) bool { return f.Roles[i].Service < f.Roles[j].Service })
	serviceLinked.list = f.Roles
	serviceLinked.by = make(map[string]*ServiceLinkedRole, len(f.Roles))
	for _, r := range f.Roles {
		serviceLinked.by[r.Service] = r
	}
}

// ServiceLinkedRoles lists the services whose service-linked roles the
// catalog knows, sorted by service principal.
func ServiceLinkedRoles() []*ServiceLinkedRole {
	serviceLinked.once.Do(loadServiceLinked)
	if serviceLinked.err != nil {
		panic("catalog: data/servicelinked.json: " + serviceLinked.err.Error())
	}
	return serviceLinked.list
}

// ServiceLinkedRoleFor returns the service-linked role of the service
// principal (case-insensitive), if the catalog knows it.
func ServiceLinkedRoleFor(service string) (*ServiceLinkedRole, bool) {
	ServiceLinkedRoles()
	r, ok := serviceLinked.by[strings.ToLower(service)]
	return r, ok
}
