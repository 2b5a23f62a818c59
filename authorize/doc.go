// Package authorize is the wire format of Keyward's authorize API, with
// which other systems ask Keyward what AWS's services ask IAM on every
// request: who signed this, and may they do it? A service posts an Input
// (its client's request, and the decisions it wants) to Path, signed for
// SigningService, and reads an Output; package guard is a client for it.
// Config is the route map of forward authentication (a reverse proxy's
// auth subrequest), which keyward serve reads and keyward policy lint
// declares services from. The server side is internal (internal/authorizer).
package authorize
