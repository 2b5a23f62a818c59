package iam

import "github.com/keyward/keyward"

// AWS's sentences for what the store reports. A store answers with a code
// (keyward.Tx documents which) and a neutral message for logs; a client
// reads AWS's sentence, which names the thing the way AWS's message does.
// iam knows what it asked the store about, so it words the answer: every
// store call whose NoSuchEntity, EntityAlreadyExists or bad marker a
// client can meet returns through said, and entity.missing, notFound and
// alreadyExists use the same table for what an op finds (or not) itself.
// A store error from a call the op's own reads rule out (the entity it
// found in this transaction is gone) keeps the store's neutral words, and
// its code.

// The kinds of what iam asks the store about that are not entities of
// their own (keyward.EntityKind), for said. Each says what names said
// takes, in order.
const (
	kindAccountAlias   keyward.EntityKind = "account-alias"   // alias
	kindPasswordPolicy keyward.EntityKind = "password-policy" // account ID
	// kindPolicyToDelete is DeleteAccountPasswordPolicy's: AWS words it
	// apart from GetAccountPasswordPolicy's (IAM User Guide, "Use
	// DeleteAccountPasswordPolicy", Tools for PowerShell example 1).
	kindPolicyToDelete keyward.EntityKind = "password-policy-delete" // nothing
	kindAccessKey      keyward.EntityKind = "access-key"             // access key ID
	kindVersion        keyward.EntityKind = "policy-version"         // policy ARN, version ID
	kindDefaultVersion keyward.EntityKind = "default-version"        // policy ARN, version ID: UpdatePolicy's
	kindInline         keyward.EntityKind = "inline-policy"          // owner kind (user, group, role), policy name
	kindMember         keyward.EntityKind = "group-member"           // user, group
	kindProfileRole    keyward.EntityKind = "profile-role"           // role, instance profile
	kindLoginProfile   keyward.EntityKind = "login-profile"          // user
	kindDeletionTask   keyward.EntityKind = "deletion-task"          // task ID
	kindList           keyward.EntityKind = "list"                   // nothing: a page's Marker
	kindDelegation     keyward.EntityKind = "delegation"             // request ID
	kindWorkflow       keyward.EntityKind = "workflow"               // the requestor's workflow ID
	// The user credentials are their keyward.CredentialKind (id).
	kindSSHKey      = keyward.EntityKind(keyward.CredentialSSHPublicKey)
	kindSigningCert = keyward.EntityKind(keyward.CredentialSigningCertificate)
	kindServiceCred = keyward.EntityKind(keyward.CredentialServiceSpecific)
)

// said returns err, the store's answer to a call about the thing of kind
// that names names, in AWS's words: NoSuchEntity and EntityAlreadyExists
// get the sentence AWS answers for that kind, InvalidInput from a paged
// list is AWS's bad marker. Anything else (nil, an internal error, a code
// AWS has no sentence for here) is returned as it is.
func said(err error, kind keyward.EntityKind, names ...string) error {
	var msg string
	switch code := keyward.ErrorCode(err); code {
	case keyward.ErrNoSuchEntity:
		msg = missingSentence(kind, names)
	case keyward.ErrEntityAlreadyExists:
		msg = takenSentence(kind, names)
	case keyward.ErrInvalidInput:
		if kind == kindList {
			return errInvalidMarker()
		}
	}
	if msg == "" {
		return err
	}
	return &keyward.Error{Code: keyward.ErrorCode(err), Message: msg}
}

// errInvalidMarker is AWS's answer to a Marker it did not issue.
func errInvalidMarker() error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Invalid Marker.")
}

// notFound is AWS's NoSuchEntity for the thing of kind named names.
func notFound(kind keyward.EntityKind, names ...string) error {
	msg := missingSentence(kind, names)
	if msg == "" {
		msg = nth(names, 0) + " cannot be found."
	}
	return &keyward.Error{Code: keyward.ErrNoSuchEntity, Message: msg}
}

// alreadyExists is AWS's EntityAlreadyExists for the thing of kind named
// names.
func alreadyExists(kind keyward.EntityKind, names ...string) error {
	return &keyward.Error{Code: keyward.ErrEntityAlreadyExists, Message: takenSentence(kind, names)}
}

