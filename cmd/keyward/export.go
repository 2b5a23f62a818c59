package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/keyward/keyward"
)

const exportUsage = `usage:
  keyward export [--data DIR] [--store URL] [-o FILE]
      Write the whole installation (accounts, users, groups, roles, policies
      with every version, tags, inline policies, attachments, instance
      profiles, access keys, login profiles, MFA devices, SSH keys, signing
      and server certificates, service-specific credentials, OIDC and SAML
      providers, password policies, IAM Roles Anywhere's trust anchors,
      profiles, CRLs and subjects, delegation requests, outbound federation's signing
      keys, the session token key ring,
      the last-accessed activity) as a JSON stream, one record a line.
  keyward import [--data DIR] [--store URL] [-i FILE]
      Read such a stream into an empty store, e.g. from SQLite to PostgreSQL.

Secrets (access keys' secrets, MFA seeds, server certificates' private keys,
service-specific passwords, delegation requests' exchange tokens, the key
ring, outbound federation's signing keys) travel sealed, as stored, and
password hashes as stored: the
servers on the new store must use the same key-encryption key (KEYWARD_KEK,
--kek-file or DATA/kek). Service-linked role deletion tasks and console
sessions (signed-in browsers sign in again) are not moved.
`

// exportFormat names the stream's format in its first line.
const (
	exportFormat  = "keyward-export"
	exportVersion = 1
)

// The records of an export stream, one JSON object a line:
// {"type":"...","data":{...}}. Records come in an order that import can
// apply one after another: accounts, then policies, groups, roles, users
// (which name their groups and policies), instance profiles (which name
// their roles), OIDC providers, Roles Anywhere's trust anchors, CRLs,
// profiles and subjects, the delegation requests the account made as a partner, its
// outbound signing keys, the key ring, activity, and last an "end" record with the count, so a
// truncated stream is refused.
type exportRecord struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

type exportHeader struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Created time.Time `json:"created"`
}

type exportAccount struct {
	Account        keyward.Account
	PasswordPolicy *keyward.PasswordPolicy `json:",omitempty"`
	RootKeys       []keyward.AccessKey     `json:",omitempty"`
	// RootCredentials are the root user's signing certificates.
	RootCredentials []keyward.UserCredential `json:",omitempty"`
}

type exportPolicy struct {
	Policy   keyward.ManagedPolicy
	Versions []keyward.PolicyVersion // oldest first
	Tags     []keyward.Tag           `json:",omitempty"`
}

type exportInline struct {
	Name     string
	Document string
}

// exportPrincipal is a group, role or user with what hangs off it.
type exportPrincipal struct {
	Group      *keyward.Group      `json:",omitempty"`
	Role       *keyward.Role       `json:",omitempty"`
	User       *keyward.User       `json:",omitempty"`
	Groups     []string            `json:",omitempty"` // a user's groups
	Inline     []exportInline      `json:",omitempty"`
	Attached   []string            `json:",omitempty"` // policy ARNs
	Tags       []keyward.Tag       `json:",omitempty"`
	AccessKeys []keyward.AccessKey `json:",omitempty"`
	// A user's password, SSH keys, signing certificates and
	// service-specific credentials (its MFA devices are "mfa-device"
	// records, which follow the users).
	LoginProfile *keyward.LoginProfile    `json:",omitempty"`
	Credentials  []keyward.UserCredential `json:",omitempty"`
}

// exportTagged is an MFA device, server certificate or SAML provider with
// its tags.
type exportTagged[T any] struct {
	Entity T
	Tags   []keyward.Tag `json:",omitempty"`
}

type exportProfile struct {
	Profile keyward.InstanceProfile // Roles empty
	Roles   []string
	Tags    []keyward.Tag `json:",omitempty"`
}

type exportOIDC struct {
	Provider keyward.OIDCProvider
	Tags     []keyward.Tag `json:",omitempty"`
}

// exportRolesAnywhere is one of IAM Roles Anywhere's entities, with its
// tags.
type exportRolesAnywhere struct {
	TrustAnchor *keyward.TrustAnchor          `json:",omitempty"`
	Profile     *keyward.RolesAnywhereProfile `json:",omitempty"`
	CRL         *keyward.CRL                  `json:",omitempty"`
	Subject     *keyward.RolesAnywhereSubject `json:",omitempty"`
	Tags        []keyward.Tag                 `json:",omitempty"`
}

