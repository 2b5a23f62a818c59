package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/keyward/keyward"
)

// Cookie names. The session cookie holds only a random id; the pre-session
// cookie carries the sign-in form's CSRF token (double submit).
const (
	sessionCookie = "keyward-console"
	signInCookie  = "keyward-console-signin"
)

// session is one signed-in browser. frames is the stack of identities:
// the one signed in first, then each role switched to; the top acts.
type session struct {
	id   string
	csrf string

	mu     sync.Mutex
	frames []frame
	flash  string
	// changePassword: the user signed in with a password that must be
	// changed; nothing but the password page is served until it is.
	changePassword bool
}

// frame is one identity of a session.
type frame struct {
	creds Credentials
	label string // what the header shows: "alice", "Admin (as alice)"
	arn   string
}

func (s *session) top() frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames[len(s.frames)-1]
}

func (s *session) push(f frame) {
	s.mu.Lock()
	s.frames = append(s.frames, f)
	s.mu.Unlock()
}

// pop drops the top frame, keeping the first; it reports whether it did.
func (s *session) pop() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.frames) < 2 {
		return false
	}
	s.frames = s.frames[:len(s.frames)-1]
	return true
}

func (s *session) depth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.frames)
}

// below is the frame under the top one: where the way back goes.
func (s *session) below() frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.frames) < 2 {
		return s.frames[0]
	}
	return s.frames[len(s.frames)-2]
}

func (s *session) bottom() frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames[0]
}

// setFlash keeps a message for the next page (post, redirect, get).
func (s *session) setFlash(msg string) {
	s.mu.Lock()
	s.flash = msg
	s.mu.Unlock()
}

func (s *session) takeFlash() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flash
	s.flash = ""
	return f
}

// sessions are the console's sessions, in memory, by id.
type sessions struct {
	mu    sync.Mutex
	byID  map[string]*session
	swept time.Time
}

func newSessions() *sessions { return &sessions{byID: map[string]*session{}} }

// maxSessions bounds memory: past it the oldest half is dropped, which
// only makes their browsers sign in again.
const maxSessions = 100000

func (ss *sessions) add(f frame, now time.Time) *session {
	s := &session{id: randomToken(), csrf: randomToken(), frames: []frame{f}}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	if len(ss.byID) >= maxSessions {
		n := 0
		for id := range ss.byID {
			delete(ss.byID, id)
			if n++; n >= maxSessions/2 {
				break
			}
		}
	}
	ss.byID[s.id] = s
	return s
}

func (ss *sessions) get(id string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.byID[id]
}

func (ss *sessions) remove(id string) {
	ss.mu.Lock()
	delete(ss.byID, id)
	ss.mu.Unlock()
}

// sweep drops, at most once a minute, the sessions whose first credential
// has expired (a switched role never outlives the session it came from).
func (ss *sessions) sweep(now time.Time) {
	if now.Sub(ss.swept) < time.Minute {
		return
	}
	ss.swept = now
	for id, s := range ss.byID {
		if !now.Before(s.bottom().creds.Expiration) {
			delete(ss.byID, id)
		}
	}
}

// randomToken is 32 random bytes, URL-safe.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func equalTokens(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// setCookie writes a console cookie: HttpOnly, SameSite=Strict, limited to
// the console's path, Secure when the request came over TLS.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, expires time.Time) {
	ck := &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
	if value == "" {
		ck.MaxAge = -1
	} else if !expires.IsZero() {
		ck.Expires = expires
	}
	http.SetCookie(w, ck)
}

// sessionOf returns the request's session, nil when it has none.
func (c *Console) sessionOf(r *http.Request) *session {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return c.sessions.get(ck.Value)
}

// callerOf opens the credentials of the session's acting identity and
// fills in what this request says of its caller.
func (c *Console) callerOf(r *http.Request, s *session) (*keyward.Caller, error) {
	now := c.now()
	f := s.top()
	caller, err := c.cfg.Backend.Open(f.creds, now)
	if err != nil {
		return nil, err
	}
	caller.RequestTime = now
	caller.SourceIP = sourceIP(r)
	caller.SecureTransport = r.TLS != nil
	caller.UserAgent = r.UserAgent()
	return caller, nil
}
