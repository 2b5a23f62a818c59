package console

import (
	"encoding/base64"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/iam"
)

// dashboardData is the account summary and the security checks.
type dashboardData struct {
	Counts  []count
	Aliases []string
	Checks  []check
	Account string
}

type count struct {
	Label string
	N     int
	URL   string
}

// check is one security check: OK, or a warning with what it found.
type check struct {
	Title  string
	OK     bool
	Detail string
	Items  []string
	Known  bool // false when the caller may not read what the check needs
}

// staleAfter is how old a key, or how long unused a role or key, before a
// check flags it: AWS's 90 days.
const staleAfter = 90 * 24 * time.Hour

func (c *Console) dashboard(p *page) error {
	p.Nav = "dashboard"
	d := &dashboardData{Account: p.caller.AccountID}
	rootKeys := check{Title: "Root user access key"}
	rootMFA := check{Title: "Root user MFA"}
	if sum, err := call[iam.GetAccountSummaryOutput](p, "GetAccountSummary"); p.soft(err) {
		get := func(k string) int { n, _ := sum.Get(k); return n }
		d.Counts = []count{
			{"Users", get("Users"), Prefix + "users"}, {"User groups", get("Groups"), Prefix + "groups"},
			{"Roles", get("Roles"), Prefix + "roles"}, {"Customer managed policies", get("Policies"), Prefix + "policies?scope=Local"},
			{"Identity providers", get("Providers"), Prefix + "providers"},
		}
		rootKeys.Known = true
		rootKeys.OK = get("AccountAccessKeysPresent") == 0
		rootKeys.Detail = "The root user has no access key."
		if !rootKeys.OK {
			rootKeys.Detail = "The root user has an access key: AWS advises none (use IAM users or roles)."
		}
		// AccountMFAEnabled counts the devices assigned to root now.
		rootMFA.Known = true
		rootMFA.OK = get("AccountMFAEnabled") == 1
		rootMFA.Detail = "The root user has an MFA device."
		if !rootMFA.OK {
			rootMFA.Detail = "The root user has no MFA device: AWS advises one for the account's most powerful identity."
		}
	}
	if al, err := call[iam.ListAccountAliasesOutput](p, "ListAccountAliases"); err == nil {
		d.Aliases = al.AccountAliases
	}
	now := c.now()
	noMFA := usersWithoutMFA(p)
	oldKeys := check{Title: "Access keys older than 90 days"}
	unusedKeys := check{Title: "Access keys unused for 90 days"}
	if rows := credentialReport(p); rows != nil {
		for _, chk := range []*check{&oldKeys, &unusedKeys} {
			chk.Known = true
		}
		for _, r := range rows {
			user := r["user"]
			if user == "<root_account>" {
				if r["access_key_1_last_used_date"] != "N/A" && r["access_key_1_last_used_date"] != "" {
					rootKeys.Detail += " It was last used " + r["access_key_1_last_used_date"] + "."
				}
				continue
			}
			for _, k := range []string{"access_key_1", "access_key_2"} {
				if r[k+"_active"] != "true" {
					continue
				}
				rotated, _ := time.Parse(time.RFC3339, r[k+"_last_rotated"])
				if !rotated.IsZero() && now.Sub(rotated) > staleAfter {
					oldKeys.Items = append(oldKeys.Items, user+" ("+k+", created "+rotated.Format("2006-01-02")+")")
				}
				used, _ := time.Parse(time.RFC3339, r[k+"_last_used_date"])
				last := used
				if last.IsZero() {
					last = rotated
				}
				if !last.IsZero() && now.Sub(last) > staleAfter {
					unusedKeys.Items = append(unusedKeys.Items, user+" ("+k+")")
				}
			}
		}
	}
	unusedRoles := check{Title: "Roles unused for 90 days"}
	if roles, err := allRoleDetails(p); err == nil {
		unusedRoles.Known = true
		for _, r := range roles {
			last := time.Time(r.CreateDate)
			if r.RoleLastUsed != nil && !time.Time(r.RoleLastUsed.LastUsedDate).IsZero() {
				last = time.Time(r.RoleLastUsed.LastUsedDate)
			}
			if now.Sub(last) > staleAfter && !strings.HasPrefix(r.Path, "/aws-service-role/") {
				unusedRoles.Items = append(unusedRoles.Items, r.RoleName)
			}
		}
	}
	for _, chk := range []*check{&oldKeys, &unusedKeys, &unusedRoles} {
		chk.OK = len(chk.Items) == 0
	}
	d.Checks = []check{rootMFA, rootKeys, noMFA, oldKeys, unusedKeys, unusedRoles}
	return p.render("dashboard", d)
}

// credentialReport generates and reads the account's credential report,
// one map of column to value a row; nil when the caller may not.
func credentialReport(p *page) []map[string]string {
	if _, err := call[iam.GenerateCredentialReportOutput](p, "GenerateCredentialReport"); err != nil {
		return nil
	}
	rep, err := call[iam.GetCredentialReportOutput](p, "GetCredentialReport")
	if err != nil {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(rep.Content)
	if err != nil {
		return nil
	}
	recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil || len(recs) < 1 {
		return nil
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, col := range recs[0] {
			if i < len(rec) {
				m[col] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// maxCheckItems is how many names a check lists; the rest are counted.
const maxCheckItems = 50

// usersWithoutMFA is the check of the users no MFA device is assigned to,
// from the devices as they are now (ListVirtualMFADevices): the credential
// report, which AWS and Keyward keep for four hours, would lag behind a
// device just assigned or removed.
func usersWithoutMFA(p *page) check {
	chk := check{Title: "Users without MFA"}
	withMFA := map[string]bool{}
	marker := ""
	for {
		out, err := call[iam.ListVirtualMFADevicesOutput](p, "ListVirtualMFADevices", "AssignmentStatus", "Assigned", "Marker", marker, "MaxItems", "1000")
		if err != nil {
			return chk
		}
		for _, d := range out.VirtualMFADevices {
			if d.User != nil && d.User.UserName != "" {
				withMFA[strings.ToLower(d.User.UserName)] = true
			}
		}
		if marker = out.Marker; !out.IsTruncated || marker == "" {
			break
		}
	}
	var without []string
	marker = ""
	for {
		out, err := call[iam.ListUsersOutput](p, "ListUsers", "Marker", marker, "MaxItems", "1000")
		if err != nil {
			return chk
		}
		for _, u := range out.Users {
			if !withMFA[strings.ToLower(u.UserName)] {
				without = append(without, u.UserName)
			}
		}
		if marker = out.Marker; !out.IsTruncated || marker == "" {
			break
		}
	}
	chk.Known, chk.OK = true, len(without) == 0
	if chk.OK {
		chk.Detail = "Every user has an MFA device."
		return chk
	}
	chk.Detail = strconv.Itoa(len(without)) + " users have no MFA device assigned: AWS advises one for every user who signs in to the console."
	if len(without) == 1 {
		chk.Detail = "1 user has no MFA device assigned: AWS advises one for every user who signs in to the console."
	}
	if len(without) > maxCheckItems {
		chk.Items = append(without[:maxCheckItems:maxCheckItems], "and "+strconv.Itoa(len(without)-maxCheckItems)+" more")
	} else {
		chk.Items = without
	}
	return chk
}
