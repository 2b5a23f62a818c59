package bench

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keyward/keyward/policy"
)

// The scale workload: the role's 47 statements plus 470 for other services, as a role
// grows to cover a whole application (EC2, DynamoDB, SQS, SNS, KMS, Lambda, Logs,
// CloudWatch, Secrets Manager, SSM, ECR, Step Functions, IAM). The design's goal is
// that a decision costs less than twice as much with ten times the statements, when
// the new ones concern other services.

const scaleStatements = 470

// scaleTemplate is one shape of statement; "{app}" in any string is replaced by an
// application number, so that every generated statement is distinct.
type scaleTemplate struct {
	effect    string
	actions   []string
	resources []string
	condition map[string]map[string][]string
}

type conds = map[string]map[string][]string

var scaleTemplates = []scaleTemplate{
	{"Allow", []string{"ec2:Describe*"}, []string{"*"}, nil},
	{"Allow", []string{"ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"},
		[]string{"arn:aws:ec2:us-east-1:111122223333:instance/*"},
		conds{"StringEquals": {"aws:ResourceTag/app": {"app{app}"}}}},
	{"Deny", []string{"ec2:TerminateInstances", "ec2:DeleteVolume"},
		[]string{"arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:*:111122223333:volume/*"},
		conds{"StringNotEquals": {"aws:RequestedRegion": {"us-east-1", "eu-west-1"}}}},
	{"Allow", []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"},
		[]string{"arn:aws:dynamodb:us-east-1:111122223333:table/app{app}-*"}, nil},
	{"Allow", []string{"dynamodb:*Item"},
		[]string{"arn:aws:dynamodb:*:111122223333:table/app{app}-*", "arn:aws:dynamodb:*:111122223333:table/app{app}-*/index/*"},
		conds{"ForAllValues:StringEquals": {"dynamodb:Attributes": {"id", "status", "updatedAt"}}}},
	{"Allow", []string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueue*"},
		[]string{"arn:aws:sqs:us-east-1:111122223333:app{app}-*"}, nil},
	{"Allow", []string{"sns:Publish"}, []string{"arn:aws:sns:*:111122223333:app{app}-events-*"},
		conds{"Bool": {"aws:SecureTransport": {"true"}}}},
	{"Allow", []string{"kms:Decrypt", "kms:GenerateDataKey*"}, []string{"arn:aws:kms:us-east-1:111122223333:key/*"},
		conds{"StringLike": {"kms:ViaService": {"sqs.*.amazonaws.com", "dynamodb.*.amazonaws.com"}}}},
	{"Deny", []string{"kms:ScheduleKeyDeletion", "kms:Disable*", "kms:PutKeyPolicy"}, []string{"*"}, nil},
	{"Allow", []string{"lambda:InvokeFunction", "lambda:GetFunction*"},
		[]string{"arn:aws:lambda:us-east-1:111122223333:function:app{app}-*"}, nil},
	{"Allow", []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		[]string{"arn:aws:logs:*:111122223333:log-group:/aws/lambda/app{app}-*:*"}, nil},
	{"Allow", []string{"logs:Describe*", "logs:Get*", "logs:FilterLogEvents"},
		[]string{"arn:aws:logs:us-east-1:111122223333:log-group:app{app}*"},
		conds{"IpAddress": {"aws:SourceIp": {"10.0.0.0/8"}}}},
	{"Allow", []string{"cloudwatch:PutMetricData"}, []string{"*"},
		conds{"StringEquals": {"cloudwatch:namespace": {"App{app}"}}}},
	{"Allow", []string{"cloudwatch:Get*", "cloudwatch:List*", "cloudwatch:Describe*"}, []string{"*"}, nil},
	{"Allow", []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
		[]string{"arn:aws:secretsmanager:us-east-1:111122223333:secret:app{app}/*"},
		conds{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}}},
	{"Allow", []string{"ssm:GetParameter*"}, []string{"arn:aws:ssm:us-east-1:111122223333:parameter/app{app}/*"}, nil},
	{"Allow", []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"},
		[]string{"arn:aws:ecr:us-east-1:111122223333:repository/app{app}-*"}, nil},
	{"Allow", []string{"states:StartExecution", "states:DescribeExecution"},
		[]string{"arn:aws:states:us-east-1:111122223333:stateMachine:app{app}-*"},
		conds{"DateLessThan": {"aws:CurrentTime": {"2027-12-31T23:59:59Z"}}}},
	{"Deny", []string{"iam:*"}, []string{"*"}, conds{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}}},
	{"Allow", []string{"sqs:*"}, []string{"arn:aws:sqs:*:111122223333:app{app}-dlq"}, nil},
}

// scaleDocuments generates the 470 statements, ten to a document, cycling through the
// templates with a new application number on each pass. The output is deterministic.
func scaleDocuments(tb testing.TB) []json.RawMessage {
	tb.Helper()
	type statement struct {
		Sid       string
		Effect    string
		Action    []string
		Resource  []string
		Condition conds `json:",omitempty"`
	}
	type document struct {
		Version   string
		Statement []statement
	}
	var docs []json.RawMessage
	var doc document
	for k := range scaleStatements {
		t := scaleTemplates[k%len(scaleTemplates)]
		app := strconv.Itoa(k / len(scaleTemplates))
		fill := func(ss []string) []string {
			out := make([]string, len(ss))
			for i, s := range ss {
				out[i] = strings.ReplaceAll(s, "{app}", app)
			}
			return out
		}
		st := statement{Sid: "Scale" + strconv.Itoa(k), Effect: t.effect, Action: t.actions, Resource: fill(t.resources)}
		if t.condition != nil {
			st.Condition = conds{}
			for op, keys := range t.condition {
				st.Condition[op] = map[string][]string{}
				for key, values := range keys {
					st.Condition[op][key] = fill(values)
				}
			}
		}
		doc.Version = "2012-10-17"
		doc.Statement = append(doc.Statement, st)
		if len(doc.Statement) == 10 {
			raw, err := json.Marshal(doc)
			if err != nil {
				tb.Fatal(err)
			}
			docs = append(docs, raw)
			doc = document{}
		}
	}
	return docs
}

// TestScaleDecisions checks that the statements added for scale parse, count 470, and
// change none of the workload's decisions (they concern other services).
func TestScaleDecisions(t *testing.T) {
	w := loadWorkload(t)
	extra := scaleDocuments(t)
	f := newKeywardFixture(t, w, extra)
	if n, want := f.policies.Identity.Len(), 47+scaleStatements; n != want {
		t.Fatalf("policy.NewSet(workload + scale).Len() = %d, want %d", n, want)
	}
	for i, d := range extra {
		if errs := policy.Validate(d, policy.Identity); len(errs) > 0 {
			t.Errorf("policy.Validate(scale document %d) = %v, want no findings", i, errs)
		}
	}
	cases := f.cases
	for _, c := range variantCases(t, w) {
		cases = append(cases, newKeywardCase(t, c))
	}
	for _, c := range cases {
		var res policy.Result
		f.policies.Evaluate(c.request, &res)
		if got := res.Decision.String(); got != c.want {
			t.Errorf("Evaluate(%s) with %d statements = %s, want %s", c.name, 47+scaleStatements, got, c.want)
		}
		if want, ok := wantSids[c.name]; ok && !slices.Equal(sids(&res), want) {
			t.Errorf("Evaluate(%s) with %d statements matched %q, want %q", c.name, 47+scaleStatements, sids(&res), want)
		}
	}
}
