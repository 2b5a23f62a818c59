package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/keyward/keyward"
)

// checkPages reads a list page by page with every MaxItems from 1 to
// len(all)+1 and checks the pages join up to the whole list. When want is
// nil, the whole list as returned with no MaxItems is the reference.
func checkPages[T any](t *testing.T, s keyward.Store, name string,
	list func(tx keyward.Tx, o keyward.ListOptions) ([]T, string, error), want []T) {
	t.Helper()
	view(t, s, func(tx keyward.Tx) error {
		all, next, err := list(tx, keyward.ListOptions{})
		wantOK(t, name, err)
		if next != "" {
			t.Errorf("%s with no MaxItems: next = %q, want \"\"", name, next)
		}
		if want != nil {
			diff(t, name+" (all)", want, all)
		}
		for max := 1; max <= len(all)+1; max++ {
			var got []T
			marker := ""
			for n := 0; ; n++ {
				if n > len(all)+1 {
					t.Fatalf("%s MaxItems=%d: more pages than items", name, max)
				}
				pg, next, err := list(tx, keyward.ListOptions{Marker: marker, MaxItems: max})
				wantOK(t, fmt.Sprintf("%s(MaxItems=%d, page %d)", name, max, n), err)
				if len(pg) > max {
					t.Errorf("%s(MaxItems=%d) page %d has %d items", name, max, n, len(pg))
				}
				got = append(got, pg...)
				if next == "" {
					break
				}
				if len(pg) != max {
					t.Errorf("%s(MaxItems=%d) page %d is truncated with %d items, want %d", name, max, n, len(pg), max)
				}
				marker = next
			}
			// IsTruncated is false exactly when the rest fits.
			_, next, err := list(tx, keyward.ListOptions{MaxItems: max})
			wantOK(t, name, err)
			if truncated := next != ""; truncated != (len(all) > max) {
				t.Errorf("%s(MaxItems=%d) truncated = %v with %d items", name, max, truncated, len(all))
			}
			diff(t, fmt.Sprintf("%s joined pages (MaxItems=%d)", name, max), all, got)
		}
		_, _, err = list(tx, keyward.ListOptions{Marker: "not a marker!", MaxItems: 1})
		wantCode(t, name+"(bad marker)", err, keyward.ErrInvalidInput)
		return nil
	})
}

