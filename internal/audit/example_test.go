package audit_test

import (
	"fmt"
	"strings"

	"github.com/keyward/keyward/internal/audit"
)

// Generate turns what a principal did, as the trail recorded it, into the
// policy that allows exactly that.
func ExampleGenerate() {
	trail := `{"time":"2026-11-27T01:00:00Z","requestId":"1","action":"iam:GetUser","caller":"arn:aws:iam::111122223333:user/ci","resource":"arn:aws:iam::111122223333:user/ci","decision":"allowed","durationMs":0.4}
{"time":"2026-11-27T01:00:01Z","requestId":"2","action":"iam:ListUsers","caller":"arn:aws:iam::111122223333:user/ci","resource":"arn:aws:iam::111122223333:user/","decision":"implicitDeny","enforcement":"log","durationMs":0.3}
{"time":"2026-11-27T01:00:02Z","requestId":"3","action":"iam:DeleteUser","caller":"arn:aws:iam::111122223333:user/ci","resource":"arn:aws:iam::111122223333:user/bob","decision":"implicitDeny","errorCode":"AccessDenied","durationMs":0.3}
`
	var recs []*audit.Record
	audit.Read(strings.NewReader(trail), audit.Filter{Principal: "arn:aws:iam::111122223333:user/ci"}, func(r *audit.Record) error {
		recs = append(recs, r)
		return nil
	})
	doc, err := audit.Generate(recs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(doc))
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "Iam1",
	//       "Effect": "Allow",
	//       "Action": [
	//         "iam:GetUser"
	//       ],
	//       "Resource": [
	//         "arn:aws:iam::111122223333:user/ci"
	//       ]
	//     },
	//     {
	//       "Sid": "Iam2",
	//       "Effect": "Allow",
	//       "Action": [
	//         "iam:ListUsers"
	//       ],
	//       "Resource": [
	//         "arn:aws:iam::111122223333:user/"
	//       ]
	//     }
	//   ]
	// }
}
