// Package guard lets a Go service accept AWS-signed requests from its
// clients and have Keyward decide them: Client calls Keyward's authorize API
// (package authorize) and caches what it learns for a short TTL, and Guard is
// net/http middleware that verifies and authorizes each request through a
// function the service gives (request -> action, resource, context).
//
// Basics:
//
//	c := &guard.Client{Endpoint: "http://127.0.0.1:4599", Credentials: svcCreds, TTL: 5 * time.Second}
//	g := &guard.Guard{Client: c, Service: "kvstore", Map: func(r *http.Request) ([]authorize.Query, error) {
//		return []authorize.Query{{Action: "kvstore:GetItem", Resource: "arn:aws:kvstore:::item/" + r.PathValue("key")}}, nil
//	}}
//	http.ListenAndServe(addr, g.Wrap(mux))
//
// The service's own Keyward identity needs keyward:Authorize on
// arn:aws:keyward:::service/NAME, and keyward:GetSigningKey there too for the
// cache to verify signatures itself.
//
// # Caveats
//
//   - With TTL > 0 a client's derived signing key (one day, one region, one
//     service; never the secret) and its decisions are reused for TTL: a
//     deleted access key, an ended session or a changed policy takes effect
//     here up to TTL late. TTL 0 asks Keyward on every request.
//   - The body is read whole (up to MaxBody) to hash it. An aws-chunked
//     upload signed chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) has
//     each chunk's signature checked with the scope's signing key (the
//     service needs keyward:GetSigningKey), and the handler gets the decoded
//     body; the trailer variants answer 501 NotImplemented.
package guard
