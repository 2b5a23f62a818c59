package sigv4

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// mutation is a signed request with one field changed.
type mutation struct {
	name string
	rr   *rawRequest
}

// other returns a byte unlike c that is neither a hex digit (so a
// percent-escape cannot decode to the same byte in another case) nor
// whitespace (so trimming cannot hide it).
func other(c byte) byte {
	if c != 'z' {
		return 'z'
	}
	return 'y'
}

func otherHex(c byte) byte {
	if c != '0' {
		return '0'
	}
	return '1'
}

// eachChar yields s with each byte in turn replaced.
func eachChar(s string, f func(i int, m string)) {
	for i := 0; i < len(s); i++ {
		f(i, s[:i]+string(other(s[i]))+s[i+1:])
	}
}

// mutations lists single-field changes of a signed request, none of which
// a verifier may accept.
func mutations(base *rawRequest, presigned bool) []mutation {
	var ms []mutation
	add := func(name string, f func(rr *rawRequest)) {
		rr := base.clone()
		f(rr)
		ms = append(ms, mutation{name, rr})
	}
	path, query, hasQuery := strings.Cut(base.uri, "?")
	withTarget := func(rr *rawRequest, p, q string) {
		rr.uri = p
		if q != "" || hasQuery {
			rr.uri += "?" + q
		}
	}

	// Method.
	for _, m := range []string{"GET", "POST", "PUT", "get"} {
		if m != base.method {
			add("method "+m, func(rr *rawRequest) { rr.method = m })
		}
	}

	// Path.
	eachChar(path, func(i int, p string) {
		add(fmt.Sprintf("path[%d]", i), func(rr *rawRequest) { withTarget(rr, p, query) })
	})
	for _, p := range []string{path + "z", path + "/z", "/z" + path} {
		add("path "+p, func(rr *rawRequest) { withTarget(rr, p, query) })
	}

	// Query: each value's characters, each key's first character, each
	// parameter dropped, one added.
	var params []string
	if query != "" {
		params = strings.Split(query, "&")
	}
	setParam := func(i int, kv string) func(rr *rawRequest) {
		return func(rr *rawRequest) {
			ps := append([]string(nil), params...)
			ps[i] = kv
			withTarget(rr, path, strings.Join(ps, "&"))
		}
	}
	for i, kv := range params {
		k, v, _ := strings.Cut(kv, "=")
		eachChar(v, func(j int, mv string) {
			add(fmt.Sprintf("query %s[%d]", k, j), setParam(i, k+"="+mv))
		})
		if k != "" {
			add("query key "+k, setParam(i, string(other(k[0]))+kv[1:]))
		}
		if k == qSignature {
			for j := 0; j < len(v); j++ {
				add(fmt.Sprintf("query signature hex[%d]", j), setParam(i, k+"="+v[:j]+string(otherHex(v[j]))+v[j+1:]))
			}
		}
		if k == qDate {
			for _, d := range []time.Duration{-time.Second, time.Second} {
				add("query date "+d.String(), setParam(i, k+"="+shiftDate(v, d)))
			}
		}
		add("query drop "+k, func(rr *rawRequest) {
			ps := append(append([]string(nil), params[:i]...), params[i+1:]...)
			withTarget(rr, path, strings.Join(ps, "&"))
		})
	}
	add("query add", func(rr *rawRequest) { withTarget(rr, path, strings.Join(append(params, "Extra=1"), "&")) })

	// Headers: each value's characters, each header dropped, repeated, and
	// an unsigned x-amz-* header added.
	for i, h := range base.headers {
		if strings.EqualFold(h.name, "Authorization") {
			ms = append(ms, authMutations(base, i)...)
			continue
		}
		eachChar(h.value, func(j int, mv string) {
			add(fmt.Sprintf("header %s[%d]", h.name, j), func(rr *rawRequest) { rr.headers[i].value = mv })
		})
		if strings.EqualFold(h.name, "X-Amz-Date") {
			for _, d := range []time.Duration{-time.Second, time.Second} {
				add("header date "+d.String(), func(rr *rawRequest) { rr.headers[i].value = shiftDate(h.value, d) })
			}
		}
		add("header drop "+h.name, func(rr *rawRequest) { rr.headers = append(rr.headers[:i], rr.headers[i+1:]...) })
		add("header repeat "+h.name, func(rr *rawRequest) { rr.headers = append(rr.headers, rawHeader{h.name, "z"}) })
	}
	add("header add x-amz-meta", func(rr *rawRequest) { rr.headers = append(rr.headers, rawHeader{"X-Amz-Meta", "1"}) })

	// Body.
	for i := range base.body {
		add(fmt.Sprintf("body[%d]", i), func(rr *rawRequest) { rr.body[i] = other(rr.body[i]) })
	}
	add("body append", func(rr *rawRequest) { rr.body = append(rr.body, 'z') })
	if len(base.body) > 0 {
		add("body truncate", func(rr *rawRequest) { rr.body = rr.body[:len(rr.body)-1] })
	}
	return ms
}

