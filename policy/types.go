package policy

// Type is the kind of a policy document. It decides which elements the document
// may hold (Principal only in resource and trust policies, for example) and the
// part it plays in an evaluation.
type Type uint8

const (
	Identity Type = iota // attached to a user, group or role
	Resource             // attached to a resource (bucket, key, queue...)
	Trust                // a role's trust policy: a resource policy that must name the principal
	Boundary             // a permissions boundary of a user or role
	Session              // a session policy passed to AssumeRole and friends
	SCP                  // an Organizations service control policy
)

var typeNames = [...]string{"identity", "resource", "trust", "boundary", "session", "scp"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// ParseType returns the Type named s, as String spells it.
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if n == s {
			return Type(i), true
		}
	}
	return 0, false
}

// Decision is the outcome of an evaluation, named as AWS names it
// (EvalDecision in SimulatePrincipalPolicy). The zero Decision is ImplicitDeny.
type Decision uint8

const (
	ImplicitDeny Decision = iota
	Allowed
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	default:
		return "implicitDeny"
	}
}

// Effect is a statement's Effect.
type Effect uint8

const (
	Deny Effect = iota // never the zero value in a parsed statement
	Allow
)

func (e Effect) String() string {
	if e == Allow {
		return "Allow"
	}
	return "Deny"
}
