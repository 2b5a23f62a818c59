package awsquery_test

import (
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/keyward/keyward/internal/awsquery"
)

func ExampleWriteResult() {
	type user struct {
		UserName   string             `xml:"UserName"`
		CreateDate awsquery.Timestamp `xml:"CreateDate"`
	}
	type getUserResult struct {
		User user `xml:"User"`
	}
	w := httptest.NewRecorder()
	created := awsquery.Timestamp(time.Date(2026, 11, 26, 23, 52, 2, 0, time.UTC))
	err := awsquery.WriteResult(w, "GetUser", awsquery.NamespaceIAM, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE",
		&getUserResult{User: user{UserName: "alice", CreateDate: created}})
	if err != nil {
		panic(err)
	}
	fmt.Print(w.Body)
	// Output:
	// <GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
	//   <GetUserResult>
	//     <User>
	//       <UserName>alice</UserName>
	//       <CreateDate>2026-11-26T23:52:02Z</CreateDate>
	//     </User>
	//   </GetUserResult>
	//   <ResponseMetadata>
	//     <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
	//   </ResponseMetadata>
	// </GetUserResponse>
}

func ExampleForm_Err() {
	userName := awsquery.MustPattern(`[\w+=,.@-]+`)
	f, err := awsquery.ParseForm("Action=CreateUser&UserName=bad%2Fname&Tags.member.1.Key=team")
	if err != nil {
		panic(err)
	}
	name := f.Required("UserName")
	f.Validate("UserName", name, 1, 64, userName)
	f.Tags()
	fmt.Println(f.Err())
	// Output:
	// ValidationError: 2 validation errors detected: Value 'bad/name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null
}
