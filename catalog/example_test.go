package catalog_test

import (
	"fmt"

	"github.com/keyward/keyward/catalog"
)

func ExampleExpandActionPattern() {
	fmt.Println(catalog.ExpandActionPattern("iam:GetUser*"))
	// Output: [iam:GetUser iam:GetUserPolicy]
}

func ExampleFindAction() {
	a, _ := catalog.FindAction("IAM:passrole")
	fmt.Println(a.FullName(), a.Resources[0].Type.ARNFormat, a.ConditionKeys)
	// Output: iam:PassRole arn:${Partition}:iam::${Account}:role/${RoleNameWithPath} [iam:AssociatedResourceArn iam:PassedToService]
}

func ExampleManagedPolicy() {
	p, _ := catalog.ManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")
	fmt.Println(p.Name, p.Path, p.DefaultVersionID, p.IsAttachable)
	// Output: AdministratorAccess / v1 true
}
