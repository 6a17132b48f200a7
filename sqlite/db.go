package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"

	"github.com/temgraph/temgraph"
)

// maxBatch bounds how many queued writes share one commit.
const maxBatch = 256

// DB is a temgraph store on one SQLite file.
type DB struct {
	path   string
	writer *sql.DB // exactly one connection, used only by the writer goroutine
	reader *sql.DB // read-only pool

	writes  chan *writeOp
	closing chan struct{}
	stopped chan struct{}
	mu      sync.RWMutex // held for reading while submitting, for writing by Close
	closed  bool

	stmts statements

	// cache, when not nil, serves GetPartner from memory (see Exclusive).
	cache *rowCache
	lock  *os.File // holds the exclusive lock taken by Exclusive

	// onCommit, when set, learns how many writes each commit carried.
	onCommit atomic.Pointer[func(writes int)]
}

var _ temgraph.Store = (*DB)(nil)

// writeOp is one write waiting for the writer goroutine. fn runs inside the
// batch's transaction and must issue a single writing statement. When key
// names a partner, fn returns the partner as the write left it (nil when it
// removed it), and the cache learns it once the transaction ends.
type writeOp struct {
	fn   func(tx *sql.Tx) (*temgraph.Partner, error)
	key  rowKey
	row  *temgraph.Partner
	done chan error
}

// ErrInUse reports that another process already serves from the file.
var ErrInUse = errors.New("the database file is in use by another temgraph server")

// Open opens (creating if needed) the SQLite database at path, which may be
// a file path or a "file:" URL, applies pending migrations and starts the
// writer goroutine. Any number of processes may open one file this way.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false)
}

