package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Writer appends Records to a file, or to an io.Writer such as stdout, one
// JSON line each. It is safe for concurrent use.
type Writer struct {
	path  string    // "" when writing to out
	out   io.Writer // stdout, or the open file
	file  *os.File
	sync  bool
	clock func() time.Time

	mu      sync.Mutex
	buf     []byte
	checked time.Time // when the path was last compared with the open file

	// Group commit: lines written and lines known to be on disk, counted
	// since Open. One Write at a time runs fsync (syncing); the others
	// wait on synced, so concurrent requests share a flush.
	written, synced uint64
	syncing         bool
	flushed         *sync.Cond
}

// checkEvery is how often a Writer looks whether its file was moved away
// (rotated without a SIGHUP).
const checkEvery = time.Second

// Open returns a Writer appending to path (created 0600 when absent), or
// writing to stdout when path is "-". With durable set, every Write returns
// only once its line is on disk (fsync; concurrent Writes share one);
// stdout is never synced.
func Open(path string, durable bool, stdout io.Writer) (*Writer, error) {
	w := &Writer{sync: durable, clock: time.Now}
	w.flushed = sync.NewCond(&w.mu)
	if path == "-" {
		w.out, w.sync = stdout, false
		return w, nil
	}
	w.path = path
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if w.file != nil {
		if w.sync {
			// Lines written to the old file must be on disk before it is
			// let go: its Writes may still be waiting for a flush.
			if err := w.file.Sync(); err != nil {
				f.Close()
				return fmt.Errorf("audit: %w", err)
			}
			w.synced = w.written
			w.flushed.Broadcast()
		}
		w.file.Close()
	}
	w.file, w.out = f, f
	w.checked = w.clock()
	return nil
}

// Reopen closes the file and opens the path again: what SIGHUP does after
// a rotation moved the file away.
func (w *Writer) Reopen() error {
	if w.path == "" {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.open()
}

// moved reports whether the path no longer names the open file.
func (w *Writer) moved() bool {
	pi, err := os.Stat(w.path)
	if err != nil {
		return true
	}
	fi, err := w.file.Stat()
	return err != nil || !os.SameFile(pi, fi)
}

// Write appends r as one line.
func (w *Writer) Write(r *Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file != nil {
		if now := w.clock(); now.Sub(w.checked) >= checkEvery {
			w.checked = now
			if w.moved() {
				if err := w.open(); err != nil {
					return err
				}
			}
		}
	}
	w.buf = append(append(w.buf[:0], line...), '\n')
	if _, err := w.out.Write(w.buf); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	w.written++
	if !w.sync || w.file == nil {
		return nil
	}
	mine := w.written
	for w.synced < mine {
		if w.syncing {
			w.flushed.Wait()
			continue
		}
		// Lead a flush that covers every line written so far.
		w.syncing = true
		target, f := w.written, w.file
		w.mu.Unlock()
		err := f.Sync()
		w.mu.Lock()
		w.syncing = false
		if err == nil && target > w.synced {
			w.synced = target
		}
		w.flushed.Broadcast()
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
	}
	return nil
}

// Sync reports whether each Write returns only once its line is on disk.
func (w *Writer) Sync() bool { return w.sync }

// WriteJSON writes r to out as one JSON line, as a Writer stores it.
func WriteJSON(out io.Writer, r *Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = out.Write(append(line, '\n'))
	return err
}

// Close closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file == nil {
		return nil
	}
	err := w.file.Close()
	w.file = nil
	return err
}
