package guard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/sigv4"
)

// Guard is middleware that lets through only the requests Keyward
// authenticates and allows.
type Guard struct {
	Client *Client
	// Service is the credential scope service the clients sign for.
	Service string
	// PathStyle "s3": clients sign the path as S3 does.
	PathStyle string
	// Map says what a request asks to do: one or more decisions, all of
	// which must be allowed. An error answers 400 with its text.
	Map func(r *http.Request) ([]authorize.Query, error)
	// MaxBody bounds the body read to hash it (default 64 MiB).
	MaxBody int64
	// WriteError answers a refused request; the default writes
	// {"error":{"code":..,"message":..}}. status is AWS's for code.
	WriteError func(w http.ResponseWriter, r *http.Request, status int, code, message string)
}

type principalKey struct{}

// Principal returns the principal Guard let through, from a request's
// context.
func Principal(ctx context.Context) *authorize.Principal {
	p, _ := ctx.Value(principalKey{}).(*authorize.Principal)
	return p
}

// Wrap returns next behind g.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := g.MaxBody
		if max <= 0 {
			max = 64 << 20
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			g.writeError(w, r, http.StatusBadRequest, "IncompleteBody", "reading the body: "+err.Error())
			return
		}
		if int64(len(body)) > max {
			g.writeError(w, r, http.StatusRequestEntityTooLarge, "EntityTooLarge", "the body is too large")
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		queries, err := g.Map(r)
		if err != nil {
			g.writeError(w, r, http.StatusBadRequest, "InvalidRequest", err.Error())
			return
		}
		sum := sha256.Sum256(body)
		out, err := g.Client.Check(r.Context(), g.Service, g.PathStyle, r, hex.EncodeToString(sum[:]), queries)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				// The service's own call was refused: not the client's fault.
				g.writeError(w, r, http.StatusInternalServerError, "InternalError", "the authorization service refused this service: "+e.Code)
				return
			}
			g.writeError(w, r, http.StatusServiceUnavailable, "ServiceUnavailable", "the authorization service is unavailable")
			return
		}
		if !out.Authenticated {
			g.writeError(w, r, status(out.Error.Code), out.Error.Code, out.Error.Message)
			return
		}
		if !out.Allowed {
			msg := "Access Denied"
			for _, d := range out.Decisions {
				if d.Decision != "allowed" {
					msg = d.Message
					break
				}
			}
			g.writeError(w, r, http.StatusForbidden, "AccessDenied", msg)
			return
		}
		if h := r.Header.Get("X-Amz-Content-Sha256"); strings.HasPrefix(h, "STREAMING-") {
			if !g.decodeStreaming(w, r, h, body, out) {
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, out.Principal)))
	})
}

func (g *Guard) writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if g.WriteError != nil {
		g.WriteError(w, r, status, code, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]authorize.Error{"error": {Code: code, Message: msg}})
}

// status is AWS's HTTP status for a signature error code.
func status(code string) int {
	switch code {
	case "IncompleteSignature", "RequestExpired":
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

func splitHostPort(addr string) (string, string, error) { return net.SplitHostPort(addr) }

// decodeStreaming checks the chunk signatures of an aws-chunked upload and
// gives next the decoded body, as S3 does. It answers the client itself
// and returns false when the upload does not hold.
func (g *Guard) decodeStreaming(w http.ResponseWriter, r *http.Request, marker string, body []byte, out *authorize.Output) bool {
	if marker != sigv4.StreamingPayload {
		g.writeError(w, r, http.StatusNotImplemented, "NotImplemented", "guard checks aws-chunked uploads signed chunk by chunk ("+
			sigv4.StreamingPayload+") only, not "+marker)
		return false
	}
	if out.SigningKey == nil {
		g.writeError(w, r, http.StatusInternalServerError, "InternalError", "this service may not check streamed uploads: it needs keyward:GetSigningKey")
		return false
	}
	key, err := hex.DecodeString(out.SigningKey.Key)
	if err != nil {
		g.writeError(w, r, http.StatusInternalServerError, "InternalError", "the authorization service sent a malformed signing key")
		return false
	}
	data, err := decodeChunked(body, key, out.SigningKey.Date, out.SigningKey.Scope, out.SigningKey.SeedSignature)
	switch {
	case errors.Is(err, errChunkSignature):
		g.writeError(w, r, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return false
	case err != nil:
		g.writeError(w, r, http.StatusBadRequest, "IncompleteBody", err.Error())
		return false
	}
	if n := r.Header.Get("X-Amz-Decoded-Content-Length"); n != "" && n != strconv.Itoa(len(data)) {
		g.writeError(w, r, http.StatusBadRequest, "IncompleteBody", "the decoded body is not X-Amz-Decoded-Content-Length long")
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.ContentLength = int64(len(data))
	r.Header.Del("X-Amz-Decoded-Content-Length")
	var enc []string
	for _, v := range r.Header.Values("Content-Encoding") {
		for e := range strings.SplitSeq(v, ",") {
			if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
				enc = append(enc, e)
			}
		}
	}
	r.Header.Del("Content-Encoding")
	if len(enc) > 0 {
		r.Header.Set("Content-Encoding", strings.Join(enc, ","))
	}
	return true
}
