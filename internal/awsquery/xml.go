package awsquery

import (
	"bytes"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/keyward/keyward"
)

// XML namespaces of AWS's responses.
const (
	// NamespaceIAM is IAM's namespace, 2010-05-08.
	NamespaceIAM = "https://iam.amazonaws.com/doc/2010-05-08/"
	// NamespaceSTS is STS's namespace, 2011-06-15.
	NamespaceSTS = "https://sts.amazonaws.com/doc/2011-06-15/"
	// NamespaceFault is the namespace of the errors AWS's front end returns
	// before a request reaches a service's operation: InvalidAction for an
	// unknown action or version, and the like. Errors of the operation
	// itself, validation included, carry the service's namespace.
	NamespaceFault = "http://webservices.amazon.com/AWSFault/2005-15-09"
)

// Versions of the two services, the Query protocol's Version field.
const (
	VersionIAM = "2010-05-08"
	VersionSTS = "2011-06-15"
)

// HeaderRequestID is the response header that carries the request id.
const HeaderRequestID = "x-amzn-RequestId"

// TimeFormat is how AWS writes timestamps in Query responses (ISO 8601,
// UTC, whole seconds).
const TimeFormat = "2006-01-02T15:04:05Z"

// Timestamp is a time that marshals to XML as AWS writes it:
// 2006-01-02T15:04:05Z, in UTC. The zero Timestamp marshals to nothing, so
// an optional date (PasswordLastUsed) needs no pointer.
type Timestamp time.Time

// String returns t in TimeFormat.
func (t Timestamp) String() string { return time.Time(t).UTC().Format(TimeFormat) }

// MarshalText implements encoding.TextMarshaler (used for attributes).
func (t Timestamp) MarshalText() ([]byte, error) {
	return time.Time(t).UTC().AppendFormat(nil, TimeFormat), nil
}

// UnmarshalText parses TimeFormat, and RFC 3339 with fractional seconds,
// which STS uses in some fields.
func (t *Timestamp) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return err
	}
	*t = Timestamp(v)
	return nil
}

// MarshalXML writes t as an element, or nothing when t is zero.
func (t Timestamp) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if time.Time(t).IsZero() {
		return nil
	}
	var buf [len(TimeFormat) + 8]byte
	return e.EncodeElement(string(time.Time(t).UTC().AppendFormat(buf[:0], TimeFormat)), start)
}

// xmlBuffer is a response buffer with its encoder, pooled: building the
// encoder costs more than most responses.
type xmlBuffer struct {
	buf bytes.Buffer
	enc *xml.Encoder
}

var xmlBuffers = sync.Pool{New: func() any {
	b := new(xmlBuffer)
	b.enc = xml.NewEncoder(&b.buf)
	b.enc.Indent("  ", "  ")
	return b
}}

// maxPooled keeps an occasional huge response from pinning its buffer.
const maxPooled = 64 << 10

func putBuffer(b *xmlBuffer) {
	if b.buf.Cap() <= maxPooled {
		b.buf.Reset()
		xmlBuffers.Put(b)
	}
}

var (
	textXML           = []string{"text/xml"}
	canonicalIDHeader = http.CanonicalHeaderKey(HeaderRequestID)
)

// WriteResult writes a successful response the way AWS's Query services
// do:
//
//	<ActionResponse xmlns="namespace">
//	  <ActionResult>...result...</ActionResult>
//	  <ResponseMetadata>
//	    <RequestId>requestID</RequestId>
//	  </ResponseMetadata>
//	</ActionResponse>
//
// result is encoded with encoding/xml under the element ActionResult, so
// its fields carry AWS's names in xml tags. A nil result (actions whose
// model has no output, such as DeleteUser) writes only ResponseMetadata.
// When result cannot be encoded nothing is written and the error is
// returned.
func WriteResult(w http.ResponseWriter, action, namespace, requestID string, result any) error {
	b := xmlBuffers.Get().(*xmlBuffer)
	buf := &b.buf
	buf.WriteByte('<')
	buf.WriteString(action)
	buf.WriteString(`Response xmlns="`)
	buf.WriteString(namespace)
	buf.WriteString("\">\n")
	if result != nil {
		mark := buf.Len()
		err := b.enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
		if err == nil {
			err = b.enc.Flush()
		}
		if err != nil {
			// The encoder may hold a half-written element: drop it.
			return err
		}
		// A reused encoder starts with the newline that ends its previous
		// document; a new one does not.
		if bs := buf.Bytes(); len(bs) > mark && bs[mark] == '\n' {
			copy(bs[mark:], bs[mark+1:])
			buf.Truncate(len(bs) - 1)
		}
		if buf.Len() > mark { // a nil pointer encodes to nothing
			buf.WriteByte('\n')
		}
	}
	buf.WriteString("  <ResponseMetadata>\n    <RequestId>")
	xml.EscapeText(buf, []byte(requestID))
	buf.WriteString("</RequestId>\n  </ResponseMetadata>\n</")
	buf.WriteString(action)
	buf.WriteString("Response>\n")
	writeBody(w, requestID, http.StatusOK, buf.Bytes())
	putBuffer(b)
	return nil
}

func writeBody(w http.ResponseWriter, requestID string, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = textXML
	if requestID != "" {
		h[canonicalIDHeader] = []string{requestID}
	}
	w.WriteHeader(status)
	w.Write(body)
}

// WriteError writes err as AWS's error response:
//
//	<ErrorResponse xmlns="namespace">
//	  <Error>
//	    <Type>Sender</Type>
//	    <Code>NoSuchEntity</Code>
//	    <Message>...</Message>
//	  </Error>
//	  <RequestId>requestID</RequestId>
//	</ErrorResponse>
//
// with the HTTP status AWS uses for the code (Status). A *keyward.Error in
// err's chain is shown as it is (an empty Message leaves out the element,
// as AWS does for MalformedInput). Anything else is internal: it is logged
// with the request id at error level on log (which may be nil) and the
// client sees only InternalFailure with a generic message. Type is
// Receiver for 5xx statuses and Sender otherwise.
func WriteError(w http.ResponseWriter, log *slog.Logger, namespace, requestID string, err error) {
	var code, msg string
	var e *keyward.Error
	if errors.As(err, &e) {
		code, msg = e.Code, e.Message
	} else {
		if log != nil {
			log.Error("internal error", "request_id", requestID, "err", err)
		}
		code, msg = keyward.ErrInternalFailure, keyward.ErrorMessage(err)
	}
	status := Status(code)
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	b := xmlBuffers.Get().(*xmlBuffer)
	buf := &b.buf
	buf.WriteString(`<ErrorResponse xmlns="`)
	buf.WriteString(namespace)
	buf.WriteString("\">\n  <Error>\n    <Type>")
	buf.WriteString(typ)
	buf.WriteString("</Type>\n    <Code>")
	xml.EscapeText(buf, []byte(code))
	buf.WriteString("</Code>\n")
	if msg != "" {
		buf.WriteString("    <Message>")
		xml.EscapeText(buf, []byte(msg))
		buf.WriteString("</Message>\n")
	}
	buf.WriteString("  </Error>\n  <RequestId>")
	xml.EscapeText(buf, []byte(requestID))
	buf.WriteString("</RequestId>\n</ErrorResponse>\n")
	writeBody(w, requestID, status, buf.Bytes())
	putBuffer(b)
}