// OpenExclusive is Open for the process that serves partners from the file:
// it first takes an exclusive lock on the file, failing with ErrInUse while
// another process holds it, and then keeps recently read and written
// partners in memory, which is sound only because no other process can
// change them. Processes that use Open (token, migrate) never write
// partners and may still share the file.
func OpenExclusive(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, exclusive bool) (*DB, error) {
	file := strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(file, '?'); i >= 0 {
		file = file[:i]
	}
	if file == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	db := &DB{
		path:    file,
		writes:  make(chan *writeOp, 4*maxBatch),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if exclusive {
		// The lock is taken before SQLite opens the file: closing this
		// descriptor after SQLite had opened it would drop SQLite's own
		// POSIX locks, so on failure it must be closed first.
		f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		if err := lockExclusive(f); err != nil {
			f.Close()
			if errors.Is(err, ErrInUse) {
				return nil, ErrInUse
			}
			return nil, fmt.Errorf("lock sqlite file: %w", err)
		}
		db.lock = f
		db.cache = newRowCache(defaultCacheBytes)
	}

	var err error
	db.writer, err = sql.Open("sqlite3", dsn(file, false))
	if err != nil {
		db.closeLock()
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetMaxIdleConns(1)
	db.writer.SetConnMaxLifetime(0)
	if err := migrate(ctx, db.writer); err != nil {
		db.writer.Close()
		db.closeLock()
		return nil, err
	}

	db.reader, err = sql.Open("sqlite3", dsn(file, true))
	if err != nil {
		db.writer.Close()
		db.closeLock()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	n := 2 * runtime.GOMAXPROCS(0)
	db.reader.SetMaxOpenConns(n)
	db.reader.SetMaxIdleConns(n)
	db.reader.SetConnMaxLifetime(0)

	if err := db.prepare(ctx); err != nil {
		db.writer.Close()
		db.reader.Close()
		db.closeLock()
		return nil, err
	}
	go db.writeLoop()
	return db, nil
}

// dsn builds the driver's connection string. The writer takes the write
// lock at BEGIN (IMMEDIATE), so a batch never fails half-way on a lock held
// by another process sharing the file; busy_timeout makes it wait instead.
func dsn(file string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "1")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + q.Encode()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.reader.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Close waits for queued writes to commit, stops the writer and closes the
// connections. Writes submitted after Close fail.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	close(db.closing)
	db.mu.Unlock()

	<-db.stopped
	if db.cache != nil {
		db.cache.close()
	}
	db.stmts.close()
	err := errors.Join(db.reader.Close(), db.writer.Close())
	return errors.Join(err, db.closeLock())
}

// closeLock releases the exclusive lock, if taken. It runs only once
// SQLite's connections are closed: closing any descriptor of the file drops
// the process's POSIX locks on it, which SQLite relies on while open.
func (db *DB) closeLock() error {
	if db.lock == nil {
		return nil
	}
	return db.lock.Close()
}

// write queues fn for the writer goroutine and waits for its commit. The
// result is final: once queued, a write is committed or rolled back whatever
// happens to ctx, so the caller always learns which.
func (db *DB) write(ctx context.Context, key rowKey, fn func(tx *sql.Tx) (*temgraph.Partner, error)) error {
	op := &writeOp{fn: fn, key: key, done: make(chan error, 1)}
	db.mu.RLock()
	if db.closed {
		db.mu.RUnlock()
		return temgraph.Errorf(temgraph.EUnavailable, "The service is shutting down; retry the request.")
	}
	select {
	case db.writes <- op:
	case <-ctx.Done():
		db.mu.RUnlock()
		return ctx.Err()
	}
	db.mu.RUnlock()
	return <-op.done
}

// writeLoop is the single writer: it takes the first queued write, gathers
// whatever else is queued (up to maxBatch) and commits them together.
func (db *DB) writeLoop() {
	defer close(db.stopped)
	batch := make([]*writeOp, 0, maxBatch)
	for {
		var op *writeOp
		select {
		case op = <-db.writes:
		case <-db.closing:
			// Drain what was queued before Close took the lock.
			for {
				select {
				case op = <-db.writes:
					db.commit([]*writeOp{op})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], op)
	gather:
		for len(batch) < maxBatch {
			select {
			case op = <-db.writes:
				batch = append(batch, op)
			default:
				break gather
			}
		}
		db.commit(batch)
	}
}

// commit runs a batch in one transaction. Client errors (*temgraph.Error)
// fail only their own write, whose single statement either did not run or
// was undone by SQLite. Any other error may have aborted the transaction, so
// the batch is rolled back and each write is retried in a transaction of its
// own.
func (db *DB) commit(batch []*writeOp) {
	results := make([]error, len(batch))
	err := db.runBatch(batch, results)
	if err == nil {
		for i, op := range batch {
			db.finish(op, results[i])
		}
		return
	}
	if len(batch) == 1 {
		db.finish(batch[0], err)
		return
	}
	for _, op := range batch {
		one := []*writeOp{op}
		res := []error{nil}
		if err := db.runBatch(one, res); err != nil {
			db.finish(op, err)
		} else {
			db.finish(op, res[0])
		}
	}
}

// finish hands a write its result, after telling the cache how the write
// left its partner: as committed, or unknown (the entry is dropped) when the
// write failed.
func (db *DB) finish(op *writeOp, err error) {
	if db.cache != nil && op.key.id != "" {
		if err != nil {
			db.cache.settle(op.key, nil)
		} else {
			db.cache.settle(op.key, op.row)
		}
	}
	op.done <- err
}

// runBatch executes the batch in one transaction and commits it. It returns
// a non-nil error when the transaction did not commit; per-write client
// errors go into results.
func (db *DB) runBatch(batch []*writeOp, results []error) error {
	ctx := context.Background()
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", classify(err))
	}
	defer tx.Rollback()
	for i, op := range batch {
		row, err := op.fn(tx)
		var te *temgraph.Error
		if err != nil && !errors.As(err, &te) {
			return err
		}
		op.row, results[i] = row, err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	if fn := db.onCommit.Load(); fn != nil {
		(*fn)(len(batch))
	}
	return nil
}

// ReportCommits makes fn learn how many writes shared each commit, for
// metrics; nil stops the reports. fn runs on the writer goroutine, so it
// must be quick.
func (db *DB) ReportCommits(fn func(writes int)) {
	if fn == nil {
		db.onCommit.Store(nil)
		return
	}
	db.onCommit.Store(&fn)
}

// classify marks SQLite's "database is locked" (another process held the
// write lock past busy_timeout) with temgraph.ErrUnavailable: a retry may
// succeed, so the client gets a 503 rather than a 500.
func classify(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
		return fmt.Errorf("%w: %w", temgraph.ErrUnavailable, err)
	}
	return err
}
