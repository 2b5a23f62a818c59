package iam

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

const (
	thumbA = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	thumbB = "a031c46782e6e6c662c2c87c76da9aa62ccabd8e"
)

func TestService_OpenIDConnectProviders(t *testing.T) {
	s, root := newService(t)
	out, err := s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{
		URL:            "https://token.actions.githubusercontent.com",
		ClientIDList:   []string{"sts.amazonaws.com", "sts.amazonaws.com"},
		ThumbprintList: []string{thumbA},
		Tags:           []keyward.Tag{{Key: "ci", Value: "github"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	got := marshal(t, "CreateOpenIDConnectProvider", out)
	want := `<CreateOpenIDConnectProviderResult><OpenIDConnectProviderArn>` + arn + `</OpenIDConnectProviderArn>` +
		`<Tags><member><Key>ci</Key><Value>github</Value></member></Tags></CreateOpenIDConnectProviderResult>`
	if got != want {
		t.Fatalf("CreateOpenIDConnectProvider XML =\n%s\nwant\n%s", got, want)
	}
	_, err = s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{URL: "https://token.actions.githubusercontent.com"})
	wantError(t, "CreateOpenIDConnectProvider again", err, keyward.ErrEntityAlreadyExists,
		"Provider with url https://token.actions.githubusercontent.com already exists.")

	g, err := s.GetOpenIDConnectProvider(ctxb, root, &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	got = marshal(t, "GetOpenIDConnectProvider", g)
	want = `<GetOpenIDConnectProviderResult><Url>token.actions.githubusercontent.com</Url>` +
		`<ClientIDList><member>sts.amazonaws.com</member></ClientIDList>` +
		`<ThumbprintList><member>` + thumbA + `</member></ThumbprintList>` +
		`<CreateDate>2026-11-26T23:52:02Z</CreateDate><Tags><member><Key>ci</Key><Value>github</Value></member></Tags>` +
		`</GetOpenIDConnectProviderResult>`
	if got != want {
		t.Fatalf("GetOpenIDConnectProvider XML =\n%s\nwant\n%s", got, want)
	}

	clientIDs := func() []string {
		t.Helper()
		g, err := s.GetOpenIDConnectProvider(ctxb, root, &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn})
		if err != nil {
			t.Fatal(err)
		}
		return g.ClientIDList
	}
	for _, id := range []string{"app", "app"} { // the second changes nothing
		if _, err := s.AddClientIDToOpenIDConnectProvider(ctxb, root, &AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn, ClientID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"sts.amazonaws.com", "app"}, clientIDs()); diff != "" {
		t.Fatalf("client IDs after AddClientID (-want +got):\n%s", diff)
	}
	for _, id := range []string{"sts.amazonaws.com", "never-there"} {
		if _, err := s.RemoveClientIDFromOpenIDConnectProvider(ctxb, root, &RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn, ClientID: id}); err != nil {
			t.Fatalf("RemoveClientID(%q): %v", id, err)
		}
	}
	if diff := cmp.Diff([]string{"app"}, clientIDs()); diff != "" {
		t.Fatalf("client IDs after RemoveClientID (-want +got):\n%s", diff)
	}
	if _, err := s.UpdateOpenIDConnectProviderThumbprint(ctxb, root, &UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderARN: arn, ThumbprintList: []string{thumbB, thumbA}}); err != nil {
		t.Fatal(err)
	}
	g, err = s.GetOpenIDConnectProvider(ctxb, root, &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{thumbB, thumbA}, []string(g.ThumbprintList)); diff != "" {
		t.Fatalf("thumbprints after Update (-want +got):\n%s", diff)
	}

	if _, err := s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{URL: "https://accounts.google.com"}); err != nil {
		t.Fatalf("CreateOpenIDConnectProvider without thumbprints: %v", err)
	}
	list, err := s.ListOpenIDConnectProviders(ctxb, root, &ListOpenIDConnectProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	got = marshal(t, "ListOpenIDConnectProviders", list)
	want = `<ListOpenIDConnectProvidersResult><OpenIDConnectProviderList>` +
		`<member><Arn>arn:aws:iam::111122223333:oidc-provider/accounts.google.com</Arn></member>` +
		`<member><Arn>` + arn + `</Arn></member></OpenIDConnectProviderList></ListOpenIDConnectProvidersResult>`
	if got != want {
		t.Fatalf("ListOpenIDConnectProviders XML =\n%s\nwant\n%s", got, want)
	}
	other, err := s.ListOpenIDConnectProviders(ctxb, rootOf(otherAccount), &ListOpenIDConnectProvidersInput{})
	if err != nil || len(other.OpenIDConnectProviderList) != 0 {
		t.Fatalf("ListOpenIDConnectProviders(other account) = %+v, %v", other, err)
	}
	_, err = s.GetOpenIDConnectProvider(ctxb, rootOf(otherAccount), &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn})
	wantCode(t, "GetOpenIDConnectProvider(other account)", err, keyward.ErrAccessDenied)
	_, err = s.DeleteOpenIDConnectProvider(ctxb, rootOf(otherAccount), &DeleteOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn})
	wantCode(t, "DeleteOpenIDConnectProvider(other account)", err, keyward.ErrAccessDenied)

	if _, err := s.DeleteOpenIDConnectProvider(ctxb, root, &DeleteOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetOpenIDConnectProvider(ctxb, root, &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn})
	wantError(t, "GetOpenIDConnectProvider(deleted)", err, keyward.ErrNoSuchEntity, "OpenIDConnect Provider not found for arn "+arn)
	// AWS's API reference: "This operation is idempotent; it does not fail
	// or return an error if you call the operation for a provider that does
	// not exist."
	if _, err := s.DeleteOpenIDConnectProvider(ctxb, root, &DeleteOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn}); err != nil {
		t.Errorf("DeleteOpenIDConnectProvider(deleted) = %v, want success (idempotent)", err)
	}
	_, err = s.AddClientIDToOpenIDConnectProvider(ctxb, root, &AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn, ClientID: "x"})
	wantCode(t, "AddClientID(deleted)", err, keyward.ErrNoSuchEntity)
}

