package server

import (
	"io"
	"net/http"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/awsquery"
	"github.com/keyward/keyward/internal/rolesanywhere"
	"github.com/keyward/keyward/sigv4"
)

// IAM Roles Anywhere's face: AWS's REST-JSON API, each operation on its
// own route (POST /trustanchors, GET /profile/{profileId}, POST
// /sessions, ...), which no Query API client uses: the Query API keeps
// every other path.

// maxRolesAnywhereBody bounds a request's body: the largest the model
// allows is ImportCrl's, a 300,000-byte CRL in base64.
const maxRolesAnywhereBody = 1 << 20

// rolesAnywhereService names the API in metrics, logs and the audit trail.
var rolesAnywhereService = &service{name: "rolesanywhere"}

// rolesAnywhereRoutes mounts every operation of the API on mux.
func (s *Server) rolesAnywhereRoutes(mux *http.ServeMux) {
	for _, op := range rolesanywhere.Operations() {
		mux.HandleFunc(op.Pattern, func(w http.ResponseWriter, r *http.Request) { s.serveRolesAnywhere(w, r, op) })
	}
}

// serveRolesAnywhere is the API's request lifecycle, the Query API's in
// the service's protocol: read the body; authenticate (SigV4 for service
// rolesanywhere; CreateSession authenticates its certificate itself);
// rate-limit; bind and act (rolesanywhere.Service.Call); audit, one line;
// respond; observe.
func (s *Server) serveRolesAnywhere(w http.ResponseWriter, r *http.Request, op *rolesanywhere.Operation) {
	x := &exchange{id: awsquery.NewRequestID(), start: time.Now(), http: r, svc: rolesAnywhereService, action: op.Name}
	x.pending = &audit.Pending{RequestID: x.id}
	req := &rolesanywhere.Request{Op: op, HTTP: r, ID: x.id}
	result, err := s.actRolesAnywhere(r, x, req)
	if req.Session != nil {
		si := req.Session
		x.x509 = &audit.X509{Subject: si.Subject, Issuer: si.Issuer, Serial: si.Serial, TrustAnchorARN: si.TrustAnchorARN,
			ProfileARN: si.ProfileARN, RoleARN: si.RoleARN, SessionARN: si.SessionARN, AccessKeyID: si.AccessKeyID}
	}
	if aerr := s.auditQuery(r, x, err); aerr != nil && err == nil {
		result, err = nil, aerr
	}
	if err == nil {
		if werr := rolesanywhere.WriteResult(w, x.id, op, result); werr != nil {
			s.log.Warn("writing a response", "request_id", x.id, "err", werr)
		}
	} else {
		x.code, _ = rolesanywhere.Code(err)
		rolesanywhere.WriteError(w, s.log, x.id, err)
	}
	s.observe(x)
}

func (s *Server) actRolesAnywhere(r *http.Request, x *exchange, req *rolesanywhere.Request) (any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRolesAnywhereBody+1))
	if err != nil {
		return nil, keyward.Errorf(rolesanywhere.ErrValidation, "The request body could not be read.")
	}
	if len(body) > maxRolesAnywhereBody {
		return nil, keyward.Errorf(keyward.ErrRequestEntityTooLarge, "The request body is larger than 1 MiB.")
	}
	req.Body = body
	if req.Op.Signed {
		v, err := s.authn.VerifyService(r, body, "rolesanywhere", sigv4.Options{}, false)
		if err != nil {
			return nil, err
		}
		x.caller, req.Caller, req.Region = v.Caller, v.Caller, v.Signed.Region
		if err := s.limit(v.Caller.AccessKeyID); err != nil {
			return nil, err
		}
	}
	ctx := audit.NewContext(r.Context(), x.pending)
	return s.ra.Call(ctx, req)
}
