package console

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/rolesanywhere"
)

// page is one request to a signed-in page: the session, the caller it acts
// as, and what the template shows.
type page struct {
	c      *Console
	w      http.ResponseWriter
	r      *http.Request
	sess   *session
	caller *keyward.Caller

	// What every template reads.
	Title    string
	Nav      string // the navigation entry to highlight
	Flash    string
	CSRF     string
	Identity identity
	Errors   []*apiError // calls that failed on a page that still renders
	Data     any

	status int // the response's status; 0 is 200
}

// identity is what the header shows of who is acting.
type identity struct {
	Label    string // "alice" or "Admin"
	ARN      string
	Account  string
	Switched bool   // a role switched to: the header offers the way back
	Back     string // the identity the way back returns to
	Root     bool
	MFA      bool   // the session proved MFA (aws:MultiFactorAuthPresent)
	User     string // the IAM user acting, "" for root and roles: its own credentials are a link away
}

// handler is a signed-in page's handler. It returns an error to show
// instead of the page: an *apiError (a call that failed, with its
// explanation) or any other (an internal failure, logged, not shown).
type handler func(p *page) error

// page wraps a handler: no session sends the browser to the sign-in form;
// a POST without the session's CSRF token is refused; a credential that
// expired ends the session.
func (c *Console) page(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.sessionOf(r)
		if s == nil {
			c.toSignIn(w, r, "")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := parseForm(r); err != nil || !equalTokens(s.csrf, r.PostForm.Get("csrf")) {
				c.renderStatus(w, r, nil, http.StatusForbidden, "forbidden", nil)
				return
			}
		}
		caller, err := c.callerOf(r, s)
		if err != nil {
			code := keyward.ErrorCode(err)
			if code == keyward.ErrExpiredToken || code == keyward.ErrInvalidClientTokenID {
				if s.pop() { // a switched role expired: back to the identity below
					s.setFlash("The role session expired; you are back to your own identity.")
					http.Redirect(w, r, Prefix, http.StatusSeeOther)
					return
				}
				c.sessions.remove(s.id)
				c.toSignIn(w, r, "Your session has expired. Sign in again.")
				return
			}
			c.internal(w, r, err)
			return
		}
		p := &page{c: c, w: w, r: r, sess: s, caller: caller, CSRF: s.csrf, Flash: s.takeFlash()}
		p.Identity = identityOf(s, caller)
		if s.mustChangePassword() && !strings.HasPrefix(r.URL.Path, Prefix+"password") && !strings.HasPrefix(r.URL.Path, Prefix+"signout") {
			http.Redirect(w, r, Prefix+"password", http.StatusSeeOther)
			return
		}
		if err := h(p); err != nil {
			p.fail(err)
		}
	})
}

func identityOf(s *session, c *keyward.Caller) identity {
	top := s.top()
	id := identity{Label: top.label, ARN: c.ARN, Account: c.AccountID, Root: c.Kind == keyward.CallerRoot, MFA: c.MFAPresent}
	if c.Kind == keyward.CallerUser {
		id.User = c.UserName
	}
	if s.depth() > 1 {
		id.Switched = true
		id.Back = s.below().label
	}
	return id
}