type exportActivity struct {
	AccountID string
	Activity  []keyward.Activity
}

type exportEnd struct {
	Records int `json:"records"`
}

func runExportImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	name := args[0]
	fs := flag.NewFlagSet("keyward "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exportUsage) }
	data := fs.String("data", "keyward-data", "data directory")
	storeFlag := fs.String("store", "", "store URL: sqlite:PATH or postgres://... (default sqlite:DATA/keyward.db)")
	file := ""
	if name == "export" {
		fs.StringVar(&file, "o", "", "write to FILE (default: standard output)")
	} else {
		fs.StringVar(&file, "i", "", "read from FILE (default: standard input)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("%s: unexpected argument %q", name, fs.Arg(0))
	}
	// Import fills a new store: its SQLite file and directory may not exist
	// yet. Export reads one that must.
	store, err := openCommandStore(ctx, name, *data, *storeFlag, name == "import")
	if err != nil {
		return err
	}
	defer store.Close()

	if name == "export" {
		w := stdout
		var f *os.File
		if file != "" {
			if f, err = os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			w = f
		}
		n, err := exportStore(ctx, store, w)
		if f != nil {
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "exported %d records\n", n)
		return nil
	}
	r := stdin
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	n, err := importStore(ctx, store, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "imported %d records\n", n)
	return nil
}

// openCommandStore opens the store a command other than serve works on:
// storeURL, or the SQLite database under dataDir. A SQLite file that does
// not exist would be created empty, and the command would read or change
// nothing the server sees, so it must exist unless create is set (import);
// then its directory is made as serve makes it. Errors speak as the command
// (name), not as serve.
func openCommandStore(ctx context.Context, name, dataDir, storeURL string, create bool) (keyward.Store, error) {
	if storeURL == "" {
		storeURL = "sqlite:" + filepath.Join(dataDir, "keyward.db")
	}
	if storeURL == "sqlite::memory:" {
		return nil, usageError("%s: an in-memory store lives only inside its server", name)
	}
	if path, ok := strings.CutPrefix(storeURL, "sqlite:"); ok && path != "" {
		if create {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		} else if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no Keyward store at %s: run it where keyward serve keeps its data (./keyward-data by default), or give --data DIR or --store URL", name, path)
		}
	}
	store, _, err := openStore(ctx, storeURL) // serve.go
	if err != nil {
		return nil, commandError(name, err)
	}
	return store, nil
}

// commandError has an error of the helpers serve.go shares (openStore,
// loadKEK), which begin "serve: ", speak as the command that called them.
func commandError(name string, err error) error {
	rename := func(msg string) string {
		if rest, ok := strings.CutPrefix(msg, "serve: "); ok {
			return name + ": " + rest
		}
		if strings.HasPrefix(msg, name+": ") {
			return msg
		}
		return name + ": " + msg
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return &exitError{code: ee.code, msg: rename(ee.msg)}
	}
	return &renamedError{msg: rename(err.Error()), err: err}
}

// renamedError is err with another message; errors.Is and As still see err.
type renamedError struct {
	msg string
	err error
}

func (e *renamedError) Error() string { return e.msg }
func (e *renamedError) Unwrap() error { return e.err }

