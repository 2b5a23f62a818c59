package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/keyward/keyward"
)

// Group commit. With synchronous=FULL every commit waits for the disk, so
// one writer commits a few hundred to a few thousand transactions a second.
// Updates that arrive while another is running are run together, one after
// another, each inside its own SAVEPOINT of a single transaction, and
// committed with one sync. Each fn still sees the writes of those before it,
// exactly as if they had run alone in that order (SQLite serializes writers
// anyway); a fn that fails is rolled back to its savepoint and leaves the
// others alone; if the commit fails, every Update in the batch fails and
// nothing of the batch is kept.

// maxBatch bounds how many Updates share one commit.
const maxBatch = 64

type writeReq struct {
	ctx  context.Context
	fn   func(keyward.Tx) error
	done chan writeResult
}

type writeResult struct {
	err   error
	panic any
}

type batcher struct {
	once  sync.Once
	queue chan *writeReq
	stop  chan struct{}
	wg    sync.WaitGroup
}

func (s *Store) startBatcher() {
	s.batch.once.Do(func() {
		s.batch.queue = make(chan *writeReq, maxBatch)
		s.batch.stop = make(chan struct{})
		s.batch.wg.Add(1)
		go s.writeLoop()
	})
}

// update queues fn for the writer and waits for its outcome.
func (s *Store) update(ctx context.Context, fn func(keyward.Tx) error) error {
	s.startBatcher()
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	select {
	case s.batch.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.batch.stop:
		return fmt.Errorf("sqlite: store closed")
	}
	res := <-req.done
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (s *Store) stopBatcher() {
	if s.batch.stop == nil {
		return
	}
	close(s.batch.stop)
	s.batch.wg.Wait()
}

func (s *Store) writeLoop() {
	defer s.batch.wg.Done()
	for {
		var first *writeReq
		select {
		case first = <-s.batch.queue:
		case <-s.batch.stop:
			// Fail whatever is still queued.
			for {
				select {
				case r := <-s.batch.queue:
					r.done <- writeResult{err: fmt.Errorf("sqlite: store closed")}
				default:
					return
				}
			}
		}
		reqs := []*writeReq{first}
	drain:
		for len(reqs) < maxBatch {
			select {
			case r := <-s.batch.queue:
				reqs = append(reqs, r)
			default:
				break drain
			}
		}
		s.runBatch(reqs)
	}
}

func (s *Store) runBatch(reqs []*writeReq) {
	if len(reqs) == 1 {
		r := reqs[0]
		var res writeResult
		func() {
			defer func() { res.panic = recover() }()
			res.err = s.run(r.ctx, s.writer, s.writerStmts, false, r.fn)
		}()
		r.done <- res
		return
	}
	results := make([]writeResult, len(reqs))
	fail := func(err error) {
		for i, r := range reqs {
			if results[i].panic == nil && results[i].err == nil {
				results[i].err = err
			}
			r.done <- results[i]
		}
	}
	stx, err := s.writer.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("sqlite: begin: %w", err))
		return
	}
	for i, r := range reqs {
		results[i] = s.runSavepoint(stx, r)
	}
	if err := stx.Commit(); err != nil {
		stx.Rollback()
		fail(fmt.Errorf("sqlite: commit: %w", err))
		return
	}
	for i, r := range reqs {
		r.done <- results[i]
	}
}

// runSavepoint runs one request's fn inside a savepoint of stx; a failing or
// panicking fn is rolled back to it.
func (s *Store) runSavepoint(stx *sql.Tx, r *writeReq) (res writeResult) {
	if err := r.ctx.Err(); err != nil {
		return writeResult{err: err}
	}
	if _, err := stx.ExecContext(r.ctx, "SAVEPOINT kw"); err != nil {
		return writeResult{err: fmt.Errorf("sqlite: savepoint: %w", err)}
	}
	ok := false
	defer func() {
		if p := recover(); p != nil {
			res.panic = p
		}
		if !ok {
			stx.Exec("ROLLBACK TO kw")
		}
		stx.Exec("RELEASE kw")
	}()
	if err := r.fn(newTx(r.ctx, stx, s.writerStmts, false)); err != nil {
		return writeResult{err: err}
	}
	ok = true
	return writeResult{}
}