// toSignIn sends a browser without a session to the sign-in form,
// remembering where it was going.
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request, msg string) {
	q := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != Prefix && r.URL.Path != Prefix+"signin" {
		q.Set("next", r.URL.RequestURI())
	}
	if msg != "" {
		q.Set("msg", msg)
	}
	target := Prefix + "signin"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// render writes the page with template name and data.
func (p *page) render(name string, data any) error {
	p.Data = data
	status := http.StatusOK
	if p.status != 0 {
		status = p.status
	}
	return p.c.renderStatus(p.w, p.r, p, status, name, data)
}

// redirect ends a POST: the message is shown on the page redirected to.
func (p *page) redirect(target, flash string) error {
	if flash != "" {
		p.sess.setFlash(flash)
	}
	http.Redirect(p.w, p.r, target, http.StatusSeeOther)
	return nil
}

// fail shows err instead of the page.
func (p *page) fail(err error) {
	var ae *apiError
	if errors.As(err, &ae) && (ae.Code == keyward.ErrInvalidClientTokenID || ae.Code == keyward.ErrExpiredToken) {
		// The session's principal is gone (a deleted user or role), or its
		// credential no longer opens: the session ends.
		if !p.sess.pop() {
			p.c.sessions.remove(p.sess.id)
			p.c.toSignIn(p.w, p.r, "Your session has ended: "+ae.Message)
			return
		}
		p.redirect(Prefix, "The role session ended: "+ae.Message)
		return
	}
	if errors.As(err, &ae) {
		p.Title = "Error"
		p.Data = ae
		status := keyward.HTTPStatus(ae.Code)
		if strings.HasPrefix(ae.Action, "rolesanywhere:") {
			status = rolesanywhere.Status(ae.Code) // the service's codes, as its API answers them
		}
		if status < 400 {
			status = http.StatusBadRequest
		}
		p.c.renderStatus(p.w, p.r, p, status, "error", ae)
		return
	}
	p.c.internal(p.w, p.r, err)
}

func (c *Console) internal(w http.ResponseWriter, r *http.Request, err error) {
	c.log.Error("console: internal error", "path", r.URL.Path, "err", err)
	c.renderStatus(w, r, nil, http.StatusInternalServerError, "internal", nil)
}

// apiError is a call that failed: AWS's code and message, the request id,
// and the authorizations the call made, which explain an AccessDenied.
type apiError struct {
	Action    string // iam:CreateRole
	Code      string
	Message   string
	RequestID string
	Decisions []audit.Decision
}

func (e *apiError) Error() string { return e.Action + ": " + e.Code + ": " + e.Message }

// Denied reports whether the error is an authorization's.
func (e *apiError) Denied() bool { return e.Code == keyward.ErrAccessDenied }

// Deciding is the authorization that denied the call, if any.
func (e *apiError) Deciding() *audit.Decision {
	for i := range e.Decisions {
		if e.Decisions[i].Decision != "allowed" {
			return &e.Decisions[i]
		}
	}
	return nil
}

// invoke calls service:action as the page's caller; a failure is an
// *apiError carrying the call's decisions.
func (p *page) invoke(service, action string, params url.Values) (any, error) {
	out, tr, err := p.c.cfg.Backend.Invoke(p.r.Context(), p.caller, service, action, params)
	if err != nil {
		var ke *keyward.Error
		if !errors.As(err, &ke) {
			return nil, err
		}
		return nil, &apiError{Action: service + ":" + action, Code: ke.Code, Message: ke.Message, RequestID: tr.RequestID, Decisions: tr.Decisions}
	}
	return out, nil
}

// call is invoke for IAM, parameters as name, value pairs, the result as
// its type (a nil result, for actions without output, is a zero T).
func call[T any](p *page, action string, kv ...string) (*T, error) {
	return callValues[T](p, "iam", action, pairs(kv...))
}

func callValues[T any](p *page, service, action string, params url.Values) (*T, error) {
	out, err := p.invoke(service, action, params)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return new(T), nil
	}
	t, ok := out.(*T)
	if !ok {
		return nil, errors.New("console: " + action + " returned an unexpected type")
	}
	return t, nil
}

// pairs makes a form of name, value pairs, leaving out empty values.
func pairs(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

// addList adds a Query list (Name.member.1, ...).
func addList(v url.Values, name string, items []string) {
	n := 0
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			n++
			v.Set(name+".member."+strconv.Itoa(n), it)
		}
	}
}

// addTags adds Tags.member.N.Key/Value for each key with a value in keys.
func addTags(v url.Values, keys, values []string) {
	n := 0
	for i, k := range keys {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		n++
		v.Set("Tags.member."+strconv.Itoa(n)+".Key", k)
		val := ""
		if i < len(values) {
			val = values[i]
		}
		v.Set("Tags.member."+strconv.Itoa(n)+".Value", val)
	}
}

// soft runs a call whose failure should not fail the page: the error is
// shown in the page's error list and the section stays empty.
func (p *page) soft(err error) bool {
	if err == nil {
		return true
	}
	var ae *apiError
	if errors.As(err, &ae) {
		p.Errors = append(p.Errors, ae)
		return false
	}
	p.c.log.Error("console: internal error", "path", p.r.URL.Path, "err", err)
	p.Errors = append(p.Errors, &apiError{Code: keyward.ErrInternalFailure, Message: "An internal error occurred."})
	return false
}

// maxForm bounds a POSTed form: a SAML metadata document, the largest
// thing the console takes, is rarely past a few hundred kilobytes.
const maxForm = 1 << 20

// parseForm reads a POSTed form, URL-encoded or multipart (a file chosen
// in a form that uploads one, such as SAML metadata).
func parseForm(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return r.ParseMultipartForm(maxForm)
	}
	return r.ParseForm()
}

// fileOrForm is the text of the file a multipart form carries as file, or
// else its field name: forms that take a document offer both.
func (p *page) fileOrForm(file, name string) (string, error) {
	if p.r.MultipartForm != nil {
		if f, _, err := p.r.FormFile(file); err == nil {
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, maxForm))
			if err != nil {
				return "", err
			}
			if len(bytes.TrimSpace(b)) > 0 {
				return string(b), nil
			}
		}
	}
	return p.r.PostForm.Get(name), nil
}

// form is a POSTed field, trimmed.
func (p *page) form(name string) string { return strings.TrimSpace(p.r.PostForm.Get(name)) }

// query is a URL query field.
func (p *page) query(name string) string { return strings.TrimSpace(p.r.URL.Query().Get(name)) }

// lines splits a text area into its non-empty lines (commas also split).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
