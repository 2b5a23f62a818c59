package guard

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
)

// errChunkSignature is a chunk whose signature does not chain from the
// request's.
var errChunkSignature = errors.New("a chunk signature does not match")

// emptyHash is the hex SHA-256 of nothing, part of every chunk's string to
// sign.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// decodeChunked decodes an aws-chunked body signed chunk by chunk
// (x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and checks each
// chunk's signature with the scope's signing key: each one is
//
//	HMAC-SHA256(key, "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" +
//	    previous signature + "\n" + hex(SHA-256("")) + "\n" + hex(SHA-256(data)))
//
// starting from the request's own (seed) signature, and the body ends with a
// signed empty chunk. Each chunk reads
// "HEXSIZE;chunk-signature=SIG\r\nDATA\r\n".
func decodeChunked(body, key []byte, date, scope, seed string) ([]byte, error) {
	var out []byte
	prev := seed
	for {
		line, rest, ok := bytes.Cut(body, []byte("\r\n"))
		if !ok {
			return nil, errors.New("an aws-chunked chunk header does not end in CRLF")
		}
		sizeHex, sig, ok := bytes.Cut(line, []byte(";chunk-signature="))
		if !ok || len(sig) != 64 {
			return nil, errors.New("an aws-chunked chunk has no chunk-signature")
		}
		size, err := strconv.ParseUint(string(sizeHex), 16, 31)
		if err != nil || uint64(len(rest)) < size+2 || !bytes.Equal(rest[size:size+2], []byte("\r\n")) {
			return nil, errors.New("an aws-chunked chunk's size does not match its data")
		}
		data := rest[:size]
		sum := sha256.Sum256(data)
		m := hmac.New(sha256.New, key)
		m.Write([]byte("AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" + prev + "\n" + emptyHash + "\n" + hex.EncodeToString(sum[:])))
		want := hex.EncodeToString(m.Sum(nil))
		if !hmac.Equal([]byte(want), sig) {
			return nil, errChunkSignature
		}
		prev = want
		body = rest[size+2:]
		if size == 0 {
			if len(body) != 0 {
				return nil, errors.New("data after the final aws-chunked chunk")
			}
			if out == nil {
				out = []byte{}
			}
			return out, nil
		}
		out = append(out, data...)
	}
}