func TestService_CreateOpenIDConnectProvider_Errors(t *testing.T) {
	s, root := newService(t)
	many := func(n int, f func(i int) string) []string {
		var l []string
		for i := range n {
			l = append(l, f(i))
		}
		return l
	}
	tests := []struct {
		name string
		in   CreateOpenIDConnectProviderInput
		code string
		msg  string
	}{
		{"http", CreateOpenIDConnectProviderInput{URL: "http://example.com"}, keyward.ErrInvalidInput, "Invalid Open ID Connect Provider URL"},
		{"no host", CreateOpenIDConnectProviderInput{URL: "https://"}, keyward.ErrInvalidInput, ""},
		{"query", CreateOpenIDConnectProviderInput{URL: "https://example.com/?a=b"}, keyward.ErrInvalidInput, ""},
		{"six thumbprints", CreateOpenIDConnectProviderInput{URL: "https://example.com", ThumbprintList: many(6, func(i int) string { return fmt.Sprintf("%040d", i) })},
			keyward.ErrLimitExceeded, "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5"},
		{"101 client IDs", CreateOpenIDConnectProviderInput{URL: "https://example.com", ClientIDList: many(101, func(i int) string { return fmt.Sprint(i) })},
			keyward.ErrLimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateOpenIDConnectProvider(ctxb, root, &tt.in)
			wantCode(t, "CreateOpenIDConnectProvider", err, tt.code)
			if tt.msg != "" {
				wantError(t, "CreateOpenIDConnectProvider", err, tt.code, tt.msg)
			}
		})
	}
	_, err := s.GetOpenIDConnectProvider(ctxb, root, &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: "arn:aws:iam::111122223333:policy/x"})
	wantCode(t, "GetOpenIDConnectProvider(policy ARN)", err, keyward.ErrInvalidInput)
}

func TestService_OpenIDConnectProviders_Quota(t *testing.T) {
	s, root := newService(t)
	for i := range maxOIDCProviders {
		if _, err := s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{URL: fmt.Sprintf("https://idp%d.example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{URL: "https://one-more.example.com"})
	wantError(t, "CreateOpenIDConnectProvider(101st)", err, keyward.ErrLimitExceeded, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")
}

func TestService_OpenIDConnectProviders_Authorization(t *testing.T) {
	s, root := newService(t)
	arn := "arn:aws:iam::111122223333:oidc-provider/idp.example.com"
	if _, err := s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{URL: "https://idp.example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOpenIDConnectProvider(ctxb, root, &CreateOpenIDConnectProviderInput{URL: "https://other.example.com"}); err != nil {
		t.Fatal(err)
	}
	carol := userCaller(t, s, "carol", allow("iam:*OpenIDConnectProvider*", arn))
	if _, err := s.GetOpenIDConnectProvider(ctxb, carol, &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn}); err != nil {
		t.Fatalf("GetOpenIDConnectProvider(allowed): %v", err)
	}
	if _, err := s.AddClientIDToOpenIDConnectProvider(ctxb, carol, &AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderARN: arn, ClientID: "x"}); err != nil {
		t.Fatalf("AddClientIDToOpenIDConnectProvider(allowed): %v", err)
	}
	otherARN := "arn:aws:iam::111122223333:oidc-provider/other.example.com"
	_, err := s.GetOpenIDConnectProvider(ctxb, carol, &GetOpenIDConnectProviderInput{OpenIDConnectProviderARN: otherARN})
	wantError(t, "GetOpenIDConnectProvider(other)", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/carol is not authorized to perform: iam:GetOpenIDConnectProvider on resource: "+otherARN+
			" because no identity-based policy allows the iam:GetOpenIDConnectProvider action")
	// ListOpenIDConnectProviders takes Resource "*".
	_, err = s.ListOpenIDConnectProviders(ctxb, carol, &ListOpenIDConnectProvidersInput{})
	wantCode(t, "ListOpenIDConnectProviders", err, keyward.ErrAccessDenied)
	_, err = s.CreateOpenIDConnectProvider(ctxb, carol, &CreateOpenIDConnectProviderInput{URL: "https://new.example.com"})
	wantCode(t, "CreateOpenIDConnectProvider(other ARN)", err, keyward.ErrAccessDenied)
}
