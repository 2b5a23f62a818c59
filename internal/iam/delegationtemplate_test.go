package iam

import (
	"strings"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

func str(name string, v string) keyward.DelegationParameter {
	return keyward.DelegationParameter{Name: name, Values: []string{v}, Type: "string"}
}

func list(name string, vs ...string) keyward.DelegationParameter {
	return keyward.DelegationParameter{Name: name, Values: vs, Type: "stringList"}
}

// The cases with "AWS:" in their name are the examples of the IAM User
// Guide's "Policy templates" page (temporary delegation), rendered as AWS
// shows them there, in compact JSON.
func TestRenderTemplate(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   []keyward.DelegationParameter
		want     string
	}{
		{
			name:     "AWS: string parameter",
			template: `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::@{bucketName}/*"}]}`,
			params:   []keyward.DelegationParameter{str("bucketName", "customer-data-bucket")},
			want:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::customer-data-bucket/*"}]}`,
		},
		{
			name:     "AWS: stringList parameter makes one resource per value",
			template: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::@{bucketNames}/*"}]}`,
			params:   []keyward.DelegationParameter{list("bucketNames", "bucket-1", "bucket-2")},
			want:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::bucket-1/*","arn:aws:s3:::bucket-2/*"]}]}`,
		},
		{
			name:     "AWS: cross product of parameters in one ARN",
			template: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::@{bucketNames}/@{prefix}/*"}]}`,
			params:   []keyward.DelegationParameter{list("bucketNames", "bucket-1", "bucket-2"), str("prefix", "data")},
			want:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::bucket-1/data/*","arn:aws:s3:::bucket-2/data/*"]}]}`,
		},
		{
			name:     "cross product of two lists, spliced into an array",
			template: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::fixed","arn:aws:s3:::@{a}/@{b}"]}}`,
			params:   []keyward.DelegationParameter{list("a", "x", "y"), list("b", "1", "2")},
			want:     `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::fixed","arn:aws:s3:::x/1","arn:aws:s3:::x/2","arn:aws:s3:::y/1","arn:aws:s3:::y/2"]}}`,
		},
		{
			name: "AWS: @Enabled True keeps the statement",
			template: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"},
				{"@Enabled":"ENABLE_S3_WRITE","Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::@{bucketName}/*"}]}`,
			params: []keyward.DelegationParameter{str("bucketName", "my-bucket"), str("ENABLE_S3_WRITE", "True")},
			want:   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"},{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::my-bucket/*"}]}`,
		},
		{
			name: "AWS: @Enabled False drops the statement",
			template: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"},
				{"@Enabled":"ENABLE_S3_WRITE","Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::@{bucketName}/*"}]}`,
			params: []keyward.DelegationParameter{str("bucketName", "my-bucket"), str("ENABLE_S3_WRITE", "False")},
			want:   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`,
		},
		{
			name: "@Enabled negated",
			template: `{"Version":"2012-10-17","Statement":[{"@Enabled":"!READ_ONLY","Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
				{"@Enabled":"READ_ONLY","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			params: []keyward.DelegationParameter{str("READ_ONLY", "True")},
			want:   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		},
		{
			name:     "AWS: role creation bound to a boundary",
			template: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateRole","iam:PutRolePermissionsBoundary","iam:PutRolePolicy"],"Resource":"arn:aws:iam::@{AccountId}:role/partner.com/SQSAccessor","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::444455556666:policy/partner.com/SQSAccessorBoundary_20250115"}}}]}`,
			params:   []keyward.DelegationParameter{str("AccountId", "111122223333")},
			want:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateRole","iam:PutRolePermissionsBoundary","iam:PutRolePolicy"],"Resource":"arn:aws:iam::111122223333:role/partner.com/SQSAccessor","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::444455556666:policy/partner.com/SQSAccessorBoundary_20250115"}}}]}`,
		},
		{
			name:     "values are data: quotes and markup stay in their string",
			template: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::@{b}"}]}`,
			params:   []keyward.DelegationParameter{str("b", `x","Effect":"Deny<&>`)},
			want:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::x\",\"Effect\":\"Deny<&>"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderTemplate(tt.template, tt.params)
			if err != nil {
				t.Fatalf("renderTemplate() error %v", err)
			}
			if got != tt.want {
				t.Errorf("renderTemplate() =\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

func TestRenderTemplate_Errors(t *testing.T) {
	const tmpl = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::@{b}/*"}]}`
	tests := []struct {
		name     string
		template string
		params   []keyward.DelegationParameter
		code     string
		msg      string
	}{
		{"missing parameter", tmpl, nil, keyward.ErrInvalidInput, "The policy template needs the parameter b."},
		{"unknown parameter", tmpl, []keyward.DelegationParameter{str("b", "x"), str("extra", "y")}, keyward.ErrInvalidInput,
			"The policy template has no parameter extra."},
		{"parameter twice", tmpl, []keyward.DelegationParameter{str("b", "x"), str("b", "y")}, keyward.ErrInvalidInput,
			"The parameter b is given more than once."},
		{"string with two values", tmpl, []keyward.DelegationParameter{{Name: "b", Values: []string{"x", "y"}, Type: "string"}}, keyward.ErrInvalidInput,
			"The parameter b is of type string and takes exactly one value."},
		{"empty stringList", tmpl, []keyward.DelegationParameter{{Name: "b", Type: "stringList"}}, keyward.ErrInvalidInput,
			"The parameter b is of type stringList and takes at least one value."},
		{"no type", tmpl, []keyward.DelegationParameter{{Name: "b", Values: []string{"x"}}}, keyward.ErrInvalidInput,
			"The parameter b needs a Type: string or stringList."},
		{"@Enabled names no parameter", `{"Version":"2012-10-17","Statement":[{"@Enabled":"ON","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			nil, keyward.ErrInvalidInput, "The policy template needs the parameter ON."},
		{"a list makes an Effect a list", `{"Version":"2012-10-17","Statement":[{"Effect":"@{e}","Action":"s3:GetObject","Resource":"*"}]}`,
			[]keyward.DelegationParameter{list("e", "Allow", "Deny")}, keyward.ErrInvalidInput,
			"The rendered policy is not a valid policy: Syntax errors in policy."},
		{"not a policy", `[1]`, nil, keyward.ErrInvalidInput, "The policy template is not a JSON object."},
		{"too large", tmpl, []keyward.DelegationParameter{str("b", strings.Repeat("x", 2000))}, keyward.ErrLimitExceeded,
			"The rendered policy has 2110 characters, more than the maximum of 2048."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := renderTemplate(tt.template, tt.params)
			if keyward.ErrorCode(err) != tt.code || keyward.ErrorMessage(err) != tt.msg {
				t.Errorf("renderTemplate() error = %v, want %s %q", err, tt.code, tt.msg)
			}
		})
	}
}

// FuzzRenderTemplate: whatever the template and the parameters, rendering
// does not panic, and what it renders is a valid policy within AWS's size
// limit, in which no parameter reference the parameters name is left.
func FuzzRenderTemplate(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::@{b}/@{p}/*"}]}`, "b", "x,y", "p", "data")
	f.Add(`{"Version":"2012-10-17","Statement":[{"@Enabled":"!b","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "b", "True", "p", "")
	f.Add(`{"Statement":{"Effect":"@{b}","Action":"@{p}","Resource":"*"}}`, "b", "Allow,Deny", "p", "s3:Get*")
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/@{b}":"@{p}"}}}]}`, "b", "team", "p", "blue,red")
	f.Fuzz(func(t *testing.T, doc, name1, values1, name2, values2 string) {
		var params []keyward.DelegationParameter
		for _, p := range [][2]string{{name1, values1}, {name2, values2}} {
			if p[0] == "" {
				continue
			}
			vs := strings.Split(p[1], ",")
			typ := "stringList"
			if len(vs) == 1 {
				typ = "string"
			}
			params = append(params, keyward.DelegationParameter{Name: p[0], Values: vs, Type: typ})
		}
		out, err := renderTemplate(doc, params)
		if err != nil {
			if c := keyward.ErrorCode(err); c != keyward.ErrInvalidInput && c != keyward.ErrLimitExceeded {
				t.Fatalf("renderTemplate() error %v, want InvalidInput or LimitExceeded", err)
			}
			return
		}
		if n := len([]rune(out)); n > maxRenderedPolicy {
			t.Fatalf("renderTemplate() rendered %d characters", n)
		}
		if _, err := policy.Parse([]byte(out), policy.Session); err != nil {
			t.Fatalf("renderTemplate() = %s, which does not parse: %v", out, err)
		}
		for _, p := range params {
			if strings.Contains(out, "@{"+p.Name+"}") && !strings.Contains(strings.Join(p.Values, ""), "@{"+p.Name+"}") {
				t.Fatalf("renderTemplate() = %s still names @{%s}", out, p.Name)
			}
		}
	})
}

func TestRenderTemplate_ExpansionBound(t *testing.T) {
	values := make([]string, 40)
	for i := range values {
		values[i] = "v" + string(rune('a'+i%26))
	}
	// 40 × 40 = 1,600 resources: refused before they are built.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::@{a}/@{b}"}]}`
	_, err := renderTemplate(doc, []keyward.DelegationParameter{list("a", values...), list("b", values...)})
	if keyward.ErrorCode(err) != keyward.ErrLimitExceeded || keyward.ErrorMessage(err) != "The parameters expand the template into more than 1000 strings." {
		t.Errorf("renderTemplate(1,600 resources) error = %v, want LimitExceeded", err)
	}
}
