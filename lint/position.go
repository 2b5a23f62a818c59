package lint

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// positions maps the path of every element of a JSON document (the
// policy package's paths: Statement[0].Action[2],
// Statement.Condition.StringEquals.aws:username) to where it starts: for
// object members, the key.
type positions struct {
	data []byte
	at   map[string]int
}

func newPositions(data []byte) *positions {
	p := &positions{data: data, at: map[string]int{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	p.value(dec, "", -1)
	return p
}

// value records a value at path and walks it. keyOff is where its key
// starts (-1 for array elements and the root).
func (p *positions) value(dec *json.Decoder, path string, keyOff int) bool {
	start := p.skip(int(dec.InputOffset()))
	if keyOff >= 0 {
		start = keyOff
	}
	p.at[path] = start
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return true
	}
	switch d {
	case '{':
		for dec.More() {
			off := p.skip(int(dec.InputOffset()))
			k, err := dec.Token()
			if err != nil {
				return false
			}
			key, _ := k.(string)
			sub := key
			if path != "" {
				sub = path + "." + key
			}
			if !p.value(dec, sub, off) {
				return false
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if !p.value(dec, path+"["+strconv.Itoa(i)+"]", -1) {
				return false
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err == nil
}

// skip moves past white space and the separators the decoder leaves
// before a value.
func (p *positions) skip(off int) int {
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\n', '\r', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// find returns the position of the first of paths the document has, as
// line and column (1-based, columns counted in characters).
func (p *positions) find(paths ...string) (line, col int) {
	for _, path := range paths {
		if off, ok := p.at[path]; ok {
			return p.lineCol(off)
		}
	}
	return 1, 1
}

func (p *positions) lineCol(off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(p.data); {
		r, n := utf8.DecodeRune(p.data[i:])
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return line, col
}

// has reports whether the document has an element at path.
func (p *positions) has(path string) bool {
	_, ok := p.at[path]
	return ok
}
