package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
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
// Every change is saved where the sessions are kept (save).
type session struct {
	id    string
	csrf  string
	owner *sessions

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
	label string // what the header shows: "alice", "Admin"
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
	s.save()
}

// pop drops the top frame, keeping the first; it reports whether it did.
func (s *session) pop() bool {
	s.mu.Lock()
	if len(s.frames) < 2 {
		s.mu.Unlock()
		return false
	}
	s.frames = s.frames[:len(s.frames)-1]
	s.mu.Unlock()
	s.save()
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
	s.save()
}

func (s *session) takeFlash() string {
	s.mu.Lock()
	f := s.flash
	s.flash = ""
	s.mu.Unlock()
	if f != "" {
		s.save()
	}
	return f
}

func (s *session) setChangePassword(v bool) {
	s.mu.Lock()
	s.changePassword = v
	s.mu.Unlock()
	s.save()
}

func (s *session) mustChangePassword() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changePassword
}

// save writes the session where the sessions are kept.
func (s *session) save() {
	if s.owner != nil {
		s.owner.save(s)
	}
}

// sessions are the console's sessions, by id: in the store when it keeps
// them (keyward.ConsoleSessions: every replica then serves every session),
// else in this process's memory.
type sessions struct {
	shared keyward.ConsoleSessions // nil: memory only
	log    *slog.Logger

	mu    sync.Mutex
	byID  map[string]*session
	swept time.Time
}

func newSessions(shared keyward.ConsoleSessions, log *slog.Logger) *sessions {
	return &sessions{shared: shared, log: log, byID: map[string]*session{}}
}

// maxSessions bounds memory: past it the oldest half is dropped, which
// only makes their browsers sign in again.
const maxSessions = 100000

// storeTimeout bounds a session's read or write in the store.
const storeTimeout = 5 * time.Second

// add starts a session with its first identity.
func (ss *sessions) add(f frame, changePassword bool, now time.Time) (*session, error) {
	s := &session{id: randomToken(), csrf: randomToken(), frames: []frame{f}, changePassword: changePassword, owner: ss}
	if ss.shared != nil {
		return s, ss.put(s)
	}
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
	return s, nil
}

// get returns the session id names, nil when there is none (or the store
// failed: the browser signs in again, and the log says why).
func (ss *sessions) get(id string, now time.Time) *session {
	if ss.shared == nil {
		ss.mu.Lock()
		defer ss.mu.Unlock()
		return ss.byID[id]
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	row, err := ss.shared.GetConsoleSession(ctx, sessionKey(id), now)
	if err != nil {
		if keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
			ss.log.Error("console: reading a session", "err", err)
		}
		return nil
	}
	var st sessionState
	if err := json.Unmarshal(row.Data, &st); err != nil || len(st.Frames) == 0 {
		ss.log.Error("console: a stored session does not decode", "err", err)
		return nil
	}
	s := &session{id: id, csrf: st.CSRF, flash: st.Flash, changePassword: st.ChangePassword, owner: ss}
	for _, f := range st.Frames {
		s.frames = append(s.frames, frame{creds: Credentials{AccessKeyID: f.AccessKeyID, SessionToken: f.SessionToken, Expiration: f.Expiration}, label: f.Label, arn: f.ARN})
	}
	return s
}

func (ss *sessions) remove(id string) {
	if ss.shared == nil {
		ss.mu.Lock()
		delete(ss.byID, id)
		ss.mu.Unlock()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := ss.shared.DeleteConsoleSession(ctx, sessionKey(id)); err != nil {
		ss.log.Error("console: ending a session", "err", err)
	}
}

// save writes a changed session to the store (memory sessions are
// changed in place).
func (ss *sessions) save(s *session) {
	if ss.shared == nil {
		return
	}
	if err := ss.put(s); err != nil {
		ss.log.Error("console: saving a session", "err", err)
	}
}

func (ss *sessions) put(s *session) error {
	s.mu.Lock()
	st := sessionState{CSRF: s.csrf, Flash: s.flash, ChangePassword: s.changePassword}
	for _, f := range s.frames {
		st.Frames = append(st.Frames, frameState{AccessKeyID: f.creds.AccessKeyID, SessionToken: f.creds.SessionToken, Expiration: f.creds.Expiration, Label: f.label, ARN: f.arn})
	}
	expires := s.frames[0].creds.Expiration
	s.mu.Unlock()
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	return ss.shared.PutConsoleSession(ctx, keyward.ConsoleSession{Key: sessionKey(s.id), Data: data, Expires: expires})
}

// sessionState is a session as the store keeps it. Its credentials are
// sealed session tokens, useless without a Keyward server's key ring; the
// cookie's id is not in it (the row's key is a hash of it).
type sessionState struct {
	CSRF           string       `json:"csrf"`
	Frames         []frameState `json:"frames"`
	Flash          string       `json:"flash,omitempty"`
	ChangePassword bool         `json:"changePassword,omitempty"`
}

type frameState struct {
	AccessKeyID  string    `json:"accessKeyId"`
	SessionToken string    `json:"sessionToken"`
	Expiration   time.Time `json:"expiration"`
	Label        string    `json:"label"`
	ARN          string    `json:"arn"`
}

// sessionKey is the store's key of a session: SHA-256 of its cookie's id,
// so that reading the store yields no cookie.
func sessionKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// sweep drops, at most once a minute, the memory sessions whose first
// credential has expired (a switched role never outlives the session it
// came from).
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
	return c.sessions.get(ck.Value, c.now())
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
