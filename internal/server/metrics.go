package server

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics keeps the server's Prometheus metrics: requests by service, action
// and code, latency histograms by service, and authorization decisions by
// outcome. The text exposition format is simple enough to write by hand,
// which spares the binary a client library.
type metrics struct {
	mu        sync.Mutex
	requests  map[[3]string]uint64 // service, action, code
	latency   map[string]*histogram
	decisions map[string]uint64
}

var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, latency: map[string]*histogram{}, decisions: map[string]uint64{}}
}

// observe counts one request. service, action and code must come from the
// server's own tables (never from what a client sent), so the number of
// label sets stays bounded.
func (m *metrics) observe(svc, action, code string, d time.Duration) {
	if code == "" {
		code = "OK"
	}
	if svc == "" {
		svc = "none"
	}
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{svc, action, code}]++
	h := m.latency[svc]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latency[svc] = h
	}
	i := sort.SearchFloat64s(latencyBuckets, sec)
	h.counts[i]++
	h.sum += sec
	h.count++
}

func (m *metrics) decision(outcome string) {
	m.mu.Lock()
	m.decisions[outcome]++
	m.mu.Unlock()
}

func label(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.mu.Lock()
	defer m.mu.Unlock()
	m.write(w)
}

func (m *metrics) write(w io.Writer) {
	fmt.Fprintln(w, "# HELP keyward_requests_total AWS Query requests by service, action and error code (OK on success).")
	fmt.Fprintln(w, "# TYPE keyward_requests_total counter")
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return strings.Join(keys[i][:], "\x00") < strings.Join(keys[j][:], "\x00")
	})
	for _, k := range keys {
		fmt.Fprintf(w, "keyward_requests_total{service=%q,action=%q,code=%q} %d\n", label(k[0]), label(k[1]), label(k[2]), m.requests[k])
	}
	fmt.Fprintln(w, "# HELP keyward_request_duration_seconds Time to answer a request, by service.")
	fmt.Fprintln(w, "# TYPE keyward_request_duration_seconds histogram")
	svcs := make([]string, 0, len(m.latency))
	for s := range m.latency {
		svcs = append(svcs, s)
	}
	sort.Strings(svcs)
	for _, s := range svcs {
		h := m.latency[s]
		var cum uint64
		for i, b := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "keyward_request_duration_seconds_bucket{service=%q,le=%q} %d\n", label(s), fmt.Sprint(b), cum)
		}
		fmt.Fprintf(w, "keyward_request_duration_seconds_bucket{service=%q,le=\"+Inf\"} %d\n", label(s), h.count)
		fmt.Fprintf(w, "keyward_request_duration_seconds_sum{service=%q} %g\n", label(s), h.sum)
		fmt.Fprintf(w, "keyward_request_duration_seconds_count{service=%q} %d\n", label(s), h.count)
	}
	fmt.Fprintln(w, "# HELP keyward_decisions_total Authorization decisions by outcome.")
	fmt.Fprintln(w, "# TYPE keyward_decisions_total counter")
	outcomes := make([]string, 0, len(m.decisions))
	for o := range m.decisions {
		outcomes = append(outcomes, o)
	}
	sort.Strings(outcomes)
	for _, o := range outcomes {
		fmt.Fprintf(w, "keyward_decisions_total{decision=%q} %d\n", label(o), m.decisions[o])
	}
}
