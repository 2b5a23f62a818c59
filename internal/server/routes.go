package server

import (
	"net/http"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/internal/authorizer"
)

// authorizeRoutes mounts the authorize API and forward authentication
// (package authorize) on mux, behind the same rate limit as the Query API.
// A forward-auth configuration that did not load makes that endpoint answer
// 500 to every request: it fails closed.
func (s *Server) authorizeRoutes(mux *http.ServeMux) {
	h := &authorizer.Handler{Authn: s.authn, Authz: s.authz, Log: s.log, Forward: s.cfg.ForwardAuth, Limit: s.limit}
	mux.Handle("POST "+authorize.Path, h)
	forward := http.HandlerFunc(h.ServeForwardAuth)
	if s.cfg.ForwardAuthErr != nil {
		forward = func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "forward authentication is misconfigured; see the server log", http.StatusInternalServerError)
		}
	}
	mux.Handle(authorize.ForwardAuthPath, forward)
	mux.Handle(authorize.ForwardAuthPath+"/", forward)
}
