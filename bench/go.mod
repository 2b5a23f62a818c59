module github.com/keyward/keyward/bench

go 1.26.0

replace github.com/keyward/keyward => ../

require (
	github.com/cedar-policy/cedar-go v1.9.1
	github.com/keyward/keyward v0.0.0-00010101000000-000000000000
)

require (
	github.com/go-json-experiment/json v1.27.2 // indirect
	golang.org/x/exp v0.0.0-20220921023135-46d9e7742f1e // indirect
)
