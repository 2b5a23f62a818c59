package main

import (
	"net/http"
	"os"

	"github.com/keyward/keyward/authorize"
)

// authorizeRoutes mounts the authorize API and forward authentication
// (package authorize) on mux.
//
// KEYWARD_FORWARD_AUTH_CONFIG names the forward-auth configuration file (a
// JSON mapping of method and path to action and resource; see
// authorize.Config). Without it the forward-auth endpoint answers 404. A
// configuration that does not load is logged and the endpoint answers 500
// to every request: it fails closed.
func (s *server) authorizeRoutes(mux *http.ServeMux) {
	h := &authorize.Handler{Authn: s.authn, Authz: s.authz, Log: s.log}
	mux.Handle("POST "+authorize.Path, h)
	forward := http.HandlerFunc(h.ServeForwardAuth)
	if path := os.Getenv("KEYWARD_FORWARD_AUTH_CONFIG"); path != "" {
		cfg, err := authorize.LoadConfig(path)
		if err != nil {
			s.log.Error("forward auth disabled: its configuration does not load", "file", path, "err", err)
			forward = func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "forward authentication is misconfigured; see the server log", http.StatusInternalServerError)
			}
		}
		h.Forward = cfg
	}
	mux.Handle(authorize.ForwardAuthPath, forward)
	mux.Handle(authorize.ForwardAuthPath+"/", forward)
}
