package iam

// ARNs. Paths begin and end with "/", so PATH+NAME is the path and name.

func entityARN(accountID, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + accountID + ":" + kind + path + name
}

// UserARN returns arn:aws:iam::ACCOUNT:user/PATH/NAME.
func UserARN(accountID, path, name string) string {
	return entityARN(accountID, "user", path, name)
}

// GroupARN returns arn:aws:iam::ACCOUNT:group/PATH/NAME.
func GroupARN(accountID, path, name string) string {
	return entityARN(accountID, "group", path, name)
}

// RoleARN returns arn:aws:iam::ACCOUNT:role/PATH/NAME.
func RoleARN(accountID, path, name string) string {
	return entityARN(accountID, "role", path, name)
}

// PolicyARN returns arn:aws:iam::ACCOUNT:policy/PATH/NAME.
func PolicyARN(accountID, path, name string) string {
	return entityARN(accountID, "policy", path, name)
}

// InstanceProfileARN returns arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME.
func InstanceProfileARN(accountID, path, name string) string {
	return entityARN(accountID, "instance-profile", path, name)
}

// listResource is the resource AWS authorizes List* actions on: the kind's
// ARN up to the path prefix ("arn:aws:iam::123456789012:user/" for
// ListUsers without PathPrefix), as AWS's denials name it.
func listResource(accountID, kind string, pathPrefix *string) string {
	p := "/"
	if pathPrefix != nil && *pathPrefix != "" {
		p = *pathPrefix
	}
	return "arn:aws:iam::" + accountID + ":" + kind + p
}
