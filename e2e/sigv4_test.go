package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/sigv4"
)

// TestSigV4_MutationsThroughServer: a signed CreateUser, in header and
// presigned form, is sent to the real server with one byte changed at a
// time, in every signed header, the Authorization header, the path, the
// query and the body. Every changed request is refused with a 4xx, none
// creates the user, and the unchanged request then succeeds. (sigv4's
// TestVerify_Mutations does the same for AWS's suite, ~19,000 mutations,
// against the verifier alone.)
func TestSigV4_MutationsThroughServer(t *testing.T) {
	p := launch(t, "--store", "sqlite::memory:", "--data", t.TempDir())
	host := strings.TrimPrefix(p.URL, "http://")
	now := time.Now()

	// Header form: POST with a form body.
	body := url.Values{"Action": {"CreateUser"}, "Version": {"2010-05-08"}, "UserName": {"mutant"}}.Encode()
	req, _ := http.NewRequest("POST", p.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), rootCreds, "us-east-1", "iam", now); err != nil {
		t.Fatal(err)
	}
	header := rawRequest{method: "POST", target: "/", body: body, headers: [][2]string{
		{"Host", host},
		{"Content-Type", req.Header.Get("Content-Type")},
		{"X-Amz-Date", req.Header.Get("X-Amz-Date")},
		{"Authorization", req.Header.Get("Authorization")},
	}}
	// Presigned form: GET with everything in the query.
	preq, _ := http.NewRequest("GET", p.URL+"/?Action=CreateUser&Version=2010-05-08&UserName=mutant2", nil)
	u, err := sigv4.Presign(preq, nil, rootCreds, "us-east-1", "iam", now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	presigned := rawRequest{method: "GET", target: u.RequestURI(), headers: [][2]string{{"Host", host}}}

	sender := &rawSender{addr: host}
	defer sender.close()
	total := 0
	for _, base := range []rawRequest{header, presigned} {
		for _, m := range base.mutations() {
			total++
			code, resp, err := sender.send(m.text())
			if err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			if code < 400 || code >= 500 {
				t.Errorf("%s: %d %.300s, want a 4xx refusal", m.name, code, resp)
			}
		}
	}
	root := &queryClient{HTTP: http.DefaultClient, Creds: rootCreds}
	for _, name := range []string{"mutant", "mutant2"} {
		if code, body, _ := root.call(p.URL, "iam", "GetUser", "UserName", name); code != 404 {
			t.Errorf("GetUser(%s) after the mutated requests = %d %s, want 404: a mutation got through", name, code, body)
		}
	}
	for _, base := range []rawRequest{header, presigned} {
		if code, resp, err := sender.send(base.text()); err != nil || code != 200 {
			t.Errorf("the unchanged %s request = %d %v %.300s, want 200", base.method, code, err, resp)
		}
	}
	t.Logf("%d single-byte mutations of a signed CreateUser (header and presigned forms) sent to the server: all refused with a 4xx", total)
}

type rawRequest struct {
	name           string
	method, target string
	headers        [][2]string
	body           string
}

func (r rawRequest) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", r.method, r.target)
	for _, h := range r.headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(r.body), r.body)
	return b.String()
}

// flip returns a byte unlike c that HTTP carries unchanged in a header,
// a path or a body, and that is not a hex digit (so no percent-escape
// decodes to the same byte) and not a space (so no trimming hides it).
func flip(c byte) byte {
	if c != 'z' {
		return 'z'
	}
	return 'y'
}

// mutations yields r with one byte changed: in each header value, the
// target (path and query) and the body, and the method.
func (r rawRequest) mutations() []rawRequest {
	var ms []rawRequest
	for i, h := range r.headers {
		for j := 0; j < len(h[1]); j++ {
			m := r
			m.headers = append([][2]string(nil), r.headers...)
			m.headers[i][1] = h[1][:j] + string(flip(h[1][j])) + h[1][j+1:]
			m.name = fmt.Sprintf("%s %s[%d]", r.method, h[0], j)
			ms = append(ms, m)
		}
	}
	for j := 0; j < len(r.target); j++ {
		m := r
		m.target = r.target[:j] + string(flip(r.target[j])) + r.target[j+1:]
		m.name = fmt.Sprintf("%s target[%d]", r.method, j)
		ms = append(ms, m)
	}
	for j := 0; j < len(r.body); j++ {
		m := r
		m.body = r.body[:j] + string(flip(r.body[j])) + r.body[j+1:]
		m.name = fmt.Sprintf("%s body[%d]", r.method, j)
		ms = append(ms, m)
	}
	m := r
	m.method = map[string]string{"GET": "POST", "POST": "GET"}[r.method]
	m.name = r.method + " as " + m.method
	return append(ms, m)
}

// rawSender writes requests as bytes on one kept-alive connection,
// reconnecting when the server closes it.
type rawSender struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
}

func (s *rawSender) send(req string) (int, string, error) {
	for attempt := 0; ; attempt++ {
		if s.conn == nil {
			c, err := net.Dial("tcp", s.addr)
			if err != nil {
				return 0, "", err
			}
			s.conn, s.br = c, bufio.NewReader(c)
		}
		s.conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, err := io.WriteString(s.conn, req)
		var resp *http.Response
		if err == nil {
			resp, err = http.ReadResponse(s.br, nil)
		}
		if err != nil {
			s.close()
			if attempt == 0 { // a connection the server had closed
				continue
			}
			return 0, "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Close {
			s.close()
		}
		return resp.StatusCode, string(b), nil
	}
}

func (s *rawSender) close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}
