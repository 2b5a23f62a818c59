// Package server is Keyward's HTTP server: the request lifecycle of the AWS
// Query API written as one chain in one place (query.go: parse,
// authenticate, rate-limit, bind, act, audit, respond, observe), the
// authorize API and forward authentication behind the same rate limit, the
// admin reset, health and metrics. It assembles the parts (the store, authn,
// authz, iam, sts, audit) from a Config; cmd/keyward reads flags and the
// environment, opens the store and fills the Config.
//
// # Basics
//
//	srv, err := server.New(ctx, server.Config{Store: st, KEK: kek, AccountID: acct, Log: log})
//	http.Serve(ln, srv.Handler())
//
// # Caveats
//
//   - Which actions take unsigned requests is declared by their service
//     (sts.UnsignedActions) and decided on the action the dispatcher itself
//     parsed, so no second reading of the request can differ from it.
//   - Metrics and log labels come from the server's action tables: an action
//     a client invents is "unknown".
package server