func shiftDate(v string, d time.Duration) string {
	t, err := time.Parse(TimeFormat, v)
	if err != nil {
		panic(err)
	}
	return t.Add(d).Format(TimeFormat)
}

// authMutations changes one part of the Authorization header at index i.
func authMutations(base *rawRequest, i int) []mutation {
	auth := base.headers[i].value
	alg, rest, _ := strings.Cut(auth, " ")
	var cred, sh, sig string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			sh = v
		case "Signature":
			sig = v
		}
	}
	var ms []mutation
	add := func(name, alg, cred, sh, sig string) {
		rr := base.clone()
		rr.headers[i].value = alg + " Credential=" + cred + ", SignedHeaders=" + sh + ", Signature=" + sig
		ms = append(ms, mutation{"authorization " + name, rr})
	}
	add("algorithm", "AWS4-HMAC-SHA255", cred, sh, sig)
	eachChar(cred, func(j int, m string) { add(fmt.Sprintf("credential[%d]", j), alg, m, sh, sig) })
	for j := 0; j < len(sig); j++ {
		add(fmt.Sprintf("signature[%d]", j), alg, cred, sh, sig[:j]+string(otherHex(sig[j]))+sig[j+1:])
	}
	names := strings.Split(sh, ";")
	for j := range names {
		dropped := append(append([]string(nil), names[:j]...), names[j+1:]...)
		add("signed headers drop "+names[j], alg, cred, strings.Join(dropped, ";"), sig)
		if j > 0 {
			swapped := append([]string(nil), names...)
			swapped[j-1], swapped[j] = swapped[j], swapped[j-1]
			add("signed headers swap "+names[j], alg, cred, strings.Join(swapped, ";"), sig)
		}
		upper := append([]string(nil), names...)
		upper[j] = strings.ToUpper(upper[j])
		add("signed headers case "+names[j], alg, cred, strings.Join(upper, ";"), sig)
	}
	add("signed headers add", alg, cred, sh+";x-extra", sig)
	return ms
}

func TestVerify_Mutations(t *testing.T) {
	total, same := 0, 0
	for _, c := range loadSuite(t) {
		if c.ctx.OmitSessionToken {
			continue // its signed requests do not verify to begin with
		}
		for _, form := range []struct {
			file      string
			presigned bool
		}{{"header-signed-request.txt", false}, {"query-signed-request.txt", true}} {
			base := c.request(t, form.file)
			secret := c.ctx.Credentials.SecretAccessKey
			check := func(rr *rawRequest) error {
				r := rr.http()
				s, err := Parse(r, c.ctx.Timestamp)
				if err != nil {
					return err
				}
				// The access key picks the secret, as the server's lookup does.
				if s.AccessKeyID != c.ctx.Credentials.AccessKeyID {
					return fmt.Errorf("InvalidClientTokenId: %q", s.AccessKeyID)
				}
				return verify(r, rr.body, s, secret, c.ctx.Normalize)
			}
			if err := check(base); err != nil {
				t.Fatalf("%s %s unchanged: %v", c.name, form.file, err)
			}
			// Headers that are neither signed nor x-amz-* may change.
			unsigned := base.clone()
			unsigned.headers = append(unsigned.headers, rawHeader{"User-Agent", "test"})
			if err := check(unsigned); err != nil {
				t.Errorf("%s %s with an unsigned User-Agent: %v", c.name, form.file, err)
			}
			for _, m := range mutations(base, form.presigned) {
				total++
				if check(m.rr) != nil {
					continue
				}
				// Normalizing may make two paths one; that is no change.
				p0, _, _ := strings.Cut(base.uri, "?")
				p1, _, _ := strings.Cut(m.rr.uri, "?")
				if c.ctx.Normalize && p0 != p1 && normalizePath(p0) == normalizePath(p1) {
					same++
					continue
				}
				t.Errorf("%s %s: %s: verified %s %s", c.name, form.file, m.name, m.rr.method, m.rr.uri)
			}
		}
	}
	t.Logf("%d mutations: %d refused, %d paths that normalize to the signed one accepted", total, total-same, same)
	if total < 2000 {
		t.Errorf("only %d mutations, want at least 2000", total)
	}
}
