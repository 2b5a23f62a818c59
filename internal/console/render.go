package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/internal/iam"
)

// templates are the console's pages, each parsed with the layout.
type templates struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"date":      formatDate,
	"ago":       ago,
	"decode":    decodeDocument,
	"pretty":    prettyJSON,
	"path":      url.PathEscape,
	"join":      strings.Join,
	"add":       func(a, b int) int { return a + b },
	"lower":     strings.ToLower,
	"isTrue":    func(b *bool) bool { return b != nil && *b }, // an optional member of AWS's shapes
	"hasPrefix": strings.HasPrefix,
	"isSLR":     func(p string) bool { return strings.HasPrefix(p, "/aws-service-role/") },
	"policyURL": func(arn string) string { return Prefix + "policy?arn=" + url.QueryEscape(arn) },
	"prefix":    func() string { return Prefix },
	"roleName":  func(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"lineNumbers": func(doc string) []int {
		n := strings.Count(doc, "\n") + 1
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
}

func mustTemplates() *templates {
	t := &templates{byName: map[string]*template.Template{}}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "parts.html" {
			continue
		}
		tt := template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
		t.byName[strings.TrimSuffix(base, ".html")] = tt
	}
	return t
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderStatus renders template name into the layout. p is nil for pages
// shown without a session (sign-in, errors before one).
func (c *Console) renderStatus(w http.ResponseWriter, r *http.Request, p *page, status int, name string, data any) error {
	t := c.pages.byName[name]
	if t == nil {
		return fmt.Errorf("console: no template %s", name)
	}
	if p == nil {
		p = &page{c: c, w: w, r: r, Data: data}
	}
	if p.Title == "" {
		p.Title = titles[name]
	}
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	defer bufPool.Put(b)
	if err := t.ExecuteTemplate(b, "layout", p); err != nil {
		c.log.Error("console: template", "template", name, "err", err)
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// titles are the pages' default titles.
var titles = map[string]string{
	"signin": "Sign in", "notfound": "Not found", "forbidden": "Refused", "internal": "Internal error",
	"dashboard": "Dashboard", "users": "Users", "user": "User", "newuser": "Create user",
	"groups": "User groups", "group": "User group", "roles": "Roles", "role": "Role",
	"wizard": "Create role", "policies": "Policies", "policy": "Policy", "editor": "Policy editor",
	"providers": "Identity providers", "account": "Account settings", "simulator": "Policy simulator",
	"audit": "Audit trail", "graph": "Trust graph", "switchrole": "Switch role", "password": "Change password",
	"error": "Error", "accesskey": "Access key created", "mfa": "Assign MFA device", "secret": "Shown once",
	"samlprovider": "SAML provider", "rolesanywhere": "Roles Anywhere", "rasubject": "Roles Anywhere subject",
}

var timeType = reflect.TypeFor[time.Time]()

func formatDate(t any) string {
	var tt time.Time
	switch v := t.(type) {
	case time.Time:
		tt = v
	case iam.Time:
		tt = time.Time(v)
	case *time.Time:
		if v != nil {
			tt = *v
		}
	default:
		// Other packages' wire times (rolesanywhere's timestamp) are
		// time.Time underneath.
		if rv := reflect.ValueOf(t); rv.IsValid() && rv.Type().ConvertibleTo(timeType) {
			tt = rv.Convert(timeType).Interface().(time.Time)
		}
	}
	if tt.IsZero() {
		return "Never"
	}
	return tt.UTC().Format("2006-01-02 15:04 UTC")
}

// ago says how long ago t was, in days, as AWS's console does.
func ago(t any) string {
	var tt time.Time
	switch v := t.(type) {
	case time.Time:
		tt = v
	case iam.Time:
		tt = time.Time(v)
	}
	if tt.IsZero() {
		return "Never"
	}
	d := time.Since(tt)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// decodeDocument undoes the URL encoding of IAM's policy documents.
func decodeDocument(doc string) string {
	if s, err := url.PathUnescape(doc); err == nil {
		return s
	}
	return doc
}