func testPagination(t *testing.T, s keyward.Store) {
	// Mixed case, so that sorting by name ignores case; and two paths.
	names := []string{"delta", "Alpha", "charlie", "Bravo", "echo", "a-1", "ALPHA2"}
	var users []keyward.User
	var groups []keyward.Group
	var roles []keyward.Role
	var profiles []keyward.InstanceProfile
	var policies []keyward.ManagedPolicy
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateGroup(all)", tx.CreateGroup(newGroup(acct2, "all")))
		wantOK(t, "CreateRole(holder)", tx.CreateRole(newRole(acct2, "holder")))
		wantOK(t, "CreatePolicy(shared)", tx.CreatePolicy(newPolicy(acct2, "shared"), doc1))
		for i, name := range names {
			path := "/"
			if i%2 == 1 {
				path = "/odd/"
			}
			u := newUser(acct, name)
			u.Path = path
			g := newGroup(acct, name)
			g.Path = path
			r := newRole(acct, name)
			r.Path = path
			ip := newProfile(acct, name)
			ip.Path = path
			p := newPolicy(acct, name)
			p.Path = path
			wantOK(t, "CreateUser", tx.CreateUser(u))
			wantOK(t, "CreateGroup", tx.CreateGroup(g))
			wantOK(t, "CreateRole", tx.CreateRole(r))
			wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(ip))
			wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
			p.DefaultVersionID = "v1"
			users, groups, roles, profiles, policies = append(users, u), append(groups, g), append(roles, r), append(profiles, ip), append(policies, p)

			// In the other account: members of one group, profiles of one role, entities of one policy.
			u2, ip2 := newUser(acct2, name), newProfile(acct2, name)
			wantOK(t, "CreateUser", tx.CreateUser(u2))
			wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(ip2))
			wantOK(t, "AddUserToGroup", tx.AddUserToGroup(acct2, "all", name))
			wantOK(t, "AddRoleToInstanceProfile", tx.AddRoleToInstanceProfile(acct2, name, "holder"))
			wantOK(t, "AttachPolicy", tx.AttachPolicy(keyward.UserRef(acct2, name), "arn:aws:iam::"+acct2+":policy/shared"))
		}
		return nil
	})
	byName := func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
	slices.SortFunc(users, func(a, b keyward.User) int { return byName(a.Name, b.Name) })
	slices.SortFunc(groups, func(a, b keyward.Group) int { return byName(a.Name, b.Name) })
	slices.SortFunc(roles, func(a, b keyward.Role) int { return byName(a.Name, b.Name) })
	slices.SortFunc(profiles, func(a, b keyward.InstanceProfile) int { return byName(a.Name, b.Name) })
	slices.SortFunc(policies, func(a, b keyward.ManagedPolicy) int { return byName(a.Name, b.Name) })
	odd := func(path string) bool { return path == "/odd/" }

	checkPages(t, s, "ListUsers", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.User, string, error) {
		return tx.ListUsers(acct, o)
	}, users)
	checkPages(t, s, "ListUsers(/odd/)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.User, string, error) {
		o.PathPrefix = "/odd/"
		return tx.ListUsers(acct, o)
	}, filter(users, func(u keyward.User) bool { return odd(u.Path) }))
	checkPages(t, s, "ListGroups", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Group, string, error) {
		return tx.ListGroups(acct, o)
	}, groups)
	checkPages(t, s, "ListGroups(/od)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Group, string, error) {
		o.PathPrefix = "/od"
		return tx.ListGroups(acct, o)
	}, filter(groups, func(g keyward.Group) bool { return odd(g.Path) }))
	checkPages(t, s, "ListRoles", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Role, string, error) {
		return tx.ListRoles(acct, o)
	}, roles)
	checkPages(t, s, "ListRoles(/odd/)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Role, string, error) {
		o.PathPrefix = "/odd/"
		return tx.ListRoles(acct, o)
	}, filter(roles, func(r keyward.Role) bool { return odd(r.Path) }))
	checkPages(t, s, "ListInstanceProfiles", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
		return tx.ListInstanceProfiles(acct, o)
	}, profiles)
	checkPages(t, s, "ListPolicies(Local)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.ManagedPolicy, string, error) {
		return tx.ListPolicies(acct, keyward.PolicyListOptions{ListOptions: o, Scope: keyward.ScopeLocal})
	}, policies)
	checkPages(t, s, "ListPolicies(Local, /odd/)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.ManagedPolicy, string, error) {
		o.PathPrefix = "/odd/"
		return tx.ListPolicies(acct, keyward.PolicyListOptions{ListOptions: o, Scope: keyward.ScopeLocal})
	}, filter(policies, func(p keyward.ManagedPolicy) bool { return odd(p.Path) }))
	checkPages(t, s, "ListGroupMembers", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.User, string, error) {
		return tx.ListGroupMembers(acct2, "all", o)
	}, nil)
	checkPages(t, s, "ListInstanceProfilesForRole", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
		return tx.ListInstanceProfilesForRole(acct2, "holder", o)
	}, nil)
	checkPages(t, s, "ListEntitiesForPolicy", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.PolicyEntity, string, error) {
		return tx.ListEntitiesForPolicy("arn:aws:iam::"+acct2+":policy/shared", keyward.EntityListOptions{ListOptions: o})
	}, nil)
	view(t, s, func(tx keyward.Tx) error {
		members, _, err := tx.ListGroupMembers(acct2, "all", keyward.ListOptions{})
		wantOK(t, "ListGroupMembers", err)
		if len(members) != len(names) {
			t.Errorf("ListGroupMembers = %d users, want %d", len(members), len(names))
		}
		var got []string
		for _, u := range members {
			got = append(got, u.Name)
		}
		want := slices.Clone(names)
		slices.SortFunc(want, byName)
		diff(t, "ListGroupMembers names", want, got)
		return nil
	})
}

func filter[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}