// nth is names[i], or "" when the caller gave fewer.
func nth(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return ""
}

// missingSentence is AWS's NoSuchEntity message for kind, "" for a kind
// that has none.
func missingSentence(kind keyward.EntityKind, names []string) string {
	n, of := nth(names, 0), nth(names, 1)
	switch kind {
	case keyward.KindUser:
		return "The user with name " + n + " cannot be found."
	case keyward.KindGroup:
		return "The group with name " + n + " cannot be found."
	case keyward.KindRole:
		return "The role with name " + n + " cannot be found."
	case keyward.KindInstanceProfile:
		return "Instance Profile " + n + " cannot be found."
	case keyward.KindPolicy:
		return "Policy " + n + " was not found."
	case keyward.KindOIDCProvider:
		return "OpenIDConnect Provider not found for arn " + n
	case keyward.KindMFADevice:
		return "VirtualMFADevice with serial number " + n + " doesn't exist."
	case keyward.KindSAMLProvider:
		return "Manifest not found for arn " + n
	case keyward.KindServerCertificate:
		return "The Server Certificate with name " + n + " cannot be found."
	case kindAccountAlias:
		return "The account alias " + n + " cannot be found."
	case kindPasswordPolicy:
		return "The Password Policy with domain name " + n + " cannot be found."
	case kindPolicyToDelete:
		return "The account policy with name PasswordPolicy cannot be found."
	case kindAccessKey:
		return "The Access Key with id " + n + " cannot be found."
	case kindVersion:
		return "Policy " + n + " version " + of + " does not exist or is not attachable."
	case kindDefaultVersion:
		return "Policy " + n + " version " + of + " does not exist."
	case kindInline:
		return "The " + n + " policy with name " + of + " cannot be found."
	case kindMember:
		return "User " + n + " is not in group " + of + "."
	case kindProfileRole:
		return "Role " + n + " is not in instance profile " + of + "."
	case kindLoginProfile:
		return "Login Profile for User " + n + " cannot be found."
	case kindDeletionTask:
		return "Deletion task " + n + " cannot be found."
	case kindDelegation:
		return "The delegation request with ID " + n + " cannot be found."
	case kindSSHKey:
		return "The Public Key with id " + n + " cannot be found."
	case kindSigningCert:
		return "The Certificate with id " + n + " cannot be found."
	case kindServiceCred:
		return "No such credential " + n + " exists"
	}
	return ""
}

// takenSentence is AWS's EntityAlreadyExists message for kind, "" for a
// kind that has none.
func takenSentence(kind keyward.EntityKind, names []string) string {
	n, of := nth(names, 0), nth(names, 1)
	switch kind {
	case keyward.KindUser:
		return "User with name " + n + " already exists."
	case keyward.KindGroup:
		return "Group with name " + n + " already exists."
	case keyward.KindRole:
		return "Role with name " + n + " already exists."
	case keyward.KindInstanceProfile:
		return "Instance Profile " + n + " already exists."
	case keyward.KindPolicy:
		return "A policy called " + n + " already exists. Duplicate names are not allowed."
	case keyward.KindOIDCProvider: // n is the provider's URL
		return "Provider with url " + n + " already exists."
	case keyward.KindMFADevice:
		return "MFADevice entity at the same path and name already exists."
	case keyward.KindSAMLProvider: // n is the provider's name
		return "SAMLProvider " + n + " already exists."
	case keyward.KindServerCertificate:
		return "The Server Certificate with name " + n + " already exists."
	case kindAccountAlias:
		return "The account alias " + n + " already exists."
	case kindAccessKey:
		return "Access key " + n + " already exists."
	case kindVersion:
		return "Policy " + n + " version " + of + " already exists."
	case kindProfileRole:
		return "Role " + n + " is already in instance profile " + of + "."
	case kindLoginProfile:
		return "Login Profile for user " + n + " already exists."
	case kindDeletionTask:
		return "Deletion task " + n + " already exists."
	case kindWorkflow:
		return "A delegation request with the workflow ID " + n + " already exists."
	case kindSSHKey:
		return "The Public Key with id " + n + " already exists."
	case kindSigningCert:
		return "The Certificate with id " + n + " already exists."
	case kindServiceCred:
		return "The Service Specific Credential with id " + n + " already exists."
	}
	return ""
}