// exportStore writes store's contents to w and returns the number of
// records. Everything but the activity log is read in one View, so the
// export is one consistent snapshot; it is gathered first and written
// after, as a View may run its function more than once.
func exportStore(ctx context.Context, store keyward.Store, w io.Writer) (int, error) {
	var recs []exportRecord
	add := func(typ string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		recs = append(recs, exportRecord{Type: typ, Data: b})
		return nil
	}
	var accounts []keyward.Account
	err := store.View(ctx, func(tx keyward.Tx) error {
		recs = recs[:0]
		if err := add("header", exportHeader{Format: exportFormat, Version: exportVersion, Created: time.Now().UTC()}); err != nil {
			return err
		}
		var err error
		if accounts, err = tx.ListAccounts(); err != nil {
			return err
		}
		for _, a := range accounts {
			rec := exportAccount{Account: a}
			pp, err := tx.GetPasswordPolicy(a.ID)
			switch {
			case err == nil:
				rec.PasswordPolicy = &pp
			case keyward.ErrorCode(err) != keyward.ErrNoSuchEntity:
				return err
			}
			if rec.RootKeys, err = tx.ListAccessKeys(a.ID, ""); err != nil {
				return err
			}
			if rec.RootCredentials, err = tx.ListUserCredentials(keyward.CredentialSigningCertificate, a.ID, ""); err != nil {
				return err
			}
			if err := add("account", rec); err != nil {
				return err
			}
		}
		// Policies first: principals name the ones attached to them.
		type scope struct {
			account string
			scope   keyward.PolicyScope
		}
		scopes := []scope{{keyward.AWSAccountID, keyward.ScopeAWS}}
		for _, a := range accounts {
			scopes = append(scopes, scope{a.ID, keyward.ScopeLocal})
		}
		for _, sc := range scopes {
			policies, _, err := tx.ListPolicies(sc.account, keyward.PolicyListOptions{Scope: sc.scope})
			if err != nil {
				return err
			}
			for _, p := range policies {
				p.AttachmentCount, p.PermissionsBoundaryUsageCount = 0, 0 // computed
				rec := exportPolicy{Policy: p}
				if rec.Versions, err = tx.ListPolicyVersions(p.ARN); err != nil {
					return err
				}
				slices.Reverse(rec.Versions) // oldest first, the order to create them
				if rec.Tags, err = tx.ListTags(keyward.PolicyRef(p.ARN)); err != nil {
					return err
				}
				if err := add("policy", rec); err != nil {
					return err
				}
			}
		}
		for _, a := range accounts {
			if err := exportPrincipals(tx, a.ID, add); err != nil {
				return err
			}
		}
		for _, a := range accounts {
			profiles, _, err := tx.ListInstanceProfiles(a.ID, keyward.ListOptions{})
			if err != nil {
				return err
			}
			for _, p := range profiles {
				rec := exportProfile{Profile: p, Roles: []string{}}
				for _, r := range p.Roles {
					rec.Roles = append(rec.Roles, r.Name)
				}
				rec.Profile.Roles = nil
				if rec.Tags, err = tx.ListTags(keyward.InstanceProfileRef(a.ID, p.Name)); err != nil {
					return err
				}
				if err := add("instance-profile", rec); err != nil {
					return err
				}
			}
			providers, err := tx.ListOIDCProviders(a.ID)
			if err != nil {
				return err
			}
			for _, p := range providers {
				rec := exportOIDC{Provider: p}
				if rec.Tags, err = tx.ListTags(keyward.OIDCProviderRef(p.ARN)); err != nil {
					return err
				}
				if err := add("oidc-provider", rec); err != nil {
					return err
				}
			}
			if err := exportCredentialEntities(tx, a.ID, add); err != nil {
				return err
			}
			if err := exportRolesAnywhereOf(tx, a.ID, add); err != nil {
				return err
			}
			// Delegation requests, with the partner's account that made
			// them (the one account every request has).
			requests, _, err := tx.ListDelegationRequests(keyward.DelegationListOptions{RequestorAccountID: a.ID})
			if err != nil {
				return err
			}
			for _, r := range requests {
				if err := add("delegation-request", r); err != nil {
					return err
				}
			}
			// Outbound federation's signing keys, private halves sealed.
			okeys, err := tx.ListOutboundKeys(a.ID)
			if err != nil {
				return err
			}
			for _, k := range okeys {
				if err := add("outbound-key", k); err != nil {
					return err
				}
			}
		}
		ring, err := tx.ListKeyRingEntries()
		if err != nil {
			return err
		}
		for _, e := range ring {
			if err := add("key-ring", e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if log, ok := store.(keyward.ActivityLog); ok {
		for _, a := range accounts {
			act, err := log.ListActivity(ctx, a.ID)
			if err != nil {
				return 0, fmt.Errorf("export: activity: %w", err)
			}
			if len(act) > 0 {
				if err := add("activity", exportActivity{AccountID: a.ID, Activity: act}); err != nil {
					return 0, fmt.Errorf("export: %w", err)
				}
			}
		}
	}
	if err := add("end", exportEnd{Records: len(recs) + 1}); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return len(recs), nil
}

// exportPrincipals adds the account's groups, roles and users.
func exportPrincipals(tx keyward.Tx, accountID string, add func(string, any) error) error {
	extras := func(ref keyward.EntityRef, rec *exportPrincipal) error {
		inline, err := tx.ListInlinePolicies(ref)
		if err != nil {
			return err
		}
		for _, p := range inline {
			rec.Inline = append(rec.Inline, exportInline{Name: p.PolicyName, Document: p.Document})
		}
		attached, err := tx.ListAttachedPolicies(ref)
		if err != nil {
			return err
		}
		for _, p := range attached {
			rec.Attached = append(rec.Attached, p.ARN)
		}
		rec.Tags, err = tx.ListTags(ref)
		return err
	}
	groups, _, err := tx.ListGroups(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for _, g := range groups {
		rec := exportPrincipal{Group: &g}
		if err := extras(keyward.GroupRef(accountID, g.Name), &rec); err != nil {
			return err
		}
		if err := add("group", rec); err != nil {
			return err
		}
	}
	roles, _, err := tx.ListRoles(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for _, r := range roles {
		rec := exportPrincipal{Role: &r}
		if err := extras(keyward.RoleRef(accountID, r.Name), &rec); err != nil {
			return err
		}
		if err := add("role", rec); err != nil {
			return err
		}
	}
	users, _, err := tx.ListUsers(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for _, u := range users {
		rec := exportPrincipal{User: &u}
		if err := extras(keyward.UserRef(accountID, u.Name), &rec); err != nil {
			return err
		}
		gs, err := tx.ListGroupsForUser(accountID, u.Name)
		if err != nil {
			return err
		}
		for _, g := range gs {
			rec.Groups = append(rec.Groups, g.Name)
		}
		if rec.AccessKeys, err = tx.ListAccessKeys(accountID, u.Name); err != nil {
			return err
		}
		lp, err := tx.GetLoginProfile(accountID, u.Name)
		switch {
		case err == nil:
			rec.LoginProfile = &lp
		case keyward.ErrorCode(err) != keyward.ErrNoSuchEntity:
			return err
		}
		for _, kind := range []keyward.CredentialKind{keyward.CredentialSSHPublicKey, keyward.CredentialSigningCertificate, keyward.CredentialServiceSpecific} {
			cs, err := tx.ListUserCredentials(kind, accountID, u.Name)
			if err != nil {
				return err
			}
			rec.Credentials = append(rec.Credentials, cs...)
		}
		if err := add("user", rec); err != nil {
			return err
		}
	}
	return nil
}

// exportCredentialEntities adds the account's MFA devices, server
// certificates and SAML providers, with their tags.
func exportCredentialEntities(tx keyward.Tx, accountID string, add func(string, any) error) error {
	devices, err := tx.ListMFADevices(accountID)
	if err != nil {
		return err
	}
	for _, d := range devices {
		rec := exportTagged[keyward.MFADevice]{Entity: d}
		if rec.Tags, err = tx.ListTags(keyward.MFADeviceRef(d.SerialNumber)); err != nil {
			return err
		}
		if err := add("mfa-device", rec); err != nil {
			return err
		}
	}
	certs, _, err := tx.ListServerCertificates(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for _, c := range certs {
		rec := exportTagged[keyward.ServerCertificate]{Entity: c}
		if rec.Tags, err = tx.ListTags(keyward.ServerCertificateRef(accountID, c.Name)); err != nil {
			return err
		}
		if err := add("server-certificate", rec); err != nil {
			return err
		}
	}
	providers, err := tx.ListSAMLProviders(accountID)
	if err != nil {
		return err
	}
	for _, p := range providers {
		rec := exportTagged[keyward.SAMLProvider]{Entity: p}
		if rec.Tags, err = tx.ListTags(keyward.SAMLProviderRef(p.ARN)); err != nil {
			return err
		}
		if err := add("saml-provider", rec); err != nil {
			return err
		}
	}
	return nil
}

// exportRolesAnywhereOf adds the account's trust anchors, CRLs, profiles
// and subjects.
func exportRolesAnywhereOf(tx keyward.Tx, accountID string, add func(string, any) error) error {
	anchors, _, err := tx.ListTrustAnchors(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for i := range anchors {
		rec := exportRolesAnywhere{TrustAnchor: &anchors[i]}
		if rec.Tags, err = tx.ListTags(keyward.TrustAnchorRef(anchors[i].ARN)); err != nil {
			return err
		}
		if err := add("trust-anchor", rec); err != nil {
			return err
		}
	}
	crls, _, err := tx.ListCRLs(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for i := range crls {
		rec := exportRolesAnywhere{CRL: &crls[i]}
		if rec.Tags, err = tx.ListTags(keyward.CRLRef(crls[i].ARN)); err != nil {
			return err
		}
		if err := add("crl", rec); err != nil {
			return err
		}
	}
	profiles, _, err := tx.ListRolesAnywhereProfiles(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for i := range profiles {
		rec := exportRolesAnywhere{Profile: &profiles[i]}
		if rec.Tags, err = tx.ListTags(keyward.RolesAnywhereProfileRef(profiles[i].ARN)); err != nil {
			return err
		}
		if err := add("rolesanywhere-profile", rec); err != nil {
			return err
		}
	}
	subjects, _, err := tx.ListRolesAnywhereSubjects(accountID, keyward.ListOptions{})
	if err != nil {
		return err
	}
	for i := range subjects {
		if err := add("rolesanywhere-subject", exportRolesAnywhere{Subject: &subjects[i]}); err != nil {
			return err
		}
	}
	return nil
}

// importBatch is how many records one Update applies: big enough to make
// a large import fast, small enough that a transaction retried on
// PostgreSQL redoes little.
const importBatch = 200

// importStore reads an export stream into store, which must hold no
// account, and returns the number of records read.
func importStore(ctx context.Context, store keyward.Store, r io.Reader) (int, error) {
	err := store.View(ctx, func(tx keyward.Tx) error {
		accounts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		if len(accounts) > 0 {
			return fmt.Errorf("the store already has %d account(s); import into an empty store", len(accounts))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("import: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	n := 0
	var batch []exportRecord
	var activity []exportActivity
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := store.Update(ctx, func(tx keyward.Tx) error {
			for _, rec := range batch {
				if err := importRecord(tx, rec); err != nil {
					return fmt.Errorf("%s record: %w", rec.Type, err)
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	ended := false
	for {
		var rec exportRecord
		err := dec.Decode(&rec)
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, fmt.Errorf("import: record %d: %w", n+1, err)
		}
		if ended {
			return n, fmt.Errorf("import: record %d follows the end record", n+1)
		}
		n++
		switch rec.Type {
		case "header":
			var h exportHeader
			if err := json.Unmarshal(rec.Data, &h); err != nil {
				return n, fmt.Errorf("import: header: %w", err)
			}
			if n != 1 || h.Format != exportFormat || h.Version != exportVersion {
				return n, fmt.Errorf("import: not a %s version %d stream (header %+v)", exportFormat, exportVersion, h)
			}
		case "end":
			var e exportEnd
			if err := json.Unmarshal(rec.Data, &e); err != nil {
				return n, fmt.Errorf("import: end: %w", err)
			}
			if e.Records != n {
				return n, fmt.Errorf("import: the stream has %d records, its end record says %d", n, e.Records)
			}
			ended = true
		case "activity":
			var a exportActivity
			if err := json.Unmarshal(rec.Data, &a); err != nil {
				return n, fmt.Errorf("import: activity: %w", err)
			}
			activity = append(activity, a)
		default:
			if n == 1 {
				return n, fmt.Errorf("import: not a %s stream: it does not begin with a header", exportFormat)
			}
			batch = append(batch, rec)
			if len(batch) >= importBatch {
				if err := flush(); err != nil {
					return n, fmt.Errorf("import: %w", err)
				}
			}
		}
	}
	if !ended {
		return n, fmt.Errorf("import: the stream ends after %d records without its end record: truncated?", n)
	}
	if err := flush(); err != nil {
		return n, fmt.Errorf("import: %w", err)
	}
	if len(activity) > 0 {
		if log, ok := store.(keyward.ActivityLog); ok {
			for _, a := range activity {
				if err := log.RecordActivity(ctx, a.Activity); err != nil {
					return n, fmt.Errorf("import: activity: %w", err)
				}
			}
		}
	}
	return n, nil
}

func importRecord(tx keyward.Tx, rec exportRecord) error {
	switch rec.Type {
	case "account":
		var a exportAccount
		if err := json.Unmarshal(rec.Data, &a); err != nil {
			return err
		}
		if err := tx.CreateAccount(a.Account); err != nil {
			return err
		}
		if a.PasswordPolicy != nil {
			if err := tx.PutPasswordPolicy(*a.PasswordPolicy); err != nil {
				return err
			}
		}
		for _, k := range a.RootKeys {
			if err := tx.CreateAccessKey(k); err != nil {
				return err
			}
		}
		for _, c := range a.RootCredentials {
			if err := tx.CreateUserCredential(c); err != nil {
				return err
			}
		}
	case "policy":
		var p exportPolicy
		if err := json.Unmarshal(rec.Data, &p); err != nil {
			return err
		}
		return importPolicy(tx, p)
	case "group", "role", "user":
		var p exportPrincipal
		if err := json.Unmarshal(rec.Data, &p); err != nil {
			return err
		}
		return importPrincipal(tx, p)
	case "instance-profile":
		var p exportProfile
		if err := json.Unmarshal(rec.Data, &p); err != nil {
			return err
		}
		if err := tx.CreateInstanceProfile(p.Profile); err != nil {
			return err
		}
		for _, r := range p.Roles {
			if err := tx.AddRoleToInstanceProfile(p.Profile.AccountID, p.Profile.Name, r); err != nil {
				return err
			}
		}
		return tag(tx, keyward.InstanceProfileRef(p.Profile.AccountID, p.Profile.Name), p.Tags)
	case "oidc-provider":
		var p exportOIDC
		if err := json.Unmarshal(rec.Data, &p); err != nil {
			return err
		}
		if err := tx.CreateOIDCProvider(p.Provider); err != nil {
			return err
		}
		return tag(tx, keyward.OIDCProviderRef(p.Provider.ARN), p.Tags)
	case "mfa-device":
		var d exportTagged[keyward.MFADevice]
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return err
		}
		if err := tx.CreateMFADevice(d.Entity); err != nil {
			return err
		}
		return tag(tx, keyward.MFADeviceRef(d.Entity.SerialNumber), d.Tags)
	case "server-certificate":
		var c exportTagged[keyward.ServerCertificate]
		if err := json.Unmarshal(rec.Data, &c); err != nil {
			return err
		}
		if err := tx.CreateServerCertificate(c.Entity); err != nil {
			return err
		}
		return tag(tx, keyward.ServerCertificateRef(c.Entity.AccountID, c.Entity.Name), c.Tags)
	case "saml-provider":
		var p exportTagged[keyward.SAMLProvider]
		if err := json.Unmarshal(rec.Data, &p); err != nil {
			return err
		}
		if err := tx.CreateSAMLProvider(p.Entity); err != nil {
			return err
		}
		return tag(tx, keyward.SAMLProviderRef(p.Entity.ARN), p.Tags)
	case "trust-anchor", "crl", "rolesanywhere-profile", "rolesanywhere-subject":
		var e exportRolesAnywhere
		if err := json.Unmarshal(rec.Data, &e); err != nil {
			return err
		}
		var ref keyward.EntityRef
		var err error
		switch {
		case rec.Type == "trust-anchor" && e.TrustAnchor != nil:
			err, ref = tx.CreateTrustAnchor(*e.TrustAnchor), keyward.TrustAnchorRef(e.TrustAnchor.ARN)
		case rec.Type == "crl" && e.CRL != nil:
			err, ref = tx.CreateCRL(*e.CRL), keyward.CRLRef(e.CRL.ARN)
		case rec.Type == "rolesanywhere-profile" && e.Profile != nil:
			err, ref = tx.CreateRolesAnywhereProfile(*e.Profile), keyward.RolesAnywhereProfileRef(e.Profile.ARN)
		case rec.Type == "rolesanywhere-subject" && e.Subject != nil:
			// Subjects have no tags.
			return tx.CreateRolesAnywhereSubject(*e.Subject)
		default:
			return fmt.Errorf("a %s record holds no %s", rec.Type, rec.Type)
		}
		if err != nil {
			return err
		}
		return tag(tx, ref, e.Tags)
	case "delegation-request":
		var r keyward.DelegationRequest
		if err := json.Unmarshal(rec.Data, &r); err != nil {
			return err
		}
		return tx.CreateDelegationRequest(r)
	case "outbound-key":
		var k keyward.OutboundKey
		if err := json.Unmarshal(rec.Data, &k); err != nil {
			return err
		}
		return tx.CreateOutboundKey(k)
	case "key-ring":
		var e keyward.KeyRingEntry
		if err := json.Unmarshal(rec.Data, &e); err != nil {
			return err
		}
		return tx.CreateKeyRingEntry(e)
	default:
		return fmt.Errorf("unknown record type %q", rec.Type)
	}
	return nil
}

func tag(tx keyward.Tx, ref keyward.EntityRef, tags []keyward.Tag) error {
	if len(tags) == 0 {
		return nil
	}
	return tx.TagEntity(ref, tags)
}

// importPolicy recreates a policy with its versions under their own IDs.
// The store's CreatePolicy always writes a v1; when v1 was deleted before
// the export, it is written with the default version's document and
// removed once the other versions exist. An AWS-managed policy the store
// already has (a server seeded it) is left as it is.
func importPolicy(tx keyward.Tx, p exportPolicy) error {
	if len(p.Versions) == 0 {
		return fmt.Errorf("policy %s has no versions", p.Policy.ARN)
	}
	first := p.Versions[0]
	hasV1 := first.VersionID == "v1"
	if !hasV1 {
		for _, v := range p.Versions {
			if v.IsDefault {
				first = v
			}
		}
	}
	mp := p.Policy
	mp.DefaultVersionID = "v1"
	if err := tx.CreatePolicy(mp, first.Document); err != nil {
		if p.Policy.AccountID == keyward.AWSAccountID && keyward.ErrorCode(err) == keyward.ErrEntityAlreadyExists {
			return nil
		}
		return err
	}
	for _, v := range p.Versions {
		if v.VersionID == "v1" {
			continue
		}
		v.IsDefault = false
		if _, err := tx.CreatePolicyVersion(v); err != nil {
			return err
		}
	}
	if err := tx.UpdatePolicy(p.Policy); err != nil {
		return err
	}
	if !hasV1 {
		if err := tx.DeletePolicyVersion(p.Policy.ARN, "v1"); err != nil {
			return err
		}
	}
	return tag(tx, keyward.PolicyRef(p.Policy.ARN), p.Tags)
}

func importPrincipal(tx keyward.Tx, p exportPrincipal) error {
	var ref keyward.EntityRef
	switch {
	case p.Group != nil:
		if err := tx.CreateGroup(*p.Group); err != nil {
			return err
		}
		ref = keyward.GroupRef(p.Group.AccountID, p.Group.Name)
	case p.Role != nil:
		if err := tx.CreateRole(*p.Role); err != nil {
			return err
		}
		ref = keyward.RoleRef(p.Role.AccountID, p.Role.Name)
	case p.User != nil:
		if err := tx.CreateUser(*p.User); err != nil {
			return err
		}
		ref = keyward.UserRef(p.User.AccountID, p.User.Name)
		for _, g := range p.Groups {
			if err := tx.AddUserToGroup(ref.AccountID, g, ref.Name); err != nil {
				return err
			}
		}
		for _, k := range p.AccessKeys {
			if err := tx.CreateAccessKey(k); err != nil {
				return err
			}
		}
		if p.LoginProfile != nil {
			if err := tx.CreateLoginProfile(*p.LoginProfile); err != nil {
				return err
			}
		}
		for _, c := range p.Credentials {
			if err := tx.CreateUserCredential(c); err != nil {
				return err
			}
		}
	default:
		return errors.New("a principal record names no group, role or user")
	}
	for _, ip := range p.Inline {
		if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: ref, PolicyName: ip.Name, Document: ip.Document}); err != nil {
			return err
		}
	}
	for _, arn := range p.Attached {
		if err := tx.AttachPolicy(ref, arn); err != nil {
			return err
		}
	}
	return tag(tx, ref, p.Tags)
}
