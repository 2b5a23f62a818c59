package outbound

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/keyward/keyward"
)

// Discovery is an issuer's OpenID Provider metadata
// (/.well-known/openid-configuration): the members OpenID Connect
// Discovery 1.0 requires, and the algorithms Keyward signs with.
type Discovery struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
}

// DiscoveryOf returns issuer's metadata.
func DiscoveryOf(issuer string) Discovery {
	return Discovery{Issuer: issuer, JWKSURI: issuer + "/.well-known/jwks.json",
		ResponseTypesSupported: []string{"id_token"}, SubjectTypesSupported: []string{"public"},
		IDTokenSigningAlgValuesSupported: Algorithms}
}

// Handler serves the discovery documents of every account's issuer,
// unauthenticated, as outside verifiers fetch them: GET
// PathPrefix{uuid}/.well-known/openid-configuration and .../jwks.json
// (mount it with Pattern). A path that is not a UUID gets 404 before any
// store read; a UUID no account has gets 404 after one indexed read.
// Nothing is logged or kept per request but store failures, and nothing
// is written: jwks.json lists the keys Published at the handler's clock,
// and retired keys past Retention wait for the account's next
// GetWebIdentityToken to delete them.
type Handler struct {
	Store   keyward.Store
	Issuers *Issuers
	Log     *slog.Logger     // nil: store failures go unlogged
	Clock   func() time.Time // nil: time.Now
}

// Pattern is the net/http.ServeMux pattern Handler serves.
const Pattern = "GET " + PathPrefix + "{uuid}/.well-known/{doc}"

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	uuid, doc := r.PathValue("uuid"), r.PathValue("doc")
	if !ValidUUID(uuid) || (doc != "openid-configuration" && doc != "jwks.json") {
		http.NotFound(w, r)
		return
	}
	var body any
	err := h.Store.View(r.Context(), func(tx keyward.Tx) error {
		a, err := tx.GetAccountByOutboundIssuer(StoredIssuer(uuid))
		if err != nil {
			return err
		}
		if doc == "openid-configuration" {
			body = DiscoveryOf(h.Issuers.Issuer(a.OutboundIssuer))
			return nil
		}
		keys, err := tx.ListOutboundKeys(a.ID)
		if err != nil {
			return err
		}
		body, err = KeySet(Published(keys, h.now()))
		return err
	})
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		if h.Log != nil {
			h.Log.Error("outbound discovery", "err", err.Error())
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	// Verifiers cache keys; five minutes keeps a new key's wait short.
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(body)
}

func (h *Handler) now() time.Time {
	if h.Clock != nil {
		return h.Clock()
	}
	return time.Now()
}
