package console

import (
	"errors"
	"os"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
)

// trailData is the audit trail page: a filter and the newest records that
// pass it.
type trailData struct {
	Available         bool
	Principal, Action string
	Decision          string
	Since, Until      string
	Records           []*audit.Record
	Shown, Matched    int
}

// maxTrailRecords is how many records the page shows: the newest.
const maxTrailRecords = 200

// auditTrail reads the server's audit file (cloudtrail:LookupEvents,
// decided for the caller as any action is) with the page's filter.
func (c *Console) auditTrail(p *page) error {
	p.Nav = "audit"
	d := &trailData{Principal: p.query("principal"), Action: p.query("action"), Decision: p.query("decision"), Since: p.query("since"), Until: p.query("until")}
	if c.cfg.AuditFile == "" || c.cfg.AuditFile == "-" {
		return p.render("audit", d)
	}
	d.Available = true
	tr, err := c.cfg.Backend.Decide(p.r.Context(), p.caller, "cloudtrail:LookupEvents", "*")
	if err != nil {
		return p.deniedOr(err, "cloudtrail:LookupEvents", tr)
	}
	f := audit.Filter{Principal: d.Principal, Action: d.Action, Decision: d.Decision}
	f.Since, _ = time.Parse("2006-01-02T15:04", d.Since)
	f.Until, _ = time.Parse("2006-01-02T15:04", d.Until)
	file, err := os.Open(c.cfg.AuditFile)
	if errors.Is(err, os.ErrNotExist) {
		return p.render("audit", d)
	}
	if err != nil {
		return err
	}
	defer file.Close()
	ring := make([]*audit.Record, 0, maxTrailRecords)
	err = audit.Read(file, f, func(r *audit.Record) error {
		d.Matched++
		if len(ring) == maxTrailRecords {
			copy(ring, ring[1:])
			ring = ring[:maxTrailRecords-1]
		}
		ring = append(ring, r)
		return nil
	})
	if err != nil {
		c.log.Warn("console: audit trail", "err", err)
	}
	for i := len(ring) - 1; i >= 0; i-- { // newest first
		d.Records = append(d.Records, ring[i])
	}
	d.Shown = len(d.Records)
	return p.render("audit", d)
}

// deniedOr turns a Decide error into the page's error, with its decisions.
func (p *page) deniedOr(err error, action string, tr Trace) error {
	var ke *keyward.Error
	if errors.As(err, &ke) {
		return &apiError{Action: action, Code: ke.Code, Message: ke.Message, RequestID: tr.RequestID, Decisions: tr.Decisions}
	}
	return err
}
