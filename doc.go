// Package keyward holds Keyward's domain: accounts, users, groups, roles, managed
// policies and their versions, instance profiles, access keys, OIDC providers and
// tags; the Store interface every storage backend implements; and Error, the one
// error type that crosses layers, carrying AWS's error codes.
//
// This package imports nothing from the project. Storage backends (sqlite,
// postgres) implement Store; the service layers (iam, sts) enforce AWS's rules
// above the store, so every backend behaves the same; only awsquery knows HTTP
// status codes and XML.
package keyward
